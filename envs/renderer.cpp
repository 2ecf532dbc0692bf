// Headless MuJoCo rendering through EGL (Mesa's surfaceless platform) or OSMesa. The GL libraries are loaded at
// run time in envs/gl_loader.cpp (its top comment says why and how MuJoCo finds OpenGL), and the GL contexts made
// in envs/gl_context.cpp; this file holds MuJoCo's render contexts and the Renderer built on them.
#include "envs/renderer.h"

#include <algorithm>
#include <array>
#include <cctype>
#include <cstdio>
#include <cstdlib>
#include <mutex>
#include <stdexcept>
#include <string>
#include <vector>

#include "envs/distraction.h"
#include "envs/gl_context.h"
#include "envs/gl_loader.h"

namespace curlrl::envs {

namespace {

using gl::BackendFailure;
using gl::CurrentScope;
using gl::GetStringFn;
using gl::GlContext;
using gl::GlProcess;
using gl::create_context;
using gl::gl_process;

// MuJoCo's scene holds at most this many geoms; the DMC tasks have well under 100.
constexpr int kMaxGeoms = 2000;

std::string lowercase(std::string s) {
  std::transform(s.begin(), s.end(), s.begin(), [](unsigned char c) { return std::tolower(c); });
  return s;
}

// ------------------------------------------------------------------------------------------------------
// MuJoCo's GPU context and scene, each freed by its owner.

// What mjr_makeContext builds from the model's visual quality settings.
struct QualitySettings {
  int samples;      // MSAA samples per pixel of the offscreen framebuffer
  int shadow_size;  // shadow map width and height
  int slices;       // tessellation of the builtin spheres, capsules, cylinders and the skybox
  int stacks;
};

QualitySettings quality_settings(const mjModel* model, RenderQuality quality) {
  const auto& q = model->vis.quality;
  if (quality == RenderQuality::kReference) return {q.offsamples, q.shadowsize, q.numslices, q.numstacks};
  return {q.offsamples, std::min(q.shadowsize, 1024), std::min(q.numslices, 16), std::min(q.numstacks, 8)};
}

class MjrContextOwner {
 public:
  // `context` must be current; it stays owned by the caller and must outlive this object.
  // The offscreen framebuffer is exactly width x height (clearing and resolving a larger buffer, such as
  // MuJoCo's default 640x480, costs time for nothing). mjr_makeContext takes these sizes and `settings` from the
  // model, so it is built from a copy with them set; it only reads the model, uploads meshes and textures, and
  // the copy is freed right after.
  MjrContextOwner(const mjModel* model, int width, int height, const QualitySettings& settings,
                  GlContext& context)
      : context_(context) {
    mjr_defaultContext(&con_);
    mjModel* copy = mj_copyModel(nullptr, model);
    if (copy == nullptr) throw std::runtime_error("curlrl: Renderer: mj_copyModel failed");
    copy->vis.global.offwidth = width;
    copy->vis.global.offheight = height;
    copy->vis.quality.offsamples = settings.samples;
    copy->vis.quality.shadowsize = settings.shadow_size;
    copy->vis.quality.numslices = settings.slices;
    copy->vis.quality.numstacks = settings.stacks;
    try {
      // Text is never drawn; the smallest font keeps the context small and quick to build.
      mjr_makeContext(copy, &con_, mjFONTSCALE_50);
    } catch (...) {  // only when the program turned MuJoCo errors into exceptions
      mj_deleteModel(copy);
      mjr_freeContext(&con_);
      throw;
    }
    mj_deleteModel(copy);
    mjr_setBuffer(mjFB_OFFSCREEN, &con_);
    std::string problem;
    if (con_.currentBuffer != mjFB_OFFSCREEN) {
      problem = "MuJoCo has no offscreen framebuffer in this GL context";
    } else if (con_.offWidth < width || con_.offHeight < height) {
      problem = "the offscreen framebuffer is " + std::to_string(con_.offWidth) + "x" +
                std::to_string(con_.offHeight) + ", smaller than the requested " + std::to_string(width) +
                "x" + std::to_string(height) + " (GL size limit)";
    }
    if (!problem.empty()) {
      mjr_freeContext(&con_);
      throw std::runtime_error("curlrl: Renderer: " + problem);
    }
  }

