#!/usr/bin/env bash
# Installs what is missing, builds, and runs every test through ctest: unit tests of the core,
# integration tests against the real est-server, and (when the web client exists) its tests.
# Then builds once more with ASan+UBSan and runs the C++ tests again (EST_SANITIZE_PASS=0 skips it), then fuzzes.
set -euo pipefail
cd "$(dirname "$0")/.."
start=$(date +%s)
# Line tables and function names only: enough for every report a failing test prints, and a third less compile time.
export EST_DEBUG_INFO=${EST_DEBUG_INFO:--g1}
# Each phase says how long it took, so the CI log shows where the time goes.
mark=$start
took() { echo "scripts/test.sh: $1 took $(( $(date +%s) - mark )) s"; mark=$(date +%s); }
scripts/install-deps.sh
took "installing"
BUILD_DIR=build scripts/build.sh
took "the build"
(cd build && ctest --output-on-failure -j 2)
took "the tests (C++ and browser)"
if [[ "${EST_SANITIZE_PASS:-1}" == 1 ]]; then
  EST_WITH_WEB=0 EST_SANITIZE=ON BUILD_DIR=build-asan TARGETS="est-server est_core_tests est_server_tests est_integration_tests" \
    scripts/build.sh
  took "the ASan+UBSan build"
  (cd build-asan && ASAN_OPTIONS=detect_leaks=1:abort_on_error=1 UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1 \
     ctest --output-on-failure -j 2 -L cxx)
  took "the ASan+UBSan tests"
fi
# Fuzzing (docs/reliability.md, tests/fuzz/README.md): EST_FUZZ_SECONDS (default 270) is the time budget of
# the whole phase, shared equally by the targets run (EST_FUZZ_TARGETS, default all nine); 0 skips it. Each
# target starts from its seed corpus with -max_len at the real bound of what it reads. Any crash, sanitizer
# report (UBSan halts too) or broken invariant fails the run and leaves its input under build-fuzz/.
fuzz_budget=${EST_FUZZ_SECONDS:-270}
if [[ "$fuzz_budget" -gt 0 ]]; then
  # The largest input each target reads in production: a WebSocket message or a REST body (64 KiB: a BRÅ import's
  # file too), an HTTP request's head and body (16 + 64 KiB); snapshots and pictures are kept at 64 KiB (larger only
  # repeats).
  declare -A fuzz_max_len=([protocol]=65536 [text_operation]=65536 [template]=65536 [server_message]=65536
    [snapshot]=65536 [export]=65536 [catalog]=65537 [http_router]=81920 [bra_import]=65536)
  read -r -a fuzz_targets <<<"${EST_FUZZ_TARGETS:-protocol text_operation template server_message snapshot export catalog http_router bra_import}"
  fuzz_seconds=$(( fuzz_budget / ${#fuzz_targets[@]} ))
  (( fuzz_seconds > 0 )) || fuzz_seconds=1
  EST_WITH_WEB=0 EST_WITH_FUZZ=1 scripts/install-deps.sh
  CXX=clang++ cmake -S . -B build-fuzz -G Ninja -DEST_FUZZ=ON -DCMAKE_BUILD_TYPE=RelWithDebInfo \
    -DEST_DEBUG_INFO="$EST_DEBUG_INFO" >/dev/null
  cmake --build build-fuzz -j "${JOBS:-2}" --target "${fuzz_targets[@]/#/fuzz_}"
  for target in "${fuzz_targets[@]}"; do
    work=$(mktemp -d)
    echo "fuzz_$target: ${fuzz_seconds} s, -max_len=${fuzz_max_len[$target]:-65536}"
    UBSAN_OPTIONS=halt_on_error=1:print_stacktrace=1 \
      build-fuzz/tests/fuzz/fuzz_$target -max_total_time="$fuzz_seconds" -max_len="${fuzz_max_len[$target]:-65536}" \
      -print_final_stats=1 -artifact_prefix="build-fuzz/crash-$target-" "$work" "tests/fuzz/corpus/$target" 2>&1 |
      grep -E '^(stat::(number_of_executed_units|average_exec_per_sec)|Done|==|SUMMARY|fuzz invariant)' || true
    rm -rf "$work"
    if compgen -G "build-fuzz/crash-$target-*" >/dev/null; then
      echo "fuzz_$target found a crash: $(ls build-fuzz/crash-$target-*) — see tests/fuzz/README.md" >&2
      exit 1
    fi
  done
fi
took "fuzzing"
echo "scripts/test.sh: all tests passed in $(( $(date +%s) - start )) s"
