// The encoder registry and helpers shared by the conv encoders. To add an encoder: write encoders/<name>.{h,cpp} implementing EncoderImpl, add one line
// below, and a configs/encoder/<name>.yaml.
#include <stdexcept>

#include "encoders/drq.h"
#include "encoders/encoder.h"
#include "encoders/identity.h"
#include "encoders/impala.h"
#include "encoders/pixel.h"
#include "core/io.h"

namespace curlrl::encoders {

const std::map<std::string, EncoderFactory>& encoder_registry() {
  static const std::map<std::string, EncoderFactory> kRegistry = {
      {"identity", [](const EncoderOptions& o) -> Encoder { return std::make_shared<IdentityEncoderImpl>(o); }},
      {"pixel", [](const EncoderOptions& o) -> Encoder { return std::make_shared<PixelEncoderImpl>(o); }},
      {"drq", [](const EncoderOptions& o) -> Encoder { return std::make_shared<DrqEncoderImpl>(o); }},
      {"impala", [](const EncoderOptions& o) -> Encoder { return std::make_shared<ImpalaEncoderImpl>(o); }},
  };
  return kRegistry;
}

torch::Tensor unit_range_channels_last(const torch::Tensor& obs) {
  return obs.contiguous(torch::MemoryFormat::ChannelsLast) / 255.0;
}

torch::Tensor flatten_hwc(const torch::Tensor& x) { return x.permute({0, 2, 3, 1}).reshape({x.size(0), -1}); }

torch::Tensor chunked(const torch::Tensor& obs, int64_t chunk,
                      const std::function<torch::Tensor(const torch::Tensor&)>& piece) {
  if (chunk <= 0 || obs.size(0) <= chunk) return piece(obs);
  std::vector<torch::Tensor> pieces;
  for (const auto& part : obs.split(chunk, 0)) pieces.push_back(piece(part));
  return torch::cat(pieces, 0);
}

std::vector<std::string> encoder_names() {
  std::vector<std::string> names;
  for (const auto& [name, factory] : encoder_registry()) names.push_back(name);
  return names;
}

Encoder make_encoder(const std::string& name, const EncoderOptions& options) {
  const auto& registry = encoder_registry();
  auto it = registry.find(name);
  if (it == registry.end()) {
    throw std::invalid_argument("unknown encoder '" + name + "' (known: " + join(encoder_names(), ", ") + ")");
  }
  return it->second(options);
}

}  // namespace curlrl::encoders
