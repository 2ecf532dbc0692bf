// curlrl list tasks|agents|encoders|augmentations
#include <cstdio>
#include <iostream>

#include "apps/commands.h"
#include "core/error.h"
#include "encoders/encoder.h"
#include "envs/task.h"

namespace curlrl::apps {

int run_list(const Invocation& inv) {
  const std::string what = inv.config.get_string("what");
  const auto print_group = [&](const std::string& group) {
    for (const auto& name : config::group_choices(inv.config_dir, group)) std::cout << name << "\n";
  };
  if (what == "tasks") {
    for (const auto& name : envs::task_names()) std::cout << name << "\n";
  } else if (what == "agents") {
    print_group("agent");
  } else if (what == "encoders") {
    for (const auto& name : encoders::encoder_names()) std::cout << name << "\n";
  } else if (what == "augmentations") {
    print_group("augment");
  }
  return 0;
}

}  // namespace curlrl::apps
