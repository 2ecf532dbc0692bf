// The identity encoder: state observations are the features (state SAC).
#include <stdexcept>

#include "encoders/encoder.h"

namespace curlrl::encoders {
namespace {

class IdentityEncoderImpl : public EncoderImpl {
 public:
  explicit IdentityEncoderImpl(std::vector<int64_t> obs_shape);
  torch::Tensor forward(const torch::Tensor& obs, bool detach_trunk = false) override { return obs; }
  torch::Tensor trunk(const torch::Tensor& obs) override { return obs; }
  torch::Tensor head(const torch::Tensor& trunk_out) override { return trunk_out; }
  int64_t feature_dim() const override { return dim_; }
  void tie_trunk_to(const EncoderImpl&) override {}
  std::vector<torch::Tensor> trunk_parameters() const override { return {}; }
  std::vector<torch::Tensor> head_parameters() const override { return {}; }
  Encoder make_like() const override { return std::make_shared<IdentityEncoderImpl>(obs_shape_); }

 private:
  std::vector<int64_t> obs_shape_;
  int64_t dim_;
};

IdentityEncoderImpl::IdentityEncoderImpl(std::vector<int64_t> obs_shape) : obs_shape_(std::move(obs_shape)) {
  if (obs_shape_.size() != 1) {
    throw std::invalid_argument("the identity encoder takes state vectors, not observations of rank " +
                                std::to_string(obs_shape_.size()));
  }
  dim_ = obs_shape_[0];
}

const RegisterEncoder kRegistered{
    "identity", "No encoder: state observations go straight to the actor and critic", {},
    [](const config::Config&, const std::vector<int64_t>& shape) -> Encoder {
      return std::make_shared<IdentityEncoderImpl>(shape);
    },
    [](const config::Config&, const std::vector<int64_t>& shape) {
      return EncoderSize{0, 0, shape.empty() ? 0.0 : static_cast<double>(shape[0]), 0};
    }};

}  // namespace
}  // namespace curlrl::encoders
