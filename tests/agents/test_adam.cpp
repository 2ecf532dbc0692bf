// curlrl's one-pass Adam (agents/adam.h): the update worked out element by element in the test, agreement with
// LibTorch's own Adam and its checkpoints, what happens to a parameter without a gradient, and its threads.
#include <gtest/gtest.h>

#include <ATen/Parallel.h>
#include <torch/serialize.h>

#include <cmath>
#include <sstream>
#include <vector>

#include "agents/adam.h"
#include "core/error.h"

namespace curlrl::agents {
namespace {

constexpr double kLr = 1e-3, kBeta1 = 0.9, kBeta2 = 0.999, kEps = 1e-8;

torch::optim::AdamOptions options() { return torch::optim::AdamOptions(kLr).betas({kBeta1, kBeta2}).eps(kEps); }

std::vector<torch::Tensor> make_params(torch::Dtype dtype, uint64_t seed) {
  torch::manual_seed(static_cast<int64_t>(seed));
  std::vector<torch::Tensor> out;
  for (const auto& shape : std::vector<std::vector<int64_t>>{{64, 30}, {64}, {7}}) {
    out.push_back(torch::randn(shape, torch::TensorOptions().dtype(dtype)).set_requires_grad(true));
  }
  return out;
}

std::vector<torch::Tensor> copies(const std::vector<torch::Tensor>& params) {
  std::vector<torch::Tensor> out;
  for (const auto& p : params) out.push_back(p.detach().clone().set_requires_grad(true));
  return out;
}

// Gives every parameter the same gradient as its twin in the other list (drawn once per step).
void set_grads(const std::vector<torch::Tensor>& a, const std::vector<torch::Tensor>& b, int step) {
  torch::manual_seed(100 + step);
  for (size_t i = 0; i < a.size(); ++i) {
    const torch::Tensor g = torch::randn_like(a[i]) * (0.3 * static_cast<double>(i + 1));
    a[i].mutable_grad() = g.clone();
    b[i].mutable_grad() = g.clone();
  }
}

double max_relative_gap(const std::vector<torch::Tensor>& a, const std::vector<torch::Tensor>& b) {
  double worst = 0;
  for (size_t i = 0; i < a.size(); ++i) {
    const double gap = (a[i] - b[i]).abs().max().item<double>();
    worst = std::max(worst, gap / std::max(1.0, b[i].abs().max().item<double>()));
  }
  return worst;
}

TEST(Adam, ThreeStepsMatchTheUpdateWorkedOutElementByElement) {
  const auto params = make_params(torch::kFloat64, 1);
  Adam adam(params, options());
  // The reference: Adam's definition on doubles, one element at a time.
  std::vector<std::vector<double>> p, m, v;
  for (const auto& t : params) {
    const torch::Tensor flat = t.detach().flatten();
    p.emplace_back(flat.data_ptr<double>(), flat.data_ptr<double>() + flat.numel());
    m.emplace_back(p.back().size(), 0.0);
    v.emplace_back(p.back().size(), 0.0);
  }
  for (int step = 1; step <= 3; ++step) {
    torch::manual_seed(step);
    for (size_t i = 0; i < params.size(); ++i) {
      const torch::Tensor g = torch::randn_like(params[i]);
      params[i].mutable_grad() = g;
      const torch::Tensor gf = g.flatten();
      for (size_t j = 0; j < p[i].size(); ++j) {
        const double gj = gf[static_cast<int64_t>(j)].item<double>();
        m[i][j] = kBeta1 * m[i][j] + (1 - kBeta1) * gj;
        v[i][j] = kBeta2 * v[i][j] + (1 - kBeta2) * gj * gj;
        const double m_hat = m[i][j] / (1 - std::pow(kBeta1, step));
        const double v_hat = v[i][j] / (1 - std::pow(kBeta2, step));
        p[i][j] -= kLr * m_hat / (std::sqrt(v_hat) + kEps);
      }
    }
    adam.step();
  }
  for (size_t i = 0; i < params.size(); ++i) {
    const torch::Tensor got = params[i].detach().flatten();
    for (size_t j = 0; j < p[i].size(); ++j) EXPECT_NEAR(got[static_cast<int64_t>(j)].item<double>(), p[i][j], 1e-14);
  }
}

TEST(Adam, TheFirstStepMovesEachWeightByTheLearningRateAgainstItsGradientsSign) {
  // m_hat = g and v_hat = g^2 after one step: p1 = p0 - lr g / (|g| + eps).
  const auto params = make_params(torch::kFloat64, 2);
  const auto before = copies(params);
  Adam adam(params, options());
  for (auto& p : params) p.mutable_grad() = torch::randn_like(p);
  adam.step();
  for (size_t i = 0; i < params.size(); ++i) {
    const torch::Tensor g = params[i].grad();
    const torch::Tensor expected = before[i].detach() - kLr * g / (g.abs() + kEps);
    EXPECT_LT((params[i].detach() - expected).abs().max().item<double>(), 1e-15);
  }
}

// `steps` steps of curlrl's Adam on `mine` and LibTorch's on `theirs`, with the same gradients.
void step_both(const std::vector<torch::Tensor>& mine, const std::vector<torch::Tensor>& theirs, int steps) {
  Adam adam(mine, options());
  torch::optim::Adam reference(theirs, options());
  for (int step = 0; step < steps; ++step) {
    set_grads(mine, theirs, step);
    adam.step();
    reference.step();
  }
}

void expect_matches_libtorch(torch::Dtype dtype, double tolerance) {
  const auto mine = make_params(dtype, 3);
  const auto theirs = copies(mine);
  step_both(mine, theirs, 25);
  EXPECT_LT(max_relative_gap(mine, theirs), tolerance);
  // ... and the runs moved: the comparison is not of two untouched copies.
  EXPECT_GT(max_relative_gap(mine, make_params(dtype, 3)), 1e-3);
}

TEST(Adam, TwentyFiveStepsAgreeWithLibTorchsAdamInDouble) { expect_matches_libtorch(torch::kFloat64, 1e-14); }

TEST(Adam, TwentyFiveStepsAgreeWithLibTorchsAdamInFloatToRounding) {
  expect_matches_libtorch(torch::kFloat32, 2e-6);
}

TEST(Adam, ANonContiguousParameterTakesTheTensorPathToTheSameResult) {
  torch::manual_seed(4);
  const torch::Tensor base = torch::randn({6, 5}, torch::kFloat64);
  std::vector<torch::Tensor> mine{base.t().contiguous().t().set_requires_grad(true)};  // column-major storage
  ASSERT_FALSE(mine[0].is_contiguous());
  std::vector<torch::Tensor> theirs{base.clone().set_requires_grad(true)};
  step_both(mine, theirs, 5);
  EXPECT_LT(max_relative_gap(mine, theirs), 1e-14);
}

TEST(Adam, AParameterWithoutAGradientMovesByItsMomentsOnceItHasThem) {
  // PyTorch 1.x zeroes gradients in place: after its first gradient a parameter keeps getting Adam steps with a
  // zero gradient. Dropped gradients must give the same; a parameter that never had one stays untouched.
  const auto mine = make_params(torch::kFloat64, 5);
  const auto theirs = copies(mine);
  Adam adam(mine, options());
  torch::optim::Adam reference(theirs, options());
  const torch::Tensor untouched = mine[2].detach().clone();
  for (int step = 0; step < 4; ++step) {
    set_grads(mine, theirs, step);
    mine[2].mutable_grad().reset();  // the last parameter never gets a gradient
    theirs[2].mutable_grad().reset();
    if (step >= 2) {  // the others lose theirs after two steps: dropped here, zeroed there
      adam.clear_grads();
      for (auto& p : theirs) {  // 1.x's zero_grad() (2.x's sets gradients to none)
        if (p.grad().defined()) p.mutable_grad().zero_();
      }
    }
    adam.step();
    reference.step();
  }
  EXPECT_LT(max_relative_gap(mine, theirs), 1e-14);
  EXPECT_TRUE(torch::equal(mine[2].detach(), untouched));
  EXPECT_EQ(adam.state().size(), 2u);
  for (const auto& p : mine) EXPECT_FALSE(p.grad().defined());
}

// Writes `from`'s state through LibTorch's serialisation and reads it into `to`.
void transfer(const torch::optim::Optimizer& from, torch::optim::Optimizer& to) {
  std::stringstream buffer;
  torch::serialize::OutputArchive out;
  from.save(out);
  out.save_to(buffer);
  torch::serialize::InputArchive in;
  in.load_from(buffer);
  to.load(in);
}

TEST(Adam, ItsCheckpointsAndLibTorchAdamsAreInterchangeable) {
  // Older checkpoints hold LibTorch's Adam state: it must load and continue exactly, and the other way round.
  for (const bool mine_first : {true, false}) {
    const auto a = make_params(torch::kFloat64, 6);
    const auto b = copies(a);
    Adam mine(a, options());
    torch::optim::Adam theirs(b, options());
    torch::optim::Optimizer& first = mine_first ? static_cast<torch::optim::Optimizer&>(mine) : theirs;
    for (int step = 0; step < 3; ++step) {
      set_grads(a, b, step);
      first.step();
    }
    // The other optimiser's parameters take the first one's values, then its state through a checkpoint.
    {
      torch::NoGradGuard no_grad;
      for (size_t i = 0; i < a.size(); ++i) (mine_first ? b[i] : a[i]).copy_(mine_first ? a[i] : b[i]);
    }
    transfer(first, mine_first ? static_cast<torch::optim::Optimizer&>(theirs) : mine);
    for (int step = 3; step < 6; ++step) {
      set_grads(a, b, step);
      mine.step();
      theirs.step();
    }
    EXPECT_LT(max_relative_gap(a, b), 1e-14) << (mine_first ? "curlrl -> LibTorch" : "LibTorch -> curlrl");
    const auto& state = static_cast<const torch::optim::AdamParamState&>(*mine.state().begin()->second);
    EXPECT_EQ(state.step(), 6);
  }
}

TEST(Adam, TheResultDoesNotDependOnTheNumberOfThreads) {
  const int threads = at::get_num_threads();
  std::vector<torch::Tensor> results;
  for (const int n : {1, 2}) {
    at::set_num_threads(n);
    torch::manual_seed(7);
    std::vector<torch::Tensor> params{torch::randn({300007}).set_requires_grad(true)};  // several chunks
    Adam adam(params, options());
    for (int step = 0; step < 3; ++step) {
      params[0].mutable_grad() = torch::randn({300007});
      adam.step();
    }
    results.push_back(params[0].detach());
  }
  at::set_num_threads(threads);
  EXPECT_TRUE(torch::equal(results[0], results[1]));
}

TEST(Adam, AStepIsSeenByAutogradAsAnInPlaceChange) {
  // A graph that saved a weight before the step must refuse to backpropagate through the changed weight.
  const auto params = make_params(torch::kFloat32, 8);
  Adam adam(params, options());
  const torch::Tensor loss = (params[1] * params[1]).sum();
  for (auto& p : params) p.mutable_grad() = torch::ones_like(p);
  adam.step();
  EXPECT_THROW(loss.backward(), c10::Error);
}

TEST(Adam, WeightDecayAndAmsgradAreRefused) {
  const auto params = make_params(torch::kFloat32, 9);
  EXPECT_THROW(Adam(params, options().weight_decay(0.1)), Error);
  EXPECT_THROW(Adam(params, options().amsgrad(true)), Error);
}

}  // namespace
}  // namespace curlrl::agents
