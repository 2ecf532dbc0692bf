// Tests of the headless renderer with a tiny inline model: a red box in front of fixed cameras, lit only by
// a full-ambient headlight (so the box renders pure red) on MuJoCo's black background.
#include "envs/renderer.h"

#include <gtest/gtest.h>
#include <mujoco/mujoco.h>

#include <cstdint>
#include <cstdlib>
#include <cstring>
#include <memory>
#include <optional>
#include <stdexcept>
#include <string>
#include <thread>
#include <utility>
#include <vector>

#include "envs/gl_loader.h"

namespace curlrl::envs {

// CTest shows the backend's name, not its bytes (gtest finds this by argument-dependent lookup).
void PrintTo(GlBackend backend, std::ostream* os) {
  *os << (backend == GlBackend::kEgl ? "EGL" : backend == GlBackend::kOsmesa ? "OSMesa" : "auto");
}

namespace {

// Camera "front" at y = -3 looks along +y (image right = +x, image up = +z); "side" looks along -x. The box
// rides a vertical slide joint, so qpos[0] moves it up and down in the image.
constexpr char kModelXml[] = R"(
<mujoco model="renderer_test">
  <visual>
    <global offwidth="128" offheight="128"/>
    <headlight ambient="1 1 1" diffuse="0 0 0" specular="0 0 0"/>
  </visual>
  <worldbody>
    <camera name="front" pos="0 -3 0" xyaxes="1 0 0 0 0 1"/>
    <camera name="side" pos="3 0 0" xyaxes="0 1 0 0 0 1"/>
    <body name="box">
      <joint name="lift" type="slide" axis="0 0 1"/>
      <geom type="box" size="0.2 0.2 0.2" rgba="1 0 0 1"/>
    </body>
  </worldbody>
</mujoco>
)";

// MuJoCo warnings fail the test; errors become exceptions instead of ending the process.
class MujocoHandlers : public ::testing::Environment {
 public:
  void SetUp() override {
    mju_user_warning = [](const char* message) { ADD_FAILURE() << "MuJoCo warning: " << message; };
    mju_user_error = [](const char* message) { throw std::runtime_error(message); };
  }
};
const auto* const kHandlers = ::testing::AddGlobalTestEnvironment(new MujocoHandlers);

// Loads MJCF from a string through MuJoCo's virtual file system (no temp files).
ModelPtr load_inline(const std::string& xml) {
  auto vfs = std::make_unique<mjVFS>();  // about 2 MB: too large for the stack
  mj_defaultVFS(vfs.get());
  if (mj_makeEmptyFileVFS(vfs.get(), "model.xml", static_cast<int>(xml.size())) != 0) {
    throw std::runtime_error("mj_makeEmptyFileVFS failed");
  }
  const int index = mj_findFileVFS(vfs.get(), "model.xml");
  std::memcpy(vfs->filedata[index], xml.data(), xml.size());
  char error[1000] = "";
  ModelPtr model(mj_loadXML("model.xml", vfs.get(), error, sizeof(error)));
  mj_deleteVFS(vfs.get());
  if (model == nullptr) throw std::runtime_error(std::string("mj_loadXML: ") + error);
  return model;
}

// An image in the renderer's layout: channels first (R, G, B planes), rows top-down.
struct Image {
  int width;
  int height;
  std::vector<uint8_t> chw;

  Image(int w, int h) : width(w), height(h), chw(static_cast<size_t>(3) * w * h) {}
  uint8_t at(int channel, int row, int col) const {
    return chw[(static_cast<size_t>(channel) * height + row) * width + col];
  }
  bool red(int row, int col) const {
    return at(0, row, col) > 200 && at(1, row, col) < 50 && at(2, row, col) < 50;
  }
  int red_pixels(int row_begin, int row_end) const {
    int count = 0;
    for (int row = row_begin; row < row_end; ++row) {
      for (int col = 0; col < width; ++col) count += red(row, col) ? 1 : 0;
    }
    return count;
  }
};

std::string backend_label(GlBackend backend) {
  switch (backend) {
    case GlBackend::kEgl: return "EGL";
    case GlBackend::kOsmesa: return "OSMesa";
    default: return "auto";
  }
}

class RendererTest : public ::testing::Test {
 protected:
  void SetUp() override {
    model_ = load_inline(kModelXml);
    data_.reset(mj_makeData(model_.get()));
    set_lift(0.0);
  }

  void set_lift(double z) {
    data_->qpos[0] = z;
    mj_forward(model_.get(), data_.get());
  }

  Image render(Renderer& renderer, int camera) {
    Image image(renderer.width(), renderer.height());
    renderer.render(data_.get(), camera, image.chw);
    return image;
  }

