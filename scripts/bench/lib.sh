# Shared by the scenario scripts: start est-server on a free port in a fresh data folder, wait for its ready
# line (never a sleep), stop it with SIGTERM. Source it; do not run it.
# Settings: BUILD_DIR (default build), EST_SERVER, EST_BENCH, BENCH_THREADS (load-generator threads, default 2),
# SERVER_THREADS (default 2), SERVER_FLAGS (more est-server flags, e.g. "--sync normal"), SERVER_CPUS / BENCH_CPUS
# (pin each process to these CPUs with taskset, e.g. SERVER_CPUS=0 BENCH_CPUS=1), KEEP_DATA=1 keeps the
# data folders, BENCH_OUT (folder for JSON results, default build/bench-results).

repo_root=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
build_dir=${BUILD_DIR:-$repo_root/build}
EST_SERVER=${EST_SERVER:-$build_dir/server/est-server}
EST_BENCH=${EST_BENCH:-$build_dir/client/bench/est-bench}
BENCH_THREADS=${BENCH_THREADS:-2}
SERVER_THREADS=${SERVER_THREADS:-2}
BENCH_OUT=${BENCH_OUT:-$repo_root/build/bench-results}
mkdir -p "$BENCH_OUT"

# Optional pinning: the process execs through taskset, so its PID stays the one the scripts watch.
server_pin=() bench_pin=()
[[ -n ${SERVER_CPUS:-} ]] && server_pin=(taskset -c "$SERVER_CPUS")
[[ -n ${BENCH_CPUS:-} ]] && bench_pin=(taskset -c "$BENCH_CPUS")

for bin in "$EST_SERVER" "$EST_BENCH"; do
  [[ -x $bin ]] || { echo "missing $bin: cmake --build $build_dir --target est-server est-bench" >&2; exit 2; }
done

# 4,500 sockets on each side, plus files: raise the descriptor limit as far as allowed.
ulimit -n "$(ulimit -Hn)" 2>/dev/null || true
if (( $(ulimit -n) < 10000 )); then echo "warning: ulimit -n is $(ulimit -n); the large scenarios need 10000" >&2; fi

# Flags that only some est-server versions have: lift the per-connection limits that would otherwise
# throttle a load generator sending many connections' worth of traffic from one address.
server_extra_flags() {
  local help
  help=$("$EST_SERVER" --help 2>&1)
  grep -q -- '--max-connections-per-address' <<<"$help" && echo --max-connections-per-address 0
  grep -q -- '--max-messages-per-second' <<<"$help" && echo --max-messages-per-second 1000000
  grep -q -- '--max-creations-per-minute' <<<"$help" && echo --max-creations-per-minute 0
  # Each meeting the benchmark makes is opened (a lifecycle move, charged per address under --open-access).
  grep -q -- '--max-moves-per-minute' <<<"$help" && echo --max-moves-per-minute 0
  return 0
}

SERVER_PID=
SERVER_URL=
SERVER_DATA=
SERVER_LOG=

