#!/usr/bin/env bash
# One command for a GPU machine (possibly without network or root): builds curlrl against the machine's own CUDA
# LibTorch (pip's torch) and checks, in order, that the build links libtorch_cuda, that the renderer draws on the GPU
# (not Mesa's llvmpipe), and that an update and a short training run work on CUDA. Stops at the first failure with
# one line saying what failed; writes a summary either way.
#
# usage: scripts/gpu_check.sh [--debs DIR] [--python PYTHON] [--summary FILE]
#   --debs DIR      unpack the .deb files of DIR (from scripts/fetch_gpu_debs.sh) into build-gpu/prefix with dpkg -x
#   --python PY     the interpreter whose torch to build against (default python3)
#   --summary FILE  where to write the summary (default build-gpu/gpu_check.txt)
# Not yet run on a GPU by this project: every step is written from docs/performance.md's notes.
set -uo pipefail
cd "$(dirname "$0")/.."
REPO=$(pwd)
DEBS=""; PYTHON=python3; OUT=build-gpu; SUMMARY=""
while [ $# -gt 0 ]; do
  case "$1" in
    --debs) DEBS=$2; shift 2 ;;
    --python) PYTHON=$2; shift 2 ;;
    --summary) SUMMARY=$2; shift 2 ;;
    *) echo "gpu_check: unknown argument '$1' (see the usage at the top of scripts/gpu_check.sh)" >&2; exit 2 ;;
  esac
done
SUMMARY=${SUMMARY:-$OUT/gpu_check.txt}
mkdir -p "$OUT" "$(dirname "$SUMMARY")"
{ echo "gpu_check $(date -u +%FT%TZ) commit $(git -C "$REPO" rev-parse --short HEAD 2>/dev/null || echo unknown)"; } > "$SUMMARY"
note() { echo "$*" | tee -a "$SUMMARY"; }
fail() { note "FAIL: $*"; exit 1; }

# 1. The machine and its torch.
command -v nvidia-smi >/dev/null && note "gpu: $(nvidia-smi --query-gpu=name,driver_version,compute_cap --format=csv,noheader | head -n 1)" \
  || fail "no nvidia-smi: this does not look like an NVIDIA GPU machine"
INFO=$("$PYTHON" -c 'import torch; print(torch.utils.cmake_prefix_path); print(torch.__version__, torch.compiled_with_cxx11_abi(), torch.cuda.is_available())' 2>&1) \
  || fail "$PYTHON cannot import torch: $(echo "$INFO" | tail -n 1)"
TORCH_PREFIX=$(echo "$INFO" | sed -n 1p)
read -r TORCH_VERSION TORCH_ABI TORCH_CUDA <<< "$(echo "$INFO" | sed -n 2p)"
note "torch: $TORCH_VERSION cxx11_abi=$TORCH_ABI cuda_available=$TORCH_CUDA prefix=$TORCH_PREFIX"
[ "$TORCH_CUDA" = "True" ] || fail "$PYTHON's torch does not see a CUDA device"

# 2. Packages carried from a Debian machine, unpacked without root.
PREFIXES="$TORCH_PREFIX"
if [ -n "$DEBS" ]; then
  [ -d "$DEBS" ] || fail "--debs $DEBS: no such folder"
  (cd "$DEBS" && sha256sum -c --quiet SHA256SUMS) || fail "--debs $DEBS: a file does not match SHA256SUMS"
  mkdir -p "$OUT/prefix"
  for deb in "$DEBS"/*.deb; do dpkg -x "$deb" "$OUT/prefix" || fail "dpkg -x $deb"; done
  # Debian's MuJoCo CMake config names /usr/include/libqhull_r and asks for OpenGL: point it at the prefix.
  for f in "$OUT"/prefix/usr/lib/x86_64-linux-gnu/cmake/mujoco/*.cmake; do
    [ -f "$f" ] && sed -i "s#/usr/include/libqhull_r#$REPO/$OUT/prefix/usr/include/libqhull_r#g" "$f"
  done
  PREFIXES="$PREFIXES;$REPO/$OUT/prefix/usr;$REPO/$OUT/prefix/usr/lib/x86_64-linux-gnu/cmake"
  export LD_LIBRARY_PATH="$REPO/$OUT/prefix/usr/lib/x86_64-linux-gnu:${LD_LIBRARY_PATH:-}"
  export CPATH="$REPO/$OUT/prefix/usr/include:${CPATH:-}"
  note "debs: $(ls "$DEBS"/*.deb | wc -l) packages unpacked into $OUT/prefix"
fi

# 3. Configure and build with every core.
ARCH=$(nvidia-smi --query-gpu=compute_cap --format=csv,noheader | head -n 1)
CMAKE_ARGS=(-DCMAKE_BUILD_TYPE=Release "-DCMAKE_PREFIX_PATH=$PREFIXES" "-DTORCH_CUDA_ARCH_LIST=$ARCH")
command -v nvcc >/dev/null && CMAKE_ARGS+=("-DCMAKE_CUDA_COMPILER=$(command -v nvcc)")
cmake -S . -B "$OUT" "${CMAKE_ARGS[@]}" > "$OUT/configure.log" 2>&1 \
  || fail "configure (see $OUT/configure.log): $(grep -m1 -E 'Error|error' "$OUT/configure.log")"
START=$(date +%s)
cmake --build "$OUT" -j"$(nproc)" > "$OUT/build.log" 2>&1 || fail "build (see $OUT/build.log): $(grep -m1 'error' "$OUT/build.log")"
note "build: $(( $(date +%s) - START )) s with $(nproc) cores"
# OpenCV is not among the carried packages: without it the build has no videos (and needs none for this check).
note "$("$OUT/curlrl" --version | grep '^videos')"

# 4. The binary must link libtorch_cuda (otherwise torch::cuda::is_available() is false).
ldd "$OUT/curlrl" | grep -q torch_cuda || fail "$OUT/curlrl does not link libtorch_cuda"
note "link: libtorch_cuda linked"

# 5. Rendering on the GPU: the renderer line must name the GPU, not llvmpipe.
LINE=$(CURLRL_GL=egl "$OUT/curlrl" render task=cartpole_swingup out="$OUT/frame.png" 2>&1 | grep 'rendering with' | head -n 1)
note "render: $LINE"
echo "$LINE" | grep -q 'rendering with EGL' || fail "EGL did not start"
echo "$LINE" | grep -qi 'llvmpipe\|softpipe' && fail "rendered by Mesa's CPU rasteriser, not the GPU"
(cd "$OUT" && CURLRL_GL=egl ctest -R 'Renderer|EglDevice|Distraction' --output-on-failure > render_tests.log 2>&1) \
  || fail "render tests (see $OUT/render_tests.log)"
note "render tests: passed"

# 6. CUDA: the update benchmark and a short training run.
"$OUT/curlrl" bench update device=cuda > "$OUT/bench_update.txt" 2>&1 || fail "bench update device=cuda (see $OUT/bench_update.txt)"
note "bench update: $(grep -m2 'update' "$OUT/bench_update.txt" | tr '\n' ' ')"
"$OUT/curlrl" train device=cuda env_steps=2000 eval_every=1000 eval_episodes=2 run_dir="$OUT/train_cuda" \
  > "$OUT/train_cuda.log" 2>&1 || fail "train device=cuda (see $OUT/train_cuda.log)"
note "train: $(tail -n 1 "$OUT/train_cuda/eval.csv")"
note "PASS"
