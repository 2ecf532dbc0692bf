// Visual distractions: the same episode drawn with other colours, a moving background or a moved camera, for
// generalisation tests (after the DMControl Generalization Benchmark and the Distracting Control Suite) and for
// training with randomised looks. A distraction changes only what is drawn: it edits MuJoCo's abstract scene after it
// is built from the state and the rendered pixels after they are read, never the model or the data, so the physics,
// the reward and the episode generator are the same under every mode.
//
// Modes (redrawn for every episode from the distraction's own seeded generator):
//   train       nothing changed (the training look)
//   color_easy  every material's colour, the floor's tint and the sky's tint moved within +-0.2 (of 1) per channel
//   color_hard  the same drawn anywhere in RGB; the floor loses its checker texture, the sky becomes a gradient
//               between two random colours (its stars kept as brightness)
//   video_easy  the sky (every pixel where nothing of the model is drawn) replaced by a moving background; the
//               floor, its reflections and the agent unchanged
//   video_hard  the floor removed as well: everything but the agent's bodies is the moving background
//   camera      the rendering camera orbited about the point it looks at (yaw and pitch up to +-scale x 60 degrees,
//               roll up to +-scale x 15 degrees, distance x (1 +- scale x 0.3)), scale = distraction.camera_scale
// Backgrounds come from the videos in distraction.video_dir (any format OpenCV reads; a clip and a start frame drawn
// per episode, frames scaled to cover the image and centred), or, without a folder, from seeded procedural textures
// drifting across the image: smooth noise, coloured stripes, and natural-image-like 1/f spectra.
#pragma once

#include <cstdint>
#include <memory>
#include <random>
#include <span>
#include <string>
#include <vector>

#include "core/config.h"
#include "envs/physics.h"

struct mjvScene_;
typedef struct mjvScene_ mjvScene;

namespace curlrl::envs {

enum class DistractionMode { kTrain, kColorEasy, kColorHard, kVideoEasy, kVideoHard, kCamera };

// "train", "color_easy", ...; "none" also means kTrain. Anything else throws std::invalid_argument listing them.
DistractionMode parse_distraction_mode(const std::string& name);
const char* distraction_mode_name(DistractionMode mode);
// Every mode's name, "train" first.
std::vector<std::string> distraction_mode_names();

struct DistractionOptions {
  DistractionMode mode = DistractionMode::kTrain;
  std::string video_dir;      // empty: procedural backgrounds
  double camera_scale = 0.25;
  int episode_frames = 1001;  // frames rendered per episode (video clips are read this long)
  // The distraction.* settings of a configuration (declared in envs/distraction.cpp) with `mode`.
  static DistractionOptions from_config(const config::Config& config, DistractionMode mode);
};

// The video files of `dir` (sorted), checked to open with OpenCV; a missing folder, one without a readable video or
// an unreadable file is a curlrl::Error naming it. Scanned once per process while the folder's modification time
// stays the same (a file added, removed or renamed rescans it).
std::vector<std::string> video_files(const std::string& dir);

class Distraction {
 public:
  // For rendering `model` at width x height. Reads the video folder's list (not the frames) here, so a bad folder
  // fails before an episode starts.
  Distraction(const mjModel* model, const DistractionOptions& options, int width, int height);
  ~Distraction();
  Distraction(const Distraction&) = delete;
  Distraction& operator=(const Distraction&) = delete;

  DistractionMode mode() const { return options_.mode; }
  // Restarts the sequence of episodes: the same seed gives the same looks in the same order (the first drawn at the
  // next new_episode()).
  void seed(uint64_t seed);
  // Draws the next episode's colours, background and camera, and rewinds the background to its first frame.
  void new_episode();
  // Renderer hooks: edit the scene built from the state (colours, floor, camera) ...
  void edit_scene(const mjData* data, mjvScene* scene) const;
  // ... whether it replaces the background: then the renderer draws the frame without the skybox and reads its
  // depths, and gives the sky alone as this camera sees it ...
  bool needs_depth() const;
  // ... and the pixels read back (interleaved RGB, bottom-up rows, as OpenGL gives them) with their window depths
  // (1 where nothing was drawn) and the sky image: background pixels get the sky (recoloured) or the moving
  // background; advances the background by one frame.
  void composite(std::span<uint8_t> rgb, std::span<const float> depth, std::span<const uint8_t> sky);

 private:
  struct Episode;
  const mjModel* model_;
  DistractionOptions options_;
  int width_, height_;
  std::vector<std::string> videos_;
  std::mt19937_64 rng_;
  std::unique_ptr<Episode> episode_;
};

}  // namespace curlrl::envs
