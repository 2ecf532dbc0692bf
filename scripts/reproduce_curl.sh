#!/usr/bin/env bash
# Reproduce CURL's DMControl results (Srinivas et al., ICML 2020, Table 1) with scripts/sweep.py.
#
# The paper's protocol: the six tasks, each with its paper settings from configs/task/<task>.yaml (action repeat
# finger/walker 2, cartpole 8, others 4; learning rates 2e-4 for cheetah, 1e-3 otherwise), agent=curl with the
# paper's hyperparameters (the SAC settings' defaults: batch 512, 1000 random agent steps, ...), SEEDS seeds, an
# evaluation of 10 episodes (deterministic actions) every 10k environment steps up to 500k environment steps.
# The published table reports 100k and 500k; aggregate.py reads both off the evaluations.
#
# usage: scripts/reproduce_curl.sh [options] [-- sweep.py options] [key=value ...]
#   --launcher local|slurm   run here (default) or as a Slurm job array (add --submit to submit it)
#   --seeds N                seeds 1..N (default 10: the published tables average 10 seeds per task)
#   --budget ENV_STEPS       environment steps per run (default 500000); shorter runs for a quick look
#   --batch-size B           agent.batch_size (default: the paper's 512; the reference code's script used 128)
#   --tasks a,b              a subset of the six tasks
#   --agent NAME             another agent (e.g. state_sac for the paper's state-SAC upper bound; default curl)
#   --eval-every N           default 10000;  --eval-episodes N: default 10
#   --name NAME              the sweep's name (default curl_reproduction); its directory is sweeps/<name>_<date>
#   --sweep-dir DIR          continue (or place) the sweep here: a rerun skips finished runs, resumes interrupted
#   --dry-run                print the commands only
# Every other option goes to sweep.py unchanged (local: --jobs N --threads-per-job T; slurm: --partition P --cpus C
# --mem M --time T --gpus G --sbatch=OPT --submit), as do key=value overrides (e.g. device=cuda).
#
# Cost: on a 2-core CPU machine one CURL update at batch 512 takes about 2.6 s, so a full 500k run is days of CPU
# time per seed and task (docs/sweeps.md has the table): use Slurm for the full protocol, and
# --budget/--batch-size/--seeds for a local look. GPUs need a CUDA build of curlrl (the default build's Debian
# LibTorch is CPU-only and refuses device=cuda): pass it with --curlrl, plus --gpus 1 device=cuda.
#
# examples:
#   scripts/reproduce_curl.sh --dry-run
#   scripts/reproduce_curl.sh --launcher slurm --partition cpu --cpus 4 --mem 16G --time 7-00:00:00 --submit
#   scripts/reproduce_curl.sh --launcher slurm --partition gpu --gpus 1 --cpus 4 --mem 32G --time 3-00:00:00 \
#       --curlrl build-cuda/curlrl --submit device=cuda
#   scripts/reproduce_curl.sh --tasks cartpole_swingup --seeds 2 --budget 20000 --batch-size 128 --jobs 2 \
#       --threads-per-job 1
# then:  scripts/aggregate.py SWEEP_DIR --name curl_reproduction ; scripts/plot.py SWEEP_DIR -o curves.png
set -euo pipefail

REPO=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
ALL_TASKS=finger_spin,cartpole_swingup,reacher_easy,cheetah_run,walker_walk,ball_in_cup_catch
launcher=local
seeds=10
budget=500000
batch=""
tasks=$ALL_TASKS
agent=curl
eval_every=10000
eval_episodes=10
name=curl_reproduction
pass=()

usage() { sed -n '2,/^set -euo/p' "${BASH_SOURCE[0]}" | sed '$d; s/^# \{0,1\}//'; }
need() { [ $# -ge 2 ] || { echo "reproduce_curl.sh: $1 needs a value" >&2; exit 2; }; }
positive() { [[ $2 =~ ^[1-9][0-9]*$ ]] || { echo "reproduce_curl.sh: $1 must be a positive integer, got '$2'" >&2; exit 2; }; }

while [ $# -gt 0 ]; do
  case $1 in
    -h|--help) usage; exit 0 ;;
    --launcher) need "$@"; launcher=$2; shift 2 ;;
    --launcher=*) launcher=${1#*=}; shift ;;
    --seeds) need "$@"; positive --seeds "$2"; seeds=$2; shift 2 ;;
    --seeds=*) seeds=${1#*=}; positive --seeds "$seeds"; shift ;;
    --budget) need "$@"; positive --budget "$2"; budget=$2; shift 2 ;;
    --budget=*) budget=${1#*=}; positive --budget "$budget"; shift ;;
    --batch-size) need "$@"; positive --batch-size "$2"; batch=$2; shift 2 ;;
    --batch-size=*) batch=${1#*=}; positive --batch-size "$batch"; shift ;;
    --tasks) need "$@"; tasks=$2; shift 2 ;;
    --tasks=*) tasks=${1#*=}; shift ;;
    --agent) need "$@"; agent=$2; shift 2 ;;
    --agent=*) agent=${1#*=}; shift ;;
    --eval-every) need "$@"; positive --eval-every "$2"; eval_every=$2; shift 2 ;;
    --eval-episodes) need "$@"; positive --eval-episodes "$2"; eval_episodes=$2; shift 2 ;;
    --name) need "$@"; name=$2; shift 2 ;;
    --) shift; pass+=("$@"); break ;;
    *) pass+=("$1"); shift ;;
  esac
done
case $launcher in local|slurm) ;; *) echo "reproduce_curl.sh: --launcher must be local or slurm" >&2; exit 2 ;; esac
for t in ${tasks//,/ }; do
  [[ ",$ALL_TASKS," == *",$t,"* ]] || { echo "reproduce_curl.sh: unknown task '$t' (tasks: $ALL_TASKS)" >&2; exit 2; }
done

args=(--name "$name" --launcher "$launcher"
      "task=$tasks" "agent=$agent" "seed=range(1,$((seeds + 1)))"
      "env_steps=$budget" "eval_every=$eval_every" "eval_episodes=$eval_episodes")
[ -n "$batch" ] && args+=("agent.batch_size=$batch")
exec /usr/bin/python3 "$REPO/scripts/sweep.py" "${args[@]}" "${pass[@]}"
