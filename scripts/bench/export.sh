#!/usr/bin/env bash
# export: time to render a meeting's picture (GET /api/meetings/ID/export), as HTML and as JSON, one request
# at a time on a new connection each:
#  - the demo's sample meeting (server/demo/fagersta.json): a realistic picture;
#  - meetings built by `est-bench join` with 10k and 100k revisions of history (one writer, 100 entries, text
#    in all five fields of each), first right after a restart (the export loads the room from disk), then warm.
# HISTORIES (default "10000 100000") and SAMPLES (default 50) may be set.
set -euo pipefail
source "$(dirname "$0")/lib.sh"
out="$BENCH_OUT/export.jsonl"
: >"$out"
samples=${SAMPLES:-50}

wait_for_quiet_machine
start_server "" --demo "$repo_root/server/demo/fagersta.json"
for meeting in $("$build_dir/client/est-cli" --server "$SERVER_URL" meetings --group fagersta | jq -r '.[].id'); do
  for format in html json; do
    bench export --meeting "$meeting" --format "$format" --samples "$samples" >>"$out" || echo "# export of $meeting as $format failed" >&2
  done
done
stop_server

for history in ${HISTORIES:-10000 100000}; do
  wait_for_quiet_machine
  data=$(mktemp -d "${TMPDIR:-/tmp}/est-bench-export-XXXXXX")
  start_server "$data"
  # One writer: a second one's broadcasts would reach the first at tens of thousands per second, and a writer
  # whose thread falls behind is closed as a slow consumer (1008), stalling the build.
  meeting=$(bench join --history "$history" --writers 1 --entries 100 --samples 0 | jq -r '.meeting')
  stop_server keep
  for format in html json; do
    start_server "$data"  # a restart: the first export loads the room
    bench export --meeting "$meeting" --format "$format" --samples "$samples" >>"$out" || echo "# export of $meeting as $format failed" >&2
    stop_server keep
  done
  rm -rf "$data"
done
jq -c '{meeting, format, rev, bytes, first_ms, p50_ms: .warm.p50_ms, p99_ms: .warm.p99_ms, server_cpu_ms_per_export}' "$out" >&2
