// Headless MuJoCo rendering through EGL (Mesa's surfaceless platform) or OSMesa.
//
// How MuJoCo finds OpenGL, and why both GL libraries are loaded at run time:
// MuJoCo 2.2.2 resolves every GL function through its own glad loader exactly once per process, at the
// first mjr_makeContext (a static guard). It takes the get-proc-address function it finds first in the
// process's global symbol scope, in this order: eglGetProcAddress, OSMesaGetProcAddress,
// glXGetProcAddressARB (then it walks the loaded libraries). The functions it gets are process-wide:
//   - from eglGetProcAddress or glXGetProcAddressARB (glvnd) they are glvnd dispatch stubs, which follow
//     whatever context glvnd made current. OSMesa contexts bypass glvnd, so with those stubs an OSMesa
//     context renders nothing (mjr_makeContext dies with "gladLoadGL error").
//   - from OSMesaGetProcAddress they are Mesa's own glapi entry points, which follow the context current
//     in Mesa's libglapi. Both OSMesa and Mesa's EGL driver set that one, so they serve both backends,
//     but not a non-Mesa EGL driver (e.g. NVIDIA).
// Linking -lEGL would put eglGetProcAddress in the global scope for good and make OSMesa unusable in the
// whole process (tested: it fails unless an EGL context happens to be current too). So neither library is
// linked: both are dlopen'ed with RTLD_LOCAL, and just before the process's first mjr_makeContext exactly
// one of them is promoted to the global scope (RTLD_NOLOAD | RTLD_GLOBAL) to steer MuJoCo's choice:
// libOSMesa when the first backend is OSMesa or a Mesa EGL (then EGL and OSMesa renderers can share the
// process in any order), libEGL for a non-Mesa EGL driver. Later renderers whose backend cannot work with
// that choice fail (kAuto moves on to the next backend) with a message saying why.
// The libraries are never dlclose'd: GL drivers do not unload cleanly.
#include "envs/renderer.h"

#include <EGL/egl.h>
#include <EGL/eglext.h>
#include <GL/osmesa.h>
#include <dlfcn.h>

#include <algorithm>
#include <cctype>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <mutex>
#include <stdexcept>
#include <string>
#include <utility>
#include <vector>

