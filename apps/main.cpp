// curlrl: the command-line program. `curlrl <command> [--help] [--print-config] [--config-dir DIR] [key=value ...]`
#include <cxxopts.hpp>

#include <cstdio>
#include <iostream>

#include "apps/commands.h"
#include "core/build_info.h"
#include "core/cpu_tuning.h"
#include "core/error.h"
#include "core/io.h"
#include "core/schema.h"
#include "core/settings.h"
#include "media/video.h"
#include "train/trainer.h"

namespace curlrl::apps {

const std::vector<Command>& commands() {
  static const std::vector<Command> kCommands = {
      {"train", "train an agent (default: CURL on cartpole_swingup); resume=RUN_DIR continues a run", run_train},
      {"eval", "evaluate a run's last checkpoint: run=RUN_DIR [episodes=N] [video=PATH.mp4]", run_eval},
      {"interpret", "saliency, values, augmentations, a linear probe and retrieval for a checkpoint: run=RUN_DIR",
       run_interpret},
      {"export", "write a run's agent as a tensor file for PyTorch: run=RUN_DIR [checkpoint=ENV_STEPS] out=FILE.pt",
       run_export},
      {"trace-update", "K updates on the batches and policy noise of a tensor file: in=IN.pt out=OUT.pt (PyTorch checks)",
       run_trace_update},
      {"rollout", "write one episode's actions, rewards and physics state to CSV (policy=random|zero|file:PATH)",
       run_rollout},
      {"render", "render a random-policy episode to .mp4 or its first frame to .png", run_render},
      {"bench", "measure speed: bench env | replay | update | update_state | train | blas | checkpoint",
       run_bench},
      {"list", "list tasks | agents | encoders | augmentations", run_list},
  };
  return kCommands;
}

namespace {

void print_usage() {
  std::cout << "usage: curlrl <command> [--help] [--print-config] [--config-dir DIR] [key=value ...]\n\ncommands:\n";
  for (const auto& c : commands()) std::printf("  %-12s %s\n", c.name.c_str(), c.summary.c_str());
  std::cout << "\n`curlrl <command> --help` lists every configuration key with its type, default and meaning.\n";
}

void print_help(const Command& cmd, const config::Schema& schema, const std::string& config_dir) {
  std::cout << "usage: curlrl " << cmd.name << " [--help] [--print-config] [--config-dir DIR] [key=value ...]\n"
            << cmd.summary << "\n\n";
  config::Config defaults;
  bool have_defaults = false;
  try {
    defaults = config::compose(schema, config_dir, {}).config;
    have_defaults = true;
  } catch (const std::exception& e) {
    std::cout << "(defaults unavailable: " << e.what() << ")\n";
  }
  std::cout << "groups (choose with group=name; each piece with its own settings and the keys its file in " << config_dir
            << " sets):\n";
  for (const auto& g : config::group_names()) {
    std::printf("  %s\n", g.c_str());
    for (const auto& plugin : config::plugins(g)) {
      std::string keys = join(plugin.settings, " ");
      try {
        const std::string file_keys = join(config::group_file_keys(config_dir, g, plugin.name), " ");
        if (!file_keys.empty()) keys += (keys.empty() ? "" : "; ") + std::string("file: ") + file_keys;
      } catch (const std::exception& e) {
        keys += std::string(" (file unreadable: ") + e.what() + ")";
      }
      std::printf("    %-18s %s\n", plugin.name.c_str(), keys.empty() ? "(no keys)" : keys.c_str());
    }
  }
  std::cout << "\nkeys (set with key=value; default as composed from " << config_dir << "):\n";
  for (const auto& spec : schema.keys()) {
    std::string type = config::type_name(spec.type);
    if (spec.min || spec.max) {
      type += spec.min ? " >= " + config::value_to_string(spec.type == config::Type::kInt
                                                               ? config::Value(int64_t(*spec.min))
                                                               : config::Value(*spec.min))
                       : "";
      if (spec.max) {
        type += (spec.min ? ", <= " : " <= ") +
                config::value_to_string(spec.type == config::Type::kInt ? config::Value(int64_t(*spec.max))
                                                                        : config::Value(*spec.max));
      }
    }
    if (!spec.choices.empty()) {
      std::string c;
      for (const auto& x : spec.choices) c += (c.empty() ? "" : "|") + x;
      type += " (" + c + ")";
    }
    // A plugin's settings are in the composed defaults only when it is chosen there; else their own default.
    const std::string def = have_defaults && defaults.has(spec.key) ? config::value_to_string(defaults.get(spec.key))
                            : spec.fallback                           ? config::value_to_string(*spec.fallback)
                                                                      : "?";
    std::printf("  %-34s %-22s default %-14s %s\n", spec.key.c_str(), type.c_str(),
                def.empty() ? "\"\"" : def.c_str(), spec.doc.c_str());
  }
}

int run(int argc, char** argv) {
  std::vector<std::string> args(argv, argv + argc);
  if (argc < 2 || args[1] == "--help" || args[1] == "-h" || args[1] == "help") {
    print_usage();
    return argc < 2 ? 2 : 0;
  }
  if (args[1] == "--version") {
    std::cout << "curlrl " << CURLRL_VERSION << "\ncommit: " << kBuildCommit << "\nlibtorch: " << kLibTorchVersion
              << "\nvideos: " << media::video_support() << "\n";
    return 0;
  }
  const Command* cmd = nullptr;
  std::vector<std::string> names;
  for (const auto& c : commands()) {
    if (c.name == args[1]) cmd = &c;
    names.push_back(c.name);
  }
  if (!cmd) throw ConfigError("unknown command '" + args[1] + "' (commands: " + join(names, ", ") + ")");

  cxxopts::Options options("curlrl " + cmd->name, cmd->summary);
  options.add_options()("h,help", "show every configuration key")(
      "print-config", "print the resolved configuration and exit")(
      "config-dir", "folder of config.yaml and the group folders", cxxopts::value<std::string>());
  // Flags go to cxxopts; every other argument is a key=value override, kept verbatim (cxxopts would split a
  // positional list value such as augment=[crop,cutout] at its commas).
  std::vector<std::string> flag_args = {args[0]};
  std::vector<std::string> overrides;
  for (size_t i = 2; i < args.size(); ++i) {
    if (args[i].starts_with("-")) {
      flag_args.push_back(args[i]);
      if (args[i] == "--config-dir" && i + 1 < args.size()) flag_args.push_back(args[++i]);
    } else if ((cmd->name == "list" || cmd->name == "bench") && args[i].find('=') == std::string::npos) {
      overrides.push_back("what=" + args[i]);  // `curlrl list tasks`, `curlrl bench env`
    } else {
      overrides.push_back(args[i]);
    }
  }
  std::vector<char*> flag_argv;
  for (auto& a : flag_args) flag_argv.push_back(a.data());
  cxxopts::ParseResult parsed;
  try {
    parsed = options.parse(static_cast<int>(flag_argv.size()), flag_argv.data());
  } catch (const cxxopts::exceptions::exception& e) {
    throw ConfigError(e.what());
  }

  const config::Schema schema = config::make_schema(cmd->name);
  const std::string config_dir =
      parsed.count("config-dir") ? parsed["config-dir"].as<std::string>() : config::default_config_dir();
  if (parsed.count("help")) {
    print_help(*cmd, schema, config_dir);
    return 0;
  }
  config::Composed composed = config::compose(schema, config_dir, overrides);
  if (parsed.count("print-config")) {
    if (cmd->name == "train") train::check_run_config(composed.config);
    std::cout << composed.config.to_yaml();
    return 0;
  }
  Invocation inv{cmd->name, std::move(composed.config), std::move(composed.overrides), args, config_dir};
  return cmd->run(inv);
}

}  // namespace
}  // namespace curlrl::apps

int main(int argc, char** argv) {
  curlrl::fix_openblas_core(argv);
  curlrl::tune_malloc();
  try {
    return curlrl::apps::run(argc, argv);
  } catch (const curlrl::ConfigError& e) {
    std::cerr << "curlrl: error: " << e.what() << std::endl;
    return 2;
  } catch (const std::exception& e) {
    std::cerr << "curlrl: error: " << e.what() << std::endl;
    return 1;
  }
}
