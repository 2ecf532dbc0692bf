// The GL contexts: EGL without a surface (on Mesa's surfaceless platform where a driver offers it) and OSMesa.
#include "envs/gl_context.h"

#include <EGL/egl.h>
#include <EGL/eglext.h>
#include <GL/osmesa.h>

#include <cstdint>
#include <cstdio>
#include <cstring>
#include <memory>
#include <string>
#include <vector>

namespace curlrl::envs::gl {

namespace {

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
    // A device asked for, or a CUDA GPU, through EGL_EXT_platform_device (envs/egl_device.h). Otherwise Mesa's
    // surfaceless platform, which needs neither a display server nor a GPU. eglGetPlatformDisplayEXT is an
    // EGL_EXT_platform_base client extension; without it, fall back to the default display.
    const char* client_extensions = api_.QueryString(EGL_NO_DISPLAY, EGL_EXTENSIONS);
    EGLDisplay display = EGL_NO_DISPLAY;
    std::string how = "eglGetDisplay(EGL_DEFAULT_DISPLAY)";
    auto get_platform_display =
        reinterpret_cast<PFNEGLGETPLATFORMDISPLAYEXTPROC>(api_.GetProcAddress("eglGetPlatformDisplayEXT"));
    std::vector<void*> handles;
    const std::vector<EglDeviceInfo> devices = enumerate_egl_devices(p_, &handles);
    EglDeviceChoice choice;
    try {
      choice = choose_egl_device(devices, requested_egl_device());
    } catch (const std::invalid_argument& e) {
      throw BackendFailure(e.what());
    }
    if (choice.index >= 0 && get_platform_display != nullptr) {
      display = get_platform_display(EGL_PLATFORM_DEVICE_EXT, handles[static_cast<size_t>(choice.index)], nullptr);
      how = devices[static_cast<size_t>(choice.index)].describe(choice.index) + ", " + choice.reason;
      if (display == EGL_NO_DISPLAY) throw BackendFailure("no EGL display on " + how);
    }
    if (display == EGL_NO_DISPLAY && has_extension(client_extensions, "EGL_EXT_platform_base") &&
        has_extension(client_extensions, "EGL_MESA_platform_surfaceless")) {
      if (get_platform_display != nullptr) {
        display = get_platform_display(EGL_PLATFORM_SURFACELESS_MESA, EGL_DEFAULT_DISPLAY, nullptr);
        how = "the surfaceless platform (" + choice.reason + ")";
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
    p_.display_device = how;
    p_.display = display;
    p_.display_is_mesa = vendor != nullptr && std::strstr(vendor, "Mesa") != nullptr;
  }

  GlProcess& p_;
  const EglApi& api_;
  EGLDisplay display_ = EGL_NO_DISPLAY;  // the process's display, which lives while this reference does
};

}  // namespace

std::vector<EglDeviceInfo> enumerate_egl_devices(GlProcess& p, std::vector<void*>* handles) {
  const EglApi* api = egl_api(p);
  if (api == nullptr) return {};
  const char* client = api->QueryString(EGL_NO_DISPLAY, EGL_EXTENSIONS);
  if (!has_extension(client, "EGL_EXT_platform_device") ||
      !(has_extension(client, "EGL_EXT_device_enumeration") || has_extension(client, "EGL_EXT_device_base"))) {
    return {};
  }
  auto query_devices = reinterpret_cast<PFNEGLQUERYDEVICESEXTPROC>(api->GetProcAddress("eglQueryDevicesEXT"));
  auto query_string = reinterpret_cast<PFNEGLQUERYDEVICESTRINGEXTPROC>(api->GetProcAddress("eglQueryDeviceStringEXT"));
  if (query_devices == nullptr || query_string == nullptr) return {};
  EGLint n = 0;
  if (!query_devices(0, nullptr, &n) || n <= 0) return {};
  std::vector<EGLDeviceEXT> found(static_cast<size_t>(n));
  if (!query_devices(n, found.data(), &n)) return {};
  found.resize(static_cast<size_t>(n));
  std::vector<EglDeviceInfo> out;
  for (EGLDeviceEXT d : found) {
    EglDeviceInfo info;
    const char* ext = query_string(d, EGL_EXTENSIONS);
    info.extensions = ext != nullptr ? ext : "";
    if (has_extension(ext, "EGL_EXT_device_drm")) {
      const char* file = query_string(d, EGL_DRM_DEVICE_FILE_EXT);
      info.drm_file = file != nullptr ? file : "";
    }
    out.push_back(info);
    if (handles != nullptr) handles->push_back(d);
  }
  return out;
}

namespace {

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
    glapi_serves_ = display_.is_mesa() && glapi_reaches_current_context(osmesa_api(p));
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
    return loader == GlLoader::kGlvnd || (loader == GlLoader::kMesaGlapi && glapi_serves_);
  }

  GlLoader preferred_loader(GlProcess& p, std::string* library) const override {
    // Where Mesa's glapi entry points serve EGL and OSMesa alike, prefer them so that both backends can share
    // the process.
    if (glapi_serves_) {
      *library = osmesa_api(p)->library;
      return GlLoader::kMesaGlapi;
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

  // Whether OSMesa's glapi entry points drive the current (Mesa EGL) context: they do where one libglapi serves
  // both (Mesa 22, Debian 12); Mesa 25 (Debian 13) keeps them apart, and MuJoCo must then load through glvnd.
  static bool glapi_reaches_current_context(const OsmesaApi* osmesa) {
    if (osmesa == nullptr) return false;
    const auto get_string = reinterpret_cast<GetStringFn>(osmesa->GetProcAddress("glGetString"));
    return get_string != nullptr && get_string(GL_VERSION) != nullptr;
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
  bool glapi_serves_ = false;  // MuJoCo may load through OSMesa's glapi for this context
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

}  // namespace

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

}  // namespace curlrl::envs::gl