namespace curlrl::envs {

namespace {

// MuJoCo's scene holds at most this many geoms; the DMC tasks have well under 100.
constexpr int kMaxGeoms = 2000;

// ------------------------------------------------------------------------------------------------------
// Run-time loading of libEGL and libOSMesa.

// Opens the first library of `names` that loads (RTLD_LOCAL: its symbols stay out of the global scope).
void* open_library(const std::vector<const char*>& names, std::string* opened, std::string* error) {
  for (const char* name : names) {
    if (void* lib = dlopen(name, RTLD_NOW | RTLD_LOCAL)) {
      *opened = name;
      return lib;
    }
    const char* why = dlerror();
    if (error->empty()) *error = why ? why : std::string(name) + " not found";
  }
  return nullptr;
}

// Looks up `name` in `lib` as a pointer to a function of the same type as the header's declaration.
template <typename Fn>
bool load_symbol(void* lib, const char* name, Fn* fn, std::string* missing) {
  *fn = reinterpret_cast<Fn>(dlsym(lib, name));
  if (*fn == nullptr && missing->empty()) *missing = name;
  return *fn != nullptr;
}

struct EglApi {
  std::string library;
  decltype(&eglGetProcAddress) GetProcAddress = nullptr;
  decltype(&eglGetError) GetError = nullptr;
  decltype(&eglQueryString) QueryString = nullptr;
  decltype(&eglGetDisplay) GetDisplay = nullptr;
  decltype(&eglInitialize) Initialize = nullptr;
  decltype(&eglTerminate) Terminate = nullptr;
  decltype(&eglChooseConfig) ChooseConfig = nullptr;
  decltype(&eglGetConfigAttrib) GetConfigAttrib = nullptr;
  decltype(&eglBindAPI) BindAPI = nullptr;
  decltype(&eglCreateContext) CreateContext = nullptr;
  decltype(&eglDestroyContext) DestroyContext = nullptr;
  decltype(&eglMakeCurrent) MakeCurrent = nullptr;
};

struct OsmesaApi {
  std::string library;
  decltype(&OSMesaCreateContextExt) CreateContextExt = nullptr;
  decltype(&OSMesaDestroyContext) DestroyContext = nullptr;
  decltype(&OSMesaMakeCurrent) MakeCurrent = nullptr;
  decltype(&OSMesaGetProcAddress) GetProcAddress = nullptr;
};

// Which get-proc-address MuJoCo's process-wide GL function table came (or will come) from.
enum class GlLoader { kUndecided, kMesaGlapi, kGlvnd };

// Process-wide GL state, guarded by `mutex`. Renderer construction and destruction hold the mutex; render()
// only reads the function pointers, which never change once loaded. Intentionally leaked so that renderers
// destroyed during static destruction still find it.
struct GlProcess {
  std::mutex mutex;
  bool egl_tried = false;
  bool egl_ok = false;
  std::string egl_error;
  EglApi egl;
  bool osmesa_tried = false;
  bool osmesa_ok = false;
  std::string osmesa_error;
  OsmesaApi osmesa;
  // The EGL display is one per process (eglGetPlatformDisplayEXT returns the same handle every time), and
  // eglTerminate would destroy every context on it: it is terminated only when its last user goes away.
  EGLDisplay display = EGL_NO_DISPLAY;
  bool display_is_mesa = false;
  int display_users = 0;
  GlLoader loader = GlLoader::kUndecided;
  bool announced_egl = false;
  bool announced_osmesa = false;
};

GlProcess& gl_process() {
  static auto* process = new GlProcess;
  return *process;
}

// Requires the process mutex.
const EglApi* egl_api(GlProcess& p) {
  if (!p.egl_tried) {
    p.egl_tried = true;
    void* lib = open_library({"libEGL.so.1", "libEGL.so"}, &p.egl.library, &p.egl_error);
    if (lib != nullptr) {
      std::string missing;
      EglApi& e = p.egl;
      load_symbol(lib, "eglGetProcAddress", &e.GetProcAddress, &missing);
      load_symbol(lib, "eglGetError", &e.GetError, &missing);
      load_symbol(lib, "eglQueryString", &e.QueryString, &missing);
      load_symbol(lib, "eglGetDisplay", &e.GetDisplay, &missing);
      load_symbol(lib, "eglInitialize", &e.Initialize, &missing);
      load_symbol(lib, "eglTerminate", &e.Terminate, &missing);
      load_symbol(lib, "eglChooseConfig", &e.ChooseConfig, &missing);
      load_symbol(lib, "eglGetConfigAttrib", &e.GetConfigAttrib, &missing);
      load_symbol(lib, "eglBindAPI", &e.BindAPI, &missing);
      load_symbol(lib, "eglCreateContext", &e.CreateContext, &missing);
      load_symbol(lib, "eglDestroyContext", &e.DestroyContext, &missing);
      load_symbol(lib, "eglMakeCurrent", &e.MakeCurrent, &missing);
      if (missing.empty()) {
        p.egl_ok = true;
      } else {
        p.egl_error = p.egl.library + " lacks " + missing;
      }
    }
  }
  return p.egl_ok ? &p.egl : nullptr;
}

// Requires the process mutex.
const OsmesaApi* osmesa_api(GlProcess& p) {
  if (!p.osmesa_tried) {
    p.osmesa_tried = true;
    void* lib = open_library({"libOSMesa.so.8", "libOSMesa.so.6", "libOSMesa.so"}, &p.osmesa.library,
                             &p.osmesa_error);
    if (lib != nullptr) {
      std::string missing;
      OsmesaApi& o = p.osmesa;
      load_symbol(lib, "OSMesaCreateContextExt", &o.CreateContextExt, &missing);
      load_symbol(lib, "OSMesaDestroyContext", &o.DestroyContext, &missing);
      load_symbol(lib, "OSMesaMakeCurrent", &o.MakeCurrent, &missing);
      load_symbol(lib, "OSMesaGetProcAddress", &o.GetProcAddress, &missing);
      if (missing.empty()) {
        p.osmesa_ok = true;
      } else {
        p.osmesa_error = p.osmesa.library + " lacks " + missing;
      }
    }
  }
  return p.osmesa_ok ? &p.osmesa : nullptr;
}

// Puts an already loaded library's symbols into the global scope, where MuJoCo's loader looks first.
bool promote_to_global(const std::string& library) {
  return dlopen(library.c_str(), RTLD_NOW | RTLD_NOLOAD | RTLD_GLOBAL) != nullptr;
}

std::string egl_error_name(EGLint code) {
  switch (code) {
    case EGL_SUCCESS: return "EGL_SUCCESS";
    case EGL_NOT_INITIALIZED: return "EGL_NOT_INITIALIZED";
    case EGL_BAD_ACCESS: return "EGL_BAD_ACCESS";
    case EGL_BAD_ALLOC: return "EGL_BAD_ALLOC";
    case EGL_BAD_ATTRIBUTE: return "EGL_BAD_ATTRIBUTE";
    case EGL_BAD_CONFIG: return "EGL_BAD_CONFIG";
    case EGL_BAD_CONTEXT: return "EGL_BAD_CONTEXT";
    case EGL_BAD_CURRENT_SURFACE: return "EGL_BAD_CURRENT_SURFACE";
    case EGL_BAD_DISPLAY: return "EGL_BAD_DISPLAY";
    case EGL_BAD_MATCH: return "EGL_BAD_MATCH";
    case EGL_BAD_PARAMETER: return "EGL_BAD_PARAMETER";
    case EGL_BAD_SURFACE: return "EGL_BAD_SURFACE";
    case EGL_CONTEXT_LOST: return "EGL_CONTEXT_LOST";
    default: {
      char hex[16];
      std::snprintf(hex, sizeof(hex), "0x%x", static_cast<unsigned>(code));
      return hex;
    }
  }
}

bool has_extension(const char* list, const char* name) {
  if (list == nullptr) return false;
  const size_t len = std::strlen(name);
  for (const char* at = list; (at = std::strstr(at, name)) != nullptr; at += len) {
    const bool starts = at == list || at[-1] == ' ';
    const bool ends = at[len] == '\0' || at[len] == ' ';
    if (starts && ends) return true;
  }
  return false;
}

// A backend could not be set up; kAuto records the reason and tries the next one.
struct BackendFailure : std::runtime_error {
  using std::runtime_error::runtime_error;
};

// ------------------------------------------------------------------------------------------------------
// GL contexts.

using GetStringFn = const GLubyte* (*)(GLenum);

class GlContext {
 public:
  virtual ~GlContext() = default;
  virtual bool make_current() = 0;
  virtual void release() = 0;
  virtual const char* name() const = 0;
  // Whether MuJoCo's GL functions, when loaded through `loader`, drive this context (see the top of the
  // file).
  virtual bool works_with(GlLoader loader) const = 0;
  // The library to promote so that MuJoCo loads GL the way this context needs.
  virtual GlLoader preferred_loader(GlProcess& p, std::string* library) const = 0;
  virtual GetStringFn get_string() const = 0;
};

// One reference to the process's EGL display: opened and initialised by its first user, terminated when its
// last user goes away (eglTerminate would destroy every context on it, and eglGetPlatformDisplayEXT returns
// the same display to every caller). Requires the process mutex around construction and destruction.
class EglDisplayRef {
 public:
  EglDisplayRef(GlProcess& p, const EglApi& api) : p_(p), api_(api) {
    if (p_.display_users == 0) open();
    ++p_.display_users;
    display_ = p_.display;
  }
  ~EglDisplayRef() {
    if (--p_.display_users == 0) {
      api_.Terminate(p_.display);
      p_.display = EGL_NO_DISPLAY;
    }
  }
  EglDisplayRef(const EglDisplayRef&) = delete;
  EglDisplayRef& operator=(const EglDisplayRef&) = delete;

