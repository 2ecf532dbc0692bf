// A finished or stopped run read back for use outside training (`curlrl eval`, `curlrl export`): its configuration,
// the environment it describes and its agent restored from one of its checkpoints.
#pragma once

#include <cstdint>
#include <filesystem>
#include <memory>

#include "agents/agent.h"
#include "core/config.h"
#include "envs/env.h"

namespace curlrl::train {

struct SavedRun {
  config::Config config;
  std::filesystem::path checkpoint;  // the checkpoint folder the agent came from
  int64_t env_steps = 0;             // the step it was written at
  std::unique_ptr<envs::Env> env;
  std::unique_ptr<agents::Agent> agent;
};

// Reads run `dir`: its config.yaml and the checkpoint written at `env_steps` (-1: the latest), verified against its
// manifest. A missing run, checkpoint or damaged file is a one-line curlrl::Error.
SavedRun load_saved_run(const std::filesystem::path& dir, int64_t env_steps = -1);
// The same without building the environment (`env` stays empty), for a caller that already holds one of the run's
// environments, whose `spec` sizes the agent: reading many checkpoints of one run costs no environment each.
SavedRun load_saved_agent(const std::filesystem::path& dir, int64_t env_steps, const envs::EnvSpec& spec);

}  // namespace curlrl::train
