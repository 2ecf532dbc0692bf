#!/usr/bin/env bash
# The main job with a short budget: set-up, build, then
#   1. CURL from pixels on cartpole_swingup (the default configuration) for a few minutes: the main job's smoke
#      run, too short to learn much;
#   2. SAC from states on cartpole_swingup for 40k environment steps (a few minutes more): an agent that visibly
#      learns, with its learning curve (PNG) and a video of its evaluation (MP4).
# Extra arguments are passed to the CURL run's `curlrl train`.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/setup.sh
scripts/build.sh

build/curlrl train env_steps=3200 eval_every=1600 eval_episodes=2 agent.init_steps=200 \
  agent.batch_size=128 checkpoint_every=0 "$@"

run=runs/demo_state_sac/$(date +%Y-%m-%d_%H-%M-%S)
echo
echo "demo: SAC from states on cartpole_swingup, 40000 env steps (here: about 3 minutes; return from 1 to about 835)"
build/curlrl train agent=state_sac agent.batch_size=128 env_steps=40000 eval_every=10000 eval_episodes=5 \
  checkpoint_every=0 seed=1 progress_interval=30 run_dir="$run"
/usr/bin/python3 scripts/plot.py "$run" -o "$run/curve.png" --title "SAC from states, cartpole_swingup (demo)"
video="evaluation video $run/eval.mp4"
if build/curlrl --version | grep -q '^videos: off'; then
  video="no evaluation video (this build has no OpenCV)"
else
  build/curlrl eval run="$run" episodes=1 video="$run/eval.mp4"
fi
echo
echo "demo: evaluation returns (env_steps, return):"
tail -n +2 "$run/eval.csv" | cut -d, -f1,3 | sed 's/^/  /'
echo "demo: learning curve $run/curve.png, $video"
