// Which EGL device the renderer draws on. Where EGL offers device enumeration (EGL_EXT_device_enumeration and
// EGL_EXT_platform_device), curlrl lists the devices and picks one: the device asked for (task.gl_device=N, or the
// CURLRL_EGL_DEVICE environment variable, which wins), else the first CUDA GPU (EGL_NV_device_cuda), else none: then
// it keeps Mesa's surfaceless platform (llvmpipe, or the GPU Mesa drives), as before.
#pragma once

#include <string>
#include <vector>

namespace curlrl::envs {

struct EglDeviceInfo {
  std::string extensions;  // eglQueryDeviceStringEXT(device, EGL_EXTENSIONS)
  std::string drm_file;    // EGL_DRM_DEVICE_FILE_EXT, when the device has one
  bool cuda() const;       // EGL_NV_device_cuda
  bool software() const;   // EGL_MESA_device_software
  // "EGL device 1 (CUDA, /dev/dri/card1)" and the like.
  std::string describe(int index) const;
};

struct EglDeviceChoice {
  int index = -1;  // -1: no device; the surfaceless platform
  std::string reason;
};

// The choice among `devices` for `requested` (-1: none asked for). A request beyond the list throws
// std::invalid_argument naming the devices there are.
EglDeviceChoice choose_egl_device(const std::vector<EglDeviceInfo>& devices, int requested);

// The device asked for: CURLRL_EGL_DEVICE when set (a bad value throws std::invalid_argument naming it), else the
// process default set below (from task.gl_device), else -1.
int requested_egl_device();
void set_default_egl_device(int index);

// The devices EGL enumerates in this process (empty without the extensions); for `curlrl list`-style reports and
// tests. Loads libEGL if needed.
std::vector<EglDeviceInfo> egl_devices();

}  // namespace curlrl::envs
