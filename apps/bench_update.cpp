// The time of one full CURL update (critic; actor and temperature every 2; EMA every 2; contrastive) with the
// paper's network sizes on 9x84x84 crops of 100x100 frames, and of the state SAC update (the MLPs alone), with the
// effective GFLOP/s against the machine's fp32 matrix-multiply peak measured in the same run.
#include <torch/utils.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <map>
#include <random>
#include <string>
#include <vector>

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

// The MLPs' share: twin Q forward and backward (critic), actor and target Q forward (TD target), and every
// actor_every updates the actor's forward and backward through the twin Q.
double mlp_flops_per_sample(const agents::SacOptions& o, int64_t feat) {
  const int64_t h = o.hidden_dim, a = o.action_dim;
  const double mlp = 2.0 * ((feat + a) * h + h * h + h);  // one Q network
  const double actor_mlp = 2.0 * (feat * h + h * h + h * 2 * a);
  // The actor step differentiates through the twin Q for the action only (no Q weight gradients): 2x forward.
  return 2 * mlp * 3 + actor_mlp + 2 * mlp + (actor_mlp * 3 + mlp * 2 * 2) / o.actor_update_freq;
}

double update_flops_per_sample(const agents::SacOptions& o, const encoders::PixelEncoderOptions& pe) {
  const int64_t feat = pe.feature_dim;
  const EncoderFlops e = encoder_flops(pe);
  const double fc = e.fc, enc_fwd = e.forward, enc_bwd = e.backward;
  double total = mlp_flops_per_sample(o, feat);
  total += enc_fwd + enc_bwd;                                    // critic: the encoder, forward and backward
  total += 2 * enc_fwd;                                          // target: actor(next) and target critic(next)
  total += fc * 3 / o.actor_update_freq;  // actor: its head forward and backward, the critic's head forward
  total += enc_fwd + enc_bwd + enc_fwd + 2.0 * feat * feat * 2;  // contrastive: anchor fwd+bwd, key fwd, logits
  return total;
}

// Times `reps` updates of `agent` on `buffer` after a warm-up, per phase through the agent's hook; returns ms per
// update and fills `phase_ms`.
double time_updates(agents::SacAgent& agent, const replay::ReplayBuffer& buffer, int64_t reps,
                    std::map<std::string, double>& phase_ms) {
  std::mt19937_64 rng(1);
  // Warm-up: the first updates of each kind (with and without the actor step) grow the heap and build oneDNN's
  // kernels for every shape; measured here, they made batch 128 look 25% slower.
  for (int64_t i = -3; i <= 0; ++i) agent.update(buffer, i, rng);
  double phase_start = 0;
  agent.set_phase_hook([&](const char* phase) {
    const double now = now_s();
    phase_ms[phase] += 1000 * (now - phase_start) / static_cast<double>(reps);
    phase_start = now;
  });
  const double t0 = now_s();
  for (int64_t i = 1; i <= reps; ++i) {
    phase_start = now_s();
    agent.update(buffer, i, rng);
  }
  agent.set_phase_hook(nullptr);
  return 1000.0 * (now_s() - t0) / static_cast<double>(reps);
}

void print_phases(int64_t batch, const std::map<std::string, double>& phase_ms) {
  std::printf("  phases batch=%lld", static_cast<long long>(batch));
  for (const auto& [phase, ms] : phase_ms) std::printf(" %s_ms=%.1f", phase.c_str(), ms);
  std::printf("\n");
  std::fflush(stdout);
}

