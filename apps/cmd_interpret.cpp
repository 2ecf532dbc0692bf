// curlrl interpret run=RUN_DIR [checkpoint=N] [episodes=N] [out=DIR] [checkpoints=all]: saliency, values against
// returns, augmentations, a linear probe of the representation and contrastive retrieval for one checkpoint of a run
// (interpret/report.h), written with interpret.md into RUN_DIR/interpret/<env_steps>/.
#include <iostream>

#include "apps/commands.h"
#include "core/error.h"
#include "core/settings.h"
#include "interpret/report.h"

namespace curlrl::apps {
namespace {
const config::Setting<std::string> kRun{"run", "", "run directory whose checkpoint to interpret", {.command = "interpret"}};
const config::Setting<int64_t> kCheckpoint{"checkpoint", -1, "env_steps of the checkpoint to interpret (-1: the newest)",
                                           {.min = -1, .command = "interpret"}};
const config::Setting<int64_t> kEpisodes{"episodes", 3, "evaluation episodes played and analysed",
                                         {.min = 1, .max = 100, .command = "interpret"}};
const config::Setting<std::string> kOut{"out", "", "output folder (empty: RUN_DIR/interpret/<env_steps>)",
                                        {.command = "interpret"}};
const config::Setting<std::string> kCheckpoints{
    "checkpoints", "one",
    "one, or all: also probe every kept checkpoint's encoder (probe_curve.png; train with keep_checkpoints=all)",
    {.choices = {"one", "all"}, .command = "interpret"}};
const config::Setting<int64_t> kSmoothGrad{"smoothgrad", 8, "noisy copies per SmoothGrad saliency map (0: plain gradients)",
                                           {.min = 0, .max = 256, .command = "interpret"}};
const config::Setting<double> kSmoothSigma{"smoothgrad_sigma", 0.1,
                                           "SmoothGrad noise standard deviation, as a fraction of the pixel range",
                                           {.min = 0, .max = 1, .command = "interpret"}};
const config::Setting<double> kProbeRidge{"probe_ridge", 1.0, "ridge penalty of the linear probe (standardised features)",
                                          {.min = 0, .command = "interpret"}};
}  // namespace

int run_interpret(const Invocation& inv) {
  const std::string run = kRun(inv.config);
  if (run.empty()) throw ConfigError("interpret needs run=RUN_DIR");
  interpret::Options o;
  o.episodes = kEpisodes(inv.config);
  o.smoothgrad_samples = kSmoothGrad(inv.config);
  o.smoothgrad_sigma = kSmoothSigma(inv.config);
  o.probe_ridge = kProbeRidge(inv.config);
  o.all_checkpoints = kCheckpoints(inv.config) == "all";
  o.seed = static_cast<uint64_t>(inv.config.get_int("seed"));
  for (const auto& a : inv.argv) o.command += (o.command.empty() ? "" : " ") + a;
  interpret::interpret_run(run, kCheckpoint(inv.config), kOut(inv.config), o);
  return 0;
}

}  // namespace curlrl::apps