  EGLDisplay get() const { return display_; }
  bool is_mesa() const { return p_.display_is_mesa; }

 private:
  void open() {
    // Mesa's surfaceless platform needs neither a display server nor a GPU. eglGetPlatformDisplayEXT is an
    // EGL_EXT_platform_base client extension; without it, fall back to the default display.
    const char* client_extensions = api_.QueryString(EGL_NO_DISPLAY, EGL_EXTENSIONS);
    EGLDisplay display = EGL_NO_DISPLAY;
    std::string how = "eglGetDisplay(EGL_DEFAULT_DISPLAY)";
    if (has_extension(client_extensions, "EGL_EXT_platform_base") &&
        has_extension(client_extensions, "EGL_MESA_platform_surfaceless")) {
      auto get_platform_display =
          reinterpret_cast<PFNEGLGETPLATFORMDISPLAYEXTPROC>(api_.GetProcAddress("eglGetPlatformDisplayEXT"));
      if (get_platform_display != nullptr) {
        display = get_platform_display(EGL_PLATFORM_SURFACELESS_MESA, EGL_DEFAULT_DISPLAY, nullptr);
        how = "the surfaceless platform";
      }
    }
    if (display == EGL_NO_DISPLAY) {
      display = api_.GetDisplay(EGL_DEFAULT_DISPLAY);
      how = "eglGetDisplay(EGL_DEFAULT_DISPLAY); no EGL driver offers the surfaceless platform";
    }
    if (display == EGL_NO_DISPLAY) throw BackendFailure("no EGL display (" + how + ")");
    EGLint major = 0;
    EGLint minor = 0;
    if (!api_.Initialize(display, &major, &minor)) {
      const std::string error = egl_error_name(api_.GetError());
      throw BackendFailure("eglInitialize on " + how + " failed (" + error + ")");
    }
    const char* vendor = api_.QueryString(display, EGL_VENDOR);
    p_.display = display;
    p_.display_is_mesa = vendor != nullptr && std::strstr(vendor, "Mesa") != nullptr;
  }

