// curlrl trace-update in=IN.pt out=OUT.pt [dtype=float32|float64] [config overrides]: K updates of the configured agent on the batches and
// policy noise of a tensor file, and the weights and losses they produced (format: agents/trace.h,
// docs/algorithm.md, "Evidence: trace an update against plain PyTorch").
#include <cstdio>

#include "agents/sac_agent.h"
#include "agents/trace.h"
#include "apps/commands.h"
#include "core/error.h"
#include "core/settings.h"

namespace curlrl::apps {
namespace {
const config::Setting<std::string> kIn{"in", "", "the trace's input: weights, batches and policy noise (.pt)",
                                       {.command = "trace-update"}};
const config::Setting<std::string> kOut{"out", "", "the tensor file to write: weights after the updates and losses",
                                        {.command = "trace-update"}};
const config::Setting<std::string> kDtype{
    "dtype", "float32",
    "the networks' and batches' floating-point type: float32 as in training, float64 to compare updates without "
    "float32's rounding noise",
    {.choices = {"float32", "float64"}, .command = "trace-update"}};
}  // namespace

int run_trace_update(const Invocation& inv) {
  const std::string in = kIn(inv.config), out = kOut(inv.config);
  if (in.empty()) throw ConfigError("trace-update needs in=IN.pt");
  if (out.empty()) throw ConfigError("trace-update needs out=OUT.pt");
  const std::string source = "in=" + in;
  agents::TensorDict input;
  try {
    input = agents::load_tensor_dict(in);
  } catch (const Error& e) {
    throw ConfigError(source + ": " + e.what());
  }
  const envs::EnvSpec spec = agents::trace_env_spec(inv.config, input, source);
  agents::SacOptions options = agents::SacOptions::from_config(inv.config, spec);
  options.dtype = kDtype(inv.config) == "float64" ? torch::kFloat64 : torch::kFloat32;
  agents::SacAgent agent(options);
  const agents::TensorDict result = agents::trace_updates(agent, input, source);
  agents::save_tensor_dict(result, out);
  std::printf("trace-update agent=%s updates=%lld batch=%lld out=%s\n", inv.config.get_string("agent.name").c_str(),
              static_cast<long long>(input.at("steps").size(0)), static_cast<long long>(input.at("obs").size(1)),
              out.c_str());
  return 0;
}

}  // namespace curlrl::apps
