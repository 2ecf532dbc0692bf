// The encoder registry and helpers shared by the conv encoders. To add an encoder: write encoders/<name>.cpp
// implementing EncoderImpl and registering it (RegisterEncoder), plus a test; a configs/encoder/<name>.yaml only
// if choosing it should change other settings.
#include <stdexcept>

#include "encoders/encoder.h"
#include "core/schema.h"

namespace curlrl::encoders {

namespace {

struct Entry {
  EncoderFactory make;
  EncoderSizer size;
};

config::PluginRegistry<Entry>& registry() {
  static config::PluginRegistry<Entry> encoders("encoder", "encoder");
  return encoders;
}

}  // namespace

RegisterEncoder::RegisterEncoder(const std::string& name, const std::string& summary,
                                 const std::vector<const config::SettingBase*>& own_settings, EncoderFactory make,
                                 EncoderSizer size) {
  registry().add(name, summary, own_settings, Entry{std::move(make), std::move(size)});
}

torch::Tensor unit_range_channels_last(const torch::Tensor& obs) {
  return obs.contiguous(torch::MemoryFormat::ChannelsLast) / 255.0;
}

torch::Tensor flatten_hwc(const torch::Tensor& x) { return x.permute({0, 2, 3, 1}).reshape({x.size(0), -1}); }

torch::Tensor hwc_columns_to_chw(const torch::Tensor& weight, int64_t c, int64_t h, int64_t w) {
  return weight.reshape({weight.size(0), h, w, c}).permute({0, 3, 1, 2}).reshape({weight.size(0), c * h * w});
}

torch::Tensor chw_columns_to_hwc(const torch::Tensor& weight, int64_t c, int64_t h, int64_t w) {
  return weight.reshape({weight.size(0), c, h, w}).permute({0, 2, 3, 1}).reshape({weight.size(0), c * h * w});
}

torch::Tensor chunked(const torch::Tensor& obs, int64_t chunk,
                      const std::function<torch::Tensor(const torch::Tensor&)>& piece) {
  if (chunk <= 0 || obs.size(0) <= chunk) return piece(obs);
  std::vector<torch::Tensor> pieces;
  for (const auto& part : obs.split(chunk, 0)) pieces.push_back(piece(part));
  return torch::cat(pieces, 0);
}

std::vector<std::string> encoder_names() { return registry().names(); }

Encoder make_encoder(const config::Config& config, const std::vector<int64_t>& obs_shape) {
  return registry().get(config.get_string("encoder.name")).make(config, obs_shape);
}

EncoderSize encoder_size(const config::Config& config, const std::vector<int64_t>& obs_shape) {
  return registry().get(config.get_string("encoder.name")).size(config, obs_shape);
}

Encoder make_default_encoder(const std::string& name, const std::vector<int64_t>& obs_shape) {
  const EncoderFactory& make = registry().get(name).make;
  static const config::Schema schema = config::make_schema("train");
  config::Config c = config::Config::defaults(schema);
  c.set("encoder.name", name);
  return make(c, obs_shape);
}

}  // namespace curlrl::encoders
