#!/usr/bin/env bash
# Soak: 300 meetings × 15 participants typing for a set time against one est-server, sampling the server's
# RSS and CPU over time. Not a CI test. Usage: scripts/soak.sh [SECONDS] (default 600).
# Reports errors, reconnects, lost or out-of-order deliveries and whether every client's final state equals
# the others' (est-bench checks this after the typing), plus RSS over time (build/bench-results/soak-rss.csv).
set -euo pipefail
seconds=${1:-600}
MEETINGS=${MEETINGS:-300}
PARTICIPANTS=${PARTICIPANTS:-15}
RATE=${RATE:-1}
# shellcheck source=bench/lib.sh
source "$(dirname "$0")/bench/lib.sh"

start_server ""
trap 'stop_server' EXIT
csv=$BENCH_OUT/soak-rss.csv
echo "elapsed_s,rss_kib,server_cpu_ticks" > "$csv"
(
  t0=$(date +%s)
  while kill -0 "$SERVER_PID" 2>/dev/null; do
    rss=$(awk '/^VmRSS:/ {print $2}' "/proc/$SERVER_PID/status" 2>/dev/null || echo 0)
    ticks=$(awk '{print $14 + $15}' "/proc/$SERVER_PID/stat" 2>/dev/null || echo 0)
    echo "$(( $(date +%s) - t0 )),$rss,$ticks" >> "$csv"
    read -r -t 10 <> <(:) || true   # a 10 s sampling period, without sleep(1)'s process per sample
  done
) &
sampler=$!
"$EST_BENCH" --server "$SERVER_URL" --server-pid "$SERVER_PID" --threads "$BENCH_THREADS" \
  -R "$MEETINGS" -C "$PARTICIPANTS" -K "$RATE" -S "$seconds" -W 10 | tee "$BENCH_OUT/soak.txt"
kill "$sampler" 2>/dev/null || true
echo "RSS over time (KiB), every 10 s: $(cut -d, -f2 "$csv" | tail -n +2 | tr '\n' ' ')"