  GlProcess& p_;
  const EglApi& api_;
  EGLDisplay display_ = EGL_NO_DISPLAY;  // the process's display, which lives while this reference does
};

const EglApi& require_egl(GlProcess& p) {
  const EglApi* api = egl_api(p);
  if (api == nullptr) throw BackendFailure("cannot load libEGL (" + p.egl_error + ")");
  return *api;
}

class EglContext final : public GlContext {
 public:
  // Requires the process mutex, also around destruction.
  explicit EglContext(GlProcess& p) : api_(require_egl(p)), display_(p, api_) {
    EGLConfig config = choose_config();
    if (!api_.BindAPI(EGL_OPENGL_API)) fail("eglBindAPI(EGL_OPENGL_API)");
    // No attributes: the default is a compatibility-profile context, which MuJoCo's fixed-function
    // renderer needs.
    context_ = api_.CreateContext(display_.get(), config, EGL_NO_CONTEXT, nullptr);
    if (context_ == EGL_NO_CONTEXT) fail("eglCreateContext");
    // No surface: MuJoCo renders into its own framebuffer object (needs EGL_KHR_surfaceless_context).
    if (!make_current()) {
      const std::string error = egl_error_name(api_.GetError());
      api_.DestroyContext(display_.get(), context_);
      throw BackendFailure("eglMakeCurrent without a surface failed (" + error + ")");
    }
  }

  ~EglContext() override {
    release();
    api_.DestroyContext(display_.get(), context_);
  }

  bool make_current() override {
    return api_.MakeCurrent(display_.get(), EGL_NO_SURFACE, EGL_NO_SURFACE, context_) == EGL_TRUE;
  }
  void release() override {
    api_.MakeCurrent(display_.get(), EGL_NO_SURFACE, EGL_NO_SURFACE, EGL_NO_CONTEXT);
  }
  const char* name() const override { return "EGL"; }

  bool works_with(GlLoader loader) const override {
    return loader == GlLoader::kGlvnd || (loader == GlLoader::kMesaGlapi && display_.is_mesa());
  }

