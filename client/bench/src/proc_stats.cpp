#include "proc_stats.hpp"

#include <fstream>
#include <sstream>
#include <thread>

#include <unistd.h>

namespace est::bench {

namespace {
std::string slurp(const std::string& path) {
    std::ifstream in(path);
    std::stringstream ss;
    ss << in.rdbuf();
    return ss.str();
}

std::uint64_t status_kib(const std::string& status, const std::string& key) {
    const auto p = status.find(key + ":");
    if (p == std::string::npos) return 0;
    return std::stoull(status.substr(p + key.size() + 1));
}
}  // namespace

process_sample read_process(int pid) {
    process_sample s;
    const std::string dir = pid == 0 ? "/proc/self" : "/proc/" + std::to_string(pid);
    const std::string stat = slurp(dir + "/stat");
    // The command name may hold spaces: fields are counted after its closing parenthesis.
    const auto close = stat.rfind(')');
    if (close == std::string::npos) return s;
    std::istringstream rest(stat.substr(close + 2));
    std::string field;
    unsigned long long utime = 0, stime = 0;
    // After the name: state(3) ppid(4) ... utime(14) stime(15) ... num_threads(20)
    for (int i = 3; i <= 20 && rest >> field; ++i) {
        if (i == 14) utime = std::stoull(field);
        if (i == 15) stime = std::stoull(field);
        if (i == 20) s.threads = static_cast<unsigned>(std::stoul(field));
    }
    static const double tick = static_cast<double>(sysconf(_SC_CLK_TCK));
    s.cpu_seconds = static_cast<double>(utime + stime) / tick;
    const std::string status = slurp(dir + "/status");
    s.rss_bytes = status_kib(status, "VmRSS") * 1024;
    s.hwm_bytes = status_kib(status, "VmHWM") * 1024;
    s.ok = !status.empty();
    return s;
}

machine_sample read_machine() {
    std::ifstream in("/proc/stat");
    std::string cpu;
    in >> cpu;  // "cpu": the sum over all CPUs
    machine_sample m;
    unsigned long long v = 0;
    for (int i = 0; i < 8 && in >> v; ++i) {  // user nice system idle iowait irq softirq steal
        m.total_ticks += v;
        if (i != 3 && i != 4) m.busy_ticks += v;
    }
    return m;
}

double busy_share(const machine_sample& a, const machine_sample& b) {
    const auto total = b.total_ticks - a.total_ticks;
    return total ? static_cast<double>(b.busy_ticks - a.busy_ticks) / static_cast<double>(total) : 0.0;
}

std::string load_average() {
    std::istringstream in(slurp("/proc/loadavg"));
    std::string a, b, c;
    in >> a >> b >> c;
    return a + " " + b + " " + c;
}

std::string cpu_model() {
    std::istringstream in(slurp("/proc/cpuinfo"));
    for (std::string line; std::getline(in, line);)
        if (line.rfind("model name", 0) == 0) {
            const auto colon = line.find(':');
            return colon == std::string::npos ? line : line.substr(colon + 2);
        }
    return "unknown";
}

unsigned cpu_count() { return std::thread::hardware_concurrency(); }

std::uint64_t memory_total_bytes() { return status_kib(slurp("/proc/meminfo"), "MemTotal") * 1024; }

}  // namespace est::bench
