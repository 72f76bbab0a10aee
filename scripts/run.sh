#!/usr/bin/env bash
# One command for a newcomer: install what is missing, build, and start est-server on
# http://127.0.0.1:8080 with its database under ./data and a demo group (EST-gruppen Fagersta).
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/install-deps.sh
EST_BUILD_TESTS=OFF BUILD_DIR=build-run scripts/build.sh
web_root=()
[[ -f client/web/dist/index.html ]] && web_root=(--web-root client/web/dist)
exec build-run/server/est-server --port "${PORT:-8080}" --bind "${BIND:-127.0.0.1}" --data "${DATA_DIR:-data}" \
  --template templates/est-biweekly.json --demo server/demo/fagersta.json "${web_root[@]}" "$@"
