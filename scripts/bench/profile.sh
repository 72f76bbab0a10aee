#!/usr/bin/env bash
# profile: one load step (default: the saturation set-up at 3 keystrokes/s, near the knee) with `perf record`
# (DWARF call graphs) on est-server — and on est-bench too with PROFILE_BENCH=1 — then the top functions by
# own time and the server's cost split by component. Needs perf (Debian: linux-perf) and
# kernel.perf_event_paranoid ≤ 2 for a process of one's own.
# MEETINGS, PARTICIPANTS, RATE, DURATION, WARMUP, PROFILE_SECONDS may be set.
set -euo pipefail
source "$(dirname "$0")/lib.sh"
command -v perf >/dev/null || { echo "perf is not installed (apt-get install linux-perf)" >&2; exit 2; }
duration=${DURATION:-20}
seconds=${PROFILE_SECONDS:-8}
out=$BENCH_OUT/profile
mkdir -p "$out"
wait_for_quiet_machine
start_server
# est-bench's progress lines (stderr) come through a pipe: recording starts a fixed offset after it says it
# began typing, i.e. inside the measured window.
exec {progress}< <(exec "$EST_BENCH" --server "$SERVER_URL" --server-pid "$SERVER_PID" --threads "$BENCH_THREADS" \
  --meetings "${MEETINGS:-50}" --participants "${PARTICIPANTS:-15}" --rate "${RATE:-3}" \
  --duration "$duration" --warmup "${WARMUP:-5}" 2>&1 >"$out/bench.txt")
bench_pid=$!
while read -r line <&"$progress"; do
  echo "$line" >&2
  [[ $line == *"typing:"* ]] && break
done
sleep "$(( ${WARMUP:-5} + 2 ))"
perf record -F 499 --call-graph dwarf,16384 -e cpu-clock -p "$SERVER_PID" -o "$out/server.perf" -- sleep "$seconds" \
  >/dev/null 2>&1 &
perf_server=$!
perf_bench=
if [[ ${PROFILE_BENCH:-0} == 1 ]]; then
  perf record -F 499 --call-graph dwarf,16384 -e cpu-clock -p "$bench_pid" -o "$out/bench.perf" -- sleep "$seconds" \
    >/dev/null 2>&1 &
  perf_bench=$!
fi
# Named waits only: a bare `wait` would also wait for est-server, which is a child of this shell too.
wait "$perf_server" || true
[[ -n $perf_bench ]] && { wait "$perf_bench" || true; }
cat <&"$progress" >&2 || true
wait "$bench_pid" || true
stop_server
cat "$out/bench.txt"

report() {  # report FILE TITLE; writes FILE.self, FILE.dso and FILE.children, prints their heads
  local file=$1
  perf report -i "$file" --no-children --sort sym -q -g none 2>/dev/null | grep -v '^$' >"$file.self" || true
  perf report -i "$file" --no-children --sort dso -q -g none 2>/dev/null | grep -v '^$' >"$file.dso" || true
  perf report -i "$file" --children --sort sym -q -g none 2>/dev/null | grep -v '^$' >"$file.children" || true
  echo
  echo "== $2: top functions by own time (share of the process's samples) =="
  head -n 30 "$file.self" | cut -c1-150
  echo
  echo "== $2: kernel vs user =="
  head -n 6 "$file.dso"
}
report "$out/server.perf" "est-server"
echo
echo "== est-server: inclusive share of a few components =="
for f in "websocket_session::do_write" "__libc_sendmsg" "websocket_session::deliver" "websocket_session::on_read" \
         "parse_client_message" "meeting_room::do_submit" "meeting_state::submit" "encode::op" "change_to_json" \
         "meeting_room::on_committed" "meeting_room::send_to_others" "store::run_batch" "sqlite3_step" "fdatasync" \
         "malloc" "websocket_session::drain_inbox" "meeting_room::on_durable" "sqlite3WalFrames"; do
  grep -F -m 1 "$f" "$out/server.perf.children" | awk -v f="$f" '{ printf "  %-36s %s\n", f, $1 }' || true
done
if [[ ${PROFILE_BENCH:-0} == 1 ]]; then report "$out/bench.perf" "est-bench"; fi
