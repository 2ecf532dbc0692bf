// The DrQ(-v2)-style conv trunk: num_layers 3x3 convolutions of num_filters (stride 2, then 1), ReLU after each,
// and no fc: the features are the flattened conv output (32 x 35 x 35 = 39200 on 84x84 inputs). It is the pixel
// encoder's trunk without its head, so tying, chunking and initialisation are the pixel encoder's.
#pragma once

#include "encoders/pixel.h"

namespace curlrl::encoders {

class DrqEncoderImpl : public PixelEncoderImpl {
 public:
  explicit DrqEncoderImpl(const EncoderOptions& options) : PixelEncoderImpl(options, /*with_head=*/false) {}
  Encoder make_like() const override { return std::make_shared<DrqEncoderImpl>(options()); }
};

}  // namespace curlrl::encoders
