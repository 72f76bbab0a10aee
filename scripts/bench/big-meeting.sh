#!/usr/bin/env bash
# big-meeting: one meeting of 200 participants (est-server allows 250 by default), each typing 2 keystrokes/s:
# every change goes to 199 others. A group has at most 50 organisations, so four participants share each
# organisation's cell, each typing in an entry of its own. Target (issue 5): p99 ≤ 25 ms.
set -euo pipefail
source "$(dirname "$0")/lib.sh"
measure "big-meeting${RATE:+-$RATE}" --meetings 1 --participants "${PARTICIPANTS:-200}" --rate "${RATE:-2}" \
  --duration "${DURATION:-60}" --warmup "${WARMUP:-10}"
