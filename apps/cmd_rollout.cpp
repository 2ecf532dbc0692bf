// curlrl rollout task=NAME seed=N policy=random|zero|file:PATH steps=N out=PATH.csv
// One row per control step (no action repeat): step, action components, reward, then every qpos and qvel
// entry named by joint, numbers with 17 significant digits. Row 0 is the initial state.
#include <cstdio>
#include <fstream>
#include <random>

#include "apps/commands.h"
#include "core/settings.h"
#include "core/csv.h"
#include "core/error.h"
#include "core/io.h"
#include "envs/task.h"
#include "train/trainer.h"

namespace curlrl::apps {
namespace {
const config::Setting<std::string> kPolicy{"policy", "random",
                                           "actions: random, zero, or file:PATH (a CSV with one column per action component)",
                                           {.command = "rollout"}};
const config::Setting<int64_t> kSteps{"steps", 1000, "control steps to roll out (no action repeat)",
                                      {.min = 1, .command = "rollout"}};
const config::Setting<std::string> kOut{"out", "", "output CSV path", {.command = "rollout"}};

std::string num(double v) {
  char buf[40];
  std::snprintf(buf, sizeof(buf), "%.17g", v);
  return buf;
}

// Column names of a model's qpos or qvel entries: "qpos:<joint>" (with ":<i>" for multi-entry joints).
std::vector<std::string> state_columns(const mjModel* m, bool velocity) {
  std::vector<std::string> cols;
  for (int j = 0; j < m->njnt; ++j) {
    const char* name = mj_id2name(m, mjOBJ_JOINT, j);
    const std::string base = std::string(velocity ? "qvel:" : "qpos:") + (name ? name : "joint" + std::to_string(j));
    const int type = m->jnt_type[j];
    const int n = velocity ? (type == mjJNT_FREE ? 6 : type == mjJNT_BALL ? 3 : 1)
                           : (type == mjJNT_FREE ? 7 : type == mjJNT_BALL ? 4 : 1);
    for (int i = 0; i < n; ++i) cols.push_back(n == 1 ? base : base + ":" + std::to_string(i));
  }
  return cols;
}

}  // namespace

int run_rollout(const Invocation& inv) {
  const std::string out = kOut(inv.config);
  if (out.empty()) throw ConfigError("rollout needs out=PATH.csv");
  const std::string policy = kPolicy(inv.config);
  auto task = envs::make_task(inv.config.get_string("task.name"));
  const int dim = task->action_dim();
  std::vector<std::vector<double>> file_actions;
  if (policy.rfind("file:", 0) == 0) {
    if (policy.size() == 5) throw ConfigError("policy=file: needs the actions file's path: policy=file:PATH.csv");
    file_actions = number_rows(read_csv(policy.substr(5)), dim, policy.substr(5));
  } else if (policy != "random" && policy != "zero") {
    throw ConfigError("policy=" + policy + ": expected random, zero or file:PATH");
  }
  const int64_t seed = train::kSeed(inv.config);
  envs::NumpyRandomState env_rng(static_cast<uint32_t>(seed));
  std::mt19937_64 policy_rng(static_cast<uint64_t>(seed));
  std::uniform_real_distribution<double> uniform(-1.0, 1.0);
  task->reset(env_rng);

  const mjModel* m = task->model();
  std::vector<std::string> header = {"step"};
  for (int i = 0; i < dim; ++i) header.push_back("action:" + std::to_string(i));
  header.push_back("reward");
  for (const auto& c : state_columns(m, false)) header.push_back(c);
  for (const auto& c : state_columns(m, true)) header.push_back(c);

  std::string text;
  for (size_t i = 0; i < header.size(); ++i) text += (i ? "," : "") + header[i];
  text += "\n";
  const auto append_row = [&](int64_t step, const std::vector<double>* action, const double* reward) {
    text += std::to_string(step);
    for (int i = 0; i < dim; ++i) text += "," + (action ? num((*action)[i]) : std::string());
    text += "," + (reward ? num(*reward) : std::string());
    const mjData* d = task->data();
    for (int i = 0; i < m->nq; ++i) text += "," + num(d->qpos[i]);
    for (int i = 0; i < m->nv; ++i) text += "," + num(d->qvel[i]);
    text += "\n";
  };
  append_row(0, nullptr, nullptr);
  const int64_t steps = kSteps(inv.config);
  bool ran_out = false;  // the file's actions ended before `steps` (and before the episode's end)
  for (int64_t t = 0; t < steps && !task->last(); ++t) {
    std::vector<double> action(static_cast<size_t>(dim), 0.0);
    if (policy == "random") {
      for (auto& a : action) a = uniform(policy_rng);
    } else if (!file_actions.empty()) {
      if (t >= static_cast<int64_t>(file_actions.size())) {
        ran_out = true;
        break;
      }
      action = file_actions[static_cast<size_t>(t)];
    }
    const double reward = task->step(action);
    append_row(t + 1, &action, &reward);
  }
  if (ran_out) {
    std::fprintf(stderr, "curlrl: rollout: %s holds %zu actions: stopped after %zu of the %lld steps asked\n",
                 policy.substr(5).c_str(), file_actions.size(), file_actions.size(), static_cast<long long>(steps));
  }
  write_file_atomic(out, text);
  std::printf("rollout task=%s seed=%lld policy=%s rows=%lld out=%s\n", task->name().c_str(),
              static_cast<long long>(seed), policy.c_str(), static_cast<long long>(task->steps_in_episode()),
              out.c_str());
  return 0;
}

}  // namespace curlrl::apps
