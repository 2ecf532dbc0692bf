#!/usr/bin/env bash
# Installs every system package curlrl needs (Debian 12; Debian 13 too), idempotently. Run as root (or with sudo).
set -euo pipefail

packages=(
  build-essential cmake pkg-config git
  libtorch-dev                 # LibTorch (CPU): 1.13 on Debian 12, 2.6 on Debian 13
  libopenblas0-openmp          # fast BLAS for LibTorch; without it the reference BLAS is ~20x slower
  libmujoco-dev libqhull-dev   # MuJoCo 2.2.2 (its CMake package needs qhull's headers)
  libegl-dev libegl-mesa0 libgl1-mesa-dri libosmesa6-dev libgl-dev   # headless GL: EGL (Mesa) and OSMesa
  liblodepng-dev               # PNG pictures
  libopencv-dev                # videos (optional: scripts/build.sh --without-opencv builds without it)
  libcxxopts-dev libyaml-cpp-dev
  libgtest-dev libgmock-dev libbenchmark-dev
  clang libclang-rt-dev        # libFuzzer and the sanitizers for scripts/fuzz.sh (the default clang's runtime)
  python3 python3-matplotlib   # plotting scripts (Debian's /usr/bin/python3)
  python3-torch                # PyTorch for Python (as LibTorch): the weight-exchange tests, scripts/load_agent.py
)

missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if [ ${#missing[@]} -eq 0 ]; then
  echo "setup: all ${#packages[@]} packages already installed"
else
  SUDO=""
  [ "$(id -u)" -eq 0 ] || SUDO="sudo"
  echo "setup: installing ${missing[*]}"
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi

# LibTorch picks whichever libblas.so.3 the system provides: make sure it is OpenBLAS.
blas=$(readlink -f /usr/lib/x86_64-linux-gnu/libblas.so.3 2>/dev/null || true)
case "$blas" in
  *openblas*) echo "setup: BLAS is OpenBLAS ($blas)" ;;
  *) echo "setup: warning: libblas.so.3 is $blas, not OpenBLAS; LibTorch will be slow" >&2 ;;
esac
