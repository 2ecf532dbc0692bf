// The Encoder interface: a LibTorch module mapping observations to features. Pixel encoders take float
// [B, C, H, W] with values in [0, 255] (they scale to [0, 1] themselves); state encoders take [B, D].
//
// An encoder is built in two parts so that the actor can share ("tie") the critic's convolutions while keeping
// its own head: `trunk` (convolutions, shareable) and the rest (fc, LayerNorm, ...). The target (momentum key)
// encoder is a separate instance kept by EMA (agents/).
#pragma once

#include <torch/nn/module.h>
#include <torch/types.h>

#include <functional>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "core/settings.h"

namespace curlrl::encoders {

class EncoderImpl : public torch::nn::Module {
 public:
  // Full forward. With detach_trunk, gradients stop after the trunk (the actor's loss must not train the convs).
  virtual torch::Tensor forward(const torch::Tensor& obs, bool detach_trunk = false) = 0;
  // The trunk's output for `obs` (flattened), and the head applied to a trunk output; forward = head(trunk(x)).
  virtual torch::Tensor trunk(const torch::Tensor& obs) = 0;
  virtual torch::Tensor head(const torch::Tensor& trunk_out) = 0;
  virtual int64_t feature_dim() const = 0;
  // Makes this encoder use `other`'s trunk modules (one storage: the same parameters).
  virtual void tie_trunk_to(const EncoderImpl& other) = 0;
  // The trunk's parameters and the head's parameters, for building optimiser lists explicitly.
  virtual std::vector<torch::Tensor> trunk_parameters() const = 0;
  virtual std::vector<torch::Tensor> head_parameters() const = 0;
  // A new encoder of the same architecture and options (untied, freshly initialised).
  virtual std::shared_ptr<EncoderImpl> make_like() const = 0;
  // A parameter (by its name in named_parameters()) in PyTorch's conventional layout, and back, for exchanging
  // weights with Python (agents/weights.h). Conv weights are [out, in, kh, kw] already; an encoder whose head reads
  // the trunk's output in (H, W, C) order (flatten_hwc) reorders that Linear weight's columns to (C, H, W), the
  // order torch.flatten gives an NCHW tensor. The default: every parameter is conventional as it is.
  virtual torch::Tensor to_conventional(const std::string& /*name*/, const torch::Tensor& p) const { return p; }
  virtual torch::Tensor from_conventional(const std::string& /*name*/, const torch::Tensor& p) const { return p; }
};
using Encoder = std::shared_ptr<EncoderImpl>;

// Shared by the conv encoders: [0, 255] pixels scaled to [0, 1] in channels-last memory (oneDNN convolves that
// layout without reordering every activation), and a trunk run over the batch in pieces of `chunk` samples (0:
// whole batch; the convolutions' working set of a whole 512 batch falls out of cache).
torch::Tensor unit_range_channels_last(const torch::Tensor& obs);
// [B, C, H, W] activations flattened in (H, W, C) order: a view, without a copy, of channels-last memory. (A
// fixed relabelling of the features against the usual (C, H, W) order; the layers that read them are initialised
// and trained the same either way.)
torch::Tensor flatten_hwc(const torch::Tensor& x);
// The columns of a Linear weight [out, H*W*C] that reads (H, W, C)-ordered features, reordered to read (C, H, W)
// order, and back.
torch::Tensor hwc_columns_to_chw(const torch::Tensor& weight, int64_t c, int64_t h, int64_t w);
torch::Tensor chw_columns_to_hwc(const torch::Tensor& weight, int64_t c, int64_t h, int64_t w);
torch::Tensor chunked(const torch::Tensor& obs, int64_t chunk,
                      const std::function<torch::Tensor(const torch::Tensor&)>& piece);

// The encoder registry. Each encoder's file registers it, with the settings it owns, in one global:
//   const RegisterEncoder kRegistered{"impala", "one-line summary", {&kSomeSetting}, factory};
// which also makes it a choice of the `encoder` group (core/settings.h). The factory builds the encoder that a
// configuration describes for observations of `obs_shape`: {C, H, W} as the encoder sees them (after cropping), or
// {D} for states.
using EncoderFactory = std::function<Encoder(const config::Config& config, const std::vector<int64_t>& obs_shape)>;
// What the encoder a configuration describes holds, worked out from its shapes without building it (the memory
// estimate made before anything is allocated, and the feature count the CURL head needs). Doubles: a mistyped size
// (encoder.feature_dim=1e12) must give a large number, not an overflow.
struct EncoderSize {
  double trunk_parameters = 0;  // the convolutions (shared by the actor)
  double head_parameters = 0;   // fc and LayerNorm (the actor has its own)
  double feature_dim = 0;
  double activations = 0;       // floats one sample's forward pass keeps for the backward pass
};
using EncoderSizer = std::function<EncoderSize(const config::Config& config, const std::vector<int64_t>& obs_shape)>;
struct RegisterEncoder {
  RegisterEncoder(const std::string& name, const std::string& summary,
                  const std::vector<const config::SettingBase*>& own_settings, EncoderFactory make, EncoderSizer size);
};
// The encoder `config` chooses (encoder.name); an unknown name throws std::invalid_argument listing the known ones.
Encoder make_encoder(const config::Config& config, const std::vector<int64_t>& obs_shape);
// Its size (EncoderSize), without building it.
EncoderSize encoder_size(const config::Config& config, const std::vector<int64_t>& obs_shape);
// The encoder `name` with its settings at their defaults.
Encoder make_default_encoder(const std::string& name, const std::vector<int64_t>& obs_shape);
std::vector<std::string> encoder_names();

}  // namespace curlrl::encoders