  ~MjrContextOwner() {
    // Freeing deletes GL objects, which needs the context current.
    if (context_.make_current()) {
      mjr_freeContext(&con_);
      context_.release();
    }
  }

  MjrContextOwner(const MjrContextOwner&) = delete;
  MjrContextOwner& operator=(const MjrContextOwner&) = delete;

  mjrContext* get() { return &con_; }

 private:
  GlContext& context_;
  mjrContext con_;
};

class SceneOwner {
 public:
  explicit SceneOwner(const mjModel* model) {
    mjv_defaultScene(&scene_);
    mjv_makeScene(model, &scene_, kMaxGeoms);
  }
  ~SceneOwner() { mjv_freeScene(&scene_); }
  SceneOwner(const SceneOwner&) = delete;
  SceneOwner& operator=(const SceneOwner&) = delete;
  mjvScene* get() { return &scene_; }

 private:
  mjvScene scene_;
};

}  // namespace

// --------------------------------------------------------------------------------------------------------

GlBackend parse_gl_backend(const std::string& name) {
  const std::string key = lowercase(name);
  if (key == "auto") return GlBackend::kAuto;
  if (key == "egl") return GlBackend::kEgl;
  if (key == "osmesa") return GlBackend::kOsmesa;
  throw std::invalid_argument("unknown GL backend '" + name + "': choose auto, egl or osmesa");
}

RenderQuality parse_render_quality(const std::string& name) {
  const std::string key = lowercase(name);
  if (key == "reference") return RenderQuality::kReference;
  if (key == "fast") return RenderQuality::kFast;
  throw std::invalid_argument("unknown render quality '" + name + "': choose reference or fast");
}

GlBackend gl_backend_from_env(GlBackend fallback) {
  const char* value = std::getenv("CURLRL_GL");
  if (value == nullptr || *value == '\0') return fallback;
  try {
    return parse_gl_backend(value);
  } catch (const std::invalid_argument&) {
    throw std::invalid_argument(std::string("CURLRL_GL='") + value +
                                "' is not a GL backend: choose auto, egl or osmesa");
  }
}

struct Renderer::Impl {
  // The GL objects are created in setup() and freed in free_resources(), both under the process mutex.
  const mjModel* model;
  int width;
  int height;
  std::string backend_name;
  std::string gl_renderer;
  std::unique_ptr<GlContext> gl;
  std::unique_ptr<MjrContextOwner> mjr;
  std::unique_ptr<SceneOwner> scene;
  mjvOption option;
  mjvCamera camera;
  mjvPerturb perturb;
  std::vector<uint8_t> rgb;  // OpenGL's bottom-up interleaved RGB, reused across frames
  std::vector<float> depth;  // window depths, read only for a distraction that needs them
  std::vector<uint8_t> sky;  // the sky alone, as seen by the camera orientation below (distractions)
  std::array<float, 6> sky_orientation{};

  Impl(const mjModel* m, int w, int h, GlBackend backend, RenderQuality quality)
      : model(m), width(w), height(h) {
    if (model == nullptr) throw std::invalid_argument("curlrl: Renderer: model is null");
    if (width <= 0 || height <= 0) {
      throw std::invalid_argument("curlrl: Renderer: image size must be positive, got " + std::to_string(w) +
                                  "x" + std::to_string(h));
    }
    GlProcess& p = gl_process();
    std::lock_guard<std::mutex> lock(p.mutex);
    try {
      setup(p, backend, quality);
    } catch (...) {
      // Tear down under the lock (member destructors would run after it is released).
      free_resources();
      throw;
    }
  }

