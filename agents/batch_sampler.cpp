#include "agents/batch_sampler.h"

#include <algorithm>

namespace curlrl::agents {

Batch BatchSampler::sample(const replay::ReplayBuffer& replay, std::mt19937_64& rng) const {
  const std::vector<int64_t> idx = replay.sample(spec_.batch_size, rng);
  const int64_t B = spec_.batch_size, A = replay.spec().action_dim;
  Batch b;
  b.action = torch::empty({B, A});
  b.reward = torch::empty({B, 1});
  b.not_done = torch::empty({B, 1});
  for (int64_t i = 0; i < B; ++i) {
    const auto act = replay.action(idx[i]);
    std::copy(act.begin(), act.end(), b.action.data_ptr<float>() + i * A);
    b.reward.data_ptr<float>()[i] = replay.reward(idx[i]);
    b.not_done.data_ptr<float>()[i] = replay.not_done(idx[i]);
  }
  if (spec_.observation == envs::ObservationKind::kPixels) {
    const int k = replay.spec().frame_stack;
    const auto& shape = replay.spec().item_shape;
    augment::FrameBatch obs{B, k, shape[0], shape[1], shape[2], std::vector<const uint8_t*>(B * k)};
    augment::FrameBatch next = obs;
    for (int64_t i = 0; i < B; ++i) {
      replay.obs_frames(idx[i], obs.frames.data() + i * k);
      replay.next_obs_frames(idx[i], next.frames.data() + i * k);
    }
    b.obs = pipeline_.train(obs, rng);
    b.next_obs = pipeline_.train(next, rng);
    if (spec_.contrastive) b.obs_positive = pipeline_.random() ? pipeline_.train(obs, rng) : b.obs.clone();
    for (int64_t m = 1; m < spec_.drq_m; ++m) b.obs_extra.push_back(pipeline_.train(obs, rng));
    for (int64_t j = 1; j < spec_.drq_k; ++j) b.next_obs_extra.push_back(pipeline_.train(next, rng));
  } else {
    const int64_t D = replay.spec().item_shape.at(0);
    b.obs = torch::empty({B, D});
    b.next_obs = torch::empty({B, D});
    for (int64_t i = 0; i < B; ++i) {
      const auto s = replay.obs_state(idx[i]);
      const auto n = replay.next_obs_state(idx[i]);
      std::copy(s.begin(), s.end(), b.obs.data_ptr<float>() + i * D);
      std::copy(n.begin(), n.end(), b.next_obs.data_ptr<float>() + i * D);
    }
  }
  const torch::Device device(spec_.device);
  if (device.type() != torch::kCPU) {
    for (auto* t : {&b.obs, &b.action, &b.reward, &b.next_obs, &b.not_done, &b.obs_positive}) {
      if (t->defined()) *t = t->to(device);
    }
    for (auto* list : {&b.obs_extra, &b.next_obs_extra}) {
      for (auto& t : *list) t = t.to(device);
    }
  }
  return b;
}

}  // namespace curlrl::agents