  GlLoader preferred_loader(GlProcess& p, std::string* library) const override {
    // With a Mesa driver, Mesa's glapi entry points serve EGL and OSMesa alike; prefer them when OSMesa is
    // installed so that both backends can share the process.
    if (display_.is_mesa()) {
      if (const OsmesaApi* osmesa = osmesa_api(p)) {
        *library = osmesa->library;
        return GlLoader::kMesaGlapi;
      }
    }
    *library = api_.library;
    return GlLoader::kGlvnd;
  }

  GetStringFn get_string() const override {
    return reinterpret_cast<GetStringFn>(api_.GetProcAddress("glGetString"));
  }

 private:
  [[noreturn]] void fail(const std::string& what) {
    const std::string error = egl_error_name(api_.GetError());
    throw BackendFailure(what + " failed (" + error + ")");
  }

  EGLConfig choose_config() {
    // Surfaceless configs only offer pbuffer surfaces; the default EGL_SURFACE_TYPE (window) matches none.
    const EGLint attributes[] = {EGL_SURFACE_TYPE, EGL_PBUFFER_BIT, EGL_RENDERABLE_TYPE, EGL_OPENGL_BIT,
                                 EGL_RED_SIZE, 8, EGL_GREEN_SIZE, 8, EGL_BLUE_SIZE, 8, EGL_ALPHA_SIZE, 8,
                                 EGL_DEPTH_SIZE, 24, EGL_NONE};
    EGLConfig configs[64];
    EGLint count = 0;
    if (!api_.ChooseConfig(display_.get(), attributes, configs, 64, &count) || count == 0) {
      const EGLint error = api_.GetError();
      throw BackendFailure("no EGL config with 8-bit RGBA, 24-bit depth and OpenGL (" +
                           (count == 0 && error == EGL_SUCCESS ? std::string("none matched")
                                                               : egl_error_name(error)) +
                           ")");
    }
    // eglChooseConfig sorts deeper colour (10-bit) first; prefer exactly 8 bits per channel.
    for (EGLint i = 0; i < count; ++i) {
      EGLint r = 0, g = 0, b = 0, a = 0;
      api_.GetConfigAttrib(display_.get(), configs[i], EGL_RED_SIZE, &r);
      api_.GetConfigAttrib(display_.get(), configs[i], EGL_GREEN_SIZE, &g);
      api_.GetConfigAttrib(display_.get(), configs[i], EGL_BLUE_SIZE, &b);
      api_.GetConfigAttrib(display_.get(), configs[i], EGL_ALPHA_SIZE, &a);
      if (r == 8 && g == 8 && b == 8 && a == 8) return configs[i];
    }
    return configs[0];
  }

  const EglApi& api_;
  EglDisplayRef display_;
  EGLContext context_ = EGL_NO_CONTEXT;
};

class OsmesaContext final : public GlContext {
 public:
  // Requires the process mutex.
  OsmesaContext(GlProcess& p, int width, int height) : width_(width), height_(height) {
    api_ = osmesa_api(p);
    if (api_ == nullptr) throw BackendFailure("cannot load libOSMesa (" + p.osmesa_error + ")");
    context_ = api_->CreateContextExt(OSMESA_RGBA, /*depthBits=*/24, /*stencilBits=*/8, /*accumBits=*/0,
                                      /*sharelist=*/nullptr);
    if (context_ == nullptr) throw BackendFailure("OSMesaCreateContextExt failed");
    // OSMesa needs a colour buffer to make a context current. MuJoCo renders into its own framebuffer
    // object, so this one is never drawn to; it is sized like the images only to look like a real window.
    buffer_.resize(static_cast<size_t>(width_) * height_ * 4);
    if (!make_current()) {
      api_->DestroyContext(context_);
      throw BackendFailure("OSMesaMakeCurrent failed");
    }
  }

  ~OsmesaContext() override {
    release();
    api_->DestroyContext(context_);
  }

  bool make_current() override {
    return api_->MakeCurrent(context_, buffer_.data(), GL_UNSIGNED_BYTE, width_, height_) == GL_TRUE;
  }
  void release() override { api_->MakeCurrent(nullptr, nullptr, 0, 0, 0); }
  const char* name() const override { return "OSMesa"; }
  bool works_with(GlLoader loader) const override { return loader == GlLoader::kMesaGlapi; }

