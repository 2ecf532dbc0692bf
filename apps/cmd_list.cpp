// curlrl list tasks|agents|encoders|augmentations: every piece that can be chosen by name, one line each, with
// the keys its configuration file sets.
#include <algorithm>
#include <cstdio>
#include <iostream>

#include "apps/commands.h"
#include "augment/augment.h"
#include "core/error.h"
#include "core/io.h"
#include "encoders/encoder.h"
#include "envs/task.h"

namespace curlrl::apps {
namespace {

// "name  summary" and, indented, the keys of configs/<group>/<name>.yaml (when the file exists).
void print_piece(const Invocation& inv, const std::string& group, const std::string& name, std::string summary) {
  std::vector<std::string> keys;
  const auto files = config::group_choices(inv.config_dir, group);
  if (std::find(files.begin(), files.end(), name) != files.end()) {
    config::GroupFileInfo info = config::group_file_info(inv.config_dir, group, name);
    if (summary.empty()) summary = info.summary;
    keys = info.keys;
  }
  std::printf("%-18s %s\n", name.c_str(), summary.c_str());
  if (!keys.empty()) {
    std::printf("%-18s   sets: %s\n", "", join(keys, ", ").c_str());
  }
}

}  // namespace

int run_list(const Invocation& inv) {
  const std::string what = inv.config.get_string("what");
  if (what == "tasks") {
    for (const auto& name : envs::task_names()) print_piece(inv, "task", name, "");
  } else if (what == "agents") {
    for (const auto& name : config::group_choices(inv.config_dir, "agent")) print_piece(inv, "agent", name, "");
  } else if (what == "encoders") {
    for (const auto& name : encoders::encoder_names()) print_piece(inv, "encoder", name, "");
  } else if (what == "augmentations") {
    for (const auto& [name, entry] : augment::augmentation_registry()) print_piece(inv, "augment", name, entry.summary);
  }
  return 0;
}

}  // namespace curlrl::apps
