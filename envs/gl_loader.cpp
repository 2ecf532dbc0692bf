// Run-time loading of libEGL and libOSMesa, and the choice of the one MuJoCo loads its GL functions through.
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
//     in Mesa's libglapi. Up to Mesa 22 both OSMesa and Mesa's EGL driver set that one, so they serve both
//     backends; Mesa 25's EGL does not (checked at run time), nor does a non-Mesa EGL driver (e.g. NVIDIA).
// Linking -lEGL would put eglGetProcAddress in the global scope for good and make OSMesa unusable in the
// whole process (tested: it fails unless an EGL context happens to be current too). So neither library is
// linked: both are dlopen'ed with RTLD_LOCAL, and just before the process's first mjr_makeContext exactly
// one of them is promoted to the global scope (RTLD_NOLOAD | RTLD_GLOBAL) to steer MuJoCo's choice:
// libOSMesa when the first backend is OSMesa or an EGL that OSMesa's entry points drive (then EGL and OSMesa
// renderers can share the process in any order), libEGL otherwise. Later renderers whose backend cannot work with
// that choice fail (kAuto moves on to the next backend) with a message saying why.
// The libraries are never dlclose'd: GL drivers do not unload cleanly.
#include "envs/gl_loader.h"

#include <dlfcn.h>
#include <limits.h>

#include <cstring>
#include <string>
#include <vector>

#include "envs/gl_context.h"

namespace curlrl::envs::gl {

namespace {

// Mesa's llvmpipe calls LLVM's C API (LLVMInitializeX86Target, ...) by name. Where a library already in the
// global scope exports those names (Debian 13's libtorch_cpu carries an LLVM of its own), Mesa would call that
// one and crash in eglCreateContext; Mesa's libraries are then opened with RTLD_DEEPBIND, which makes them and
// their dependencies bind to their own libLLVM first. Decided before any Mesa library is loaded.
int mesa_open_flags() {
  static const int flags = dlsym(RTLD_DEFAULT, "LLVMInitializeX86Target") != nullptr ? RTLD_DEEPBIND : 0;
  return flags;
}

// glvnd's libEGL loads its vendor libraries itself, and Mesa's EGL before Mesa 24 dlopens its DRI driver (llvmpipe
// in dri/swrast_dri.so beside it) itself too: both are loaded first here, bound deep, and later loads find them.
void preload_mesa_egl() {
  void* egl_mesa = dlopen("libEGL_mesa.so.0", RTLD_NOW | RTLD_LOCAL | RTLD_DEEPBIND);
  char origin[PATH_MAX];
  if (egl_mesa == nullptr || dlinfo(egl_mesa, RTLD_DI_ORIGIN, origin) != 0) return;
  dlopen((std::string(origin) + "/dri/swrast_dri.so").c_str(), RTLD_NOW | RTLD_LOCAL | RTLD_DEEPBIND);
}

// Opens the first library of `names` that loads (RTLD_LOCAL: its symbols stay out of the global scope).
void* open_library(const std::vector<const char*>& names, std::string* opened, std::string* error) {
  for (const char* name : names) {
    if (void* lib = dlopen(name, RTLD_NOW | RTLD_LOCAL | mesa_open_flags())) {
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

// Puts an already loaded library's symbols into the global scope, where MuJoCo's loader looks first.
bool promote_to_global(const std::string& library) {
  return dlopen(library.c_str(), RTLD_NOW | RTLD_NOLOAD | RTLD_GLOBAL) != nullptr;
}

}  // namespace

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

GlProcess& gl_process() {
  static auto* process = new GlProcess;
  return *process;
}

const EglApi* egl_api(GlProcess& p) {
  if (!p.egl_tried) {
    p.egl_tried = true;
    if (mesa_open_flags() != 0) preload_mesa_egl();
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

}  // namespace curlrl::envs::gl
