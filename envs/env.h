// The environment the agent sees: a Task (control-step level) plus the CURL pixel protocol: action repeat
// (rewards summed, stopping at the episode end), headless rendering of one camera once per agent step, frame
// stacking, and the choice of pixel or state observations.
#pragma once

#include <cstdint>
#include <memory>
#include <span>
#include <string>
#include <vector>

#include "core/config.h"
#include "envs/distraction.h"
#include "envs/observation.h"
#include "envs/renderer.h"
#include "envs/task.h"

namespace curlrl::envs {

struct EnvOptions {
  int action_repeat = 1;
  int frame_stack = 3;
  int image_size = 100;   // rendered height and width
  ObservationKind observation = ObservationKind::kPixels;  // kStates: the state vector, no renderer
  std::string camera = "0";
  GlBackend gl_backend = GlBackend::kAuto;
  int gl_device = -1;  // EGL device (envs/egl_device.h); -1: a CUDA GPU if EGL lists one, else surfaceless
  RenderQuality render_quality = RenderQuality::kReference;
  // How frames are drawn (envs/distraction.h): task.distraction for training; evaluation switches it per mode.
  DistractionOptions distraction;

  // The task.* settings of a configuration (declared in envs/env.cpp).
  static EnvOptions from_config(const config::Config& config);
};

struct EnvSpec {
  std::string task;
  int action_dim = 0;
  ObservationKind observation = ObservationKind::kPixels;
  // Pixels: {3 * frame_stack, H, W} (uint8); states: {state_dim} (float).
  std::vector<int64_t> observation_shape;
  // One rendered frame: {3, H, W}; empty for states.
  std::vector<int64_t> frame_shape;
  int action_repeat = 1;
  int frame_stack = 1;
};

struct TimeStep {
  ObservationKind observation = ObservationKind::kPixels;  // which of the two fields below holds it
  std::vector<uint8_t> pixels;  // stacked frames, oldest first, CHW each (pixels)
  std::vector<float> state;     // state observation (states)
  double reward = 0.0;          // summed over the action repeats; 0 on the first time step
  double discount = 1.0;        // always 1: the six tasks only end by their time limit
  bool first = false;
  bool last = false;
  int control_steps = 0;        // control steps (environment steps) taken by this step, <= action_repeat
  size_t frame_bytes = 0;       // bytes of one frame (3 * H * W) in pixels mode
  // The newest frame alone (a view into `pixels`), for storing each frame once in the replay buffer.
  std::span<const uint8_t> newest_frame() const;
  // What the replay buffer stores of this observation: the newest frame (pixels) or the state (states).
  ObservationItem newest_item() const;
};

class Env {
 public:
  Env(std::unique_ptr<Task> task, const EnvOptions& options);
  ~Env();
  Env(const Env&) = delete;
  Env& operator=(const Env&) = delete;

  const EnvSpec& spec() const { return spec_; }
  // Reseeds the episode-initialisation generator (numpy RandomState semantics, as the suite).
  // Also restarts the distraction's own sequence of looks (pixels), from the same seed.
  void seed(uint32_t seed);
  // Draws the following episodes under `options` (pixels; kTrain: the training look). The physics is unaffected.
  void set_distraction(const DistractionOptions& options);
  DistractionMode distraction_mode() const { return distraction_ ? distraction_->mode() : DistractionMode::kTrain; }
  TimeStep reset();
  // One agent step: the action applied for action_repeat control steps. Throws std::invalid_argument for a
  // wrong size or a NaN/inf component; finite out-of-range values are passed through as the suite does.
  TimeStep step(std::span<const float> action);

  Task& task() { return *task_; }
  const Task& task() const { return *task_; }
  Renderer* renderer() { return renderer_.get(); }
  // The current observation again (no rendering: the frame stack as it stands), e.g. after load_state().
  TimeStep current_observation() const;
  // Renders the current state from the configured camera into `out` (3 x H x W).
  void render_frame(std::span<uint8_t> out);

  // The episode state (physics, generator, frames) as bytes, for checkpoints that resume mid-episode.
  std::string save_state() const;
  void load_state(const std::string& bytes);

 private:
  TimeStep observe(double reward, bool first);
  bool pixels() const { return spec_.observation == ObservationKind::kPixels; }

  std::unique_ptr<Task> task_;
  EnvOptions options_;
  EnvSpec spec_;
  NumpyRandomState rng_;
  std::unique_ptr<Renderer> renderer_;
  std::unique_ptr<Distraction> distraction_;  // none: the training look
  uint32_t seed_ = 0;
  int camera_ = 0;
  std::vector<uint8_t> stack_;  // frame_stack frames, oldest first
};

// A task by name (see task_names()) wrapped with `options`.
std::unique_ptr<Env> make_env(const std::string& name, const EnvOptions& options);

}  // namespace curlrl::envs
