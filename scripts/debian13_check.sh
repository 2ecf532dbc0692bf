#!/usr/bin/env bash
# Builds and tests curlrl on Debian 13 (trixie) in a chroot: LibTorch 2.6 (Debian's libtorch-dev), GCC 14, Mesa 25,
# OpenCV 4.10, GoogleTest 1.16, and PyTorch 2.6 for the Python tests. The newest Debian's versions of everything
# curlrl uses, and the LibTorch 2.x that GPU machines' pip torch also is. Checks the committed HEAD (git archive).
#
# usage: scripts/debian13_check.sh [--root DIR] [--summary FILE]
#   --root DIR      the chroot (default /var/tmp/curlrl-debian13); made with debootstrap when missing, reused after
#   --summary FILE  where to write the summary (default build/debian13_check.txt)
# Needs root, debootstrap (apt-get install debootstrap) and network: about 2.5 GB under DIR, then the build and the
# tests on all cores (about 40 minutes on 2 cores the first time; later checks rebuild only what changed).
set -euo pipefail
cd "$(dirname "$0")/.."
REPO=$(pwd)
ROOT=/var/tmp/curlrl-debian13; SUMMARY=build/debian13_check.txt
while [ $# -gt 0 ]; do
  case "$1" in
    --root) ROOT=$2; shift 2 ;;
    --summary) SUMMARY=$2; shift 2 ;;
    *) echo "debian13_check: unknown argument '$1' (see the usage at the top of scripts/debian13_check.sh)" >&2; exit 2 ;;
  esac
done
[ "$(id -u)" -eq 0 ] || { echo "debian13_check: needs root (debootstrap, chroot, mount)" >&2; exit 2; }
command -v debootstrap >/dev/null || { echo "debian13_check: no debootstrap (apt-get install debootstrap)" >&2; exit 2; }
mkdir -p "$(dirname "$SUMMARY")"
SUMMARY=$(cd "$(dirname "$SUMMARY")" && pwd)/$(basename "$SUMMARY")

if [ ! -x "$ROOT/usr/bin/apt-get" ]; then
  echo "debian13_check: debootstrap trixie into $ROOT"
  debootstrap --variant=minbase trixie "$ROOT" http://deb.debian.org/debian >/dev/null
fi
mounted=()
cleanup() { for ((i = ${#mounted[@]} - 1; i >= 0; i--)); do umount "${mounted[i]}" 2>/dev/null || true; done; }
trap cleanup EXIT
for m in proc sys dev dev/pts dev/shm; do
  if ! mountpoint -q "$ROOT/$m"; then mount --bind "/$m" "$ROOT/$m"; mounted+=("$ROOT/$m"); fi
done
cp /etc/resolv.conf "$ROOT/etc/resolv.conf"

# HEAD's files into $ROOT/src; a file whose content is unchanged keeps its time, so a build folder left there by
# an earlier check rebuilds only what changed.
STAGE=$(mktemp -d)
git -C "$REPO" archive HEAD | tar -x -C "$STAGE"
mkdir -p "$ROOT/src"
(cd "$STAGE" && find . -type f) | while read -r f; do
  cmp -s "$STAGE/$f" "$ROOT/src/$f" || { mkdir -p "$(dirname "$ROOT/src/$f")"; cp "$STAGE/$f" "$ROOT/src/$f"; }
done
rm -rf "$STAGE"
COMMIT=$(git -C "$REPO" rev-parse --short HEAD)
LOG=$ROOT/src/debian13_check.log
set +e
# The README's test command (packages, build, every test), on all cores.
chroot "$ROOT" bash -c 'cd /src && JOBS=$(nproc) scripts/test.sh' > "$LOG" 2>&1
rc=$?
set -e
{
  echo "debian13_check $(date -u +%FT%TZ) commit $COMMIT: $([ $rc -eq 0 ] && echo passed || echo FAILED rc=$rc)"
  chroot "$ROOT" bash -c 'echo "debian $(cat /etc/debian_version), $(g++ --version | head -n 1), cmake $(cmake --version | head -n 1 | cut -d" " -f3)";
    dpkg-query -W -f="\${Package} \${Version}\n" libtorch-dev python3-torch libmujoco-dev libgl1-mesa-dri libopencv-dev libgtest-dev'
  grep -E "tests passed|tests failed|^\s+[0-9]+ - " "$LOG" || echo "(no test summary: see $LOG)"
} | tee "$SUMMARY"
echo "debian13_check: full log in $LOG, summary in $SUMMARY"
exit $rc
