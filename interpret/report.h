// `curlrl interpret`: what a trained agent sees, attends to and has learned, as pictures and tables in one folder.
//
// From one checkpoint of a run it plays evaluation episodes with the deterministic policy (seeded as the run's own
// evaluation at that step) and writes:
//   saliency.mp4 / saliency.png   input-gradient and SmoothGrad saliency of the critic and the actor (pixels)
//   values.csv / values.png       the critic's Q(s, a) beside the discounted return that followed (interpret/values.h)
//   augmentations.png             the run's training augmentations applied to observations (pixels)
//   probe.csv / probe.png         a ridge probe from the frozen encoder's features to each state variable, beside a
//                                 randomly initialised encoder's (interpret/probe.h); with all_checkpoints also
//                                 probe_curve.csv / probe_curve.png over every kept checkpoint
//   retrieval.png                 the CURL head's top-ranked keys for a few anchors (agents with the contrastive head)
//   interpret.md                  every file with what it shows, the run, the checkpoint and the command
#pragma once

#include <cstdint>
#include <filesystem>
#include <string>
#include <vector>

namespace curlrl::interpret {

struct Options {
  int64_t episodes = 3;              // evaluation episodes played and analysed
  int64_t smoothgrad_samples = 8;    // noisy copies per SmoothGrad map (0: plain gradients only)
  double smoothgrad_sigma = 0.1;     // SmoothGrad noise, as a fraction of the pixel range (255)
  double probe_ridge = 1.0;          // ridge penalty lambda on standardised features
  bool all_checkpoints = false;      // also probe every kept checkpoint (probe_curve.*)
  uint64_t seed = 0;                 // noise, batch draws and the random baseline encoder
  std::string command;               // the command line, recorded in interpret.md
};

// Interprets the checkpoint of `run_dir` written at `checkpoint` (-1: the newest) into `out` (empty:
// RUN_DIR/interpret/<env_steps>/). Returns the folder. Bad runs and checkpoints are one-line curlrl::Error.
std::filesystem::path interpret_run(const std::filesystem::path& run_dir, int64_t checkpoint,
                                    const std::filesystem::path& out, const Options& options);

}  // namespace curlrl::interpret