# start_server [DATA_DIR] [extra est-server flags...]: a fresh temp folder when DATA_DIR is empty.
start_server() {
  local data=${1:-}
  shift || true
  if [[ -z $data ]]; then data=$(mktemp -d "${TMPDIR:-/tmp}/est-bench-XXXXXX"); fi
  SERVER_DATA=$data
  SERVER_LOG=$data/server.log
  local fd line
  # The benchmarks speak the live protocol as anonymous tools: --open-access (loopback only).
  # The server prints exactly one line on stdout when it listens: read it from a pipe.
  # shellcheck disable=SC2046
  exec {fd}< <(exec "${server_pin[@]}" "$EST_SERVER" --port 0 --data "$data" --template "$repo_root/templates/est-biweekly.json" \
    --threads "$SERVER_THREADS" --open-access $(server_extra_flags) ${SERVER_FLAGS:-} "$@" 2>>"$SERVER_LOG")
  SERVER_PID=$!
  if ! read -r -t 60 line <&"$fd" || [[ $line != "listening on http://"* ]]; then
    echo "est-server did not start: '$line'; see $SERVER_LOG" >&2
    cat "$SERVER_LOG" >&2
    kill -KILL "$SERVER_PID" 2>/dev/null || true
    exit 1
  fi
  exec {fd}<&-
  SERVER_URL=${line#listening on }
  echo "# est-server pid $SERVER_PID at $SERVER_URL, data $data, $(uptime | sed 's/.*load/load/')" >&2
}

# stop_server [keep]: SIGTERM, wait for the exit; removes the data folder unless KEEP_DATA=1 or "keep".
stop_server() {
  [[ -n $SERVER_PID ]] || return 0
  kill -TERM "$SERVER_PID" 2>/dev/null || true
  wait "$SERVER_PID" 2>/dev/null || true
  SERVER_PID=
  if [[ ${1:-} != keep && ${KEEP_DATA:-0} != 1 && -n $SERVER_DATA ]]; then rm -rf "$SERVER_DATA"; fi
}
trap 'stop_server' EXIT

# bench ARGS...: runs est-bench against the current server; the human summary goes to stderr, the JSON line
# (est-bench's last line) to stdout. Returns est-bench's status (1 when the run was not clean).
bench() {
  local out rc=0
  out=$("${bench_pin[@]}" "$EST_BENCH" --server "$SERVER_URL" --server-pid "$SERVER_PID" --threads "$BENCH_THREADS" "$@") || rc=$?
  sed '$d' <<<"$out" >&2
  tail -n 1 <<<"$out"
  return $rc
}

load_average() { cut -d' ' -f1-3 /proc/loadavg; }

# wait_for_quiet_machine: when QUIET_WAIT=N (seconds) is set, waits up to N s for a second in which the
# machine is at most QUIET_BUSY % busy (default 15), so other builds on a shared machine disturb less.
# Always prints what it saw; never fails.
machine_busy_percent() {  # over one second
  local a b
  read -r _ a1 a2 a3 a4 a5 a6 a7 a8 _ < /proc/stat
  sleep 1
  read -r _ b1 b2 b3 b4 b5 b6 b7 b8 _ < /proc/stat
  local total=$(( (b1+b2+b3+b4+b5+b6+b7+b8) - (a1+a2+a3+a4+a5+a6+a7+a8) ))
  local idle=$(( (b4+b5) - (a4+a5) ))
  echo $(( total > 0 ? 100 * (total - idle) / total : 0 ))
}
wait_for_quiet_machine() {
  local limit=${QUIET_WAIT:-0} busy waited=0
  busy=$(machine_busy_percent)
  while (( limit > 0 && busy > ${QUIET_BUSY:-15} && waited < limit )); do
    busy=$(machine_busy_percent)
    waited=$((waited + 1))
  done
  echo "# machine ${busy}% busy before the run (waited ${waited} s), load $(load_average)" >&2
}

# measure NAME ARGS...: one run on a fresh server (start, est-bench ARGS, stop); when other processes took more
# than DISTURBED_CPU % of a core during the window (default 25), tries again after waiting for a quiet
# machine, up to RETRIES more times (default 2), and keeps the least disturbed run. Prints its JSON line and
# writes it to $BENCH_OUT/NAME.json; every attempt goes to $BENCH_OUT/NAME.attempts.jsonl.
measure() {
  local name=$1 best= best_others= line others attempt rc=0
  shift
  : >"$BENCH_OUT/$name.attempts.jsonl"
  for (( attempt = 0; attempt <= ${RETRIES:-2}; attempt++ )); do
    wait_for_quiet_machine
    start_server
    line=$(bench "$@") || rc=$?
    stop_server
    echo "$line" >>"$BENCH_OUT/$name.attempts.jsonl"
    others=$(jq -r '.others_cpu_percent // 0' <<<"$line" 2>/dev/null || echo 0)
    if [[ -z $best ]] || awk -v a="$others" -v b="$best_others" 'BEGIN { exit !(a < b) }'; then
      best=$line best_others=$others
    fi
    if awk -v a="$others" -v l="${DISTURBED_CPU:-25}" 'BEGIN { exit !(a <= l) }'; then break; fi
    echo "# attempt $((attempt + 1)): other processes used ${others} % of a core during the window" >&2
  done
  echo "$best" | tee "$BENCH_OUT/$name.json"
  return $rc
}
