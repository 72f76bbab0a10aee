#!/usr/bin/env bash
# national-peak: every EST group in Sweden meeting in the same hour — 300 meetings × 15 participants, each
# typing 1 keystroke/s in bursts. Targets (issue 5): p99 ≤ 10 ms, zero errors and losses, server RSS ≤ 300 MiB.
# MEETINGS, PARTICIPANTS, RATE, DURATION, WARMUP may be set; BENCH_THREADS, SERVER_THREADS, QUIET_WAIT,
# RETRIES: see lib.sh.
set -euo pipefail
source "$(dirname "$0")/lib.sh"
measure "national-peak${RATE:+-$RATE}" --meetings "${MEETINGS:-300}" --participants "${PARTICIPANTS:-15}" \
  --rate "${RATE:-1}" --duration "${DURATION:-60}" --warmup "${WARMUP:-10}"
