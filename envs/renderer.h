// Headless rendering of a MuJoCo model: an RAII owner of one GL context (EGL surfaceless, or OSMesa) and of
// MuJoCo's abstract scene and GPU render context. No display is needed.
#pragma once

#include <cstdint>
#include <memory>
#include <span>
#include <string>

#include "envs/physics.h"

namespace curlrl::envs {
class Distraction;
}

namespace curlrl::envs {

enum class GlBackend { kAuto, kEgl, kOsmesa };

// "auto", "egl" or "osmesa"; anything else throws std::invalid_argument listing the choices.
GlBackend parse_gl_backend(const std::string& name);
// The backend from the CURLRL_GL environment variable when set, otherwise `fallback`.
GlBackend gl_backend_from_env(GlBackend fallback);

// kReference: the model's own settings (4x MSAA, 2048 shadow map, spheres and capsules tessellated 28 x 16),
// pixel-identical to the suite's renders on this GL.
// kFast: the same passes and MSAA with curved builtin shapes tessellated at most 16 x 8 and a shadow map of at
// most 1024 x 1024. llvmpipe's time goes mostly into setting up and rasterising triangles (4 passes of every
// sphere and capsule, even one pixel wide), so this halves it; frames differ from the reference by 0.05-0.3/255
// on average, along curved silhouettes.
enum class RenderQuality { kReference, kFast };

// "reference" or "fast"; anything else throws std::invalid_argument listing the choices.
RenderQuality parse_render_quality(const std::string& name);

class Renderer {
 public:
  // Creates the GL context (kAuto: EGL first, then OSMesa) and MuJoCo's contexts for `model`, able to render
  // images up to width x height. Throws std::runtime_error naming every backend tried when none works.
  Renderer(const mjModel* model, int width, int height, GlBackend backend = GlBackend::kAuto,
           RenderQuality quality = RenderQuality::kReference);
  ~Renderer();
  Renderer(const Renderer&) = delete;
  Renderer& operator=(const Renderer&) = delete;

  // Renders camera `camera` (an id; -1 is the free camera) of the current state in `data` into `out`, which must
  // hold 3 * width * height bytes: uint8 RGB, channels first (CHW), rows top-down.
  void render(const mjData* data, int camera, std::span<uint8_t> out);
  // The same drawn under a distraction (envs/distraction.h): it edits the scene and the pixels, never the state.
  void render(const mjData* data, int camera, std::span<uint8_t> out, Distraction* distraction);
  int width() const;
  int height() const;
  // "EGL" or "OSMesa", and the GL_RENDERER string (e.g. "llvmpipe (LLVM 15.0.6, 256 bits)").
  const std::string& backend_name() const;
  const std::string& gl_renderer() const;

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

// Camera id by name or by number ("0", "side"); throws std::invalid_argument listing the model's cameras.
int camera_id(const mjModel* model, const std::string& name_or_index);

}  // namespace curlrl::envs
