// Training batches: transitions drawn uniformly from the replay buffer, their observations augmented (pixels) or
// copied (states) into tensors on the agent's device. One of the agent's parts (agents/sac_agent.h).
#pragma once

#include <torch/types.h>

#include <cstdint>
#include <random>
#include <string>
#include <vector>

#include "augment/augment.h"
#include "envs/observation.h"
#include "replay/replay_buffer.h"

namespace curlrl::agents {

// A sampled, augmented batch.
struct Batch {
  torch::Tensor obs, action, reward, next_obs, not_done;
  torch::Tensor obs_positive;  // second independent crop of obs (contrastive only)
  std::vector<torch::Tensor> obs_extra;       // DrQ: drq_m - 1 further augmentations of obs
  std::vector<torch::Tensor> next_obs_extra;  // DrQ: drq_k - 1 further augmentations of next_obs
  // The policy's standard normal draws, [B, A], where the caller fixes them (`curlrl trace-update`); undefined in
  // training, where the update draws them: for the sample on next_obs in the TD target, and for the actor update's.
  torch::Tensor noise_next, noise_actor;
};

struct BatchSpec {
  int64_t batch_size = 512;
  envs::ObservationKind observation = envs::ObservationKind::kPixels;
  bool contrastive = false;  // also draw the positive view of obs
  int64_t drq_k = 1, drq_m = 1;
  std::string device = "cpu";
};

class BatchSampler {
 public:
  BatchSampler(BatchSpec spec, augment::Pipeline pipeline) : spec_(std::move(spec)), pipeline_(std::move(pipeline)) {}
  // `batch_size` transitions, uniform with replacement, drawn with `rng`; pixels are augmented with independent
  // draws per array in the reference's order (obs, next_obs, the contrastive positive, then DrQ's further views).
  Batch sample(const replay::ReplayBuffer& replay, std::mt19937_64& rng) const;

 private:
  BatchSpec spec_;
  augment::Pipeline pipeline_;
};

}  // namespace curlrl::agents
