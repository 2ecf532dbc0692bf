// The DrQ(-v2)-style conv trunk: num_layers 3x3 convolutions of num_filters (stride 2, then 1), ReLU after each,
// and no fc: the features are the flattened conv output (32 x 35 x 35 = 39200 on 84x84 inputs). It is the pixel
// encoder's trunk without its head, so tying, chunking, initialisation and the convolution settings are the pixel
// encoder's.
#include "encoders/pixel.h"

namespace curlrl::encoders {
namespace {

class DrqEncoderImpl : public PixelEncoderImpl {
 public:
  explicit DrqEncoderImpl(const PixelEncoderOptions& options) : PixelEncoderImpl(options, /*with_head=*/false) {}
  Encoder make_like() const override { return std::make_shared<DrqEncoderImpl>(options()); }
};

const RegisterEncoder kRegistered{
    "drq",
    "The DrQ-style conv trunk: the pixel encoder's convolutions and no fc; the actor and critic see the flattened "
    "conv output (39200 features on 84x84 crops)",
    {&kNumLayers, &kNumFilters},
    [](const config::Config& c, const std::vector<int64_t>& shape) -> Encoder {
      return std::make_shared<DrqEncoderImpl>(PixelEncoderOptions::from_config(c, shape));
    },
    [](const config::Config& c, const std::vector<int64_t>& shape) {
      return PixelEncoderOptions::from_config(c, shape).size(/*with_head=*/false);
    }};

}  // namespace
}  // namespace curlrl::encoders
