#include "export_run.hpp"

#include <chrono>
#include <iostream>

#include <nlohmann/json.hpp>

#include "est/client/http_get.hpp"
#include "latency_histogram.hpp"
#include "proc_stats.hpp"

namespace est::bench {

export_result run_export(const export_options& o) {
    export_result r;
    r.options = o;
    r.load_before = load_average();
    const std::string target = "/api/meetings/" + o.meeting + "/export?format=" + o.format;
    // The JSON export names the revision and digest every timed export must show (nobody edits meanwhile).
    auto fetch = [&](const std::string& t) {
        const auto t0 = std::chrono::steady_clock::now();
        auto res = client::http_call(o.server.host, o.server.port, "GET", t);
        const double ms = std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - t0).count();
        if (res.status != 200) throw std::runtime_error("GET " + t + " answered " + std::to_string(res.status) + ": " + res.body);
        return std::pair{ms, std::move(res.body)};
    };
    if (o.progress) std::cerr << "est-bench: timing " << o.samples + 1 << " exports of meeting " << o.meeting << " as " << o.format << std::endl;
    process_sample cpu0;
    latency_histogram warm;
    for (unsigned i = 0; i <= o.samples; ++i) {
        if (i == 1 && o.server_pid) cpu0 = read_process(o.server_pid);
        auto [ms, body] = fetch(target);
        if (i == 0) r.first_ms = ms;
        else warm.record(static_cast<std::int64_t>(ms * 1e6));
        r.bytes = body.size();
        if (i == 0) {
            const auto j = nlohmann::json::parse(o.format == "json" ? body : fetch("/api/meetings/" + o.meeting + "/export?format=json").second);
            r.rev = j.at("rev").get<std::uint64_t>();
            r.digest = j.at("digest").get<std::string>();
        }
        if (body.find(r.digest) == std::string::npos && r.ok_reason.empty())
            r.ok_reason = "export " + std::to_string(i) + " does not carry the digest " + r.digest;
    }
    if (o.server_pid && o.samples > 0) {
        const auto cpu1 = read_process(o.server_pid);
        r.server_cpu_ms_per_export = 1e3 * (cpu1.cpu_seconds - cpu0.cpu_seconds) / o.samples;
    }
    r.warm = latency_summary::of(warm);
    r.load_after = load_average();
    return r;
}

}  // namespace est::bench
