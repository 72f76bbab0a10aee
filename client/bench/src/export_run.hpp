#pragma once
// The export benchmark: times GET /api/meetings/ID/export of an existing meeting, one request at a time. The
// first request may load the meeting's room (after a restart); the rest render a picture already in memory.
// See docs/performance.md.
#include <cstdint>
#include <string>
#include <vector>

#include "bench_setup.hpp"
#include "load_run.hpp"

namespace est::bench {

struct export_options {
    server_address server;
    std::string meeting;
    std::string format = "html";  // html or json
    unsigned samples = 20;        // timed exports after the first
    int server_pid = 0;
    bool progress = true;
};

struct export_result {
    export_options options;
    std::string ok_reason;
    // Request → whole answer, on a new connection each: the first, and the rest (the room is loaded by then).
    double first_ms = 0;
    latency_summary warm;
    std::size_t bytes = 0;   // of the answer's body
    std::uint64_t rev = 0;   // the picture's revision
    std::string digest;
    double server_cpu_ms_per_export = -1;  // after the first
    std::string load_before, load_after;
};

export_result run_export(const export_options& o);

}  // namespace est::bench
