#!/usr/bin/env bash
# national-peak: every EST group in Sweden meeting in the same hour — 300 meetings × 15 participants, each
# typing 1 keystroke/s in bursts. Targets (issue 5): p99 ≤ 10 ms, zero errors and losses, server RSS ≤ 300 MiB.
# DURATION and WARMUP (seconds) may be set; BENCH_THREADS, SERVER_THREADS, QUIET_WAIT: see lib.sh.
set -euo pipefail
source "$(dirname "$0")/lib.sh"
wait_for_quiet_machine
start_server
bench --meetings "${MEETINGS:-300}" --participants "${PARTICIPANTS:-15}" --rate "${RATE:-1}" \
  --duration "${DURATION:-60}" --warmup "${WARMUP:-10}" | tee "$BENCH_OUT/national-peak.json"
stop_server
