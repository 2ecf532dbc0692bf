#!/usr/bin/env bash
# Replays faults end to end on tiny runs (state SAC on cartpole, about a second per 1000 env steps) and checks that
# each one is handled: a one-line error naming the problem and a non-zero exit, nothing already written lost or
# changed, or (for the interruptions) a resumed run that continues exactly. Prints one line per case and a count;
# exits non-zero if any case fails. Run by CI (.ci/run); about a minute.
#
# usage: scripts/fault_test.sh [--keep]     env: CURLRL=path/to/curlrl (default build/curlrl)
set -uo pipefail

REPO=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
CURLRL=${CURLRL:-$REPO/build/curlrl}
PY=/usr/bin/python3
[ -x "$CURLRL" ] || { echo "fault_test: $CURLRL not found: build curlrl first (or set CURLRL=...)" >&2; exit 2; }
WORK=$(mktemp -d /tmp/curlrl_fault_test.XXXXXX)
MOUNTED=""
cleanup() {
  [ -n "$MOUNTED" ] && umount "$MOUNTED" 2>/dev/null
  [ "${1:-}" = "--keep" ] || rm -rf "$WORK"
}
trap 'cleanup "${KEEP:-}"' EXIT
[ "${1:-}" = "--keep" ] && KEEP=--keep && echo "fault_test: keeping $WORK"

passed=0; failed=0
pass() { passed=$((passed + 1)); echo "PASS  $1"; }
fail() { failed=$((failed + 1)); echo "FAIL  $1: $2"; }

TINY=(agent=state_sac eval_every=1000 eval_episodes=1 agent.init_steps=40 agent.batch_size=16 agent.hidden_dim=16
      checkpoint_every=1000 threads=1 seed=3 progress_interval=1000)
train() { "$CURLRL" train "${TINY[@]}" "$@"; }

# run CMD...: sets OUT, ERR (stderr's last line) and RC.
run() {
  "$@" > "$WORK/out.txt" 2> "$WORK/err.txt"
  RC=$?
  ERR=$(grep -v '^curlrl: rendering with' "$WORK/err.txt" | tail -n 1)
  OUT=$(cat "$WORK/out.txt")
}
# expect_error NAME PATTERN: the last command failed with one error line matching PATTERN (grep -E).
expect_error() {
  local lines
  lines=$(grep -c 'curlrl: error:\|error:' "$WORK/err.txt")
  if [ "$RC" -eq 0 ]; then fail "$1" "exit 0 (expected an error matching '$2')"
  elif ! grep -qE -- "$2" <<< "$ERR"; then fail "$1" "exit $RC, message: $ERR"
  elif [ "$lines" -ne 1 ]; then fail "$1" "$lines error lines"
  else pass "$1"; fi
}
fingerprint() { (cd "$1" && find . -type f -print0 | sort -z | xargs -0 sha256sum); }
# Compares train.csv and eval.csv of two runs, leaving out the timing columns.
same_logs() {
  "$PY" - "$1" "$2" <<'PYEOF'
import csv, sys
def rows(path):
    with open(path) as f:
        r = list(csv.DictReader(f))
    return [{k: v for k, v in row.items() if k not in ("wall_time", "steps_per_second")} for row in r]
a, b = sys.argv[1], sys.argv[2]
for name in ("train.csv", "eval.csv"):
    if rows(f"{a}/{name}") != rows(f"{b}/{name}"):
        sys.exit(f"{name} differs")
PYEOF
}

# --- a finished run to damage ---------------------------------------------------------------------------------
BASE=$WORK/base
run train env_steps=2000 keep_checkpoints=2 run_dir="$BASE"
[ "$RC" -eq 0 ] || { echo "fault_test: the base run failed: $ERR" >&2; exit 1; }
CK=$BASE/checkpoints/env_steps_2000

# 1-4. One flipped byte in the middle of each checkpoint file: refused, naming the file; nothing changed; the
# message points to the earlier checkpoint.
for f in agent.pt state.pt env.bin replay.bin; do
  "$PY" -c "import sys; p=sys.argv[1]; b=bytearray(open(p,'rb').read()); b[len(b)//2]^=4; open(p,'wb').write(b)" "$CK/$f"
  before=$(fingerprint "$BASE")
  run train resume="$BASE" env_steps=3000
  after=$(fingerprint "$BASE")
  if [ "$before" != "$after" ]; then fail "byte flip in $f" "the run directory changed"
  else expect_error "byte flip in $f: refused, run untouched" "$f is damaged.*checkpoint=1000"; fi
  "$PY" -c "import sys; p=sys.argv[1]; b=bytearray(open(p,'rb').read()); b[len(b)//2]^=4; open(p,'wb').write(b)" "$CK/$f"
