#!/usr/bin/env bash
# Configures and builds curlrl into build/ (Release, 2 jobs by default: JOBS=N to change; BUILD_DIR=DIR for another
# build folder).
#
# usage: scripts/build.sh [--without-opencv] [--torch-from-python [PYTHON]]
#   --without-opencv: build without OpenCV (-DCURLRL_WITH_OPENCV=OFF): everything but videos, which then refuse with
#   a one-line error. Without the option OpenCV is used where it is installed.
#   --torch-from-python: build against the LibTorch inside PYTHON's torch package (pip's torch, e.g. a CUDA build on
#   a GPU machine; default PYTHON: python3 on PATH) instead of Debian's libtorch-dev: CMake is pointed at the prefix
#   torch reports (torch.utils.cmake_prefix_path), and its version, C++ ABI and CUDA availability are printed.
set -euo pipefail
cd "$(dirname "$0")/.."
ARGS=(-DCMAKE_BUILD_TYPE=Release)
USAGE="usage: scripts/build.sh [--without-opencv] [--torch-from-python [PYTHON]]"
if [ "${1:-}" = "--without-opencv" ]; then
  ARGS+=(-DCURLRL_WITH_OPENCV=OFF)
  shift
fi
if [ "${1:-}" = "--torch-from-python" ]; then
  PYTHON=${2:-python3}
  command -v "$PYTHON" >/dev/null || { echo "build.sh: --torch-from-python: no interpreter '$PYTHON'" >&2; exit 2; }
  if ! INFO=$("$PYTHON" -c 'import torch, os; p = torch.utils.cmake_prefix_path; print(p if os.path.isdir(os.path.join(p, "Torch")) else ""); print(torch.__version__, "cxx11_abi=%s" % torch.compiled_with_cxx11_abi(), "cuda=%s" % torch.cuda.is_available())' 2>&1); then
    echo "build.sh: --torch-from-python: $PYTHON cannot import torch: $(echo "$INFO" | tail -n 1)" >&2
    exit 2
  fi
  PREFIX=$(echo "$INFO" | sed -n 1p)
  if [ -z "$PREFIX" ]; then
    echo "build.sh: --torch-from-python: $PYTHON's torch ($(echo "$INFO" | sed -n 2p)) ships no CMake files" \
         "(Debian's python3-torch does not; pip's torch does): build without the option to use libtorch-dev" >&2
    exit 2
  fi
  echo "build.sh: LibTorch from $PYTHON: torch $(echo "$INFO" | sed -n 2p), $PREFIX"
  ARGS+=("-DCMAKE_PREFIX_PATH=$PREFIX")
  shift $(( $# >= 2 ? 2 : 1 ))
fi
if [ $# -gt 0 ]; then
  echo "build.sh: unknown argument '$1' ($USAGE)" >&2
  exit 2
fi
cmake -S . -B "${BUILD_DIR:-build}" "${ARGS[@]}" >/dev/null
cmake --build "${BUILD_DIR:-build}" -j"${JOBS:-2}"
