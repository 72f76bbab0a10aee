#!/usr/bin/env bash
# One command for a newcomer: install what is missing, build, and start est-server on
# http://127.0.0.1:8080 with its database under ./data, in accounts mode.
#   scripts/run.sh --demo   also loads the demo group (EST-gruppen Fagersta) into a database without groups and
#                           makes its demo accounts; the server prints their e-mail addresses and one new random
#                           password at every start. DEMO ONLY: never on a real network.
# Other arguments go to est-server as they are (e.g. --port 9090); PORT, BIND and DATA_DIR may be set.
set -euo pipefail
cd "$(dirname "$0")/.."
demo=()
server_args=()
for arg in "$@"; do
  if [[ "$arg" == --demo ]]; then demo=(--demo server/demo/fagersta.json); else server_args+=("$arg"); fi
done
scripts/install-deps.sh
EST_BUILD_TESTS=OFF BUILD_DIR=build-run scripts/build.sh
web_root=()
[[ -f client/web/dist/index.html ]] && web_root=(--web-root client/web/dist)
data_dir="${DATA_DIR:-data}"
if [[ ${#demo[@]} -eq 0 && " ${server_args[*]:-} " != *" --open-access "* ]]; then
  cat <<EOF

Accounts mode: nobody can sign in until an account exists. If none does yet, make the first administrator:
stop the server (Ctrl-C; it reads the accounts at start), run this (it asks for the password twice, at least
12 characters):

  build-run/server/est-server admin create-user --data $data_dir --email du@kommun.se --name "Ditt Namn" --admin

and start scripts/run.sh again. Sign in at the address below, make a group on the administration page and
invite the others from it.
To try EST Live with demo accounts instead: scripts/run.sh --demo

EOF
fi
exec build-run/server/est-server --port "${PORT:-8080}" --bind "${BIND:-127.0.0.1}" --data "$data_dir" \
  --template templates/est-biweekly.json "${demo[@]}" "${web_root[@]}" "${server_args[@]}"