done
# 5. The same through eval and export.
"$PY" -c "import sys; p=sys.argv[1]; b=bytearray(open(p,'rb').read()); b[len(b)//2]^=4; open(p,'wb').write(b)" "$CK/agent.pt"
run "$CURLRL" eval run="$BASE"
expect_error "byte flip: eval refuses" "agent.pt is damaged"
run "$CURLRL" export run="$BASE" out="$WORK/x.pt"
expect_error "byte flip: export refuses" "agent.pt is damaged"
[ ! -e "$WORK/x.pt" ] || fail "byte flip: export" "wrote $WORK/x.pt"
# 6. Continuing from the earlier checkpoint sets the damaged one aside and finishes.
run train resume="$BASE" checkpoint=1000 env_steps=2000
if [ "$RC" -eq 0 ] && [ -d "$BASE/checkpoints/set_aside/env_steps_2000" ] && [ -f "$CK/manifest.txt" ]; then
  pass "continue from checkpoint=1000: damaged one set aside, new one written"
else fail "continue from checkpoint=1000" "exit $RC: $ERR"; fi
# 7. A missing manifest.
mv "$CK/manifest.txt" "$WORK/manifest.txt"
run train resume="$BASE" env_steps=3000
expect_error "manifest.txt deleted" "has no manifest.txt"
mv "$WORK/manifest.txt" "$CK/manifest.txt"
# 8. A truncated file.
cp "$CK/replay.bin" "$WORK/replay.bin"; truncate -s 1000 "$CK/replay.bin"
run train resume="$BASE" env_steps=3000
expect_error "truncated replay.bin" "replay.bin is truncated or altered"
cp "$WORK/replay.bin" "$CK/replay.bin"

