// The subcommands of the `curlrl` program. main.cpp parses the command line and the configuration; each
// command gets the resolved configuration and returns the process exit code.
#pragma once

#include <functional>
#include <string>
#include <vector>

#include "core/config.h"

namespace curlrl::apps {

struct Invocation {
  std::string command;
  config::Config config;
  std::vector<std::string> overrides;  // as given on the command line
  std::vector<std::string> argv;       // the whole command line, for command.txt
  std::string config_dir;
};

struct Command {
  std::string name;
  std::string summary;
  std::function<int(const Invocation&)> run;
};

// Every command, in the order `curlrl --help` lists them.
const std::vector<Command>& commands();

int run_train(const Invocation& inv);
int run_eval(const Invocation& inv);
int run_interpret(const Invocation& inv);
int run_export(const Invocation& inv);
int run_trace_update(const Invocation& inv);
int run_rollout(const Invocation& inv);
int run_render(const Invocation& inv);
int run_bench(const Invocation& inv);
int run_list(const Invocation& inv);

// `curlrl bench update`: CURL update time at batch 128 and 512 (apps/bench_update.cpp).
void bench_update(const config::Config& config, int64_t iters);
// `curlrl bench update_state`: the state SAC update alone, fp32 and (where the CPU has it) bf16, against the
// matrix-multiply peak `peak` (<= 0: measured first).
void bench_state_updates(int64_t iters, double peak = 0);
// `curlrl bench train`: a short real run's time per agent step against its update and environment step alone
// (apps/bench_train.cpp).
void bench_train(const config::Config& config, int64_t steps);
// `curlrl bench blas`: the fp32 2048x2048 matrix-multiply rate and the BLAS kernels in use; returns GFLOP/s.
double bench_matmul();

}  // namespace curlrl::apps
