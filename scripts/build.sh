#!/usr/bin/env bash
# Configures and builds curlrl into build/ (Release, 2 jobs by default: JOBS=N to change).
set -euo pipefail
cd "$(dirname "$0")/.."
cmake -S . -B build -DCMAKE_BUILD_TYPE=Release >/dev/null
cmake --build build -j"${JOBS:-2}"
