#include "envs/env.h"

#include <algorithm>
#include <cmath>
#include <cstring>
#include <sstream>
#include <stdexcept>

#include <mujoco/mjxmacro.h>

#include "core/settings.h"
#include "envs/egl_device.h"

namespace curlrl::envs {
namespace {

// The environment's settings (a task's configs/task/<name>.yaml sets what differs for it, e.g. action_repeat).
const config::Setting<int64_t> kActionRepeat{"task.action_repeat", 1,
                                             "control steps per agent step; rewards are summed over them",
                                             {.min = 1, .max = 1000}};
const config::Setting<int64_t> kFrameStack{"task.frame_stack", 3,
                                           "number of consecutive frames stacked into one pixel observation",
                                           {.min = 1, .max = 16}};
const config::Setting<int64_t> kImageSize{"task.image_size", 100, "rendered frame height and width in pixels",
                                          {.min = 16, .max = 1024}};
const config::Setting<std::string> kObservation{"task.observation", "pixels",
                                                "what the agent sees: rendered frames or the task's state vector",
                                                {.choices = observation_kind_names()}};
const config::Setting<std::string> kCamera{"task.camera", "0", "camera to render, by name or index"};
const config::Setting<std::string> kGlBackend{"task.gl_backend", "auto",
                                              "headless GL backend (the CURLRL_GL environment variable wins)",
                                              {.choices = {"auto", "egl", "osmesa"}, .resumable = true}};
const config::Setting<int64_t> kGlDevice{
    "task.gl_device", -1,
    "EGL device to render on (envs/egl_device.h; CURLRL_EGL_DEVICE wins); -1: the first CUDA GPU EGL lists, else "
    "the surfaceless platform",
    {.min = -1, .max = 64, .resumable = true}};
const config::Setting<std::string> kRenderQuality{
    "task.render_quality", "fast",
    "fast: spheres and capsules tessellated 16x8 and a 1024 shadow map, half the render time, 0.04-0.19/255 mean "
    "pixel difference; reference: the models' own settings, pixel-identical to the suite",
    {.choices = {"reference", "fast"}}};
const config::Setting<std::string> kDistraction{
    "task.distraction", "none",
    "train under a visual distraction (envs/distraction.h): none, color_easy, color_hard, video_easy, video_hard, "
    "camera",
    {.choices = [] {
       std::vector<std::string> names = distraction_mode_names();
       names.front() = "none";  // "train" (the unchanged look) is called none here
       return names;
     }()}};

}  // namespace

EnvOptions EnvOptions::from_config(const config::Config& c) {
  EnvOptions o;
  o.action_repeat = static_cast<int>(kActionRepeat(c));
  o.frame_stack = static_cast<int>(kFrameStack(c));
  o.image_size = static_cast<int>(kImageSize(c));
  o.observation = parse_observation_kind(kObservation(c));
  o.camera = kCamera(c);
  o.gl_backend = parse_gl_backend(kGlBackend(c));
  o.gl_device = static_cast<int>(kGlDevice(c));
  o.render_quality = parse_render_quality(kRenderQuality(c));
  o.distraction = DistractionOptions::from_config(c, parse_distraction_mode(kDistraction(c)));
  return o;
}

std::span<const uint8_t> TimeStep::newest_frame() const {
  if (pixels.empty()) return {};
  return {pixels.data() + pixels.size() - frame_bytes, frame_bytes};
}

ObservationItem TimeStep::newest_item() const {
  if (observation == ObservationKind::kPixels) return newest_frame();
  return std::span<const float>(state);
}

Env::Env(std::unique_ptr<Task> task, const EnvOptions& options) : task_(std::move(task)), options_(options) {
  if (options_.action_repeat < 1) throw std::invalid_argument("action_repeat must be >= 1");
  if (options_.frame_stack < 1) throw std::invalid_argument("frame_stack must be >= 1");
  spec_.task = task_->name();
  spec_.action_dim = task_->action_dim();
  spec_.observation = options_.observation;
  spec_.action_repeat = options_.action_repeat;
  spec_.frame_stack = pixels() ? options_.frame_stack : 1;
  if (pixels()) {
    const int s = options_.image_size;
    spec_.frame_shape = {3, s, s};
    spec_.observation_shape = {3 * options_.frame_stack, s, s};
    camera_ = camera_id(task_->model(), options_.camera);
    if (options_.gl_device >= 0) set_default_egl_device(options_.gl_device);
    renderer_ = std::make_unique<Renderer>(task_->model(), s, s, gl_backend_from_env(options_.gl_backend),
                                           options_.render_quality);
    stack_.assign(static_cast<size_t>(3 * s * s * options_.frame_stack), 0);
  } else {
    spec_.observation_shape = {task_->state_dim()};
  }
  set_distraction(options_.distraction);
}

Env::~Env() = default;

void Env::render_frame(std::span<uint8_t> out) {
  if (!renderer_) throw std::logic_error("render_frame on a state-observation env");
  renderer_->render(task_->data(), camera_, out, distraction_.get());
}

void Env::seed(uint32_t seed) {
  rng_.seed_(seed);
  seed_ = seed;
  if (distraction_) distraction_->seed(seed);
}

void Env::set_distraction(const DistractionOptions& options) {
  if (options.mode == DistractionMode::kTrain) {
    distraction_.reset();
    return;
  }
  if (!pixels()) {
    throw std::invalid_argument(std::string("the distraction ") + distraction_mode_name(options.mode) +
                                " changes pixels; this environment observes states");
  }
  DistractionOptions o = options;
  o.episode_frames = Task::kStepLimit / options_.action_repeat + 2;
  const int s = options_.image_size;
  distraction_ = std::make_unique<Distraction>(task_->model(), o, s, s);
  distraction_->seed(seed_);
}

TimeStep Env::observe(double reward, bool first) {
  TimeStep ts;
  ts.reward = reward;
  ts.first = first;
  ts.last = task_->last();
  ts.observation = spec_.observation;
  if (pixels()) {
    const size_t frame = stack_.size() / static_cast<size_t>(options_.frame_stack);
    if (first) {
      // A new episode's stack holds its first frame k times, as frame stacking does.
      render_frame({stack_.data(), frame});
      for (int k = 1; k < options_.frame_stack; ++k) {
        std::memcpy(stack_.data() + k * frame, stack_.data(), frame);
      }
    } else {
      std::memmove(stack_.data(), stack_.data() + frame, stack_.size() - frame);
      render_frame({stack_.data() + stack_.size() - frame, frame});
    }
    ts.pixels = stack_;
    ts.frame_bytes = frame;
  } else {
    const std::vector<double> s = task_->state_observation();
    ts.state.assign(s.begin(), s.end());
  }
  return ts;
}

TimeStep Env::current_observation() const {
  TimeStep ts;
  ts.first = task_->steps_in_episode() == 0;
  ts.last = task_->last();
  ts.observation = spec_.observation;
  if (pixels()) {
    ts.pixels = stack_;
    ts.frame_bytes = stack_.size() / static_cast<size_t>(options_.frame_stack);
  } else {
    const std::vector<double> s = task_->state_observation();
    ts.state.assign(s.begin(), s.end());
  }
  return ts;
}

TimeStep Env::reset() {
  if (distraction_) distraction_->new_episode();
  task_->reset(rng_);
  return observe(0.0, true);
}

TimeStep Env::step(std::span<const float> action) {
  if (static_cast<int>(action.size()) != spec_.action_dim) {
    throw std::invalid_argument(spec_.task + ": action has " + std::to_string(action.size()) +
                                " components, expected " + std::to_string(spec_.action_dim));
  }
  std::vector<double> a(action.begin(), action.end());
  for (size_t i = 0; i < a.size(); ++i) {
    if (!std::isfinite(a[i])) {
      throw std::invalid_argument(spec_.task + ": action component " + std::to_string(i) + " is " +
                                  (std::isnan(a[i]) ? "NaN" : "infinite"));
    }
  }
  if (task_->last()) throw std::logic_error(spec_.task + ": step after the episode ended; call reset()");
  double reward = 0.0;
  int taken = 0;
  for (int r = 0; r < options_.action_repeat && !task_->last(); ++r, ++taken) reward += task_->step(a);
  TimeStep ts = observe(reward, false);
  ts.control_steps = taken;
  return ts;
}

// --- episode state for checkpoints ------------------------------------------------------------------------------
namespace {

constexpr char kMagic[8] = {'c', 'u', 'r', 'l', 'e', 'n', 'v', '1'};

void put(std::string& out, const void* p, size_t n) { out.append(static_cast<const char*>(p), n); }
void take(const std::string& in, size_t& pos, void* p, size_t n) {
  if (pos + n > in.size()) throw std::runtime_error("environment state is truncated");
  std::memcpy(p, in.data() + pos, n);
  pos += n;
}

// Every array of the model, in MuJoCo's own list of them: tasks edit the model per episode (the reacher's target
// position, the finger's damping and hidden sites), so a saved episode carries the model as it stands.
void put_model(std::string& out, const mjModel* m) {
  MJMODEL_POINTERS_PREAMBLE(m)
#define X(type, name, nr, nc) put(out, m->name, sizeof(type) * static_cast<size_t>(m->nr) * static_cast<size_t>(nc));
  MJMODEL_POINTERS
#undef X
  put(out, &m->opt, sizeof(mjOption));
}

void take_model(const std::string& in, size_t& pos, mjModel* m) {
  MJMODEL_POINTERS_PREAMBLE(m)
#define X(type, name, nr, nc) take(in, pos, m->name, sizeof(type) * static_cast<size_t>(m->nr) * static_cast<size_t>(nc));
  MJMODEL_POINTERS
#undef X
  take(in, pos, &m->opt, sizeof(mjOption));
}

}  // namespace

std::string Env::save_state() const {
  const mjModel* m = task_->model();
  const mjData* d = task_->data();
  std::string out(kMagic, sizeof(kMagic));
  const int32_t dims[6] = {m->nq, m->nv, m->na, m->nu, m->nsensordata, task_->steps_in_episode()};
  put(out, dims, sizeof(dims));
  put(out, &d->time, sizeof(mjtNum));
  put(out, d->qpos, sizeof(mjtNum) * m->nq);
  put(out, d->qvel, sizeof(mjtNum) * m->nv);
  put(out, d->act, sizeof(mjtNum) * m->na);
  put(out, d->ctrl, sizeof(mjtNum) * m->nu);
  put(out, d->qacc_warmstart, sizeof(mjtNum) * m->nv);
  put(out, d->sensordata, sizeof(mjtNum) * m->nsensordata);
  const std::string rng = rng_.serialize();
  const uint64_t n_rng = rng.size(), n_stack = stack_.size();
  put(out, &n_rng, sizeof(n_rng));
  out += rng;
  put(out, &n_stack, sizeof(n_stack));
  put(out, stack_.data(), stack_.size());
  put_model(out, m);
  return out;
}

void Env::load_state(const std::string& in) {
  size_t pos = 0;
  char magic[8];
  take(in, pos, magic, sizeof(magic));
  if (std::memcmp(magic, kMagic, sizeof(kMagic)) != 0) throw std::runtime_error("not an environment state");
  const mjModel* m = task_->model();
  mjData* d = task_->data();
  int32_t dims[6];
  take(in, pos, dims, sizeof(dims));
  if (dims[0] != m->nq || dims[1] != m->nv || dims[2] != m->na || dims[3] != m->nu || dims[4] != m->nsensordata) {
    throw std::runtime_error("environment state belongs to another task than " + spec_.task);
  }
  std::vector<mjtNum> warm(m->nv), sensors(m->nsensordata);
  take(in, pos, &d->time, sizeof(mjtNum));
  take(in, pos, d->qpos, sizeof(mjtNum) * m->nq);
  take(in, pos, d->qvel, sizeof(mjtNum) * m->nv);
  take(in, pos, d->act, sizeof(mjtNum) * m->na);
  take(in, pos, d->ctrl, sizeof(mjtNum) * m->nu);
  take(in, pos, warm.data(), sizeof(mjtNum) * m->nv);
  take(in, pos, sensors.data(), sizeof(mjtNum) * m->nsensordata);
  uint64_t n_rng = 0, n_stack = 0;
  take(in, pos, &n_rng, sizeof(n_rng));
  std::string rng(n_rng, '\0');
  take(in, pos, rng.data(), n_rng);
  take(in, pos, &n_stack, sizeof(n_stack));
  if (n_stack != stack_.size()) throw std::runtime_error("environment state has a different frame stack size");
  take(in, pos, stack_.data(), n_stack);
  take_model(in, pos, task_->model());
  // Recompute the derived quantities, then put back what the next step and the observation read from the
  // previous step's forward pass: the solver's warm start and the acceleration-stage sensors.
  mj_forward(task_->model(), d);
  std::copy(warm.begin(), warm.end(), d->qacc_warmstart);
  std::copy(sensors.begin(), sensors.end(), d->sensordata);
  rng_.deserialize(rng);
  task_->set_steps_in_episode(dims[5]);
}

std::unique_ptr<Env> make_env(const std::string& name, const EnvOptions& options) {
  return std::make_unique<Env>(make_task(name), options);
}

}  // namespace curlrl::envs
