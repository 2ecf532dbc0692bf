#!/usr/bin/env bash
# Set-up, build, then every test (GoogleTest through CTest).
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/setup.sh
scripts/build.sh
cd build
ctest --output-on-failure -j"${JOBS:-2}" --timeout 900
