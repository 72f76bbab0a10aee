#!/usr/bin/env bash
# Configures and builds EST Live. BUILD_DIR (default build), EST_SANITIZE=1 (ASan+UBSan) and EST_DEBUG_INFO (-g,
# the default; -g1 for line tables only) may be set.
set -euo pipefail
cd "$(dirname "$0")/.."
build_dir=${BUILD_DIR:-build}
cmake -S . -B "$build_dir" -G Ninja -DCMAKE_BUILD_TYPE="${BUILD_TYPE:-RelWithDebInfo}" \
  -DEST_SANITIZE="${EST_SANITIZE:-OFF}" -DEST_BUILD_TESTS="${EST_BUILD_TESTS:-ON}" \
  -DEST_WEB_TESTS="${EST_WITH_WEB:-1}" -DEST_DEBUG_INFO="${EST_DEBUG_INFO:--g}" >/dev/null
# Two cores: more jobs only thrash memory on the Beast-heavy files.
# TARGETS (space-separated) limits the build, e.g. to what a test pass needs.
targets=()
for t in ${TARGETS:-}; do targets+=(--target "$t"); done
cmake --build "$build_dir" -j "${JOBS:-2}" "${targets[@]}"
if [[ -f client/web/package.json && "${EST_WITH_WEB:-1}" == 1 ]]; then
  (cd client/web && { [[ -d node_modules ]] && [[ node_modules/.package-lock.json -nt package-lock.json ]] || npm ci --no-audit --no-fund; } && npm run build)
fi
