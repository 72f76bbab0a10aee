#!/usr/bin/env bash
# join: a meeting with 10k and with 100k revisions of history; a fresh participant's time from connect to a
# usable replica, with the room loaded, and again as the first join after a server restart (the room is
# loaded from the latest snapshot and the ops after it). Then the server's memory per idle connection.
# Targets (issue 5): join of 100k history ≤ 100 ms; ≤ 64 KiB per idle connection.
# HISTORIES (default "10000 100000"), SAMPLES, IDLE (default 2000) may be set.
set -euo pipefail
source "$(dirname "$0")/lib.sh"
: >"$BENCH_OUT/join.jsonl"
idle=${IDLE:-2000}
for history in ${HISTORIES:-10000 100000}; do
  wait_for_quiet_machine
  data=$(mktemp -d "${TMPDIR:-/tmp}/est-bench-join-XXXXXX")
  start_server "$data"
  # One writer with 500 fields in flight: with two, changes wait behind the other writer's too, outrun the
  # default merge window (--history-bytes), and the server rightly answers stale_revision.
  line=$(bench join --history "$history" --writers 1 --entries 100 --samples "${SAMPLES:-20}" --idle "$idle" || true)
  echo "$line" >>"$BENCH_OUT/join.jsonl"
  meeting=$(jq -r '.meeting' <<<"$line")
  stop_server keep
  idle=0  # memory per connection once is enough
  # The same data after a restart: the first join loads the room.
  start_server "$data"
  line=$(bench join --meeting "$meeting" --samples "${SAMPLES:-20}" || true)
  echo "$line" >>"$BENCH_OUT/join.jsonl"
  stop_server keep
  echo "# history $history: $(du -sh "$data" | cut -f1) on disk" >&2
  rm -rf "$data"
done
