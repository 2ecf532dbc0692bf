#include "agents/trace.h"

#include <cmath>
#include <limits>
#include <set>
#include <sstream>

#include "core/error.h"

namespace curlrl::agents {
namespace {

const std::set<std::string> kBatchTensors = {"steps",  "obs",      "next_obs",   "obs_positive", "action",
                                             "reward", "not_done", "noise_next", "noise_actor"};
const char* const kLosses[] = {"critic_loss", "actor_loss", "alpha_loss", "contrastive_loss"};

std::string shape_text(c10::IntArrayRef shape) {
  std::ostringstream s;
  s << shape;
  return s.str();
}

// The tensors of one trace file, checked against each other and against the agent.
class TraceReader {
 public:
  TraceReader(const TensorDict& input, std::string source) : input_(input), source_(std::move(source)) {}

  const torch::Tensor& get(const std::string& name) const {
    const auto it = input_.find(name);
    if (it == input_.end()) throw ConfigError(source_ + ": missing tensor '" + name + "'");
    return it->second;
  }
  // `name`, floating point, of shape `shape` (-1: any size of at least 1).
  torch::Tensor get(const std::string& name, const std::vector<int64_t>& shape) const {
    const torch::Tensor& t = get(name);
    bool ok = t.dim() == static_cast<int64_t>(shape.size());
    for (size_t i = 0; ok && i < shape.size(); ++i) ok = shape[i] < 0 ? t.size(i) >= 1 : t.size(i) == shape[i];
    if (!ok) {
      std::string expected = shape_text(shape);
      for (size_t pos; (pos = expected.find("-1")) != std::string::npos;) expected.replace(pos, 2, "*");
      throw ConfigError(source_ + ": tensor '" + name + "' has shape " + shape_text(t.sizes()) + ", expected " +
                        expected);
    }
    if (!t.is_floating_point()) throw ConfigError(source_ + ": tensor '" + name + "' is not floating point");
    return t;
  }
  const std::string& source() const { return source_; }

 private:
  const TensorDict& input_;
  std::string source_;
};

}  // namespace

envs::EnvSpec trace_env_spec(const config::Config& config, const TensorDict& input, const std::string& source) {
  const TraceReader in(input, source);
  const envs::EnvOptions env = envs::EnvOptions::from_config(config);
  envs::EnvSpec spec;
  spec.task = config.get_string("task.name");
  spec.observation = env.observation;
  spec.frame_stack = env.frame_stack;
  spec.action_dim = static_cast<int>(in.get("action", {-1, -1, -1}).size(2));
  if (env.observation == envs::ObservationKind::kPixels) {
    spec.observation_shape = {3 * env.frame_stack, env.image_size, env.image_size};
    spec.frame_shape = {3, env.image_size, env.image_size};
  } else {
    spec.observation_shape = {in.get("obs", {-1, -1, -1}).size(2)};
  }
  return spec;
}

TensorDict trace_updates(SacAgent& agent, const TensorDict& input, const std::string& source) {
  const SacOptions& o = agent.options();
  if (o.drq_k > 1 || o.drq_m > 1) {
    throw ConfigError("trace-update: agent.drq_k/drq_m > 1 draw augmentations inside the update, which a trace cannot "
                      "give (traceable: curl, pixel_sac, rad, state_sac)");
  }
  const TraceReader in(input, source);
  const torch::Tensor& steps = in.get("steps");
  if (steps.dim() != 1 || steps.size(0) < 1 || steps.is_floating_point() || steps.is_complex()) {
    throw ConfigError(source + ": tensor 'steps' must be integer [K] with K >= 1, has shape " +
                      shape_text(steps.sizes()));
  }
  const int64_t k = steps.size(0);
  const int64_t b = in.get("obs").dim() >= 2 ? in.get("obs").size(1) : -1;
  std::vector<int64_t> obs_shape{k, b};
  if (o.observation == envs::ObservationKind::kPixels) {
    const int64_t side = o.pipeline.output_size();
    obs_shape.insert(obs_shape.end(), {o.obs_shape.at(0), side, side});
  } else {
    obs_shape.push_back(o.obs_shape.at(0));
  }
  const int64_t a = o.action_dim;
  std::map<std::string, torch::Tensor> batch_tensors = {
      {"obs", in.get("obs", obs_shape)},         {"next_obs", in.get("next_obs", obs_shape)},
      {"action", in.get("action", {k, b, a})},   {"reward", in.get("reward", {k, b, 1})},
      {"not_done", in.get("not_done", {k, b, 1})}, {"noise_next", in.get("noise_next", {k, b, a})},
      {"noise_actor", in.get("noise_actor", {k, b, a})}};
  if (o.contrastive) batch_tensors["obs_positive"] = in.get("obs_positive", obs_shape);
  const torch::Device device(o.device);
  for (auto& [name, t] : batch_tensors) t = t.to(device, o.dtype);

  TensorDict weights;
  for (const auto& [name, t] : input) {
    if (!kBatchTensors.count(name)) weights[name] = t;
  }
  import_weights(agent, weights, source);

  const double nan = std::numeric_limits<double>::quiet_NaN();
  std::map<std::string, std::vector<double>> losses;
  for (const char* name : kLosses) losses[name].assign(k, nan);
  const torch::Tensor step_numbers = steps.to(torch::kInt64);
  for (int64_t i = 0; i < k; ++i) {
    Batch batch;
    batch.obs = batch_tensors["obs"][i];
    batch.next_obs = batch_tensors["next_obs"][i];
    batch.action = batch_tensors["action"][i];
    batch.reward = batch_tensors["reward"][i];
    batch.not_done = batch_tensors["not_done"][i];
    batch.noise_next = batch_tensors["noise_next"][i];
    batch.noise_actor = batch_tensors["noise_actor"][i];
    if (o.contrastive) batch.obs_positive = batch_tensors["obs_positive"][i];
    const Metrics m = agent.update_on(batch, step_numbers[i].item<int64_t>());
    for (const char* name : kLosses) {
      if (const auto it = m.find(name); it != m.end()) losses[name][i] = it->second;
    }
  }
  TensorDict out = export_weights(agent);
  for (const auto& [name, values] : losses) {
    out[name] = torch::tensor(values, torch::kFloat64);
  }
  return out;
}

}  // namespace curlrl::agents
