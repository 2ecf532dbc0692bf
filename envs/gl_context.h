// Internal to envs/: the GL contexts a Renderer draws in (EGL surfaceless or OSMesa) behind one interface, and
// their creation with MuJoCo's GL loader prepared for them.
#pragma once

#include <GL/gl.h>

#include <memory>
#include <stdexcept>
#include <string>

#include "envs/gl_loader.h"
#include "envs/renderer.h"

namespace curlrl::envs::gl {

using GetStringFn = const GLubyte* (*)(GLenum);

class GlContext {
 public:
  virtual ~GlContext() = default;
  virtual bool make_current() = 0;
  virtual void release() = 0;
  virtual const char* name() const = 0;
  // Whether MuJoCo's GL functions, when loaded through `loader`, drive this context (see the top of
  // envs/gl_loader.cpp).
  virtual bool works_with(GlLoader loader) const = 0;
  // The library to promote so that MuJoCo loads GL the way this context needs.
  virtual GlLoader preferred_loader(GlProcess& p, std::string* library) const = 0;
  virtual GetStringFn get_string() const = 0;
};

// Requires the process mutex. Creates the context for `backend` (kEgl or kOsmesa), current, with MuJoCo's
// loader prepared for it; throws BackendFailure naming the reason otherwise.
std::unique_ptr<GlContext> create_context(GlProcess& p, GlBackend backend, int width, int height);

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

}  // namespace curlrl::envs::gl
