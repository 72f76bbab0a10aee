#!/usr/bin/env bash
# big-meeting: one meeting of 200 participants (est-server allows 250 by default), each typing 2 keystrokes/s:
# every change goes to 199 others. Target (issue 5): p99 ≤ 25 ms.
set -euo pipefail
source "$(dirname "$0")/lib.sh"
wait_for_quiet_machine
start_server
bench --meetings 1 --participants "${PARTICIPANTS:-200}" --rate "${RATE:-2}" \
  --duration "${DURATION:-60}" --warmup "${WARMUP:-10}" | tee "$BENCH_OUT/big-meeting.json"
stop_server
