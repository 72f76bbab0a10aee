#pragma once
// The live-load benchmark: R meetings × C participants typing against a running est-server, every
// (edit, receiving participant) pair timed. See docs/performance.md for the method.
#include <cstdint>
#include <string>
#include <vector>

#include "bench_setup.hpp"
#include "latency_histogram.hpp"
#include "typist.hpp"

namespace est::bench {

struct load_options {
    server_address server;
    unsigned meetings = 1;
    unsigned participants = 15;  // per meeting; each is its own organisation
    typing_model typing;         // typing.rate is K, keystrokes per second per participant
    double duration = 30;        // measured seconds
    double warmup = 5;           // seconds of typing before the measurement starts
    unsigned threads = 2;        // load-generator threads (each client stays on one)
    int server_pid = 0;          // for CPU and RSS from /proc; 0 = not measured
    unsigned connect_parallel = 64;  // joins in flight per thread while connecting
    double settle_timeout = 60;      // seconds to wait for every delivery after the typing stops
    bool progress = true;            // phase lines on stderr
};

struct latency_summary {
    std::uint64_t count = 0;
    double p50 = 0, p90 = 0, p99 = 0, p999 = 0, max = 0, mean = 0;  // milliseconds
    std::uint64_t over_50ms = 0;
    static latency_summary of(const latency_histogram& h);
};

struct load_result {
    load_options options;
    std::string ok_reason;  // empty when the run is clean; otherwise what was wrong
    double connect_seconds = 0;
    double window_seconds = 0;

    // Inside the measured window.
    std::uint64_t keystrokes = 0, ops = 0, acks = 0, deliveries = 0;
    double keystrokes_per_second = 0, ops_per_second = 0, deliveries_per_second = 0;
    double deliveries_per_op = 0;
    latency_summary keystroke_to_receipt;  // from the first keystroke composed into a change to its arrival
    latency_summary send_to_receipt;       // from the moment the change was sent to its arrival
    latency_summary ack;                   // from sending a change to its acknowledgement, at the author
    latency_summary timer_lag;             // how late the load generator fired keystrokes (its own overload)
    std::vector<std::uint64_t> deliveries_by_second;  // from the start of typing (warm-up included)

    // Correctness, over the whole run.
    std::uint64_t deliveries_total = 0, deliveries_expected = 0;
    std::uint64_t lost = 0, out_of_order = 0, gaps = 0, unattributed = 0, attribution_mismatches = 0;
    std::uint64_t errors = 0, reconnects = 0, exceptions = 0, skipped_keystrokes = 0;
    bool settled = false;
    double settle_seconds = 0;
    unsigned meetings_identical = 0, meetings_diverged = 0;
    std::uint64_t text_mismatches = 0;  // a participant's own field differs from what it typed
    std::vector<std::string> first_errors;

    // Cost.
    double server_cpu_percent = -1;  // of one core, over the window (200 = both cores)
    double server_cpu_ms_per_op = -1, server_cpu_us_per_delivery = -1;
    std::uint64_t server_rss_before = 0, server_rss_connected = 0, server_rss_max = 0, server_rss_end = 0, server_hwm = 0;
    unsigned server_threads = 0;
    double bench_cpu_percent = 0;
    std::uint64_t bench_rss = 0;
    double machine_busy_percent = 0;  // all CPUs, over the window
    double others_cpu_percent = 0;    // busy CPU of everything else during the window, % of one core
    double background_busy_percent = 0;  // all CPUs, in the second before the run
    std::string load_before, load_after;
};

load_result run_load(const load_options& o);

}  // namespace est::bench