# --- checkpoints of other runs --------------------------------------------------------------------------------
# 9. Other network sizes. 10. Another task.
run train env_steps=1000 agent.hidden_dim=32 run_dir="$WORK/wide"
run train env_steps=1000 task=reacher_easy run_dir="$WORK/reacher"
for other in wide:agent.hidden_dim=32 reacher:task.name=reacher_easy; do
  dir=${other%%:*}; key=${other#*:}
  rm -rf "$WORK/victim"; cp -r "$BASE" "$WORK/victim"; rm -rf "$WORK/victim/checkpoints"
  cp -r "$WORK/$dir/checkpoints" "$WORK/victim/checkpoints"
  run train resume="$WORK/victim" env_steps=3000
  expect_error "checkpoint of another run ($key)" "belongs to another run: it was written with $key"
done

# --- overrides a resume may not change --------------------------------------------------------------------------
for o in agent.hidden_dim=32 agent.actor_lr=0.5 seed=9; do
  run train resume="$BASE" "$o"
  expect_error "resume with $o" "a resumed run keeps its ${o%%=*}"
done

# --- interruptions ----------------------------------------------------------------------------------------------
# 14. SIGTERM mid-run, then resume: the same logs as an uninterrupted run.
run train env_steps=3000 run_dir="$WORK/straight"
"$CURLRL" train "${TINY[@]}" env_steps=3000 run_dir="$WORK/stopped" > "$WORK/stopped.log" 2>&1 &
pid=$!
for _ in $(seq 100); do [ -s "$WORK/stopped/train.csv" ] && [ "$(wc -l < "$WORK/stopped/train.csv")" -ge 2 ] && break; sleep 0.1; done
kill -TERM "$pid"; wait "$pid"; rc_term=$?
run train resume="$WORK/stopped" env_steps=3000
if [ "$rc_term" -eq 143 ] && [ "$RC" -eq 0 ] && why=$(same_logs "$WORK/straight" "$WORK/stopped" 2>&1); then
  pass "SIGTERM then resume: exit 143, logs equal to an uninterrupted run"
else fail "SIGTERM then resume" "exit $rc_term then $RC; ${why:-} $ERR"; fi
# 15. A second process on a run that is training: refused, the first one goes on.
"$CURLRL" train "${TINY[@]}" env_steps=100000 run_dir="$WORK/busy" > "$WORK/busy.log" 2>&1 &
pid=$!
for _ in $(seq 100); do [ -d "$WORK/busy/checkpoints" ] && break; sleep 0.1; done
run train resume="$WORK/busy"
expect_error "a second process on a run being trained" "another curlrl process is training"
kill -0 "$pid" 2>/dev/null || fail "a second process on a run being trained" "the first process stopped"
kill -9 "$pid" 2>/dev/null; wait "$pid" 2>/dev/null
# 16-20. kill -9 at random moments with a checkpoint every 200 env steps, then resume each time.
for i in 1 2 3 4 5; do
  dir=$WORK/killed
  [ "$i" -eq 1 ] && rm -rf "$dir"
  if [ -d "$dir/checkpoints" ]; then args=(resume="$dir"); else args=(run_dir="$dir"); fi
  "$CURLRL" train "${TINY[@]}" env_steps=100000 checkpoint_every=200 "${args[@]}" > "$WORK/killed.log" 2>&1 &
  pid=$!
  sleep "$("$PY" -c "import random; print(round(random.uniform(0.8, 2.5), 2))")"
  kill -9 "$pid" 2>/dev/null; wait "$pid" 2>/dev/null
  run train resume="$dir" env_steps=$(( $(ls "$dir/checkpoints" | sed -n 's/^env_steps_//p' | sort -n | tail -1) + 16 )) \
      checkpoint_every=200
  if [ "$RC" -eq 0 ]; then pass "kill -9 during training and checkpoint writes ($i of 5), then resume"
  else fail "kill -9 ($i of 5)" "resume exit $RC: $ERR"; fi
done

# --- a full disk --------------------------------------------------------------------------------------------------
# 21. The run directory on a 3 MB tmpfs (as root): the replay checkpoint cannot be written. Where mounting is not
# permitted, a file size limit (ulimit -f, SIGXFSZ ignored) makes the same write fail with EFBIG instead.
full_disk_case() {
  local how=$1 dir=$2
  if [ "$RC" -ne 0 ] && [ "$(grep -c 'error' "$WORK/err.txt")" -eq 1 ] && [ -s "$dir/config.yaml" ] &&
     [ -z "$(ls "$dir/checkpoints" 2>/dev/null | grep -v '^env_steps_')" ]; then
    pass "full disk ($how): one-line error ($ERR), no half-written checkpoint"
  else fail "full disk ($how)" "exit $RC: $ERR"; fi
}
if [ "$(id -u)" -eq 0 ] && mkdir -p "$WORK/small" && mount -t tmpfs -o size=3m tmpfs "$WORK/small" 2>/dev/null; then
  MOUNTED=$WORK/small
  run train env_steps=2000 agent.replay_capacity=100000 run_dir="$WORK/small/run"
  full_disk_case "a 3 MB tmpfs" "$WORK/small/run"
  umount "$WORK/small"; MOUNTED=""
else
  run bash -c 'trap "" XFSZ; ulimit -f 2048; exec "$@"' _ "$CURLRL" train "${TINY[@]}" env_steps=2000 run_dir="$WORK/limited"
  full_disk_case "a 1 MB file size limit; mounting a tmpfs was not permitted" "$WORK/limited"
fi

# --- configuration, rollout and sweep inputs ------------------------------------------------------------------
run train agent.replay_capacity=1e12 run_dir="$WORK/huge"
expect_error "replay_capacity=1e12: memory estimate" "this run needs about .* TB of memory"
run train agent.actor_lr=inf run_dir="$WORK/inf"
expect_error "actor_lr=inf" "must be a finite number"
mkdir -p "$WORK/configs"; cp -r "$REPO/configs/." "$WORK/configs/"
printf 'action_repeat: 8\naction_repeat: 4\n' > "$WORK/configs/task/cartpole_swingup.yaml"
run train --print-config --config-dir "$WORK/configs"
expect_error "duplicate key in a YAML file" "appears twice in one mapping"
: > "$WORK/empty.csv"
run "$CURLRL" rollout task=cartpole_swingup policy=file:"$WORK/empty.csv" out="$WORK/r.csv"
expect_error "rollout: empty actions file" "no actions"
printf '0.5x\n0.1\n' > "$WORK/bad.csv"
run "$CURLRL" rollout task=cartpole_swingup policy=file:"$WORK/bad.csv" out="$WORK/r.csv"
expect_error "rollout: malformed first row" "'0.5x' is not a number"
run "$CURLRL" rollout task=cartpole_swingup policy=file: out="$WORK/r.csv"
expect_error "rollout: policy=file: without a path" "needs the actions file's path"
run "$CURLRL" train keep_checkpoints=some run_dir="$WORK/keep"
expect_error "keep_checkpoints=some" "keep_checkpoints=some: expected a count from 1 to 1000, or all"
run "$CURLRL" train "eval.modes=[train,video_easy]" distraction.video_dir="$WORK/no_videos" run_dir="$WORK/videos"
expect_error "eval.modes with a missing video folder" "distraction.video_dir=.*no_videos: no such folder"
run train "eval.modes=[train,color_hard]" run_dir="$WORK/state_modes"
expect_error "distraction modes on a state agent" "task.observation=states has none"
run "$CURLRL" interpret run="$WORK/no_such_run"
expect_error "interpret on a missing run" "not a curlrl run directory"
for d in keep videos state_modes; do
  [ -e "$WORK/$d" ] && fail "refused run $d wrote nothing" "$WORK/$d exists"
done
run "$PY" "$REPO/scripts/sweep.py" status "$WORK/no_such_sweep"
expect_error "sweep.py status on a missing sweep" "no_such_sweep"
mkdir -p "$WORK/damaged_sweep"; echo '{"runs": [' > "$WORK/damaged_sweep/sweep.json"
run "$PY" "$REPO/scripts/sweep.py" status "$WORK/damaged_sweep"
expect_error "sweep.py status on a damaged sweep.json" "sweep.json"

echo "fault_test: $passed passed, $failed failed"
[ "$failed" -eq 0 ]
