#include "interpret/report.h"

#include <ATen/CPUGeneratorImpl.h>

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <iostream>
#include <memory>
#include <numeric>
#include <random>
#include <sstream>

#include "agents/sac_agent.h"
#include "core/csv.h"
#include "core/error.h"
#include "core/io.h"
#include "interpret/draw.h"
#include "interpret/probe.h"
#include "interpret/saliency.h"
#include "interpret/values.h"
#include "train/checkpoint.h"
#include "train/evaluation.h"
#include "train/saved_run.h"
#include "media/video.h"

namespace curlrl::interpret {
namespace fs = std::filesystem;
namespace {

constexpr int64_t kChunk = 32;         // samples per forward/backward pass
constexpr int kMoments = 6;            // columns of saliency.png
constexpr int64_t kTailWindow = 20;    // rewards averaged for the assumed tail (interpret/values.h)
constexpr int64_t kRetrievalBatch = 128;
constexpr int kRetrievalAnchors = 4, kRetrievalTop = 5;

// One agent step of a played episode: what the agent observed, the true state at that moment, what it did, and the
// reward that followed.
struct Step {
  envs::TimeStep obs;
  std::vector<double> state;
  std::vector<float> action;
  double reward = 0;
};
using Episode = std::vector<Step>;

std::vector<Episode> play(agents::SacAgent& agent, envs::Env& env, int64_t episodes, uint32_t seed) {
  env.seed(seed);  // as train::evaluate: one seed, then the episodes in turn
  std::vector<Episode> out;
  for (int64_t e = 0; e < episodes; ++e) {
    Episode ep;
    envs::TimeStep ts = env.reset();
    while (!ts.last) {
      Step s;
      s.obs = ts;
      s.state = env.task().state_observation();
      s.action = agent.act(ts, /*deterministic=*/true);
      ts = env.step(s.action);
      s.reward = ts.reward;
      ep.push_back(std::move(s));
    }
    out.push_back(std::move(ep));
  }
  return out;
}

torch::Tensor observations(const agents::SacAgent& agent, const Episode& ep) {
  std::vector<torch::Tensor> rows;
  rows.reserve(ep.size());
  for (const auto& s : ep) rows.push_back(agent.observation_tensor(s.obs));
  return torch::cat(rows).contiguous();
}

torch::Tensor actions(const Episode& ep) {
  const int64_t a = static_cast<int64_t>(ep.front().action.size());
  torch::Tensor t = torch::empty({static_cast<int64_t>(ep.size()), a}, torch::kFloat32);
  for (size_t i = 0; i < ep.size(); ++i) {
    std::copy(ep[i].action.begin(), ep[i].action.end(), t.data_ptr<float>() + static_cast<int64_t>(i) * a);
  }
  return t;
}

// f applied to consecutive row blocks of `x` and the same rows of `y`, the results concatenated (one tensor alone:
// encoders::chunked).
torch::Tensor in_chunks(const torch::Tensor& x, const torch::Tensor& y,
                        const std::function<torch::Tensor(const torch::Tensor&, const torch::Tensor&)>& f) {
  std::vector<torch::Tensor> parts;
  for (int64_t i = 0; i < x.size(0); i += kChunk) {
    const int64_t end = std::min(x.size(0), i + kChunk);
    parts.push_back(f(x.slice(0, i, end), y.slice(0, i, end)));
  }
  return torch::cat(parts);
}

torch::Tensor encoder_features(encoders::EncoderImpl& encoder, const torch::Tensor& obs) {
  torch::NoGradGuard no_grad;
  return encoders::chunked(obs, kChunk, [&](const torch::Tensor& x) { return encoder.forward(x); });
}

// The frame at `channel` (3 channels) of one float observation [3k, H, W] in 0..255, and the newest (last) one.
Image frame_of(const torch::Tensor& obs, int64_t channel) {
  const torch::Tensor f = obs.slice(0, channel, channel + 3).clamp(0, 255).round().to(torch::kUInt8).contiguous();
  return from_chw({f.data_ptr<uint8_t>(), static_cast<size_t>(f.numel())}, static_cast<int>(obs.size(2)),
                  static_cast<int>(obs.size(1)));
}
Image newest_frame(const torch::Tensor& obs) { return frame_of(obs, obs.size(0) - 3); }

// Numbers in CSV files: the shortest text that reads back exactly.
std::string num(double v) { return CsvWriter::format(CsvWriter::Cell(v)); }

std::string fixed(double v, int digits = 3) {
  char buf[64];
  std::snprintf(buf, sizeof buf, "%.*f", digits, v);
  return buf;
}

// The saliency maps of one episode: [T, H, W] each; smooth ones undefined without SmoothGrad.
struct EpisodeSaliency {
  torch::Tensor critic, actor, critic_smooth, actor_smooth;
};

EpisodeSaliency episode_saliency(agents::SacAgent& agent, const torch::Tensor& obs, const Options& o) {
  auto gen = at::make_generator<at::CPUGeneratorImpl>(o.seed);
  torch::Tensor fixed_actions;
  {
    torch::NoGradGuard no_grad;
    fixed_actions = encoders::chunked(obs, kChunk, [&](const torch::Tensor& x) {
      return agent.actor()->forward(x, false, /*sample=*/false).mu;
    });
  }
  EpisodeSaliency out;
  std::vector<torch::Tensor> c, a, cs, as;
  for (int64_t i = 0; i < obs.size(0); i += kChunk) {
    const int64_t end = std::min(obs.size(0), i + kChunk);
    const torch::Tensor x = obs.slice(0, i, end);
    const torch::Tensor act = fixed_actions.slice(0, i, end);
    // Q(s, a) at the policy's action for the clean observation, held fixed: which pixels change the value of what
    // the agent chose. The actor: its mean action (the deterministic policy), every component.
    const NetworkFn critic = [&](const torch::Tensor& in) {
      const auto [q1, q2] = agent.critic()->forward(in, act);
      return torch::min(q1, q2).squeeze(1);
    };
    const NetworkFn actor = [&](const torch::Tensor& in) { return agent.actor()->forward(in, false, false).mu; };
    c.push_back(saliency(critic, x));
    a.push_back(saliency(actor, x));
    if (o.smoothgrad_samples > 0) {
      const double sigma = o.smoothgrad_sigma * 255.0;
      cs.push_back(smoothgrad(critic, x, o.smoothgrad_samples, sigma, gen));
      as.push_back(smoothgrad(actor, x, o.smoothgrad_samples, sigma, gen));
    }
  }
  out.critic = torch::cat(c);
  out.actor = torch::cat(a);
  if (!cs.empty()) {
    out.critic_smooth = torch::cat(cs);
    out.actor_smooth = torch::cat(as);
  }
  return out;
}

// The display scale of an episode's maps: their 99th percentile (one scale for the whole episode, so brightness is
// comparable across frames; the brightest 1% saturate).
float display_scale(const torch::Tensor& maps) {
  const torch::Tensor flat = maps.flatten();
  const int64_t k = std::max<int64_t>(1, static_cast<int64_t>(std::ceil(0.99 * static_cast<double>(flat.numel()))));
  const float q = std::get<0>(flat.kthvalue(k)).item<float>();
  return q > 0 ? q : 1.0f;
}

Image overlay(const Image& frame, const torch::Tensor& map, float scale) {
  const torch::Tensor m = map.contiguous();
  return heat_overlay(frame, {m.data_ptr<float>(), static_cast<size_t>(m.numel())}, scale);
}

struct Report {
  std::vector<std::pair<std::string, std::string>> files;  // name, two lines of what it shows
  std::vector<std::string> notes;
  void add(const std::string& name, const std::string& what) { files.emplace_back(name, what); }
};

void write_saliency(agents::SacAgent& agent, const torch::Tensor& obs, const envs::Env& env, const Options& o,
                    const fs::path& out, const std::string& who, Report& report) {
  std::cout << "interpret: saliency of " << obs.size(0) << " frames"
            << (o.smoothgrad_samples > 0 ? " (SmoothGrad, " + std::to_string(o.smoothgrad_samples) + " copies)" : "")
            << std::endl;
  const EpisodeSaliency s = episode_saliency(agent, obs, o);
  const bool smooth = s.critic_smooth.defined();
  const torch::Tensor& video_critic = smooth ? s.critic_smooth : s.critic;
  const torch::Tensor& video_actor = smooth ? s.actor_smooth : s.actor;
  const float vc = display_scale(video_critic), va = display_scale(video_actor);
  constexpr int kUp = 3;
  const int64_t t_count = obs.size(0);
  if (!media::has_video()) {
    report.notes.push_back("saliency.mp4 was skipped: videos need OpenCV, and this curlrl was built with "
                           "-DCURLRL_WITH_OPENCV=OFF. saliency.png shows six moments of the episode.");
  } else {
    std::unique_ptr<media::VideoWriter> writer;
    const double fps = std::clamp(1.0 / (env.task().control_timestep() * env.spec().action_repeat), 5.0, 30.0);
    for (int64_t t = 0; t < t_count; ++t) {
      const Image frame = newest_frame(obs[t]);
      const Image row = hstack({upscale(frame, kUp), upscale(overlay(frame, video_critic[t], vc), kUp),
                                upscale(overlay(frame, video_actor[t], va), kUp)},
                               4);
      const Image shown = caption_above(row, "step " + std::to_string(t + 1) + "/" + std::to_string(t_count) +
                                                 ":  frame  |  critic saliency  |  actor saliency" +
                                                 (smooth ? "  (SmoothGrad)" : "  (gradient)"));
      if (!writer) writer = std::make_unique<media::VideoWriter>((out / "saliency.mp4").string(), shown.width,
                                                                 shown.height, fps);
      writer->add(shown);
    }
    writer->close();
    report.add("saliency.mp4",
               "The first episode, frame by frame: the frame the agent saw (the newest of its stack, centre crop), "
               "the critic's saliency (|dQ(s, pi(s))/ds|) and the actor's (|d mean action/ds|) as heat maps over it.\n"
               "Bright pixels change the output most; " +
                   std::string(smooth ? "SmoothGrad maps, " : "plain gradients, ") +
                   "scaled by the episode's 99th percentile so frames compare.");
  }
  // The grid: kMoments moments spread over the episode.
  std::vector<std::vector<Image>> rows(smooth ? 5 : 3);
  std::vector<std::string> labels = {"frame", "critic gradient", "actor gradient"};
  if (smooth) labels = {"frame", "critic gradient", "critic SmoothGrad", "actor gradient", "actor SmoothGrad"};
  const float sc = display_scale(s.critic), sa = display_scale(s.actor);
  std::string moments;
  for (int m = 0; m < kMoments; ++m) {
    const int64_t t = std::min<int64_t>(t_count - 1, (2 * m + 1) * t_count / (2 * kMoments));
    moments += (m ? ", " : "") + std::to_string(t + 1);
    const Image frame = newest_frame(obs[t]);
    int r = 0;
    rows[r++].push_back(upscale(frame, 2));
    rows[r++].push_back(upscale(overlay(frame, s.critic[t], sc), 2));
    if (smooth) rows[r++].push_back(upscale(overlay(frame, s.critic_smooth[t], vc), 2));
    rows[r++].push_back(upscale(overlay(frame, s.actor[t], sa), 2));
    if (smooth) rows[r++].push_back(upscale(overlay(frame, s.actor_smooth[t], va), 2));
  }
  write_png((out / "saliency.png").string(),
            grid(rows, labels, "saliency, " + who + ": agent steps " + moments + " of the first episode"));
  report.add("saliency.png",
             "Six moments of the first episode (columns): the frame, then the critic's and the actor's saliency, as "
             "raw input gradients" + std::string(smooth ? " and SmoothGrad averages" : "") +
                 ".\nWhere the two networks look: the bodies that matter for the task should light up, not the floor.");
}

void write_values(agents::SacAgent& agent, const std::vector<Episode>& episodes,
                  const std::vector<torch::Tensor>& obs, const fs::path& out, const std::string& who,
                  Report& report) {
  const double gamma = agent.options().discount;
  const int64_t horizon = static_cast<int64_t>(std::ceil(1.0 / (1.0 - gamma)));
  std::ostringstream csv;
  csv << "episode,step,reward,q1,q2,q,return,return_with_tail\n";
  double bias_sum = 0;
  int64_t bias_count = 0;
  Chart chart;
  Chart rewards;
  for (size_t e = 0; e < episodes.size(); ++e) {
    const Episode& ep = episodes[e];
    torch::Tensor q1, q2;
    {
      torch::NoGradGuard no_grad;
      const torch::Tensor q = in_chunks(obs[e], actions(ep), [&](const torch::Tensor& x, const torch::Tensor& a) {
        const auto [a1, a2] = agent.critic()->forward(x, a);
        return torch::cat({a1, a2}, 1);
      });
      q1 = q.select(1, 0).to(torch::kFloat64).contiguous();
      q2 = q.select(1, 1).to(torch::kFloat64).contiguous();
    }
    std::vector<double> r;
    for (const auto& s : ep) r.push_back(s.reward);
    const auto g = discounted_returns(r, gamma);
    const auto gt = returns_with_tail(r, gamma, kTailWindow);
    std::vector<double> steps, qmin;
    for (size_t t = 0; t < ep.size(); ++t) {
      const double a = q1[static_cast<int64_t>(t)].item<double>(), b = q2[static_cast<int64_t>(t)].item<double>();
      const double q = std::min(a, b);
      csv << e << ',' << t << ',' << num(r[t]) << ',' << num(a) << ',' << num(b) << ',' << num(q) << ',' << num(g[t])
          << ',' << num(gt[t]) << '\n';
      steps.push_back(static_cast<double>(t));
      qmin.push_back(q);
      if (static_cast<int64_t>(ep.size() - t) > horizon || static_cast<int64_t>(ep.size()) <= horizon) {
        bias_sum += q - gt[t];
        ++bias_count;
      }
    }
    if (e == 0) {
      const int64_t n = static_cast<int64_t>(ep.size());
      chart.title = "critic against reality, " + who + ", first episode";
      chart.x_label = "agent step";
      chart.y_label = "discounted return";
      Series sq{"critic Q(s, a) of the action taken (min of the twins)", steps, qmin};
      std::copy(palette(0), palette(0) + 3, sq.color);
      Series st{"return that followed, tail assumed", steps, gt};
      std::copy(palette(1), palette(1) + 3, st.color);
      Series sg{"return within the episode", steps, g};
      std::copy(palette(1), palette(1) + 3, sg.color);
      sg.dashed = true;
      chart.series = {sq, st, sg};
      if (n > horizon) {
        chart.band_from = static_cast<double>(n - horizon);
        chart.band_label = "last 1/(1-gamma) = " + std::to_string(horizon) + " steps: tail matters";
      }
      rewards.title = "reward per agent step (summed over the action repeat)";
      rewards.x_label = "agent step";
      rewards.y_label = "reward";
      rewards.height = 220;
      Series sr{"", steps, r};
      std::copy(palette(2), palette(2) + 3, sr.color);
      rewards.series = {sr};
    }
  }
  write_file_atomic(out / "values.csv", csv.str());
  write_png((out / "values.png").string(), vstack({line_chart(chart), line_chart(rewards)}));
  const double bias = bias_count > 0 ? bias_sum / static_cast<double>(bias_count) : 0.0;
  report.add("values.csv", "Per agent step of every episode: the reward, both critics' Q(s, a), their minimum, the "
                           "discounted return within the episode (`return`) and with the assumed tail.\n"
                           "gamma = " + fixed(gamma, 4) + " per agent step, as in training.");
  report.add("values.png",
             "The critic's Q(s, a) of the action taken against the discounted return that actually followed, first "
             "episode; below, the rewards.\nThe time limit is not terminal for the critic (it estimates the "
             "infinite-horizon return), so the return is completed by assuming the mean of the last " +
                 std::to_string(kTailWindow) + " rewards continues for ever (solid) and shown without any tail "
                 "(dashed); the shaded last 1/(1-gamma) steps depend on that assumption. Mean Q minus return (tail "
                 "assumed) away from the shaded part, over all episodes: " + fixed(bias, 2) +
                 (bias > 0 ? " (over-estimation)." : " (under-estimation)."));
}

void write_augmentations(const agents::SacAgent& agent, const Episode& ep, const Options& o, const fs::path& out,
                         const std::string& who, Report& report) {
  const auto& shape = agent.options().obs_shape;  // {3k, H, W}
  const int64_t stack = shape[0] / 3, h = shape[1], w = shape[2];
  const augment::Pipeline& pipeline = agent.options().pipeline;
  std::mt19937_64 rng(o.seed);
  constexpr int kObservations = 2, kSamples = 3;
  std::vector<std::vector<Image>> rows(1 + kSamples);
  std::string moments;
  for (int i = 0; i < kObservations; ++i) {
    const size_t t = std::min(ep.size() - 1, (static_cast<size_t>(i) + 1) * ep.size() / (kObservations + 1));
    moments += (i ? " and " : "") + std::to_string(t + 1);
    const auto& pixels = ep[t].obs.pixels;
    augment::FrameBatch fb{1, stack, 3, h, w, {}};
    for (int64_t j = 0; j < stack; ++j) fb.frames.push_back(pixels.data() + j * 3 * h * w);
    for (int64_t j = 0; j < stack; ++j) {
      rows[0].push_back(upscale(from_chw({fb.frames[j], static_cast<size_t>(3 * h * w)}, static_cast<int>(w),
                                         static_cast<int>(h)),
                                2));
    }
    for (int k = 0; k < kSamples; ++k) {
      const torch::Tensor aug = pipeline.train(fb, rng)[0].contiguous();
      for (int64_t j = 0; j < stack; ++j) rows[1 + k].push_back(upscale(frame_of(aug, 3 * j), 2));
    }
    if (i + 1 < kObservations) {
      for (auto& row : rows) row.push_back(Image(8, 8));  // a narrow gap between the observations
    }
  }
  std::string names;
  for (const auto& n : pipeline.names()) names += (names.empty() ? "" : ", ") + n;
  std::vector<std::string> labels = {"rendered"};
  for (int k = 0; k < kSamples; ++k) labels.push_back("augmented " + std::to_string(k + 1));
  write_png((out / "augmentations.png").string(),
            grid(rows, labels,
                 "training augmentations [" + names + "], " + who + ": agent steps " + moments +
                     ", each stacked frame oldest first"));
  report.add("augmentations.png",
             "Two observations of the first episode (left and right blocks, each stacked frame oldest first): as "
             "rendered, then three draws of the run's training pipeline [" + names + "].\nWhat the encoder and the "
             "contrastive loss are trained on; acting and evaluation see the centre crop only.");
}

struct ProbeData {
  torch::Tensor x_train_obs, x_test_obs;  // observations, split
  torch::Tensor y_train, y_test;          // states
  std::vector<std::string> names;
};

std::vector<double> probe_encoder(encoders::EncoderImpl& encoder, const ProbeData& d, double ridge) {
  return ridge_probe_r2(encoder_features(encoder, d.x_train_obs), d.y_train, encoder_features(encoder, d.x_test_obs),
                        d.y_test, ridge);
}

double mean_finite(const std::vector<double>& v) {
  double s = 0;
  int n = 0;
  for (double x : v) {
    if (std::isfinite(x)) {
      s += x;
      ++n;
    }
  }
  return n ? s / n : std::nan("");
}

void write_probe(agents::SacAgent& agent, const fs::path& run_dir, const std::vector<Episode>& episodes,
                 const std::vector<torch::Tensor>& obs, const envs::Env& env, const Options& o,
                 const fs::path& out, const std::string& who, Report& report) {
  const std::vector<std::string> names = env.task().state_names();
  std::vector<int64_t> episode_of_row;
  std::vector<double> states;
  for (size_t e = 0; e < episodes.size(); ++e) {
    for (const auto& s : episodes[e]) {
      episode_of_row.push_back(static_cast<int64_t>(e));
      states.insert(states.end(), s.state.begin(), s.state.end());
    }
  }
  const int64_t n = static_cast<int64_t>(episode_of_row.size());
  const int64_t d = static_cast<int64_t>(names.size());
  const torch::Tensor y = torch::from_blob(states.data(), {n, d}, torch::kFloat64).clone();
  const torch::Tensor x = torch::cat(obs);
  const auto held = held_out_rows(episode_of_row);
  std::vector<int64_t> train_idx, test_idx;
  for (int64_t i = 0; i < n; ++i) (held[static_cast<size_t>(i)] ? test_idx : train_idx).push_back(i);
  const auto index = [](const std::vector<int64_t>& v) { return torch::tensor(v, torch::kInt64); };
  ProbeData data{x.index_select(0, index(train_idx)), x.index_select(0, index(test_idx)),
                 y.index_select(0, index(train_idx)), y.index_select(0, index(test_idx)), names};
  std::cout << "interpret: linear probe on " << train_idx.size() << " training and " << test_idx.size()
            << " held-out steps" << std::endl;
  const auto trained = probe_encoder(*agent.critic()->encoder, data, o.probe_ridge);
  torch::manual_seed(o.seed);
  const auto random_encoder = agent.critic()->encoder->make_like();
  const auto random = probe_encoder(*random_encoder, data, o.probe_ridge);
  std::ostringstream csv;
  csv << "variable,r2_trained,r2_random\n";
  for (int64_t j = 0; j < d; ++j) csv << names[j] << ',' << num(trained[j]) << ',' << num(random[j]) << '\n';
  write_file_atomic(out / "probe.csv", csv.str());
  Bars bars;
  bars.title = "linear probe, " + who + ": held-out R^2 of each state variable from the encoder's features";
  bars.y_label = "R^2 (held out)";
  bars.categories = names;
  double lo = 0;
  for (double v : trained) lo = std::isfinite(v) ? std::min(lo, v) : lo;
  for (double v : random) lo = std::isfinite(v) ? std::min(lo, v) : lo;
  bars.y_lo = std::max(-1.0, std::floor(lo * 4) / 4);
  bars.y_hi = 1.0;
  Series st{"trained encoder (mean " + fixed(mean_finite(trained), 2) + ")", {}, trained};
  std::copy(palette(0), palette(0) + 3, st.color);
  Series sr{"randomly initialised encoder (mean " + fixed(mean_finite(random), 2) + ")", {}, random};
  std::copy(palette(7), palette(7) + 3, sr.color);
  bars.series = {st, sr};
  write_png((out / "probe.png").string(), bar_chart(bars));
  const std::string split = episodes.size() >= 2 ? "whole episodes held out: the last quarter of them, at least one"
                                                  : "the episode's last quarter held out";
  report.add("probe.csv", "Per state variable: held-out R^2 of a ridge regression (lambda " + fixed(o.probe_ridge, 2) +
                              ", standardised features) from the critic encoder's features, trained and random.\n" +
                              std::to_string(train_idx.size()) + " training, " + std::to_string(test_idx.size()) +
                              " held-out steps (" + split + ").");
  report.add("probe.png", "The probe's R^2 per variable: near 1, the variable can be read linearly from the "
                          "representation; near 0 or below, not.\nThe grey bars, a randomly initialised encoder of "
                          "the same architecture, are the baseline any learning has to beat (bars clipped at -1).");
  if (!o.all_checkpoints) return;
  // Every kept checkpoint's encoder on the same observations: how the representation changed during training.
  std::vector<fs::path> folders = train::checkpoint_folders(run_dir);
  std::reverse(folders.begin(), folders.end());
  std::ostringstream curve;
  curve << "env_steps,variable,r2\n";
  std::vector<double> xs;
  std::vector<std::vector<double>> per_var(static_cast<size_t>(d));
  std::vector<double> means;
  for (const auto& folder : folders) {
    const int64_t steps = train::folder_env_steps(folder);
    std::cout << "interpret: probing the checkpoint at env_steps=" << steps << std::endl;
    train::SavedRun saved = train::load_saved_agent(run_dir, steps, env.spec());
    auto* other = dynamic_cast<agents::SacAgent*>(saved.agent.get());
    const auto r2 = probe_encoder(*other->critic()->encoder, data, o.probe_ridge);
    xs.push_back(static_cast<double>(steps));
    for (int64_t j = 0; j < d; ++j) {
      curve << steps << ',' << names[j] << ',' << num(r2[j]) << '\n';
      per_var[j].push_back(r2[j]);
    }
    means.push_back(mean_finite(r2));
  }
  write_file_atomic(out / "probe_curve.csv", curve.str());
  Chart chart;
  chart.title = "linear probe over training, " + who + " (the same observations for every checkpoint)";
  chart.x_label = "environment steps of the checkpoint";
  chart.y_label = "R^2 (held out)";
  chart.y_lo = std::max(-1.0, std::min(0.0, std::floor(lo * 4) / 4));
  chart.y_hi = 1.0;
  for (int64_t j = 0; j < d && d <= 10; ++j) {
    Series s{names[j], xs, per_var[j]};
    std::copy(palette(static_cast<int>(j)), palette(static_cast<int>(j)) + 3, s.color);
    s.markers = true;
    chart.series.push_back(s);
  }
  Series sm{"mean over variables", xs, means};
  sm.markers = true;
  std::fill(sm.color, sm.color + 3, 0);
  chart.series.push_back(sm);
  Series sr_line{"random encoder (mean)", xs, std::vector<double>(xs.size(), mean_finite(random))};
  std::fill(sr_line.color, sr_line.color + 3, 127);
  sr_line.dashed = true;
  chart.series.push_back(sr_line);
  write_png((out / "probe_curve.png").string(), line_chart(chart));
  report.add("probe_curve.csv", "Held-out R^2 per state variable for every kept checkpoint's encoder, on the same "
                                "observations and split as probe.csv.\nTrain with keep_checkpoints=all to keep them.");
  report.add("probe_curve.png", "The probe's R^2 against the checkpoint's environment steps (per variable" +
                                    std::string(d > 10 ? " in probe_curve.csv" : "") + ", their mean in black).\n"
                                    "How the representation came to encode the state; dashed, the random encoder.");
}

void write_retrieval(agents::SacAgent& agent, const std::vector<Episode>& episodes, const Options& o,
                     const fs::path& out, const std::string& who, Report& report) {
  std::vector<const Step*> all;
  for (const auto& ep : episodes) {
    for (const auto& s : ep) all.push_back(&s);
  }
  std::mt19937_64 rng(o.seed + 1);
  std::shuffle(all.begin(), all.end(), rng);
  const int64_t batch = std::min<int64_t>(kRetrievalBatch, static_cast<int64_t>(all.size()));
  const auto& shape = agent.options().obs_shape;
  const int64_t stack = shape[0] / 3, h = shape[1], w = shape[2];
  augment::FrameBatch fb{batch, stack, 3, h, w, {}};
  for (int64_t b = 0; b < batch; ++b) {
    for (int64_t j = 0; j < stack; ++j) fb.frames.push_back(all[b]->obs.pixels.data() + j * 3 * h * w);
  }
  const augment::Pipeline& pipeline = agent.options().pipeline;
  const torch::Tensor anchors = pipeline.train(fb, rng), keys = pipeline.train(fb, rng);
  torch::Tensor logits;
  {
    torch::NoGradGuard no_grad;
    const torch::Tensor za = encoder_features(*agent.critic()->encoder, anchors);
    const torch::Tensor zk = encoder_features(*agent.critic_target()->encoder, keys);
    logits = agent.curl_head()->logits(za, zk);
  }
  const int top = static_cast<int>(std::min<int64_t>(kRetrievalTop, batch));
  const torch::Tensor ranked = std::get<1>(logits.topk(top, 1));
  const torch::Tensor truth = torch::arange(batch).unsqueeze(1);
  const double top1 = (ranked.select(1, 0) == truth.squeeze(1)).to(torch::kFloat64).mean().item<double>();
  const double topk = (ranked == truth).any(1).to(torch::kFloat64).mean().item<double>();
  static const uint8_t kGreen[3] = {40, 170, 60}, kRed[3] = {210, 40, 40};
  std::vector<std::vector<Image>> rows;
  std::vector<std::string> labels;
  for (int i = 0; i < kRetrievalAnchors && i < batch; ++i) {
    std::vector<Image> row = {upscale(newest_frame(anchors[i]), 2), Image(8, 8)};
    for (int k = 0; k < top; ++k) {
      const int64_t idx = ranked[i][k].item<int64_t>();
      row.push_back(with_border(upscale(newest_frame(keys[idx]), 2), idx == i ? kGreen : kRed, 4));
    }
    rows.push_back(row);
    labels.push_back("anchor " + std::to_string(i + 1));
  }
  write_png((out / "retrieval.png").string(),
            grid(rows, labels,
                 "contrastive retrieval, " + who + ": top-" + std::to_string(top) + " keys among " +
                     std::to_string(batch) + " (green: the anchor's own positive); top-1 " + fixed(top1, 2) +
                     ", top-" + std::to_string(top) + " " + fixed(topk, 2)));
  report.add("retrieval.png",
             "For four anchors (the query encoder's crop, left), the keys the CURL head ranks highest among a batch "
             "of " + std::to_string(batch) + " observations from these episodes (another crop, the key encoder).\n"
             "Green: the anchor's own positive. Over the batch, top-1 accuracy " + fixed(top1, 2) + ", top-" +
                 std::to_string(top) + " " + fixed(topk, 2) +
                 "; neighbouring frames of an episode look alike, so a red key is often a near-duplicate moment.");
}

}  // namespace

fs::path interpret_run(const fs::path& run_dir, int64_t checkpoint, const fs::path& out_arg, const Options& o) {
  train::SavedRun saved = train::load_saved_run(run_dir, checkpoint);
  auto* agent = dynamic_cast<agents::SacAgent*>(saved.agent.get());
  if (agent == nullptr) throw Error("interpret: the agent of " + run_dir.string() + " is not a SAC agent");
  const fs::path out = out_arg.empty() ? run_dir / "interpret" / std::to_string(saved.env_steps) : out_arg;
  fs::create_directories(out);
  envs::Env& env = *saved.env;
  const bool pixels = env.spec().observation == envs::ObservationKind::kPixels;
  const std::string who = saved.config.get_string("agent.name") + " on " + env.spec().task + " at " +
                          std::to_string(saved.env_steps) + " env steps";
  const int64_t seed = saved.config.get_int("seed");

  std::cout << "interpret: playing " << o.episodes << " evaluation episode(s) of " << who << std::endl;
  const auto episodes = play(*agent, env, o.episodes, train::eval_seed(seed, saved.env_steps));
  std::vector<double> returns;
  for (const auto& ep : episodes) {
    double r = 0;
    for (const auto& s : ep) r += s.reward;
    returns.push_back(r);
  }
  std::vector<torch::Tensor> obs;
  for (const auto& ep : episodes) obs.push_back(observations(*agent, ep));

  Report report;
  if (pixels) {
    write_saliency(*agent, obs.front(), env, o, out, who, report);
  }
  write_values(*agent, episodes, obs, out, who, report);
  if (pixels) write_augmentations(*agent, episodes.front(), o, out, who, report);
  write_probe(*agent, run_dir, episodes, obs, env, o, out, who, report);
  if (pixels && agent->options().contrastive) write_retrieval(*agent, episodes, o, out, who, report);
  if (!pixels) {
    report.notes.push_back("States observations: saliency, augmentations and retrieval are pictures of pixels and "
                           "were skipped. The encoder is the identity, so the probe only confirms the state is there.");
  } else if (!agent->options().contrastive) {
    report.notes.push_back("No contrastive head (agent." + saved.config.get_string("agent.name") +
                           "): retrieval.png was skipped.");
  }
  for (const auto& note : report.notes) std::cout << "interpret: " << note << std::endl;

  std::ostringstream md;
  md << "# Interpretation of " << who << "\n\n";
  md << "- run: `" << run_dir.string() << "`\n";
  md << "- checkpoint: `" << saved.checkpoint.string() << "` (env_steps " << saved.env_steps << ")\n";
  md << "- command: `" << o.command << "`\n";
  md << "- episodes: " << episodes.size() << " (deterministic policy, seeded as the run's evaluation at this step); "
     << "returns:";
  for (double r : returns) md << ' ' << fixed(r, 1);
  md << " (mean " << fixed(std::accumulate(returns.begin(), returns.end(), 0.0) / static_cast<double>(returns.size()), 1)
     << "; with eval_episodes episodes, eval.csv's row for this step)\n\n";
  for (const auto& note : report.notes) md << "Note: " << note << "\n\n";
  for (const auto& [name, what] : report.files) {
    md << "## " << name << "\n\n";
    if (name.ends_with(".png")) md << "![" << name << "](" << name << ")\n\n";
    std::string text = what;
    for (size_t p = text.find('\n'); p != std::string::npos; p = text.find('\n', p + 3)) text.replace(p, 1, "  \n");
    md << text << "\n\n";
  }
  write_file_atomic(out / "interpret.md", md.str());
  std::cout << "interpret: wrote " << (out / "interpret.md").string() << std::endl;
  return out;
}

}  // namespace curlrl::interpret
