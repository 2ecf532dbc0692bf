#!/usr/bin/env bash
# The build without OpenCV, as CI checks it: scripts/build.sh --without-opencv into build-noopencv/ (the program and
# the tests), every test there (the video tests skip themselves, and only they), then the program as a user meets
# it: it links no OpenCV library, `--version` says videos are off, pictures (PNG) still work, every way of asking
# for a video is a one-line error naming the build option that writes nothing, and a short pixel run trains, is
# evaluated and is interpreted (its saliency video skipped with a note).
# About 7 minutes for the build on 2 cores, 3 for the tests, then under a minute.
set -euo pipefail
cd "$(dirname "$0")/.."
BUILD=${BUILD_DIR:-build-noopencv}
LOG=$(mktemp)
BUILD_DIR=$BUILD scripts/build.sh --without-opencv >"$LOG" 2>&1 ||
  { tail -n 20 "$LOG" >&2; rm -f "$LOG"; echo "test_without_opencv: the build failed" >&2; exit 1; }
rm -f "$LOG"
if [ "${SKIP_CTEST:-0}" != 1 ]; then
  (cd "$BUILD" && ctest --output-on-failure -j"${JOBS:-2}" --timeout 900 >ctest.log 2>&1) ||
    { grep -E 'tests passed|Failed|\*\*\*' "$BUILD/ctest.log" >&2; echo "test_without_opencv: FAIL: ctest" >&2; exit 1; }
  echo "test_without_opencv: ok: ctest: $(grep 'tests passed' "$BUILD/ctest.log")," \
       "$(grep -c '\*\*\*Skipped' "$BUILD/ctest.log" || true) skipped"
fi
BIN=$PWD/$BUILD/curlrl
T=$(mktemp -d)
trap 'rm -rf "$T"' EXIT
fail() { echo "test_without_opencv: FAIL: $*" >&2; exit 1; }
pass() { echo "test_without_opencv: ok: $*"; }

# The program itself needs no OpenCV library. (Debian's libtorch_cpu does, so here ldd still lists OpenCV's
# libraries through it; pip's LibTorch needs none.)
NEEDED=$(readelf -d "$BIN" | grep NEEDED)
! echo "$NEEDED" | grep -qi opencv || fail "the program links OpenCV: $(echo "$NEEDED" | grep -i opencv | head -n 1)"
pass "no OpenCV library among the program's $(echo "$NEEDED" | wc -l) direct dependencies"
"$BIN" --version | grep -q '^videos: off' || fail "--version does not say videos are off: $("$BIN" --version)"
pass "--version: $("$BIN" --version | grep '^videos')"

# A picture still works: a real PNG of the asked size.
"$BIN" render task=cartpole_swingup size=64 out="$T/frame.png" >/dev/null 2>&1 || fail "render out=frame.png failed"
[ "$(head -c 8 "$T/frame.png" | od -An -tx1 | tr -d ' \n')" = "89504e470d0a1a0a" ] || fail "frame.png is not a PNG"
[ "$(od -An -tu1 -j16 -N8 "$T/frame.png" | tr -s ' ' | sed 's/^ //')" = "0 0 0 64 0 0 0 64" ] ||
  fail "frame.png is not 64 x 64"
pass "render out=frame.png: a 64 x 64 PNG"

# Every way of asking for a video: non-zero exit, one line naming the option, nothing written.
refuses() {  # refuses NAME PATH_THAT_MUST_NOT_EXIST ARGS...
  local name=$1 absent=$2 rc=0
  shift 2
  "$BIN" "$@" >"$T/out" 2>"$T/err" || rc=$?
  [ "$rc" -ne 0 ] || fail "$name: exit status 0"
  [ "$(wc -l <"$T/err")" -eq 1 ] || fail "$name: not one line: $(cat "$T/err")"
  grep -q 'CURLRL_WITH_OPENCV=OFF' "$T/err" || fail "$name: the error does not name the option: $(cat "$T/err")"
  [ ! -e "$absent" ] || fail "$name: wrote $absent"
  pass "$name refused: $(cat "$T/err")"
}
refuses "render out=x.mp4" "$T/x.mp4" render task=cartpole_swingup out="$T/x.mp4"
refuses "train save_video=true" "$T/run_video" train agent=curl env_steps=100 save_video=true run_dir="$T/run_video"
refuses "distraction.video_dir=" "$T/run_distracted" train agent=curl env_steps=100 task.distraction=video_easy \
  distraction.video_dir="$T" run_dir="$T/run_distracted"

# A short pixel run trains and is evaluated and interpreted; only the saliency video is missing, with a note.
"$BIN" train agent=curl env_steps=1000 eval_every=0 eval_episodes=1 agent.init_steps=16 agent.batch_size=8 \
  agent.hidden_dim=32 task.image_size=64 augment.crop_size=56 threads=2 seed=3 run_dir="$T/run" >"$T/train.log" 2>&1 ||
  { tail -n 5 "$T/train.log" >&2; fail "a short train failed"; }
[ -s "$T/run/eval.csv" ] || fail "the short train wrote no eval.csv"
refuses "eval video=" "$T/eval.mp4" eval run="$T/run" episodes=1 video="$T/eval.mp4"
"$BIN" interpret run="$T/run" episodes=1 smoothgrad=2 threads=2 out="$T/interpret" >"$T/interpret.log" 2>&1 ||
  { tail -n 5 "$T/interpret.log" >&2; fail "interpret failed"; }
for f in saliency.png values.png probe.png retrieval.png augmentations.png interpret.md; do
  [ -s "$T/interpret/$f" ] || fail "interpret wrote no $f"
done
[ ! -e "$T/interpret/saliency.mp4" ] || fail "interpret wrote saliency.mp4"
grep -q 'saliency.mp4 was skipped' "$T/interpret.log" || fail "interpret does not say why saliency.mp4 is missing"
pass "train, eval and interpret without videos (saliency.mp4 skipped with a note)"
echo "test_without_opencv: all passed"
