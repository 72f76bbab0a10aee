#!/usr/bin/env bash
# Installs what is missing, builds, and runs every test through ctest: unit tests of the core,
# integration tests against the real est-server, and (when the web client exists) its tests.
# Then builds once more with ASan+UBSan and runs the C++ tests again (EST_SANITIZE_PASS=0 skips it).
set -euo pipefail
cd "$(dirname "$0")/.."
start=$(date +%s)
scripts/install-deps.sh
BUILD_DIR=build scripts/build.sh
(cd build && ctest --output-on-failure -j 2)
if [[ "${EST_SANITIZE_PASS:-1}" == 1 ]]; then
  EST_WITH_WEB=0 EST_SANITIZE=ON BUILD_DIR=build-asan TARGETS="est-server est_core_tests est_server_tests est_integration_tests" \
    scripts/build.sh
  (cd build-asan && ASAN_OPTIONS=detect_leaks=1:abort_on_error=1 UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1 \
     ctest --output-on-failure -j 2 -L cxx)
fi
# Fuzzing: each libFuzzer target for EST_FUZZ_SECONDS (default 60) from its seed corpus; 0 skips.
fuzz_seconds=${EST_FUZZ_SECONDS:-60}
if [[ "$fuzz_seconds" -gt 0 ]]; then
  EST_WITH_WEB=0 EST_WITH_FUZZ=1 scripts/install-deps.sh
  CXX=clang++ cmake -S . -B build-fuzz -G Ninja -DEST_FUZZ=ON -DCMAKE_BUILD_TYPE=RelWithDebInfo >/dev/null
  cmake --build build-fuzz -j "${JOBS:-2}" --target fuzz_protocol fuzz_text_operation fuzz_template fuzz_server_message
  for target in protocol text_operation template server_message; do
    work=$(mktemp -d)
    echo "fuzz_$target: ${fuzz_seconds} s"
    build-fuzz/tests/fuzz/fuzz_$target -max_total_time="$fuzz_seconds" -max_len=4096 -print_final_stats=1 \
      -artifact_prefix="build-fuzz/crash-$target-" "$work" "tests/fuzz/corpus/$target" 2>&1 | grep -E '^(stat::number_of_executed_units|Done|==|SUMMARY)' || true
    rm -rf "$work"
    if compgen -G "build-fuzz/crash-$target-*" >/dev/null; then
      echo "fuzz_$target found a crash: $(ls build-fuzz/crash-$target-*) — add it as a regression test" >&2
      exit 1
    fi
  done
fi
echo "scripts/test.sh: all tests passed in $(( $(date +%s) - start )) s"
