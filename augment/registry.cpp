// The augmentation registry and the pipeline (augment/augment.h).
#include <stdexcept>

#include "augment/augment.h"

namespace curlrl::augment {

const config::Setting<int64_t> kCropSize{
    "augment.crop_size", 84,
    "side of the random crop (augment=crop) and of the centre crop every pixel pipeline starts from", {.min = 1}};

namespace {

config::PluginRegistry<AugmentationFactory>& registry() {
  static config::PluginRegistry<AugmentationFactory> augmentations("augment", "augmentation");
  return augmentations;
}

}  // namespace

RegisterAugmentation::RegisterAugmentation(const std::string& name, const std::string& summary,
                                           const std::vector<const config::SettingBase*>& own_settings,
                                           AugmentationFactory make) {
  registry().add(name, summary, own_settings, std::move(make));
}

std::vector<std::string> augmentation_names() { return registry().names(); }

std::unique_ptr<Augmentation> make_augmentation(const std::string& name, const config::Config& config) {
  return registry().get(name)(config);
}

Pipeline::Pipeline() : names_{"crop"}, crop_size_(kCropSize.fallback()), random_crop_(true) {}

Pipeline::Pipeline(const config::Config& config)
    : names_(config.get_list("augment.name")), crop_size_(kCropSize(config)) {
  for (size_t i = 0; i < names_.size(); ++i) {
    if (names_[i] == "crop") {
      if (i != 0) throw std::invalid_argument("augment: crop reads the stored frames and must come first");
      random_crop_ = true;
      crop_reference_range_ = config.get_bool("augment.crop_reference_range");
      continue;
    }
    std::shared_ptr<const Augmentation> step = make_augmentation(names_[i], config);
    if (names_[i] != "none") steps_.push_back(std::move(step));
  }
  output_size();  // checks that every step accepts its input size
}

torch::Tensor Pipeline::train(const FrameBatch& frames, std::mt19937_64& rng) const {
  torch::Tensor x = random_crop_ ? random_crop(frames, crop_size_, crop_reference_range_, rng)
                                 : center_crop(frames, crop_size_);
  for (const auto& step : steps_) x = step->apply(x, rng);
  return x;
}

torch::Tensor Pipeline::eval(const FrameBatch& frames) const {
  torch::Tensor x = center_crop(frames, crop_size_);
  for (const auto& step : steps_) x = step->apply_eval(x);
  return x;
}

int64_t Pipeline::output_size() const {
  int64_t size = crop_size_;
  for (const auto& step : steps_) size = step->output_size(size);
  return size;
}

}  // namespace curlrl::augment
