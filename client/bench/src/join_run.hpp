#pragma once
// The join benchmark: builds a meeting with a long history (or takes an existing one) and times how long a
// fresh participant waits from connecting to a usable replica; then measures the server's memory per idle
// connection. See docs/performance.md.
#include <cstdint>
#include <string>
#include <vector>

#include "bench_setup.hpp"

namespace est::bench {

struct join_options {
    server_address server;
    std::uint64_t history = 0;          // build a meeting with this many revisions first
    std::string meeting;                // or time joins of this existing meeting (its group has org "o1")
    unsigned writers = 2;               // clients building the history, each with its own organisation
    unsigned entries_per_writer = 50;   // × 5 text fields = changes in flight per writer
    unsigned samples = 10;              // timed joins
    unsigned idle = 0;                  // idle participants to connect for the memory figure
    unsigned idle_per_meeting = 50;
    unsigned threads = 2;
    int server_pid = 0;
    bool progress = true;
};

struct join_sample {
    double welcome_ms = 0;  // connect → the welcome has arrived and is parsed
    double ready_ms = 0;    // connect → the replica is built from it (the client can show the meeting)
};

struct join_result {
    join_options options;
    std::string ok_reason;
    std::string meeting;
    std::uint64_t rev = 0;  // revisions of history in the meeting
    double build_seconds = 0, build_ops_per_second = 0, build_server_cpu_percent = -1;
    std::size_t welcome_bytes = 0;
    std::size_t text_units = 0;  // UTF-16 units of text in the meeting's picture
    std::vector<join_sample> samples;  // [0] is the first join of this run: after a restart it loads the room
    std::uint64_t errors = 0;
    std::vector<std::string> first_errors;

    unsigned idle_connected = 0;
    std::uint64_t server_rss_before_idle = 0, server_rss_after_idle = 0;
    double server_bytes_per_idle = -1;
    double bench_bytes_per_idle = -1;
    std::string load_before, load_after;
};

join_result run_join(const join_options& o);

}  // namespace est::bench