  GlLoader preferred_loader(GlProcess&, std::string* library) const override {
    *library = api_->library;
    return GlLoader::kMesaGlapi;
  }

  GetStringFn get_string() const override {
    return reinterpret_cast<GetStringFn>(api_->GetProcAddress("glGetString"));
  }

 private:
  const OsmesaApi* api_ = nullptr;
  OSMesaContext context_ = nullptr;
  int width_;
  int height_;
  std::vector<uint8_t> buffer_;
};

// Requires the process mutex and `context` current. Makes sure MuJoCo's process-wide GL function table
// (loaded at the first mjr_makeContext) can drive `context`; throws BackendFailure when it cannot.
void prepare_mujoco_gl_loader(GlProcess& p, const GlContext& context) {
  if (p.loader == GlLoader::kUndecided) {
    // Someone else may have linked a GL platform library; MuJoCo will then take its get-proc-address.
    if (dlsym(RTLD_DEFAULT, "eglGetProcAddress") != nullptr) {
      p.loader = GlLoader::kGlvnd;
    } else if (dlsym(RTLD_DEFAULT, "OSMesaGetProcAddress") != nullptr) {
      p.loader = GlLoader::kMesaGlapi;
    } else {
      std::string library;
      const GlLoader wanted = context.preferred_loader(p, &library);
      if (!promote_to_global(library)) {
        const char* why = dlerror();
        throw BackendFailure("cannot expose " + library + " to MuJoCo's GL loader (" +
                             (why != nullptr ? why : "dlopen failed") + ")");
      }
      p.loader = wanted;
    }
  }
  if (!context.works_with(p.loader)) {
    const char* reason =
        p.loader == GlLoader::kGlvnd
            ? "MuJoCo loads its GL functions once per process and here they come from glvnd "
              "(eglGetProcAddress: a non-Mesa EGL renderer came first, or libEGL is linked into the "
              "program), which OSMesa contexts bypass"
            : "MuJoCo loads its GL functions once per process and here they are Mesa's (an OSMesa "
              "renderer came first, or libOSMesa is linked into the program), which a non-Mesa EGL "
              "driver does not serve";
    throw BackendFailure(std::string("unusable in this process: ") + reason +
                         "; use one backend per process (CURLRL_GL)");
  }
}

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

// Makes the renderer's context current for one scope, and releases it after, so that the renderer can be
// used from any thread and several renderers can take turns on one thread (as envpool does).
class CurrentScope {
 public:
  explicit CurrentScope(GlContext& context) : context_(context) {
    if (!context_.make_current()) {
      throw std::runtime_error(std::string("curlrl: Renderer: cannot make the ") + context_.name() +
                               " context current (is it current in another thread?)");
    }
  }
  ~CurrentScope() { context_.release(); }
  CurrentScope(const CurrentScope&) = delete;
  CurrentScope& operator=(const CurrentScope&) = delete;

 private:
  GlContext& context_;
};

// Requires the process mutex. Creates the context for `backend` (kEgl or kOsmesa), current, with MuJoCo's
// loader prepared for it; throws BackendFailure naming the reason otherwise.
std::unique_ptr<GlContext> create_context(GlProcess& p, GlBackend backend, int width, int height) {
  std::unique_ptr<GlContext> context;
  if (backend == GlBackend::kEgl) {
    context = std::make_unique<EglContext>(p);
  } else {
    context = std::make_unique<OsmesaContext>(p, width, height);
  }
  prepare_mujoco_gl_loader(p, *context);
  return context;
}

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
      std::fprintf(stderr, "curlrl: rendering with %s (%s)\n", backend_name.c_str(), gl_renderer.c_str());
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

  void render(const mjData* data, int camera_id, std::span<uint8_t> out) {
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

    const mjrRect viewport = {0, 0, width, height};
    {
      CurrentScope current(*gl);
      mjr_setBuffer(mjFB_OFFSCREEN, mjr->get());
      mjr_render(viewport, scene->get(), mjr->get());
      mjr_readPixels(rgb.data(), nullptr, viewport, mjr->get());
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
  impl_->render(data, camera, out);
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
