#!/usr/bin/env bash
# The main job with a short budget: set-up, build, then CURL from pixels on cartpole_swingup (the default
# configuration) for a few minutes. Extra arguments are passed to `curlrl train`.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/setup.sh
scripts/build.sh
exec build/curlrl train env_steps=3200 eval_every=1600 eval_episodes=2 agent.init_steps=200 \
  agent.batch_size=128 checkpoint_every=0 "$@"
