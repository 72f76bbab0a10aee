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
  EST_WITH_WEB=0 EST_SANITIZE=ON BUILD_DIR=build-asan scripts/build.sh
  (cd build-asan && ASAN_OPTIONS=detect_leaks=1:abort_on_error=1 UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1 \
     ctest --output-on-failure -j 2 -L cxx)
fi
echo "scripts/test.sh: all tests passed in $(( $(date +%s) - start )) s"