  // Requires the process mutex.
  void setup(GlProcess& p, GlBackend backend, RenderQuality quality) {
    std::vector<GlBackend> order;
    if (backend == GlBackend::kAuto || backend == GlBackend::kEgl) order.push_back(GlBackend::kEgl);
    if (backend == GlBackend::kAuto || backend == GlBackend::kOsmesa) order.push_back(GlBackend::kOsmesa);
    std::string failures;
    for (GlBackend candidate : order) {
      const char* label = candidate == GlBackend::kEgl ? "EGL" : "OSMesa";
      try {
        gl = create_context(p, candidate, width, height);
        break;
      } catch (const BackendFailure& e) {
        failures += std::string(failures.empty() ? "" : "; ") + label + ": " + e.what();
      }
    }
    if (gl == nullptr) throw std::runtime_error("curlrl: no OpenGL backend works (" + failures + ")");
    backend_name = gl->name();

    // The context is current here (create_context leaves it so).
    if (GetStringFn get_string = gl->get_string()) {
      const GLubyte* text = get_string(GL_RENDERER);
      gl_renderer = text != nullptr ? reinterpret_cast<const char*>(text) : "unknown";
    } else {
      gl_renderer = "unknown";
    }
    mjr = std::make_unique<MjrContextOwner>(model, width, height, quality_settings(model, quality), *gl);
    gl->release();

    bool& announced = backend_name == "EGL" ? p.announced_egl : p.announced_osmesa;
    if (!announced) {
      announced = true;
      if (backend_name == "EGL") {
        std::fprintf(stderr, "curlrl: rendering with EGL (%s) on %s\n", gl_renderer.c_str(), p.display_device.c_str());
      } else {
        std::fprintf(stderr, "curlrl: rendering with %s (%s)\n", backend_name.c_str(), gl_renderer.c_str());
      }
    }

    scene = std::make_unique<SceneOwner>(model);
    mjv_defaultOption(&option);
    mjv_defaultPerturb(&perturb);
    mjv_defaultFreeCamera(model, &camera);
    rgb.resize(static_cast<size_t>(3) * width * height);
  }

  ~Impl() {
    GlProcess& p = gl_process();
    std::lock_guard<std::mutex> lock(p.mutex);  // the EGL display count is shared
    free_resources();
  }

  // Reverse order of creation: the scene, MuJoCo's GPU context (needs the GL context), the GL context.
  void free_resources() {
    scene.reset();
    mjr.reset();
    gl.reset();
  }

