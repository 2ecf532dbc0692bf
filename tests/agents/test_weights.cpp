// The weights exchange format (agents/weights.h): names, PyTorch's layouts, round trips and one-line errors.
#include <gtest/gtest.h>

#include <torch/nn/functional.h>

#include <fstream>
#include <sstream>

#include "agents/sac_agent.h"
#include "agents/weights.h"
#include "core/error.h"
#include "encoders/pixel.h"
#include "media/png.h"
#include "tests/agents/tiny_agents.h"
#include "tests/test_util.h"

namespace curlrl::agents {
namespace {

namespace F = torch::nn::functional;

// The tests' small agents: CURL on 9 x 40 x 40 stacks cropped to 32 (8 x 13 x 13 into a 16-feature fc), and
// state SAC on 5 states; both with two actions.
SacOptions tiny_curl() { return tiny_pixel_options(); }
SacOptions tiny_state_sac() { return tiny_state_options(5); }

std::map<std::string, std::vector<int64_t>> shapes(const TensorDict& d) {
  std::map<std::string, std::vector<int64_t>> out;
  for (const auto& [name, t] : d) out[name] = t.sizes().vec();
  return out;
}

TEST(Weights, CurlExportsEveryNetworkUnderItsConventionalNameAndShape) {
  torch::manual_seed(1);
  SacAgent agent(tiny_curl());
  std::map<std::string, std::vector<int64_t>> expected;
  for (const std::string net : {"critic", "critic_target"}) {
    expected[net + ".encoder.conv0.weight"] = {8, 9, 3, 3};
    expected[net + ".encoder.conv0.bias"] = {8};
    expected[net + ".encoder.conv1.weight"] = {8, 8, 3, 3};
    expected[net + ".encoder.conv1.bias"] = {8};
    expected[net + ".encoder.fc.weight"] = {16, 8 * 13 * 13};
    expected[net + ".encoder.fc.bias"] = {16};
    expected[net + ".encoder.ln.weight"] = {16};
    expected[net + ".encoder.ln.bias"] = {16};
    for (const std::string q : {"q1", "q2"}) {
      expected[net + "." + q + ".0.weight"] = {32, 16 + 2};  // features, then the action
      expected[net + "." + q + ".0.bias"] = {32};
      expected[net + "." + q + ".1.weight"] = {32, 32};
      expected[net + "." + q + ".1.bias"] = {32};
      expected[net + "." + q + ".2.weight"] = {1, 32};
      expected[net + "." + q + ".2.bias"] = {1};
    }
  }
  // The actor's convolutions are the critic's: only its head is listed.
  expected["actor.encoder.fc.weight"] = {16, 8 * 13 * 13};
  expected["actor.encoder.fc.bias"] = {16};
  expected["actor.encoder.ln.weight"] = {16};
  expected["actor.encoder.ln.bias"] = {16};
  expected["actor.trunk.0.weight"] = {32, 16};
  expected["actor.trunk.0.bias"] = {32};
  expected["actor.trunk.1.weight"] = {32, 32};
  expected["actor.trunk.1.bias"] = {32};
  expected["actor.trunk.2.weight"] = {4, 32};  // 2A: means, then log-std pre-activations
  expected["actor.trunk.2.bias"] = {4};
  expected["curl.W"] = {16, 16};
  expected["log_alpha"] = {1};
  EXPECT_EQ(shapes(export_weights(agent)), expected);
}

TEST(Weights, StateSacHasNoEncoderTensors) {
  SacAgent agent(tiny_state_sac());
  const auto s = shapes(export_weights(agent));
  EXPECT_EQ(s.size(), 12u + 6u + 12u + 1u);  // critic, actor, critic_target, log_alpha
  EXPECT_EQ(s.at("critic.q1.0.weight"), (std::vector<int64_t>{16, 5 + 2}));
  EXPECT_EQ(s.at("actor.trunk.2.weight"), (std::vector<int64_t>{4, 16}));
  EXPECT_EQ(s.count("curl.W"), 0u);
}

TEST(Weights, TheExportedEncoderIsPlainPyTorchLayout) {
  // A forward written from the exported tensors alone, as a PyTorch user would (NCHW convolutions, torch.flatten,
  // Linear, LayerNorm), gives the critic encoder's features.
  torch::manual_seed(2);
  SacAgent agent(tiny_curl());
  const TensorDict w = export_weights(agent);
  const torch::Tensor obs = torch::randint(0, 256, {3, 9, 32, 32}).to(torch::kFloat32);
  torch::Tensor x = obs / 255.0;
  x = torch::relu(F::conv2d(x, w.at("critic.encoder.conv0.weight"),
                            F::Conv2dFuncOptions().bias(w.at("critic.encoder.conv0.bias")).stride(2)));
  x = torch::relu(F::conv2d(x, w.at("critic.encoder.conv1.weight"),
                            F::Conv2dFuncOptions().bias(w.at("critic.encoder.conv1.bias"))));
  x = torch::flatten(x, 1);  // (C, H, W) order
  x = F::linear(x, w.at("critic.encoder.fc.weight"), w.at("critic.encoder.fc.bias"));
  x = F::layer_norm(x, F::LayerNormFuncOptions({16}).weight(w.at("critic.encoder.ln.weight"))
                           .bias(w.at("critic.encoder.ln.bias")));
  torch::NoGradGuard no_grad;
  const torch::Tensor features = agent.critic()->encoder->forward(obs);
  EXPECT_TRUE(torch::allclose(x, features, 1e-4, 1e-5)) << (x - features).abs().max().item<float>();
}

TEST(Weights, ImportThenExportIsBitIdenticalAndActsTheSame) {
  torch::manual_seed(3);
  SacAgent a(tiny_curl());
  torch::manual_seed(4);
  SacAgent b(tiny_curl());
  const TensorDict from_a = export_weights(a);
  ASSERT_FALSE(torch::equal(from_a.at("critic.encoder.fc.weight"), export_weights(b).at("critic.encoder.fc.weight")));
  import_weights(b, from_a, "test");
  const TensorDict from_b = export_weights(b);
  ASSERT_EQ(shapes(from_b), shapes(from_a));
  for (const auto& [name, t] : from_a) EXPECT_TRUE(torch::equal(t, from_b.at(name))) << name;
  envs::TimeStep ts;
  ts.observation = envs::ObservationKind::kPixels;
  ts.pixels.resize(9 * 40 * 40);
  for (size_t i = 0; i < ts.pixels.size(); ++i) ts.pixels[i] = static_cast<uint8_t>(i * 7 % 251);
  EXPECT_EQ(a.act(ts, true), b.act(ts, true));
  // The actor's tied convolutions took the critic's new weights too.
  EXPECT_TRUE(torch::equal(b.actor()->encoder->trunk_parameters()[0], from_a.at("critic.encoder.conv0.weight")));
}

TEST(Weights, AFileRoundTripKeepsEveryTensor) {
  testing::TempDir tmp;
  SacAgent agent(tiny_state_sac());
  const TensorDict w = export_weights(agent);
  const std::string path = (tmp / "agent.pt").string();
  save_tensor_dict(w, path);
  const TensorDict back = load_tensor_dict(path);
  ASSERT_EQ(shapes(back), shapes(w));
  for (const auto& [name, t] : w) EXPECT_TRUE(torch::equal(t, back.at(name))) << name;
  std::ofstream(tmp / "damaged.pt") << "not a tensor file";
  EXPECT_THROW(load_tensor_dict((tmp / "damaged.pt").string()), Error);
  EXPECT_THROW(load_tensor_dict((tmp / "missing.pt").string()), Error);
}

std::string import_error(SacAgent& agent, const TensorDict& w) {
  try {
    import_weights(agent, w, "w.pt");
  } catch (const ConfigError& e) {
    return e.what();
  }
  return "";
}

TEST(Weights, AMissingUnexpectedOrMisshapenTensorIsAOneLineErrorAndChangesNothing) {
  SacAgent agent(tiny_state_sac());
  const TensorDict good = export_weights(agent);
  TensorDict changed = good;
  for (auto& [name, t] : changed) t = t + 1;

  TensorDict missing = changed;
  missing.erase("critic.q2.1.bias");
  EXPECT_EQ(import_error(agent, missing), "w.pt: missing tensor 'critic.q2.1.bias'");
  TensorDict extra = changed;
  extra["critic.q3.0.weight"] = torch::zeros({1});
  EXPECT_EQ(import_error(agent, extra), "w.pt: unexpected tensor 'critic.q3.0.weight' (not a parameter of this agent)");
  TensorDict misshapen = changed;
  misshapen["actor.trunk.2.weight"] = torch::zeros({2, 16});
  EXPECT_EQ(import_error(agent, misshapen), "w.pt: tensor 'actor.trunk.2.weight' has shape [2, 16], this agent's is [4, 16]");
  const TensorDict after = export_weights(agent);
  for (const auto& [name, t] : good) EXPECT_TRUE(torch::equal(t, after.at(name))) << name;
}

TEST(Weights, ThePythonLoaderActsAsCurlrlDoes) {
  // scripts/load_agent.py rebuilds the actor in plain PyTorch from an exported file alone; on the same frame (a PNG,
  // stacked as at an episode start and centre-cropped) its deterministic action is curlrl's.
  testing::TempDir tmp;
  torch::manual_seed(5);
  SacAgent agent(tiny_curl());
  const std::string file = (tmp / "agent.pt").string(), png = (tmp / "frame.png").string();
  save_tensor_dict(export_weights(agent), file);
  std::vector<uint8_t> frame(3 * 40 * 40);
  for (size_t i = 0; i < frame.size(); ++i) frame[i] = static_cast<uint8_t>((i * 37 + i / 40 * 11) % 256);
  media::write_png(png, frame, 40, 40);
  envs::TimeStep ts;
  ts.observation = envs::ObservationKind::kPixels;
  for (int k = 0; k < 3; ++k) ts.pixels.insert(ts.pixels.end(), frame.begin(), frame.end());
  const std::vector<float> expected = agent.act(ts, /*deterministic=*/true);

  const auto r = testing::run_command(std::string(CURLRL_TEST_PYTHON) + " " + CURLRL_SOURCE_DIR +
                                      "/scripts/load_agent.py " + file + " --frame " + png + " --crop 32");
  ASSERT_EQ(r.exit_code, 0) << r.err;
  std::istringstream out(r.out);
  std::string word;
  out >> word;
  ASSERT_EQ(word, "action") << r.out;
  for (float a : expected) {
    double got = 0;
    ASSERT_TRUE(out >> got) << r.out;
    EXPECT_NEAR(got, a, 1e-4) << r.out;
  }
}

}  // namespace
}  // namespace curlrl::agents

