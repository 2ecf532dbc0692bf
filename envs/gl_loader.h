// Internal to envs/: run-time loading of libEGL and libOSMesa, the process-wide GL state, and the choice of the
// library MuJoCo loads its GL functions through (envs/gl_loader.cpp explains why both are loaded at run time).
#pragma once

#include <EGL/egl.h>
#include <GL/osmesa.h>

#include <mutex>
#include <stdexcept>
#include <string>
#include <vector>

#include "envs/egl_device.h"

namespace curlrl::envs::gl {

class GlContext;

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
  std::string display_device;  // which EGL device the display is on ("the surfaceless platform" otherwise)
  GlLoader loader = GlLoader::kUndecided;
  bool announced_egl = false;
  bool announced_osmesa = false;
};

GlProcess& gl_process();

// Whether the space-separated extension list `list` (may be null) names `name` as a whole word.
bool has_extension(const char* list, const char* name);

// Requires the process mutex. The EGL devices (envs/egl_device.h) with their handles in `handles` (if given); empty
// when libEGL or the device extensions are missing.
std::vector<EglDeviceInfo> enumerate_egl_devices(GlProcess& p, std::vector<void*>* handles);

// Requires the process mutex. The loaded API, or nullptr when the library cannot be loaded (the reason is then in
// p.egl_error or p.osmesa_error). Each library is tried once per process.
const EglApi* egl_api(GlProcess& p);
const OsmesaApi* osmesa_api(GlProcess& p);

// A backend could not be set up; kAuto records the reason and tries the next one.
struct BackendFailure : std::runtime_error {
  using std::runtime_error::runtime_error;
};

// Requires the process mutex and `context` current. Makes sure MuJoCo's process-wide GL function table
// (loaded at the first mjr_makeContext) can drive `context`; throws BackendFailure when it cannot.
void prepare_mujoco_gl_loader(GlProcess& p, const GlContext& context);

}  // namespace curlrl::envs::gl
