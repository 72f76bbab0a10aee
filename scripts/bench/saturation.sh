#!/usr/bin/env bash
# saturation: MEETINGS (default 50) × 15 participants; the typing rate goes up step by step (a fresh server
# each step) until the p99 from keystroke to every other participant passes 50 ms, or a step is not clean.
# Prints each step and the highest deliveries/s sustained with p99 ≤ 50 ms. Target (issue 5): ≥ 100,000/s.
# RATES (keystrokes/s per participant), DURATION, WARMUP may be set.
set -euo pipefail
source "$(dirname "$0")/lib.sh"
rates=${RATES:-"0.25 0.5 1 1.5 2 2.5 3 3.5 4 5 6 8 12 16"}
best_rate= best_deliveries=0
: >"$BENCH_OUT/saturation.jsonl"
for rate in $rates; do
  wait_for_quiet_machine
  start_server
  line=$(bench --meetings "${MEETINGS:-50}" --participants "${PARTICIPANTS:-15}" --rate "$rate" \
    --duration "${DURATION:-20}" --warmup "${WARMUP:-5}" --settle-timeout 60 || true)
  stop_server
  echo "$line" >>"$BENCH_OUT/saturation.jsonl"
  ok=$(jq -r '.ok' <<<"$line")
  p99=$(jq -r '.keystroke_to_receipt.p99_ms' <<<"$line")
  deliveries=$(jq -r '.deliveries_per_s' <<<"$line")
  jq -c '{rate, ok, keystrokes_per_s, ops_per_s, deliveries_per_s, p50: .keystroke_to_receipt.p50_ms,
          p99: .keystroke_to_receipt.p99_ms, send_p99: .send_to_receipt.p99_ms, ack_p99: .ack.p99_ms,
          server_cpu: .server.cpu_percent, bench_cpu: .bench.cpu_percent, others_cpu: .others_cpu_percent,
          lag_p99: .bench_timer_lag.p99_ms}' <<<"$line" | sed 's/^/step: /'
  if [[ $ok != true ]] || awk -v p="$p99" 'BEGIN { exit !(p > 50) }'; then
    echo "p99 ${p99} ms (ok=$ok) at $rate keystrokes/s: past the limit"
    break
  fi
  best_rate=$rate
  best_deliveries=$deliveries
done
echo "saturation: highest sustained ${best_deliveries} deliveries/s with p99 ≤ 50 ms (rate ${best_rate:-none} keystrokes/s per participant, ${MEETINGS:-50} × ${PARTICIPANTS:-15})"
