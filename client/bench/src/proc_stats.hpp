#pragma once
// Reads what Linux reports about a process and the machine (/proc): CPU time, resident memory, load.
#include <cstdint>
#include <string>

namespace est::bench {

struct process_sample {
    bool ok = false;
    double cpu_seconds = 0;      // user + system, all threads
    std::uint64_t rss_bytes = 0; // VmRSS
    std::uint64_t hwm_bytes = 0; // VmHWM: the peak resident set
    unsigned threads = 0;
};

// pid 0 reads this process.
process_sample read_process(int pid);

struct machine_sample {
    std::uint64_t busy_ticks = 0;
    std::uint64_t total_ticks = 0;
};
machine_sample read_machine();
// Busy share of all CPUs between two samples, 0..1.
double busy_share(const machine_sample& a, const machine_sample& b);

std::string load_average();  // the first three fields of /proc/loadavg
std::string cpu_model();     // "model name" of /proc/cpuinfo
unsigned cpu_count();
std::uint64_t memory_total_bytes();

}  // namespace est::bench
