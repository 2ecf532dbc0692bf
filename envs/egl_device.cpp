#include "envs/egl_device.h"

#include <EGL/egl.h>
#include <EGL/eglext.h>

#include <atomic>
#include <charconv>
#include <cstdlib>
#include <cstring>
#include <stdexcept>

#include "envs/gl_loader.h"

namespace curlrl::envs {
namespace {
std::atomic<int> default_device{-1};
}  // namespace

bool EglDeviceInfo::cuda() const { return gl::has_extension(extensions.c_str(), "EGL_NV_device_cuda"); }
bool EglDeviceInfo::software() const { return gl::has_extension(extensions.c_str(), "EGL_MESA_device_software"); }

std::string EglDeviceInfo::describe(int index) const {
  std::string kind = cuda() ? "CUDA" : software() ? "software" : "GPU";
  if (!drm_file.empty()) kind += ", " + drm_file;
  return "EGL device " + std::to_string(index) + " (" + kind + ")";
}

EglDeviceChoice choose_egl_device(const std::vector<EglDeviceInfo>& devices, int requested) {
  const int n = static_cast<int>(devices.size());
  if (requested >= 0) {
    if (requested >= n) {
      std::string there;
      for (int i = 0; i < n; ++i) there += (i ? ", " : "") + devices[static_cast<size_t>(i)].describe(i);
      throw std::invalid_argument("EGL device " + std::to_string(requested) + " was asked for (task.gl_device or "
                                  "CURLRL_EGL_DEVICE), but EGL lists " + std::to_string(n) +
                                  (n ? ": " + there : " (no device enumeration)"));
    }
    return {requested, "asked for"};
  }
  for (int i = 0; i < n; ++i) {
    if (devices[static_cast<size_t>(i)].cuda()) return {i, "the first CUDA device"};
  }
  return {-1, n == 0 ? "EGL lists no devices" : "no CUDA device among " + std::to_string(n)};
}

int requested_egl_device() {
  const char* value = std::getenv("CURLRL_EGL_DEVICE");
  if (value != nullptr && *value != '\0') {
    int index = -1;
    const char* end = value + std::strlen(value);
    const auto [ptr, ec] = std::from_chars(value, end, index);
    if (ec != std::errc() || ptr != end || index < 0) {
      throw std::invalid_argument(std::string("CURLRL_EGL_DEVICE='") + value + "' is not a device number (0, 1, ...)");
    }
    return index;
  }
  return default_device.load();
}

void set_default_egl_device(int index) { default_device.store(index); }

std::vector<EglDeviceInfo> egl_devices() {
  gl::GlProcess& p = gl::gl_process();
  std::lock_guard<std::mutex> lock(p.mutex);
  return gl::enumerate_egl_devices(p, nullptr);
}

}  // namespace curlrl::envs