  // A renderer for an explicit backend, or null with `*unavailable` set when the backend is
  // genuinely missing on this machine (library not installed, no EGL driver). Any other failure throws.
  std::unique_ptr<Renderer> make_renderer(GlBackend backend, int width, int height,
                                          std::string* unavailable) {
    try {
      return std::make_unique<Renderer>(model_.get(), width, height, backend);
    } catch (const std::runtime_error& e) {
      const std::string message = e.what();
      const bool missing = message.find("cannot load lib") != std::string::npos ||
                           message.find("no EGL display") != std::string::npos ||
                           message.find("eglInitialize") != std::string::npos;
      // Where OSMesa's GL entry points do not reach EGL contexts (Mesa 25, a GPU's EGL), MuJoCo's GL functions,
      // loaded once per process, came through glvnd for the EGL renderer made first, and OSMesa is refused.
      const bool egl_came_first = message.find("unusable in this process") != std::string::npos &&
                                  backend == GlBackend::kOsmesa && gl::gl_process().loader == gl::GlLoader::kGlvnd;
      if (!missing && !egl_came_first) throw;
      *unavailable = backend_label(backend) + " is not available here: " + message;
      return nullptr;
    }
  }

  ModelPtr model_;
  DataPtr data_;
};

TEST(GlBackendTest, ParsesNames) {
  EXPECT_EQ(parse_gl_backend("auto"), GlBackend::kAuto);
  EXPECT_EQ(parse_gl_backend("egl"), GlBackend::kEgl);
  EXPECT_EQ(parse_gl_backend("osmesa"), GlBackend::kOsmesa);
  EXPECT_EQ(parse_gl_backend("OSMesa"), GlBackend::kOsmesa);
  try {
    parse_gl_backend("glfw");
    FAIL() << "expected std::invalid_argument";
  } catch (const std::invalid_argument& e) {
    EXPECT_NE(std::string(e.what()).find("glfw"), std::string::npos) << e.what();
    EXPECT_NE(std::string(e.what()).find("auto, egl or osmesa"), std::string::npos) << e.what();
  }
}

TEST(GlBackendTest, ReadsEnvironment) {
  const char* saved = std::getenv("CURLRL_GL");
  const std::optional<std::string> previous = saved ? std::optional<std::string>(saved) : std::nullopt;

  unsetenv("CURLRL_GL");
  EXPECT_EQ(gl_backend_from_env(GlBackend::kEgl), GlBackend::kEgl);
  setenv("CURLRL_GL", "osmesa", 1);
  EXPECT_EQ(gl_backend_from_env(GlBackend::kAuto), GlBackend::kOsmesa);
  setenv("CURLRL_GL", "vulkan", 1);
  try {
    gl_backend_from_env(GlBackend::kAuto);
    ADD_FAILURE() << "expected std::invalid_argument";
  } catch (const std::invalid_argument& e) {
    EXPECT_NE(std::string(e.what()).find("CURLRL_GL"), std::string::npos) << e.what();
  }

  if (previous) {
    setenv("CURLRL_GL", previous->c_str(), 1);
  } else {
    unsetenv("CURLRL_GL");
  }
}

TEST_F(RendererTest, CameraIdByNameOrIndex) {
  EXPECT_EQ(camera_id(model_.get(), "front"), 0);
  EXPECT_EQ(camera_id(model_.get(), "side"), 1);
  EXPECT_EQ(camera_id(model_.get(), "0"), 0);
  EXPECT_EQ(camera_id(model_.get(), "1"), 1);
  EXPECT_EQ(camera_id(model_.get(), "-1"), -1);
  for (const char* bad : {"top", "2", "", "1x"}) {
    try {
      camera_id(model_.get(), bad);
      ADD_FAILURE() << "expected std::invalid_argument for '" << bad << "'";
    } catch (const std::invalid_argument& e) {
      const std::string message = e.what();
      EXPECT_NE(message.find("front"), std::string::npos) << message;
      EXPECT_NE(message.find("side"), std::string::npos) << message;
    }
  }
}

// The checks that matter for pixels, once per backend, each backend asked for explicitly.
class BackendRenderTest : public RendererTest, public ::testing::WithParamInterface<GlBackend> {};

TEST_P(BackendRenderTest, RendersRedBoxChannelsFirstTopDownAndRepeatably) {
  std::string unavailable;
  std::unique_ptr<Renderer> renderer = make_renderer(GetParam(), 100, 100, &unavailable);
  if (renderer == nullptr) GTEST_SKIP() << unavailable;
  EXPECT_EQ(renderer->backend_name(), backend_label(GetParam()));
  EXPECT_FALSE(renderer->gl_renderer().empty());

  // Size and channel order: the box in the centre is red in plane 0 only; the background is black.
  const Image centred = render(*renderer, 0);
  ASSERT_EQ(centred.chw.size(), 3u * 100 * 100);
  EXPECT_GT(centred.at(0, 50, 50), 200);
  EXPECT_LT(centred.at(1, 50, 50), 50);
  EXPECT_LT(centred.at(2, 50, 50), 50);
  EXPECT_EQ(centred.at(0, 2, 2), 0);
  EXPECT_EQ(centred.at(0, 97, 97), 0);

  // Same state, same pixels.
  EXPECT_EQ(render(*renderer, 0).chw, centred.chw);

  // Rows are top-down: lifted by 0.6 (image half-height at the box is 3 tan 22.5 deg = 1.24), the box spans
  // image rows 18..34 of 100, so it shows in the top third and nowhere in the bottom half.
  set_lift(0.6);
  const Image lifted = render(*renderer, 0);
  EXPECT_GT(lifted.red_pixels(0, 34), 100);
  EXPECT_EQ(lifted.red_pixels(50, 100), 0);
  EXPECT_TRUE(lifted.red(26, 50));
  EXPECT_FALSE(lifted.red(74, 50));
}

INSTANTIATE_TEST_SUITE_P(Backends, BackendRenderTest, ::testing::Values(GlBackend::kEgl, GlBackend::kOsmesa),
                         [](const ::testing::TestParamInfo<GlBackend>& backend) {  // gtest's macro names its own `info`
                           return backend_label(backend.param);
                         });

TEST_F(RendererTest, OtherSizes) {
  // 64x48; 65x47 has rows of 195 bytes, which catches a 4-byte pack alignment in the readback; 160x120
  // exceeds the model's 128x128 offscreen buffer, which the renderer raises on a copy of the model.
  for (auto [width, height] : {std::pair{64, 48}, std::pair{65, 47}, std::pair{160, 120}}) {
    SCOPED_TRACE(std::to_string(width) + "x" + std::to_string(height));
    Renderer renderer(model_.get(), width, height, gl_backend_from_env(GlBackend::kAuto));
    EXPECT_EQ(renderer.width(), width);
    EXPECT_EQ(renderer.height(), height);
    set_lift(0.0);
    const Image centred = render(renderer, 0);
    EXPECT_TRUE(centred.red(height / 2, width / 2));
    EXPECT_EQ(centred.at(0, 0, 0), 0);
    EXPECT_EQ(centred.at(0, height - 1, width - 1), 0);
    set_lift(0.6);
    const Image lifted = render(renderer, 0);
    EXPECT_GT(lifted.red_pixels(0, height / 3), 0);
    EXPECT_EQ(lifted.red_pixels(height / 2, height), 0);
  }
}

TEST_F(RendererTest, OtherCameras) {
  Renderer renderer(model_.get(), 64, 64, gl_backend_from_env(GlBackend::kAuto));
  EXPECT_TRUE(render(renderer, camera_id(model_.get(), "side")).red(32, 32));
  // The free camera looks at the model's centre, where the box is.
  EXPECT_TRUE(render(renderer, -1).red(32, 32));
}

TEST_F(RendererTest, SeveralRenderersTakeTurns) {
  // Two renderers per backend that works here, rendering in turn: each context is made current around its
  // own render, so none disturbs another.
  std::vector<std::unique_ptr<Renderer>> renderers;
  for (GlBackend backend : {GlBackend::kEgl, GlBackend::kOsmesa}) {
    for (int copy = 0; copy < 2; ++copy) {
      std::string unavailable;
      if (auto renderer = make_renderer(backend, 48, 48, &unavailable)) {
        renderers.push_back(std::move(renderer));
      }
    }
  }
  ASSERT_FALSE(renderers.empty()) << "no backend works";
  std::vector<Image> first;
  for (auto& renderer : renderers) first.push_back(render(*renderer, 0));
  for (int round = 0; round < 3; ++round) {
    for (size_t i = 0; i < renderers.size(); ++i) {
      const Image image = render(*renderers[i], 0);
      EXPECT_TRUE(image.red(24, 24)) << renderers[i]->backend_name();
      EXPECT_EQ(image.chw, first[i].chw) << renderers[i]->backend_name();
    }
  }
  renderers.erase(renderers.begin());  // destroying one leaves the others working
  for (auto& renderer : renderers) EXPECT_TRUE(render(*renderer, 0).red(24, 24));
}

TEST_F(RendererTest, RendersFromAnotherThread) {
  // The context is released after each render, so a renderer made on one thread can be used on another.
  for (GlBackend backend : {GlBackend::kEgl, GlBackend::kOsmesa}) {
    std::string unavailable;
    std::unique_ptr<Renderer> renderer = make_renderer(backend, 40, 40, &unavailable);
    if (renderer == nullptr) continue;
    const Image here = render(*renderer, 0);
    Image there(40, 40);
    std::string error;
    std::thread worker([&] {
      try {
        renderer->render(data_.get(), 0, there.chw);
      } catch (const std::exception& e) {
        error = e.what();
      }
    });
    worker.join();
    ASSERT_EQ(error, "") << renderer->backend_name();
    EXPECT_TRUE(there.red(20, 20)) << renderer->backend_name();
    EXPECT_EQ(there.chw, here.chw) << renderer->backend_name();
    EXPECT_EQ(render(*renderer, 0).chw, here.chw) << renderer->backend_name();  // and back again
  }
}

TEST(RenderQualityTest, ParsesNames) {
  EXPECT_EQ(parse_render_quality("reference"), RenderQuality::kReference);
  EXPECT_EQ(parse_render_quality("Fast"), RenderQuality::kFast);
  try {
    parse_render_quality("ultra");
    FAIL() << "expected std::invalid_argument";
  } catch (const std::invalid_argument& e) {
    EXPECT_NE(std::string(e.what()).find("'ultra'"), std::string::npos) << e.what();
    EXPECT_NE(std::string(e.what()).find("reference or fast"), std::string::npos) << e.what();
  }
}

// A lit sphere and capsule casting shadows on a floor, close to the camera, for the render-quality checks.
// `quality` is spliced into <visual>.
std::string curved_scene(const std::string& quality) {
  return R"(
<mujoco model="curved">
  <visual>)" + quality + R"(</visual>
  <worldbody>
    <light pos="0.3 -0.5 2" dir="-0.15 0.25 -1"/>
    <camera name="front" pos="0 -1.2 0.6" xyaxes="1 0 0 0 0.45 0.9"/>
    <geom type="plane" size="2 2 0.1" rgba="0.3 0.5 0.7 1"/>
    <geom type="sphere" pos="-0.15 0 0.3" size="0.2" rgba="0.8 0.6 0.3 1"/>
    <geom type="capsule" fromto="0.1 0 0.1 0.35 0 0.45" size="0.06" rgba="0.7 0.4 0.2 1"/>
  </worldbody>
</mujoco>
)";
}