namespace curlrl::agents {
namespace {

// Inputs the fuzzer found (tests/fuzz/corpus/tensor_file/crash_*): a damaged zip whose headers point past the end of
// the file (LibTorch's own reader copied beyond the buffer), tensors that claim more elements than their data record
// holds (LibTorch sized their storage by the claim), and a pickle whose string length LibTorch trusts.
TEST(Weights, DamagedTensorFilesAreOneLineErrors) {
  const std::filesystem::path corpus = std::filesystem::path(CURLRL_SOURCE_DIR) / "tests/fuzz/corpus/tensor_file";
  int found = 0;
  for (const auto& entry : std::filesystem::directory_iterator(corpus)) {
    const std::string name = entry.path().filename().string();
    if (name.rfind("crash_", 0) != 0 && name.rfind("libtorch_", 0) != 0) continue;
    ++found;
    try {
      load_tensor_dict(entry.path().string());
      ADD_FAILURE() << name << " was read";
    } catch (const Error& e) {
      const std::string msg = e.what();
      EXPECT_EQ(msg.rfind("cannot read " + entry.path().string(), 0) == 0 ||
                    msg.rfind(entry.path().string() + " is damaged: tensor '", 0) == 0,
                true)
          << msg;
      EXPECT_EQ(msg.find('\n'), std::string::npos) << msg;
    }
  }
  EXPECT_GE(found, 4);
  // The seeds are real tensor files: they read (the Python one holds three tensors).
  EXPECT_EQ(load_tensor_dict((corpus / "python_dict.pt").string()).size(), 3u);
}

}  // namespace
}  // namespace curlrl::agents
