// curlrl export run=RUN_DIR [checkpoint=ENV_STEPS] out=FILE.pt: the agent of a run's checkpoint as a tensor file
// that Python's torch.load reads (names and layouts: agents/weights.h; docs/extending.md, "Weights in and out:
// PyTorch").
#include <cstdio>

#include "agents/sac_agent.h"
#include "agents/weights.h"
#include "apps/commands.h"
#include "core/error.h"
#include "core/settings.h"
#include "train/saved_run.h"

namespace curlrl::apps {
namespace {
const config::Setting<std::string> kRun{"run", "", "run directory whose checkpoint to export", {.command = "export"}};
const config::Setting<int64_t> kCheckpoint{"checkpoint", -1,
                                           "env_steps of the checkpoint to export (-1: the latest)",
                                           {.min = -1, .command = "export"}};
const config::Setting<std::string> kOut{"out", "", "the tensor file to write (.pt)", {.command = "export"}};
}  // namespace

int run_export(const Invocation& inv) {
  const std::string run = kRun(inv.config), out = kOut(inv.config);
  if (run.empty()) throw ConfigError("export needs run=RUN_DIR");
  if (out.empty()) throw ConfigError("export needs out=FILE.pt");
  const train::SavedRun saved = train::load_saved_run(run, kCheckpoint(inv.config));
  auto* agent = dynamic_cast<agents::SacAgent*>(saved.agent.get());
  if (agent == nullptr) throw Error("export: agent " + saved.config.get_string("agent.name") + " has no weights to export");
  const agents::TensorDict weights = agents::export_weights(*agent);
  agents::save_tensor_dict(weights, out);
  std::printf("export run=%s checkpoint=%s tensors=%zu out=%s\n", run.c_str(), saved.checkpoint.filename().c_str(),
              weights.size(), out.c_str());
  return 0;
}

}  // namespace curlrl::apps
