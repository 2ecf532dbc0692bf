// The time of one full CURL update (critic; actor and temperature every 2; EMA every 2; contrastive) with the
// paper's network sizes on 9x84x84 crops of 100x100 frames, and the effective GFLOP/s against the machine's
// fp32 matrix-multiply peak measured in the same run.
#include <torch/utils.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <map>
#include <random>

#include "agents/sac_agent.h"
#include "core/cpu_tuning.h"
#include "encoders/pixel.h"
#include "apps/commands.h"

namespace curlrl::apps {
namespace {

double now_s() { return std::chrono::duration<double>(std::chrono::steady_clock::now().time_since_epoch()).count(); }

// Floating-point operations per sample of one update, counted from the layer shapes (multiply-add = 2 FLOPs;
// a backward pass costs twice its forward, except that the first convolution needs no input gradient).
struct EncoderFlops {
  double forward = 0, backward = 0, fc = 0;
};

EncoderFlops encoder_flops(const encoders::PixelEncoderOptions& pe) {
  const int64_t c0 = pe.obs_shape[0], f = pe.num_filters, feat = pe.feature_dim;
  int64_t size = pe.obs_shape[1];  // after the crop
  double conv = 0, conv_first = 0;
  for (int64_t l = 0; l < pe.num_layers; ++l) {
    size = l == 0 ? (size - 3) / 2 + 1 : size - 2;
    const double flops = 2.0 * (l == 0 ? c0 : f) * 9 * f * size * size;
    conv += flops;
    if (l == 0) conv_first = flops;
  }
  EncoderFlops e;
  e.fc = 2.0 * f * size * size * feat;
  e.forward = conv + e.fc;
  e.backward = 2 * e.forward - conv_first;
  return e;
}

double update_flops_per_sample(const agents::SacOptions& o, const encoders::PixelEncoderOptions& pe,
                               int64_t actor_every) {
  const int64_t feat = pe.feature_dim;
  const EncoderFlops e = encoder_flops(pe);
  const double fc = e.fc, enc_fwd = e.forward, enc_bwd = e.backward;
  const int64_t h = o.hidden_dim, a = o.action_dim;
  const double mlp = 2.0 * ((feat + a) * h + h * h + h);      // one Q network
  const double actor_mlp = 2.0 * (feat * h + h * h + h * 2 * a);
  double total = 0;
  total += enc_fwd + enc_bwd + 2 * mlp * 3;                     // critic: encoder + twin Q, forward and backward
  total += 2 * enc_fwd + actor_mlp + 2 * mlp;                   // target: actor(next) and target critic(next)
  total += (fc * 2 + actor_mlp * 3 + mlp * 2 * 3) / actor_every;  // actor: heads and MLPs on shared conv features
  total += enc_fwd + enc_bwd + enc_fwd + 2.0 * feat * feat * 2;   // contrastive: anchor fwd+bwd, key fwd, logits
  return total;
}

}  // namespace

double bench_matmul() {
  const int64_t n = 2048;
  torch::Tensor x = torch::randn({n, n}), y = torch::randn({n, n});
  torch::mm(x, y);
  double best = 1e30;  // best of 5: the figure is a peak
  for (int i = 0; i < 5; ++i) {
    const double t0 = now_s();
    torch::mm(x, y);
    best = std::min(best, now_s() - t0);
  }
  const double peak = 2.0 * n * n * n / best / 1e9;
  const std::string core = openblas_core();
  std::printf("matmul n=%lld threads=%d gflops=%.1f blas_core=%s process=%s\n", static_cast<long long>(n),
              torch::get_num_threads(), peak, core.empty() ? "not-openblas" : core.c_str(), process_name().c_str());
  std::fflush(stdout);
  return peak;
}

void bench_update(const config::Config& config, int64_t iters) {
  const double peak = bench_matmul();  // the matrix-multiply peak, same threads, same run

  // The exact update at both batch sizes, then the opt-in shared-forward approximation, measured separately.
  for (const bool shared : {false, true}) {
    for (const int64_t batch : {int64_t{128}, int64_t{512}}) {
      envs::EnvSpec spec;
      spec.task = "bench";
      spec.action_dim = 6;
      spec.observation = envs::ObservationKind::kPixels;
      spec.observation_shape = {9, 100, 100};
      spec.frame_shape = {3, 100, 100};
      spec.frame_stack = 3;
      agents::SacOptions o = agents::SacOptions::from_config(config, spec);
      o.batch_size = batch;
      o.contrastive = true;
      o.shared_encoder_forward = shared;
      agents::SacAgent agent(o);

      replay::ReplayBuffer buffer(4 * batch, replay::ReplaySpec::of(spec));
      std::mt19937_64 rng(1);
      std::vector<uint8_t> frame(3 * 100 * 100);
      std::vector<float> action(6);
      std::uniform_int_distribution<int> pixel(0, 255);
      for (auto& p : frame) p = static_cast<uint8_t>(pixel(rng));
      buffer.add_first(frame);
      for (int64_t i = 0; i < 4 * batch; ++i) {
        frame[static_cast<size_t>(i) % frame.size()] ^= 0x5a;
        buffer.add(action, 0.5f, 1.0f, frame);
      }
      const int64_t reps = iters > 0 ? iters : (batch <= 128 ? 12 : 6);
      // Warm-up: the first updates of each kind (with and without the actor step) grow the heap and build
      // oneDNN's kernels for every shape; measured here, they made batch 128 look 25% slower.
      for (int64_t i = -3; i <= 0; ++i) agent.update(buffer, i, rng);
      // Per-phase times: the agent reports the end of each phase, the clock is here.
      std::map<std::string, double> phase_seconds;
      double phase_start = 0;
      agent.set_phase_hook([&](const char* phase) {
        const double now = now_s();
        phase_seconds[phase] += now - phase_start;
        phase_start = now;
      });
      const double t0 = now_s();
      for (int64_t i = 1; i <= reps; ++i) {
        phase_start = now_s();
        agent.update(buffer, i, rng);
      }
      const double ms = 1000.0 * (now_s() - t0) / reps;
      // The shared pass skips one encoder forward and one backward: its FLOPs are not the exact update's.
      const auto& pe = dynamic_cast<const encoders::PixelEncoderImpl&>(*agent.critic()->encoder).options();
      const EncoderFlops e = encoder_flops(pe);
      const double flops =
          update_flops_per_sample(o, pe, o.actor_update_freq) - (shared ? e.forward + e.backward : 0.0);
      const double gflops = flops * batch / (ms / 1000.0) / 1e9;
      std::printf("update batch=%lld ms_per_update=%.1f gflops=%.1f peak_gflops=%.1f%s\n",
                  static_cast<long long>(batch), ms, gflops, peak, shared ? " approximation=shared_encoder_forward" : "");
      std::printf("  phases batch=%lld", static_cast<long long>(batch));
      for (const auto& [phase, seconds] : phase_seconds) {
        std::printf(" %s_ms=%.1f", phase.c_str(), 1000 * seconds / reps);
      }
      std::printf("\n");
      std::fflush(stdout);
    }
  }
}

}  // namespace curlrl::apps
