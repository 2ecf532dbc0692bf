#include "encoders/identity.h"

#include <stdexcept>

namespace curlrl::encoders {

IdentityEncoderImpl::IdentityEncoderImpl(const EncoderOptions& options) : options_(options) {
  if (options.obs_shape.size() != 1) {
    throw std::invalid_argument("the identity encoder takes state vectors, not observations of rank " +
                                std::to_string(options.obs_shape.size()));
  }
  dim_ = options.obs_shape[0];
}

}  // namespace curlrl::encoders
