#!/usr/bin/env bash
# Downloads, on a Debian 12 machine with apt and network, the small Debian packages a GPU machine without them (and
# often without network or root) needs to build curlrl against its own CUDA LibTorch: MuJoCo and its libraries,
# yaml-cpp, cxxopts, GoogleTest, lodepng, the EGL/GL headers and glvnd's libEGL. Carry the folder to the GPU machine;
# there the packages are unpacked into a prefix with `dpkg -x` (no root needed). About 2 MB.
#
# usage: scripts/fetch_gpu_debs.sh [DIR]      (default: gpu-debs/; the folder gets the .deb files and SHA256SUMS)
set -euo pipefail
DIR=${1:-gpu-debs}
PACKAGES=(libmujoco2.2.2 libmujoco-dev libccd2 liblodepng0 liblodepng-dev libqhull-r8.0 libtinyxml2-9
          libyaml-cpp0.7 libyaml-cpp-dev libcxxopts-dev libgtest-dev libegl-dev libgl-dev libosmesa6-dev libegl1
          libglvnd0)
command -v apt-get >/dev/null || { echo "fetch_gpu_debs: needs apt-get (a Debian 12 machine)" >&2; exit 2; }
mkdir -p "$DIR"
cd "$DIR"
if ! apt-get download "${PACKAGES[@]}" >/dev/null 2>apt.err; then
  echo "fetch_gpu_debs: apt-get download failed: $(grep -m1 -E '^E:' apt.err || tail -n 1 apt.err)" \
       "(run apt-get update first?)" >&2
  exit 1
fi
rm -f apt.err
for p in "${PACKAGES[@]}"; do
  ls "${p}"_*.deb >/dev/null 2>&1 || { echo "fetch_gpu_debs: $p was not downloaded" >&2; exit 1; }
done
sha256sum ./*.deb > SHA256SUMS
echo "fetch_gpu_debs: ${#PACKAGES[@]} packages, $(du -sh . | cut -f1), in $(pwd) (checksums in SHA256SUMS)"
