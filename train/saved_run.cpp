#include "train/saved_run.h"

#include <torch/serialize.h>

#include "core/error.h"
#include "core/schema.h"
#include "train/checkpoint.h"
#include "train/trainer.h"

namespace curlrl::train {

namespace fs = std::filesystem;

namespace {

// `run`'s agent, built for `spec` (its observation and action sizes) and restored from `run.checkpoint`.
SavedRun load_agent_for(const envs::EnvSpec& spec, SavedRun run) {
  const fs::path file = run.checkpoint / "agent.pt";
  // The checkpoint replaces the weights: a run started from agent.init_weights does not need that file any more.
  config::Config build = run.config;
  build.set("agent.init_weights", std::string());
  run.agent = agents::make_agent(build, spec);
  try {
    torch::serialize::InputArchive archive;
    archive.load_from(file.string());
    run.agent->load(archive);
  } catch (const Error&) {
    throw;
  } catch (const std::exception& e) {
    const std::string msg = e.what();
    throw Error("cannot read " + file.string() + ": " + first_line(msg));
  }
  return run;
}

// The run's configuration and its checkpoint at `env_steps`, verified; nothing built yet.
SavedRun read_config_and_checkpoint(const fs::path& dir, int64_t env_steps) {
  if (!fs::exists(dir / "config.yaml")) throw Error(dir.string() + " is not a curlrl run directory (no config.yaml)");
  static const config::Schema schema = config::make_schema("train");
  SavedRun run;
  run.config = config::Config::from_yaml_file(schema, (dir / "config.yaml").string());
  run.checkpoint = usable_checkpoint(dir, env_steps, run.config);
  run.env_steps = checkpoint_env_steps(run.checkpoint);
  configure_torch(run.config);
  return run;
}

}  // namespace

SavedRun load_saved_run(const fs::path& dir, int64_t env_steps) {
  SavedRun run = read_config_and_checkpoint(dir, env_steps);
  run.env = envs::make_env(run.config.get_string("task.name"), envs::EnvOptions::from_config(run.config));
  const envs::EnvSpec& spec = run.env->spec();
  return load_agent_for(spec, std::move(run));
}

SavedRun load_saved_agent(const fs::path& dir, int64_t env_steps, const envs::EnvSpec& spec) {
  return load_agent_for(spec, read_config_and_checkpoint(dir, env_steps));
}

}  // namespace curlrl::train
