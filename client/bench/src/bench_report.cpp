#include "bench_report.hpp"

#include <algorithm>
#include <cstdio>
#include <ostream>

#include <nlohmann/json.hpp>

#include "proc_stats.hpp"

namespace est::bench {

using json = nlohmann::json;

namespace {

double round3(double v) { return static_cast<double>(static_cast<long long>(v * 1000.0 + (v < 0 ? -0.5 : 0.5))) / 1000.0; }
// A figure that was not measured (negative) is null in the JSON.
json opt(double v) { return v < 0 ? json(nullptr) : json(round3(v)); }
double mib(std::uint64_t bytes) { return round3(static_cast<double>(bytes) / (1024.0 * 1024.0)); }

json lat(const latency_summary& s) {
    return {{"count", s.count}, {"p50_ms", round3(s.p50)}, {"p90_ms", round3(s.p90)}, {"p99_ms", round3(s.p99)},
            {"p999_ms", round3(s.p999)}, {"max_ms", round3(s.max)}, {"mean_ms", round3(s.mean)}, {"over_50ms", s.over_50ms}};
}

std::string fmt(const char* f, double v) {
    char buf[64];
    std::snprintf(buf, sizeof buf, f, v);
    return buf;
}

std::string lat_line(const latency_summary& s) {
    return "p50 " + fmt("%.2f", s.p50) + "  p90 " + fmt("%.2f", s.p90) + "  p99 " + fmt("%.2f", s.p99) + "  p99.9 " +
           fmt("%.2f", s.p999) + "  max " + fmt("%.2f", s.max) + " ms  (n=" + std::to_string(s.count) + ")";
}

}  // namespace

json machine_json() {
    return {{"cpu", cpu_model()}, {"cpus", cpu_count()}, {"memory_gib", round3(static_cast<double>(memory_total_bytes()) / (1u << 30))},
            {"load_average", load_average()}};
}

json to_json(const load_result& r) {
    const auto& o = r.options;
    json j = {
        {"mode", "load"},
        {"ok", r.ok_reason.empty()},
        {"problems", r.ok_reason},
        {"meetings", o.meetings},
        {"participants", o.participants},
        {"connections", o.meetings * o.participants},
        {"rate", o.typing.rate},
        {"typing", {{"burst_mean", o.typing.burst_mean}, {"key_gap_ms", round3(o.typing.gap() * 1e3)},
                    {"pause_mean_ms", round3(o.typing.pause_mean() * 1e3)}, {"backspace", o.typing.backspace}}},
        {"duration_s", o.duration},
        {"warmup_s", o.warmup},
        {"threads", o.threads},
        {"connect_s", round3(r.connect_seconds)},
        {"keystrokes_per_s", round3(r.keystrokes_per_second)},
        {"ops_per_s", round3(r.ops_per_second)},
        {"acks", r.acks},
        {"deliveries_per_s", round3(r.deliveries_per_second)},
        {"deliveries_per_op", round3(r.deliveries_per_op)},
        {"keystroke_to_receipt", lat(r.keystroke_to_receipt)},
        {"send_to_receipt", lat(r.send_to_receipt)},
        {"ack", lat(r.ack)},
        {"bench_timer_lag", lat(r.timer_lag)},
        {"deliveries_total", r.deliveries_total},
        {"deliveries_expected", r.deliveries_expected},
        {"lost", r.lost},
        {"out_of_order", r.out_of_order},
        {"gaps", r.gaps},
        {"unattributed", r.unattributed},
        {"attribution_mismatches", r.attribution_mismatches},
        {"errors", r.errors},
        {"reconnects", r.reconnects},
        {"exceptions", r.exceptions},
        {"skipped_keystrokes", r.skipped_keystrokes},
        {"settled", r.settled},
        {"settle_s", round3(r.settle_seconds)},
        {"meetings_identical", r.meetings_identical},
        {"meetings_diverged", r.meetings_diverged},
        {"text_mismatches", r.text_mismatches},
        {"first_errors", r.first_errors},
        {"server", {{"cpu_percent", opt(r.server_cpu_percent)}, {"cpu_ms_per_op", opt(r.server_cpu_ms_per_op)},
                    {"cpu_us_per_delivery", opt(r.server_cpu_us_per_delivery)}, {"rss_before_mib", mib(r.server_rss_before)},
                    {"rss_connected_mib", mib(r.server_rss_connected)}, {"rss_max_mib", mib(r.server_rss_max)},
                    {"rss_end_mib", mib(r.server_rss_end)}, {"hwm_mib", mib(r.server_hwm)}, {"threads", r.server_threads}}},
        {"bench", {{"cpu_percent", round3(r.bench_cpu_percent)}, {"rss_mib", mib(r.bench_rss)}}},
        {"machine_busy_percent", round3(r.machine_busy_percent)},
        {"others_cpu_percent", round3(r.others_cpu_percent)},
        {"background_busy_percent", round3(r.background_busy_percent)},
        {"load_before", r.load_before},
        {"load_after", r.load_after},
        {"deliveries_by_second", r.deliveries_by_second},
    };
    j["machine"] = machine_json();
    return j;
}

json to_json(const join_result& r) {
    json samples = json::array();
    for (const auto& s : r.samples) samples.push_back({{"welcome_ms", round3(s.welcome_ms)}, {"ready_ms", round3(s.ready_ms)}});
    std::vector<double> warm;
    for (std::size_t i = 1; i < r.samples.size(); ++i) warm.push_back(r.samples[i].ready_ms);
    std::sort(warm.begin(), warm.end());
    json j = {
        {"mode", "join"},
        {"ok", r.ok_reason.empty()},
        {"problems", r.ok_reason},
        {"meeting", r.meeting},
        {"rev", r.rev},
        {"history_requested", r.options.history},
        {"build_s", round3(r.build_seconds)},
        {"build_ops_per_s", round3(r.build_ops_per_second)},
        {"build_server_cpu_percent", opt(r.build_server_cpu_percent)},
        {"text_units", r.text_units},
        {"welcome_bytes", r.welcome_bytes},
        {"samples", samples},
        {"first_ready_ms", r.samples.empty() ? 0.0 : round3(r.samples.front().ready_ms)},
        {"first_welcome_ms", r.samples.empty() ? 0.0 : round3(r.samples.front().welcome_ms)},
        {"warm_ready_median_ms", warm.empty() ? 0.0 : round3(warm[warm.size() / 2])},
        {"warm_ready_max_ms", warm.empty() ? 0.0 : round3(warm.back())},
        {"errors", r.errors},
        {"first_errors", r.first_errors},
        {"idle_connections", r.idle_connected},
        {"server_rss_before_idle_mib", mib(r.server_rss_before_idle)},
        {"server_rss_after_idle_mib", mib(r.server_rss_after_idle)},
        {"server_kib_per_idle", opt(r.server_bytes_per_idle / 1024.0)},
        {"bench_kib_per_idle", opt(r.bench_bytes_per_idle / 1024.0)},
        {"load_before", r.load_before},
        {"load_after", r.load_after},
    };
    j["machine"] = machine_json();
    return j;
}

json to_json(const export_result& r) {
    json j = {
        {"mode", "export"},
        {"ok", r.ok_reason.empty()},
        {"problems", r.ok_reason},
        {"meeting", r.options.meeting},
        {"format", r.options.format},
        {"rev", r.rev},
        {"digest", r.digest},
        {"bytes", r.bytes},
        {"first_ms", round3(r.first_ms)},
        {"warm", lat(r.warm)},
        {"server_cpu_ms_per_export", opt(r.server_cpu_ms_per_export)},
        {"load_before", r.load_before},
        {"load_after", r.load_after},
    };
    j["machine"] = machine_json();
    return j;
}

void print_summary(std::ostream& out, const export_result& r) {
    out << "est-bench export: meeting " << r.options.meeting << " at revision " << r.rev << " as " << r.options.format << ", "
        << r.bytes << " bytes\n";
    out << "  result:      " << (r.ok_reason.empty() ? "clean" : "PROBLEMS: " + r.ok_reason) << '\n';
    out << "  first:       " << fmt("%.2f", r.first_ms) << " ms (loads the room if it was not in memory)\n";
    out << "  later:       " << lat_line(r.warm) << "; server CPU " << fmt("%.2f", r.server_cpu_ms_per_export) << " ms each\n";
}

void print_summary(std::ostream& out, const load_result& r) {
    const auto& o = r.options;
    out << "est-bench load: " << o.meetings << " meetings × " << o.participants << " participants × " << o.typing.rate
        << " keystrokes/s, " << o.duration << " s measured after " << o.warmup << " s warm-up, " << o.threads << " threads\n";
    out << "  result:      " << (r.ok_reason.empty() ? "clean" : "PROBLEMS: " + r.ok_reason) << '\n';
    out << "  throughput:  " << fmt("%.0f", r.keystrokes_per_second) << " keystrokes/s, " << fmt("%.0f", r.ops_per_second)
        << " changes/s, " << fmt("%.0f", r.deliveries_per_second) << " deliveries/s (" << fmt("%.1f", r.deliveries_per_op)
        << " per change)\n";
    out << "  keystroke → every other participant: " << lat_line(r.keystroke_to_receipt) << '\n';
    out << "  send → every other participant:      " << lat_line(r.send_to_receipt) << '\n';
    out << "  send → ack at the author:            " << lat_line(r.ack) << '\n';
    out << "  load-generator timer lag:            " << lat_line(r.timer_lag) << '\n';
    out << "  correctness: lost " << r.lost << ", out of order " << r.out_of_order << ", gaps " << r.gaps << ", errors "
        << r.errors << ", reconnects " << r.reconnects << ", replicas identical in " << r.meetings_identical << "/"
        << (r.meetings_identical + r.meetings_diverged) << " meetings (settled in " << fmt("%.2f", r.settle_seconds) << " s)\n";
    if (r.server_cpu_percent >= 0)
        out << "  server:      CPU " << fmt("%.0f", r.server_cpu_percent) << " % (" << fmt("%.3f", r.server_cpu_ms_per_op)
            << " ms per change, " << fmt("%.2f", r.server_cpu_us_per_delivery) << " µs per delivery), RSS "
            << fmt("%.1f", mib(r.server_rss_before)) << " → " << fmt("%.1f", mib(r.server_rss_connected)) << " MiB connected, max "
            << fmt("%.1f", mib(r.server_rss_max)) << " MiB\n";
    out << "  bench:       CPU " << fmt("%.0f", r.bench_cpu_percent) << " %, RSS " << fmt("%.1f", mib(r.bench_rss))
        << " MiB; machine busy " << fmt("%.0f", r.machine_busy_percent) << " % of all CPUs (others "
        << fmt("%.0f", r.others_cpu_percent) << " % of a core; " << fmt("%.0f", r.background_busy_percent)
        << " % busy before the run); load " << r.load_before << " → " << r.load_after << '\n';
    for (const auto& e : r.first_errors) out << "  first error: " << e << '\n';
}

void print_summary(std::ostream& out, const join_result& r) {
    out << "est-bench join: meeting " << r.meeting << " at revision " << r.rev << '\n';
    out << "  result:      " << (r.ok_reason.empty() ? "clean" : "PROBLEMS: " + r.ok_reason) << '\n';
    if (r.build_seconds > 0)
        out << "  history:     built in " << fmt("%.1f", r.build_seconds) << " s (" << fmt("%.0f", r.build_ops_per_second)
            << " changes/s, server CPU " << fmt("%.0f", r.build_server_cpu_percent) << " %), " << r.text_units << " characters of text\n";
    if (!r.samples.empty()) {
        out << "  welcome:     " << r.welcome_bytes << " bytes\n";
        out << "  first join:  ready in " << fmt("%.2f", r.samples.front().ready_ms) << " ms (welcome after "
            << fmt("%.2f", r.samples.front().welcome_ms) << " ms)\n";
        std::vector<double> warm;
        for (std::size_t i = 1; i < r.samples.size(); ++i) warm.push_back(r.samples[i].ready_ms);
        std::sort(warm.begin(), warm.end());
        if (!warm.empty())
            out << "  later joins: ready in median " << fmt("%.2f", warm[warm.size() / 2]) << " ms, min " << fmt("%.2f", warm.front())
                << ", max " << fmt("%.2f", warm.back()) << " ms (" << warm.size() << " joins)\n";
    }
    if (r.idle_connected)
        out << "  idle:        " << r.idle_connected << " connections, server RSS " << fmt("%.1f", mib(r.server_rss_before_idle))
            << " → " << fmt("%.1f", mib(r.server_rss_after_idle)) << " MiB = " << fmt("%.1f", r.server_bytes_per_idle / 1024.0)
            << " KiB per connection (bench: " << fmt("%.1f", r.bench_bytes_per_idle / 1024.0) << " KiB)\n";
    for (const auto& e : r.first_errors) out << "  first error: " << e << '\n';
}

}  // namespace est::bench
