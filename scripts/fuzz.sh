#!/usr/bin/env bash
# Builds the libFuzzer targets of tests/fuzz/ with Debian's clang (AddressSanitizer and UndefinedBehaviorSanitizer;
# core/ is torch-free, so only the readers under test and yaml-cpp are linked; the tensor-file reader links LibTorch) and runs each for SECONDS (default 60)
# from its committed seed corpus, tests/fuzz/corpus/<target>/. Prints one line per target: executions, and crashes
# found. A crash leaves its input in build/fuzz/crashes/<target>/ and makes the script exit non-zero: turn it into a
# unit test, fix it, and keep the input in the seed corpus.
#
#   scripts/fuzz.sh            # 60 s per target
#   scripts/fuzz.sh 10         # what CI runs
#   FUZZ_TARGETS="manifest csv" scripts/fuzz.sh 300
#   FUZZ_SEED=1 scripts/fuzz.sh 10   # libFuzzer's random seed fixed (CI), so a failure there can be replayed
set -euo pipefail
cd "$(dirname "$0")/.."
seconds=${1:-60}
case "$seconds" in ''|*[!0-9]*) echo "fuzz.sh: SECONDS must be a whole number, got '$seconds'" >&2; exit 2 ;; esac
targets=${FUZZ_TARGETS:-"manifest csv overrides yaml tensor_file"}
out=build/fuzz
cxx=${CXX_FUZZ:-clang++}
command -v "$cxx" >/dev/null || { echo "fuzz.sh: $cxx not found; run scripts/setup.sh (it installs clang and libclang-rt-dev)" >&2; exit 2; }
flags=(-std=c++20 -O1 -g -fno-omit-frame-pointer -fsanitize=address,undefined -fno-sanitize-recover=undefined -I.)
sources=(core/config.cpp core/compose.cpp core/key_schema.cpp core/schema.cpp core/settings.cpp core/io.cpp core/csv.cpp
         core/manifest.cpp core/checksum.cpp)
mkdir -p "$out/obj"

# The readers under test, compiled once for every target (rebuilt when a source is newer than its object).
objects=()
for src in "${sources[@]}"; do
  obj="$out/obj/$(basename "${src%.cpp}").o"
  if [[ ! -f "$obj" || "$src" -nt "$obj" || -n "$(find core -name '*.h' -newer "$obj" -print -quit)" ]]; then
    "$cxx" "${flags[@]}" -fsanitize=fuzzer-no-link -c "$src" -o "$obj"
  fi
  objects+=("$obj")
done

failed=0
# The tensor-file reader needs LibTorch (Debian's, built with GCC; the same C++ ABI). Its 1.13 headers do not compile
# as C++20 with clang 14: that target is C++17.
torch_flags=(-std=c++17 -isystem /usr/include/torch/csrc/api/include -D_GLIBCXX_USE_CXX11_ABI=1)
torch_obj=$out/obj/tensor_file.o
for t in $targets; do
  src=tests/fuzz/fuzz_$t.cpp
  [[ -f "$src" ]] || { echo "fuzz.sh: no target '$t' ($src)" >&2; exit 2; }
  extra=(); leaks=1; limits=(-rss_limit_mb=2048)
  if [[ $t == tensor_file ]]; then
    if [[ ! -f "$torch_obj" || agents/tensor_file.cpp -nt "$torch_obj" || agents/tensor_file.h -nt "$torch_obj" ]]; then
      "$cxx" "${flags[@]}" "${torch_flags[@]}" -fsanitize=fuzzer-no-link -c agents/tensor_file.cpp -o "$torch_obj"
    fi
    extra=("${torch_flags[@]}" "$torch_obj" -ltorch -ltorch_cpu -lc10)
    leaks=0  # LibTorch keeps global allocations until exit
    # LibTorch 1.13's unpickler trusts a string's length field: a damaged 1 KB file makes it reserve (and touch) up to
    # about 2 GB before it fails with a clean error (corpus/tensor_file/libtorch_trusts_lengths). That is LibTorch's,
    # not a crash of curlrl's: allow it, and still stop anything that needs more.
    limits=(-rss_limit_mb=8192 -malloc_limit_mb=8192)
  fi
  "$cxx" "${flags[@]}" -fsanitize=fuzzer "$src" "${objects[@]}" "${extra[@]}" -lyaml-cpp -o "$out/fuzz_$t"
  work="$out/corpus/$t"; crashes="$out/crashes/$t"
  mkdir -p "$work" "$crashes"
  log="$out/fuzz_$t.log"
  set +e
  ASAN_OPTIONS=detect_leaks=$leaks "$out/fuzz_$t" -max_total_time="$seconds" -timeout=10 "${limits[@]}" \
    -artifact_prefix="$crashes/" -print_final_stats=1 ${FUZZ_SEED:+-seed="$FUZZ_SEED"} \
    "$work" "tests/fuzz/corpus/$t" > "$log" 2>&1
  rc=$?
  set -e
  execs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log" | tail -1)
  found=$(find "$crashes" -type f | wc -l)
  if [[ $rc -ne 0 || $found -gt 0 ]]; then
    failed=1
    echo "fuzz $t: FAILED after ${execs:-?} executions in ${seconds} s: $found input(s) in $crashes (log: $log)"
    grep -m3 -E "ERROR|SUMMARY|runtime error|uncaught|terminate" "$log" | sed 's/^/  /' || true
  else
    echo "fuzz $t: ${execs:-?} executions in ${seconds} s, no crashes (corpus: $(ls "$work" | wc -l) inputs)"
  fi
done
exit $failed