// SAC from states (agent=state_sac's networks: hidden agent.hidden_dim, the identity encoder) on 24 state numbers
// and 6 actions (walker's sizes), batch 128, in `precision`.
void bench_state_update(int64_t iters, double peak, const std::string& precision) {
  agents::SacOptions o;
  o.precision = precision;
  o.observation = envs::ObservationKind::kStates;
  o.obs_shape = {24};
  o.action_dim = 6;
  o.encoder = "identity";
  o.batch_size = 128;
  o.contrastive = false;
  o.encoder_double_step = false;
  agents::SacAgent agent(o);
  envs::EnvSpec spec;
  spec.observation = o.observation;
  spec.observation_shape = o.obs_shape;
  spec.action_dim = 6;
  replay::ReplayBuffer buffer(4 * o.batch_size, replay::ReplaySpec::of(spec));
  std::mt19937_64 rng(1);
  std::normal_distribution<float> normal;
  std::vector<float> state(24), action(6);
  auto fill = [&] {
    for (auto& x : state) x = normal(rng);
  };
  fill();
  buffer.add_first(state);
  for (int64_t i = 0; i < 4 * o.batch_size; ++i) {
    fill();
    buffer.add(action, 0.5f, 1.0f, state);
  }
  std::map<std::string, double> phase_ms;
  const double ms = time_updates(agent, buffer, iters > 0 ? iters : 40, phase_ms);
  const double gflops = mlp_flops_per_sample(o, 24) * o.batch_size / (ms / 1000.0) / 1e9;
  std::printf("update agent=state_sac batch=%lld hidden=%lld ms_per_update=%.1f gflops=%.1f peak_gflops=%.1f "
              "fraction_of_peak=%.2f%s\n",
              static_cast<long long>(o.batch_size), static_cast<long long>(o.hidden_dim), ms, gflops, peak,
              gflops / peak, precision == "bf16" ? " precision=bf16 (peak: fp32's)" : "");
  print_phases(o.batch_size, phase_ms);
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

  // The exact update at both batch sizes in fp32 and, where the CPU has bfloat16 arithmetic, in bf16 mixed
  // precision (agent.precision=bf16) right after it; then the opt-in shared-forward approximation.
  struct Case {
    bool shared;
    int64_t batch;
    std::string precision;
  };
  std::vector<Case> cases;
  for (const int64_t batch : {int64_t{128}, int64_t{512}}) {
    cases.push_back({false, batch, "fp32"});
    if (cpu_has_bf16()) cases.push_back({false, batch, "bf16"});
  }
  for (const int64_t batch : {int64_t{128}, int64_t{512}}) cases.push_back({true, batch, "fp32"});
  std::map<int64_t, double> fp32_ms;
  for (const Case& c : cases) {
    {
      const bool shared = c.shared;
      const int64_t batch = c.batch;
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
      o.precision = c.precision;
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
      std::map<std::string, double> phase_ms;
      const double ms = time_updates(agent, buffer, reps, phase_ms);
      // The shared pass skips one encoder forward and one backward: its FLOPs are not the exact update's.
      const auto& pe = dynamic_cast<const encoders::PixelEncoderImpl&>(*agent.critic()->encoder).options();
      const EncoderFlops e = encoder_flops(pe);
      const double flops = update_flops_per_sample(o, pe) - (shared ? e.forward + e.backward : 0.0);
      const double gflops = flops * batch / (ms / 1000.0) / 1e9;
      std::string extra = shared ? " approximation=shared_encoder_forward" : "";
      if (!shared && c.precision == "fp32") fp32_ms[batch] = ms;
      if (c.precision == "bf16") {
        extra = " precision=bf16 speedup_over_fp32=" + std::to_string(fp32_ms[batch] / ms).substr(0, 4);
      }
      std::printf("update batch=%lld ms_per_update=%.1f gflops=%.1f peak_gflops=%.1f%s\n",
                  static_cast<long long>(batch), ms, gflops, peak, extra.c_str());
      print_phases(batch, phase_ms);
    }
  }
  bench_state_updates(iters, peak);
}

void bench_state_updates(int64_t iters, double peak) {
  if (peak <= 0) peak = bench_matmul();
  bench_state_update(iters, peak, "fp32");
  if (cpu_has_bf16()) bench_state_update(iters, peak, "bf16");
}

}  // namespace curlrl::apps