  void render(const mjData* data, int camera_id, std::span<uint8_t> out, Distraction* distraction) {
    const size_t pixels = static_cast<size_t>(width) * height;
    if (out.size() != 3 * pixels) {
      throw std::invalid_argument("curlrl: Renderer::render: output holds " + std::to_string(out.size()) +
                                  " bytes, expected 3 x " + std::to_string(width) + " x " +
                                  std::to_string(height) + " = " + std::to_string(3 * pixels));
    }
    if (data == nullptr) throw std::invalid_argument("curlrl: Renderer::render: data is null");
    if (camera_id < -1 || camera_id >= model->ncam) {
      throw std::invalid_argument("curlrl: Renderer::render: camera " + std::to_string(camera_id) +
                                  " is out of range (the model has " + std::to_string(model->ncam) +
                                  " cameras; -1 is the free camera)");
    }
    if (camera_id >= 0) {
      camera.type = mjCAMERA_FIXED;
      camera.fixedcamid = camera_id;
    } else {
      mjv_defaultFreeCamera(model, &camera);
    }
    // mjv_updateScene takes a non-const mjData only to borrow its scratch stack, which it leaves as it
    // found it; the state is not changed. (So `data` must not be used by another thread meanwhile.)
    mjv_updateScene(model, const_cast<mjData*>(data), &option, &perturb, &camera, mjCAT_ALL, scene->get());
    if (distraction != nullptr) distraction->edit_scene(data, scene->get());
    const bool background = distraction != nullptr && distraction->needs_depth();
    mjvScene* scn = scene->get();

    const mjrRect viewport = {0, 0, width, height};
    {
      CurrentScope current(*gl);
      mjr_setBuffer(mjFB_OFFSCREEN, mjr->get());
      if (background) {
        // The skybox is drawn with depth, so it cannot be told from far geometry afterwards. Instead the sky alone
        // (no geoms) is rendered once per camera orientation (it is at infinity: a moving camera that does not turn
        // sees the same sky), and the frame without the skybox: its pixels at the cleared depth are background.
        const mjvGLCamera& c = scn->camera[0];
        const std::array<float, 6> orientation = {c.forward[0], c.forward[1], c.forward[2], c.up[0], c.up[1], c.up[2]};
        if (sky.empty() || orientation != sky_orientation) {
          sky.resize(rgb.size());
          const int ngeom = scn->ngeom;
          scn->ngeom = 0;
          mjr_render(viewport, scn, mjr->get());
          mjr_readPixels(sky.data(), nullptr, viewport, mjr->get());
          scn->ngeom = ngeom;
          sky_orientation = orientation;
        }
        depth.resize(pixels);
        const mjtByte skybox = scn->flags[mjRND_SKYBOX];
        scn->flags[mjRND_SKYBOX] = 0;
        mjr_render(viewport, scn, mjr->get());
        scn->flags[mjRND_SKYBOX] = skybox;
        mjr_readPixels(rgb.data(), depth.data(), viewport, mjr->get());
      } else {
        mjr_render(viewport, scn, mjr->get());
        mjr_readPixels(rgb.data(), nullptr, viewport, mjr->get());
      }
    }
    if (distraction != nullptr) {
      distraction->composite(rgb, background ? std::span<const float>(depth) : std::span<const float>(),
                             background ? std::span<const uint8_t>(sky) : std::span<const uint8_t>());
    }

    // Interleaved bottom-up rows (OpenGL) -> channels first, top-down rows.
    uint8_t* planes[3] = {out.data(), out.data() + pixels, out.data() + 2 * pixels};
    for (int row = 0; row < height; ++row) {
      const uint8_t* src = rgb.data() + static_cast<size_t>(height - 1 - row) * width * 3;
      const size_t dst = static_cast<size_t>(row) * width;
      for (int col = 0; col < width; ++col) {
        for (int ch = 0; ch < 3; ++ch) planes[ch][dst + col] = src[3 * col + ch];
      }
    }
  }
};

Renderer::Renderer(const mjModel* model, int width, int height, GlBackend backend, RenderQuality quality)
    : impl_(std::make_unique<Impl>(model, width, height, backend, quality)) {}

Renderer::~Renderer() = default;

void Renderer::render(const mjData* data, int camera, std::span<uint8_t> out) {
  impl_->render(data, camera, out, nullptr);
}

void Renderer::render(const mjData* data, int camera, std::span<uint8_t> out, Distraction* distraction) {
  impl_->render(data, camera, out, distraction);
}

int Renderer::width() const { return impl_->width; }
int Renderer::height() const { return impl_->height; }
const std::string& Renderer::backend_name() const { return impl_->backend_name; }
const std::string& Renderer::gl_renderer() const { return impl_->gl_renderer; }

int camera_id(const mjModel* model, const std::string& name_or_index) {
  if (model == nullptr) throw std::invalid_argument("camera_id: model is null");
  const int by_name = mj_name2id(model, mjOBJ_CAMERA, name_or_index.c_str());
  if (by_name >= 0) return by_name;

  // A decimal index: digits, optionally a leading '-' (for -1, the free camera).
  const std::string& s = name_or_index;
  const size_t first_digit = (!s.empty() && s[0] == '-') ? 1 : 0;
  const bool decimal = s.size() > first_digit && s.size() <= first_digit + 9 &&
                       std::all_of(s.begin() + first_digit, s.end(),
                                   [](unsigned char c) { return std::isdigit(c) != 0; });
  if (decimal) {
    const int index = std::stoi(s);
    if (index >= -1 && index < model->ncam) return index;
  }

  std::string cameras;
  for (int i = 0; i < model->ncam; ++i) {
    const char* name = mj_id2name(model, mjOBJ_CAMERA, i);
    cameras += (i == 0 ? "" : ", ") + std::to_string(i);
    if (name != nullptr) cameras += std::string(" '") + name + "'";
  }
  throw std::invalid_argument("unknown camera '" + name_or_index + "': the model's cameras are " +
                              (cameras.empty() ? std::string("none") : cameras) +
                              " (by name or index; -1 is the free camera)");
}

}  // namespace curlrl::envs
