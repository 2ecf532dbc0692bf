#include "agents/weights.h"

#include <torch/serialize.h>

#include <fstream>
#include <iterator>
#include <regex>
#include <sstream>
#include <vector>

#include "core/error.h"
#include "core/io.h"

namespace curlrl::agents {
namespace {

// One exported tensor: its name, the parameter it comes from, and the encoder that converts its layout (null for
// parameters outside an encoder).
struct Entry {
  std::string name;
  torch::Tensor param;
  const encoders::EncoderImpl* encoder = nullptr;
  std::string encoder_name;  // the parameter's name inside that encoder
};

// The MLPs are Sequential(Linear, ReLU, Linear, ReLU, Linear): their Linear layers, numbered 0, 2, 4 inside, are
// exported as 0, 1, 2.
std::string linear_layer_name(const std::string& name) {
  static const std::regex mlp(R"(^(q1|q2|trunk)\.(\d+)\.(.*)$)");
  std::smatch m;
  if (!std::regex_match(name, m, mlp)) return name;
  return m[1].str() + "." + std::to_string(std::stoi(m[2].str()) / 2) + "." + m[3].str();
}

bool is_in(const torch::Tensor& p, const std::vector<torch::Tensor>& list) {
  for (const auto& q : list) {
    if (p.is_same(q)) return true;
  }
  return false;
}

void add_module(std::vector<Entry>& out, const std::string& prefix, torch::nn::Module& module,
                const encoders::EncoderImpl& encoder, const std::vector<torch::Tensor>& listed_elsewhere) {
  for (const auto& item : module.named_parameters(/*recurse=*/true)) {
    if (is_in(item.value(), listed_elsewhere)) continue;  // tied: the actor's convolutions are the critic's
    Entry e{prefix + "." + linear_layer_name(item.key()), item.value()};
    if (item.key().rfind("encoder.", 0) == 0) {
      e.encoder = &encoder;
      e.encoder_name = item.key().substr(8);
    }
    out.push_back(std::move(e));
  }
}

// Every exported tensor of `agent`, in a fixed order.
std::vector<Entry> entries(SacAgent& agent) {
  std::vector<Entry> out;
  add_module(out, "critic", *agent.critic(), *agent.critic()->encoder, {});
  add_module(out, "actor", *agent.actor(), *agent.actor()->encoder, agent.critic()->parameters());
  add_module(out, "critic_target", *agent.critic_target(), *agent.critic_target()->encoder, {});
  if (agent.curl_head()) out.push_back({"curl.W", agent.curl_head()->W});
  out.push_back({"log_alpha", agent.log_alpha()});
  return out;
}

std::string shape_text(const torch::Tensor& t) {
  std::ostringstream s;
  s << t.sizes();
  return s.str();
}

}  // namespace

TensorDict export_weights(SacAgent& agent) {
  torch::NoGradGuard no_grad;
  TensorDict out;
  for (const Entry& e : entries(agent)) {
    const torch::Tensor p = e.param.detach().to(torch::kCPU);
    out[e.name] = (e.encoder ? e.encoder->to_conventional(e.encoder_name, p) : p).contiguous().clone();
  }
  return out;
}

void import_weights(SacAgent& agent, const TensorDict& weights, const std::string& source) {
  const std::vector<Entry> expected = entries(agent);
  // Check everything before changing anything.
  for (const Entry& e : expected) {
    const auto it = weights.find(e.name);
    if (it == weights.end()) throw ConfigError(source + ": missing tensor '" + e.name + "'");
    const torch::Tensor conventional =
        e.encoder ? e.encoder->to_conventional(e.encoder_name, e.param.detach()) : e.param.detach();
    if (!it->second.sizes().equals(conventional.sizes())) {
      throw ConfigError(source + ": tensor '" + e.name + "' has shape " + shape_text(it->second) + ", this agent's is " +
                        shape_text(conventional));
    }
    if (!it->second.is_floating_point()) throw ConfigError(source + ": tensor '" + e.name + "' is not floating point");
  }
  if (weights.size() != expected.size()) {
    for (const auto& [name, tensor] : weights) {
      bool known = false;
      for (const Entry& e : expected) known = known || e.name == name;
      if (!known) throw ConfigError(source + ": unexpected tensor '" + name + "' (not a parameter of this agent)");
    }
  }
  torch::NoGradGuard no_grad;
  for (const Entry& e : expected) {
    const torch::Tensor& given = weights.at(e.name);
    const torch::Tensor internal = e.encoder ? e.encoder->from_conventional(e.encoder_name, given) : given;
    e.param.copy_(internal.to(e.param.options()));
  }
}

}  // namespace curlrl::agents