TEST(RenderQualityTest, FastCoarsensOnlyTheTessellationAndTheShadowMap) {
  // MuJoCo's defaults: 4x MSAA, 28 x 16 tessellation, a 4096 shadow map. The fast render must equal, pixel for
  // pixel, a reference render of the same scene whose model asks for 16 x 8 and 1024 itself (MSAA unchanged),
  // and must differ a little from the reference render of the original model.
  const ModelPtr original = load_inline(curved_scene(""));
  const ModelPtr coarse = load_inline(curved_scene(R"(<quality numslices="16" numstacks="8" shadowsize="1024"/>)"));
  ASSERT_EQ(original->vis.quality.numslices, 28);
  ASSERT_GT(original->vis.quality.shadowsize, 1024);
  const DataPtr data(mj_makeData(original.get()));
  mj_forward(original.get(), data.get());
  const GlBackend backend = gl_backend_from_env(GlBackend::kAuto);
  auto frame = [&](const ModelPtr& model, RenderQuality quality) {
    Renderer renderer(model.get(), 96, 80, backend, quality);
    std::vector<uint8_t> out(3 * 96 * 80);
    renderer.render(data.get(), 0, out);
    return out;
  };
  const std::vector<uint8_t> fast = frame(original, RenderQuality::kFast);
  const std::vector<uint8_t> reference = frame(original, RenderQuality::kReference);
  EXPECT_EQ(fast, frame(coarse, RenderQuality::kReference));
  EXPECT_EQ(frame(coarse, RenderQuality::kFast), frame(coarse, RenderQuality::kReference));  // already coarse
  int differing = 0;
  double total = 0;
  for (size_t i = 0; i < fast.size(); ++i) {
    const int d = std::abs(int{fast[i]} - int{reference[i]});
    differing += d > 0 ? 1 : 0;
    total += d;
  }
  EXPECT_GT(differing, 0) << "the fast render did not change anything";
  EXPECT_LT(total / static_cast<double>(fast.size()), 2.0) << "mean difference in levels of 255";
}

TEST_F(RendererTest, RejectsBadArguments) {
  EXPECT_THROW(Renderer(model_.get(), 0, 10), std::invalid_argument);
  EXPECT_THROW(Renderer(nullptr, 10, 10), std::invalid_argument);
  Renderer renderer(model_.get(), 32, 32, gl_backend_from_env(GlBackend::kAuto));
  std::vector<uint8_t> too_small(3 * 32 * 32 - 1);
  EXPECT_THROW(renderer.render(data_.get(), 0, too_small), std::invalid_argument);
  std::vector<uint8_t> out(3 * 32 * 32);
  EXPECT_THROW(renderer.render(data_.get(), 2, out), std::invalid_argument);
  EXPECT_THROW(renderer.render(data_.get(), -2, out), std::invalid_argument);
}

}  // namespace
}  // namespace curlrl::envs
