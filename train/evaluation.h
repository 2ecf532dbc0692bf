// The evaluation of a run: deterministic episodes of the policy on an environment seeded by the run's seed and the
// step it is evaluated at. The trainer logs it to eval.csv; `curlrl eval` repeats it for a checkpoint, with the same
// seed rule, so that it reproduces eval.csv's row for the step the checkpoint was written at.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "agents/agent.h"
#include "core/config.h"
#include "envs/env.h"

namespace curlrl::train {

struct EvalResult {
  double mean = 0, std = 0;
  std::vector<double> returns;
};

// The evaluation environment's seed for an evaluation at `env_steps` of a run seeded `seed`.
uint32_t eval_seed(int64_t seed, int64_t env_steps);

// Evaluates `agent` over `episodes` episodes with deterministic actions on `env`, reseeded with `seed` first.
// `video` (if non-empty) receives the first episode as mp4: the env's own frames in pixels mode; in states mode
// frames rendered with `render`'s camera, image_size, gl_backend (CURLRL_GL wins) and render_quality.
EvalResult evaluate(agents::Agent& agent, envs::Env& env, int episodes, uint32_t seed, const std::string& video,
                    const envs::EnvOptions& render);

// The run's evaluation at `env_steps`: evaluate() seeded with eval_seed(seed of `config`, env_steps), videos rendered
// with the configuration's task.* settings.
EvalResult evaluate_run(agents::Agent& agent, envs::Env& env, const config::Config& config, int64_t env_steps,
                        int episodes, const std::string& video);

// The looks an evaluation is run under (envs/distraction.h): eval.modes, or [eval.mode] when that list is empty.
std::vector<envs::DistractionMode> evaluation_modes(const config::Config& config);
// Configuration checks of the evaluation modes and task.distraction that need nothing built: a distraction with state
// observations, a bad distraction.video_dir (one line naming it).
void check_evaluation_config(const config::Config& config);

struct ModeResult {
  envs::DistractionMode mode;
  EvalResult result;
};
// evaluate_run under each of `modes` in turn, each with the same seed (the same initial states under every look); the
// env's own distraction (task.distraction of `config`) is restored afterwards. `video` (if set) records the first
// episode of each mode, the mode's name inserted before ".mp4" for all but the training look.
std::vector<ModeResult> evaluate_run_modes(agents::Agent& agent, envs::Env& env, const config::Config& config,
                                           int64_t env_steps, int episodes, const std::string& video,
                                           const std::vector<envs::DistractionMode>& modes);

}  // namespace curlrl::train
