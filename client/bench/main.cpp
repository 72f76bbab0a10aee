// est-bench: load and join benchmarks against a running est-server (docs/performance.md, scripts/bench/).
#include <iostream>

#include <CLI/CLI.hpp>
#include <nlohmann/json.hpp>

#include "bench_report.hpp"
#include "export_run.hpp"
#include "join_run.hpp"
#include "load_run.hpp"

int main(int argc, char** argv) {
    using namespace est::bench;
    CLI::App app{"est-bench: measure an est-server under live meeting load (docs/performance.md)"};
    std::string server = "http://127.0.0.1:8080";
    int server_pid = 0;
    unsigned threads = 2;
    bool json_only = false, quiet = false;
    app.add_option("--server", server, "server address")->capture_default_str();
    app.add_option("--server-pid", server_pid, "the server's process id, for its CPU and memory from /proc");
    app.add_option("--threads", threads, "load-generator threads (each client stays on one)")->capture_default_str()->check(CLI::Range(1u, 64u));
    app.add_flag("--json", json_only, "print only the JSON line (no human summary)");
    app.add_flag("--quiet", quiet, "no progress lines on stderr");

    load_options lo;
    app.add_option("--meetings,-R", lo.meetings, "meetings")->capture_default_str()->check(CLI::Range(1u, 100000u));
    app.add_option("--participants,-C", lo.participants,
                   "participants per meeting, each its own organisation (a group has at most 50: past that they share)")
        ->capture_default_str()->check(CLI::Range(2u, 1000u));
    app.add_option("--rate,-K", lo.typing.rate, "keystrokes per second per participant (long-run mean)")
        ->capture_default_str()->check(CLI::Range(0.01, 1000.0));
    app.add_option("--duration,-S", lo.duration, "measured seconds")->capture_default_str()->check(CLI::Range(1.0, 86400.0));
    app.add_option("--warmup,-W", lo.warmup, "seconds of typing before the measurement")->capture_default_str()->check(CLI::Range(0.0, 3600.0));
    app.add_option("--burst", lo.typing.burst_mean, "mean keystrokes per burst")->capture_default_str()->check(CLI::Range(1.0, 1000.0));
    double key_gap_ms = lo.typing.key_gap * 1000.0;
    app.add_option("--key-gap-ms", key_gap_ms, "ms between keystrokes in a burst (capped at 500/rate)")->capture_default_str();
    app.add_option("--backspace", lo.typing.backspace, "share of keystrokes that delete")->capture_default_str()->check(CLI::Range(0.0, 0.5));
    app.add_option("--connect-parallel", lo.connect_parallel, "joins in flight per thread while connecting")->capture_default_str();
    app.add_option("--settle-timeout", lo.settle_timeout, "seconds to wait for every delivery after the typing")->capture_default_str();

    auto* join = app.add_subcommand("join", "time joins of a meeting with a long history; memory per idle connection");
    join_options jo;
    join->add_option("--history", jo.history, "build a meeting with this many revisions first");
    join->add_option("--meeting", jo.meeting, "time joins of this existing meeting instead (its group must have org o1)");
    join->add_option("--samples", jo.samples, "timed joins")->capture_default_str();
    join->add_option("--writers", jo.writers, "clients writing the history")->capture_default_str();
    join->add_option("--entries", jo.entries_per_writer, "entries per writer (5 text fields each, all written at once)")->capture_default_str();
    join->add_option("--idle", jo.idle, "idle participants to connect for memory per connection")->capture_default_str();
    join->add_option("--idle-per-meeting", jo.idle_per_meeting, "idle participants per meeting")->capture_default_str();

    auto* exp = app.add_subcommand("export", "time exports of a meeting's picture (GET /api/meetings/ID/export)");
    export_options eo;
    exp->add_option("--meeting", eo.meeting, "meeting to export")->required();
    exp->add_option("--format", eo.format, "html or json")->check(CLI::IsMember({"html", "json"}))->capture_default_str();
    exp->add_option("--samples", eo.samples, "timed exports after the first")->capture_default_str();

    CLI11_PARSE(app, argc, argv);
    lo.typing.key_gap = key_gap_ms / 1000.0;
    const auto addr = server_address::parse(server);
    try {
        // Every mode: fill in the common options, run, print the summary, keep the JSON and the verdict.
        nlohmann::json j;
        bool ok = false;
        auto run = [&](auto& opts, auto run_mode) {
            opts.server = addr;
            opts.server_pid = server_pid;
            if constexpr (requires { opts.threads; }) opts.threads = threads;
            opts.progress = !quiet;
            const auto r = run_mode(opts);
            if (!json_only) print_summary(std::cout, r);
            j = to_json(r);
            ok = r.ok_reason.empty();
        };
        if (*join) run(jo, run_join);
        else if (*exp) run(eo, run_export);
        else run(lo, run_load);
        std::cout << j.dump() << std::endl;
        return ok ? 0 : 1;
    } catch (const std::exception& e) {
        std::cerr << "est-bench: " << e.what() << '\n';
        return 2;
    }
}
