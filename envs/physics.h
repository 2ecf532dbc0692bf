// RAII owners of MuJoCo's model and data, and the error boundary between MuJoCo and curlrl.
#pragma once

#include <mujoco/mujoco.h>

#include <memory>
#include <string>

namespace curlrl::envs {

struct ModelDeleter {
  void operator()(mjModel* m) const { mj_deleteModel(m); }
};
struct DataDeleter {
  void operator()(mjData* d) const { mj_deleteData(d); }
};
using ModelPtr = std::unique_ptr<mjModel, ModelDeleter>;
using DataPtr = std::unique_ptr<mjData, DataDeleter>;

// Loads an MJCF file; a load error becomes std::runtime_error naming the file and MuJoCo's message.
ModelPtr load_model(const std::string& path);
// Same, from an MJCF string (used by tests with tiny inline models).
ModelPtr load_model_from_string(const std::string& xml);

// Turns MuJoCo's warning/error callbacks into C++ exceptions for the lifetime of the process.
// Called once by load_model; safe to call again.
void install_mujoco_error_handlers();

// Directory holding envs/assets (the MJCF files). Resolved, in order, from the CURLRL_ASSETS environment
// variable, the source tree baked in at build time, and an install location next to the executable.
std::string assets_dir();

}  // namespace curlrl::envs
