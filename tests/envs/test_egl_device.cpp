// EGL device selection (envs/egl_device.h): the choice on planted device lists, the request from the environment,
// and the real enumeration of Mesa's EGL here (a software device), rendered on by number; Mesa kept on its own LLVM.
#include <gtest/gtest.h>

#include <cstdlib>
#include <stdexcept>

#include "envs/egl_device.h"
#include "tests/test_util.h"

namespace curlrl::envs {
namespace {

EglDeviceInfo device(const std::string& extensions, const std::string& drm = "") { return {extensions, drm}; }

TEST(EglDevice, ACudaDeviceIsPreferredARequestHonouredAndNoneMeansSurfaceless) {
  const std::vector<EglDeviceInfo> devices = {device("EGL_MESA_device_software"),
                                              device("EGL_EXT_device_drm EGL_NV_device_cuda", "/dev/dri/card1"),
                                              device("EGL_NV_device_cuda EGL_EXT_device_drm")};
  EXPECT_TRUE(devices[1].cuda());
  EXPECT_FALSE(devices[0].cuda());
  EXPECT_TRUE(devices[0].software());
  EXPECT_FALSE(device("EGL_NV_device_cudaX").cuda());  // whole words only
  EXPECT_EQ(devices[1].describe(1), "EGL device 1 (CUDA, /dev/dri/card1)");
  EXPECT_EQ(choose_egl_device(devices, -1).index, 1);
  EXPECT_EQ(choose_egl_device(devices, 2).index, 2);
  EXPECT_EQ(choose_egl_device(devices, 0).index, 0);
  try {
    choose_egl_device(devices, 3);
    ADD_FAILURE() << "device 3 of 3 accepted";
  } catch (const std::invalid_argument& e) {
    EXPECT_NE(std::string(e.what()).find("EGL lists 3"), std::string::npos) << e.what();
  }
  EXPECT_EQ(choose_egl_device({devices[0]}, -1).index, -1);  // software only: keep the surfaceless platform
  EXPECT_EQ(choose_egl_device({}, -1).index, -1);
  EXPECT_THROW(choose_egl_device({}, 0), std::invalid_argument);
}

TEST(EglDevice, TheEnvironmentVariableWinsOverTheSetting) {
  ::unsetenv("CURLRL_EGL_DEVICE");
  EXPECT_EQ(requested_egl_device(), -1);
  set_default_egl_device(2);
  EXPECT_EQ(requested_egl_device(), 2);
  ::setenv("CURLRL_EGL_DEVICE", "1", 1);
  EXPECT_EQ(requested_egl_device(), 1);
  ::setenv("CURLRL_EGL_DEVICE", "one", 1);
  EXPECT_THROW(requested_egl_device(), std::invalid_argument);
  ::unsetenv("CURLRL_EGL_DEVICE");
  set_default_egl_device(-1);
}

TEST(EglDevice, MesasSoftwareDeviceIsListedAndRenderedOn) {
  const auto devices = egl_devices();
  ASSERT_FALSE(devices.empty()) << "Mesa's EGL lists its software device here";
  int software = -1;
  for (size_t i = 0; i < devices.size(); ++i) {
    if (devices[i].software() && software < 0) software = static_cast<int>(i);
  }
  ASSERT_GE(software, 0);
  testing::TempDir tmp;
  const std::string render = testing::curlrl_binary() + " render task=cartpole_swingup size=48 task.gl_backend=egl ";
  const auto plain = testing::run_command(render + "out=" + (tmp / "a.png").string());
  ASSERT_EQ(plain.exit_code, 0) << plain.err;
  EXPECT_NE(plain.err.find("on the surfaceless platform"), std::string::npos) << plain.err;  // no CUDA device here
  const auto chosen = testing::run_command("CURLRL_EGL_DEVICE=" + std::to_string(software) + " " + render +
                                           "out=" + (tmp / "b.png").string());
  ASSERT_EQ(chosen.exit_code, 0) << chosen.err;
  EXPECT_NE(chosen.err.find("on EGL device " + std::to_string(software) + " (software"), std::string::npos)
      << chosen.err;
  // The same software rasteriser either way: the same picture.
  EXPECT_EQ(testing::read_text(tmp / "a.png"), testing::read_text(tmp / "b.png"));
  const auto setting = testing::run_command(render + "task.gl_device=" + std::to_string(software) + " out=" +
                                            (tmp / "c.png").string());
  ASSERT_EQ(setting.exit_code, 0) << setting.err;
  EXPECT_NE(setting.err.find("on EGL device " + std::to_string(software)), std::string::npos) << setting.err;
  // A device that is not there: EGL refuses naming it (with gl_backend=egl nothing falls back to OSMesa).
  const auto missing = testing::run_command("CURLRL_EGL_DEVICE=63 " + render + "out=" + (tmp / "d.png").string());
  EXPECT_NE(missing.exit_code, 0);
  EXPECT_NE(missing.err.find("EGL device 63 was asked for"), std::string::npos) << missing.err;
}

TEST(EglDevice, MesaBindsToItsOwnLlvmWhenAnotherLibraryExportsLlvmsNames) {
  // Debian 13's libtorch_cpu exports LLVM's C API; Mesa's llvmpipe, loaded later, must not call it. The preloaded
  // impostor (tests/preload/llvm_impostor.cpp) aborts if it is called; both Mesa backends must draw as without it.
  testing::TempDir tmp;
  const std::string preload = std::string("LD_PRELOAD=") + CURLRL_LLVM_IMPOSTOR + " ";
  for (const char* backend : {"egl", "osmesa"}) {
    const std::string render = testing::curlrl_binary() + " render task=cartpole_swingup size=48 task.gl_backend=" +
                               backend + " out=";
    const auto plain = testing::run_command(render + (tmp / "plain.png").string());
    ASSERT_EQ(plain.exit_code, 0) << backend << ": " << plain.err;
    const auto preloaded = testing::run_command(preload + render + (tmp / "preloaded.png").string());
    ASSERT_EQ(preloaded.exit_code, 0) << backend << ": " << preloaded.err;
    EXPECT_EQ(preloaded.err.find("llvm_impostor"), std::string::npos) << preloaded.err;
    EXPECT_EQ(testing::read_text(tmp / "plain.png"), testing::read_text(tmp / "preloaded.png")) << backend;
  }
}

}  // namespace
}  // namespace curlrl::envs
