#include "join_run.hpp"

#include <atomic>
#include <chrono>
#include <cmath>
#include <iostream>
#include <memory>
#include <random>
#include <thread>

#include <boost/asio/io_context.hpp>
#include <boost/asio/post.hpp>
#include <nlohmann/json.hpp>

#include "est/client/meeting_client.hpp"
#include "io_pool.hpp"
#include "proc_stats.hpp"
#include "typist.hpp"

namespace est::bench {

namespace net = boost::asio;
using json = nlohmann::json;
using steady = std::chrono::steady_clock;

namespace {

double ms_since(steady::time_point t0) { return std::chrono::duration<double, std::milli>(steady::now() - t0).count(); }

// One client filling a meeting's history as fast as the server takes it: every text field of its entries
// has one change in flight at all times (one keystroke each, so no composing), until the budget is spent.
struct history_writer {
    struct field {
        field_ref ref;
        std::size_t length = 0, max = 0;
    };
    std::unique_ptr<client::meeting_client> client;
    std::vector<field> fields;
    std::vector<std::uint32_t> field_of_seq;  // by seq: the field a change was typed in, or none
    std::uint64_t next_seq = 1;
    std::size_t corpus_at = 0;
    static constexpr std::uint32_t none = UINT32_MAX;
};

class join_benchmark {
public:
    explicit join_benchmark(const join_options& o) : o_(o), setup_(o.server) {}
    join_result run();

private:
    void note(const std::string& what) const {
        if (o_.progress) std::cerr << "est-bench: " << what << std::endl;
    }
    void build_history(join_result& r);
    void type_into(history_writer& w, std::uint32_t f);
    void time_joins(join_result& r);
    void measure_idle(join_result& r);
    void record_error(join_result& r, const json& msg);
    std::uint64_t stable_rss(int pid) const;

    join_options o_;
    bench_setup setup_;
    net::io_context ioc_;
    std::mt19937_64 rng_{std::random_device{}()};
    std::uint64_t budget_ = 0, sent_ = 0, acked_ = 0;
};

void join_benchmark::record_error(join_result& r, const json& msg) {
    ++r.errors;
    if (r.first_errors.size() < 5) r.first_errors.push_back(msg.dump());
}

void join_benchmark::type_into(history_writer& w, std::uint32_t f) {
    if (sent_ >= budget_) return;
    ++sent_;
    auto& fld = w.fields[f];
    text_operation op;
    // Mostly typing, some deleting, never past 80 % of the field's limit.
    const bool del = fld.length > 0 && (fld.length * 5 >= fld.max * 4 || std::bernoulli_distribution(0.2)(rng_));
    if (del) {
        op.retain(fld.length - 1).remove(1);
        --fld.length;
    } else {
        const char16_t c = corpus()[w.corpus_at++ % corpus().size()];
        op.retain(fld.length).insert(std::u16string_view(&c, 1));
        ++fld.length;
    }
    const std::uint64_t seq = w.next_seq++;
    if (w.field_of_seq.size() <= seq) w.field_of_seq.resize(seq * 2 + 16, history_writer::none);
    w.field_of_seq[seq] = f;
    w.client->edit_text(fld.ref, op);
}

void join_benchmark::build_history(join_result& r) {
    const unsigned writers = std::max(o_.writers, 1u);
    const auto topics = setup_.topics();
    const auto text_fields = setup_.entry_text_fields();
    const std::string group = setup_.create_group("Join benchmark", writers);
    r.meeting = setup_.create_meeting(group, "Lång historik");
    note("building " + std::to_string(o_.history) + " revisions of history in meeting " + r.meeting + " with " +
         std::to_string(writers) + " writers × " + std::to_string(o_.entries_per_writer * text_fields.size()) + " fields in flight");

    std::vector<std::unique_ptr<history_writer>> ws;
    for (unsigned i = 0; i < writers; ++i) {
        auto w = std::make_unique<history_writer>();
        client::meeting_client::options co;
        co.host = o_.server.host;
        co.port = o_.server.port;
        co.meeting = r.meeting;
        co.who = {"Skrivare " + std::to_string(i + 1), bench_setup::organisation(i), role::participant};
        co.reconnect = false;
        w->client = std::make_unique<client::meeting_client>(ioc_, co);
        w->corpus_at = i * 997;
        w->client->on_message = [this, &r, raw = w.get()](const server_message& msg) {
            if (msg.type() == "error") return record_error(r, msg.json());
            const auto* ack = msg.ack();
            if (!ack) return;
            const auto seq = ack->seq;
            if (seq >= raw->field_of_seq.size() || raw->field_of_seq[seq] == history_writer::none) return;
            ++acked_;
            // After the replica has taken the ack, so the next keystroke goes out as a change of its own.
            net::post(ioc_, [this, raw, f = raw->field_of_seq[seq]] { type_into(*raw, f); });
        };
        w->client->start();
        ws.push_back(std::move(w));
    }
    auto all = [&](auto pred) {
        for (auto& w : ws)
            if (!pred(*w)) return false;
        return true;
    };
    if (!client::run_until(ioc_, [&] { return all([](history_writer& w) { return w.client->welcomed(); }); }, std::chrono::seconds(60)))
        throw std::runtime_error("the history writers were not welcomed");

    for (unsigned i = 0; i < writers; ++i) {
        auto& w = *ws[i];
        const std::string org = bench_setup::organisation(i);
        for (unsigned e = 0; e < o_.entries_per_writer; ++e) {
            const std::string topic = topics[e % topics.size()];
            const std::string entry = "e-" + std::to_string(i + 1) + "-" + std::to_string(e + 1);
            w.client->submit(add_entry_change{topic, org, entry});
            ++w.next_seq;
            for (const auto& tf : text_fields) w.fields.push_back({{topic, org, entry, tf.id}, 0, tf.max_length});
        }
    }
    if (!client::run_until(ioc_, [&] { return all([](history_writer& w) { return w.client->replica().idle(); }); }, std::chrono::seconds(60)))
        throw std::runtime_error("the entries were not acknowledged");

    const std::uint64_t entries = static_cast<std::uint64_t>(writers) * o_.entries_per_writer;
    budget_ = o_.history > entries ? o_.history - entries : 0;
    const auto cpu0 = o_.server_pid ? read_process(o_.server_pid) : process_sample{};
    const auto t0 = steady::now();
    for (auto& w : ws)
        for (std::uint32_t f = 0; f < w->fields.size(); ++f) type_into(*w, f);
    const auto last_report = std::make_shared<steady::time_point>(t0);
    const bool done = client::run_until(
        ioc_,
        [&] {
            if (o_.progress && steady::now() - *last_report > std::chrono::seconds(10)) {
                *last_report = steady::now();
                note("  " + std::to_string(acked_) + " of " + std::to_string(budget_) + " changes acknowledged");
            }
            // A writer the server closed (e.g. 1008, too slow to read the other writers' broadcasts) would
            // leave its changes unacknowledged for good: stop at once and say so.
            if (!all([](history_writer& w) { return w.client->connected(); })) return true;
            return (acked_ >= budget_ || r.errors > 0) && all([](history_writer& w) { return w.client->replica().idle(); });
        },
        std::chrono::seconds(120 + budget_ / 200));
    r.build_seconds = ms_since(t0) / 1e3;
    r.build_ops_per_second = static_cast<double>(acked_) / r.build_seconds;
    if (o_.server_pid) {
        const auto cpu1 = read_process(o_.server_pid);
        r.build_server_cpu_percent = 100.0 * (cpu1.cpu_seconds - cpu0.cpu_seconds) / r.build_seconds;
    }
    if (!done) r.ok_reason = "the history was not written in time (" + std::to_string(acked_) + " of " + std::to_string(budget_) + ")";
    for (std::size_t i = 0; i < ws.size(); ++i)
        if (!ws[i]->client->connected() && r.ok_reason.empty())
            r.ok_reason = "history writer " + std::to_string(i + 1) + " was disconnected (" + ws[i]->client->last_close_reason() +
                          ") after " + std::to_string(acked_) + " of " + std::to_string(budget_) + " changes";
    for (auto& w : ws)
        for (auto& f : w->fields) r.text_units += f.length;
    for (auto& w : ws) w->client->stop();
    client::run_until(ioc_, [&] { return all([](history_writer& w) { return !w.client->connected(); }); }, std::chrono::seconds(5));
}

void join_benchmark::time_joins(join_result& r) {
    note("timing " + std::to_string(o_.samples) + " joins of meeting " + r.meeting);
    {
        // One join of a meeting that does not exist first: it warms this process's resolver and code paths,
        // so the first timed join measures the server (e.g. loading the room after a restart), not us.
        client::meeting_client::options co;
        co.host = o_.server.host;
        co.port = o_.server.port;
        co.meeting = "no-such-meeting";
        co.who = {"Uppvärmning", "o1", role::participant};
        co.reconnect = false;
        client::meeting_client c(ioc_, co);
        bool answered = false;
        c.on_message = [&](const server_message&) { answered = true; };
        c.start();
        client::run_until(ioc_, [&] { return answered; }, std::chrono::seconds(10));
        c.stop();
        client::run_until(ioc_, [&] { return !c.connected(); }, std::chrono::seconds(5));
    }
    for (unsigned i = 0; i <= o_.samples; ++i) {
        const bool measure_size = i == o_.samples;  // one more join, untimed, to weigh the welcome
        client::meeting_client::options co;
        co.host = o_.server.host;
        co.port = o_.server.port;
        co.meeting = r.meeting;
        co.who = {"Nykomling", "o1", role::participant};
        co.reconnect = false;
        client::meeting_client c(ioc_, co);
        steady::time_point welcome_at{};
        bool failed = false;
        c.on_message = [&](const server_message& msg) {
            const auto type = msg.type();
            if (type == "welcome") {
                welcome_at = steady::now();
                r.rev = msg.json().at("rev").get<std::uint64_t>();
                if (measure_size) r.welcome_bytes = msg.json().dump().size();
            } else if (type == "error") {
                failed = true;
                record_error(r, msg.json());
            }
        };
        const auto t0 = steady::now();
        c.start();
        const bool ok = client::run_until(ioc_, [&] { return c.welcomed() || failed; }, std::chrono::seconds(120));
        const auto ready = steady::now();
        if (!ok || failed) {
            r.ok_reason = "join " + std::to_string(i + 1) + " was not welcomed: " + c.last_close_reason();
            return;
        }
        if (!measure_size)
            r.samples.push_back({std::chrono::duration<double, std::milli>(welcome_at - t0).count(),
                                 std::chrono::duration<double, std::milli>(ready - t0).count()});
        c.stop();
        client::run_until(ioc_, [&] { return !c.connected(); }, std::chrono::seconds(5));
    }
}

std::uint64_t join_benchmark::stable_rss(int pid) const {
    // The resident set once it stops moving (two readings 250 ms apart within 64 KiB), at most 10 s.
    std::uint64_t last = read_process(pid).rss_bytes;
    for (int i = 0; i < 40; ++i) {
        std::this_thread::sleep_for(std::chrono::milliseconds(250));
        const std::uint64_t now = read_process(pid).rss_bytes;
        const auto diff = now > last ? now - last : last - now;
        last = now;
        if (diff < 64 * 1024) break;
    }
    return last;
}

void join_benchmark::measure_idle(join_result& r) {
    const unsigned per = std::max(o_.idle_per_meeting, 1u);
    const unsigned rooms = (o_.idle + per - 1) / per;
    note("idle connections: " + std::to_string(o_.idle) + " over " + std::to_string(rooms) + " meetings");
    const std::string group = setup_.create_group("Idle benchmark", 1);
    std::vector<std::string> meetings;
    for (unsigned m = 0; m < rooms; ++m) meetings.push_back(setup_.create_meeting(group, "Tyst möte " + std::to_string(m + 1)));

    io_pool pool(o_.threads);
    std::atomic<std::uint64_t> welcomed{0}, errors{0};
    std::vector<std::unique_ptr<client::meeting_client>> clients;
    auto add_client = [&](const std::string& meeting) {
        client::meeting_client::options co;
        co.host = o_.server.host;
        co.port = o_.server.port;
        co.meeting = meeting;
        co.who = {"Åhörare", "o1", role::participant};
        co.reconnect = false;
        const unsigned t = static_cast<unsigned>(clients.size() % pool.size());
        auto c = std::make_unique<client::meeting_client>(pool.context(t), co);
        c->on_message = [&](const server_message& msg) {
            const auto type = msg.type();
            if (type == "welcome") ++welcomed;
            else if (type == "error") ++errors;
        };
        pool.post(t, [raw = c.get()] { raw->start(); });
        clients.push_back(std::move(c));
    };
    auto wait_welcomed = [&](std::uint64_t n, double seconds) {
        const auto deadline = steady::now() + std::chrono::duration_cast<steady::duration>(std::chrono::duration<double>(seconds));
        while (welcomed.load() < n && errors.load() == 0 && steady::now() < deadline)
            std::this_thread::sleep_for(std::chrono::milliseconds(2));
        return welcomed.load() >= n;
    };
    // First one participant per meeting, so the rooms themselves are loaded before the baseline.
    for (const auto& m : meetings) add_client(m);
    if (!wait_welcomed(clients.size(), 60)) {
        r.ok_reason = "the idle meetings could not be opened";
        return;
    }
    const auto bench0 = read_process(0).rss_bytes;
    r.server_rss_before_idle = o_.server_pid ? stable_rss(o_.server_pid) : 0;
    for (unsigned i = 0; i < o_.idle; ++i) {
        // At most 200 joins in flight: a crowd arriving, not a flood.
        if (clients.size() - welcomed.load() > 200) wait_welcomed(clients.size() - 100, 60);
        add_client(meetings[i % rooms]);
    }
    const bool all = wait_welcomed(clients.size(), 60 + o_.idle / 50.0);
    r.idle_connected = static_cast<unsigned>(welcomed.load() - rooms);
    if (!all) r.ok_reason = "only " + std::to_string(r.idle_connected) + " idle participants were welcomed";
    if (o_.server_pid) {
        r.server_rss_after_idle = stable_rss(o_.server_pid);
        if (r.idle_connected)
            r.server_bytes_per_idle = (static_cast<double>(r.server_rss_after_idle) - static_cast<double>(r.server_rss_before_idle)) /
                                      r.idle_connected;
    }
    if (r.idle_connected)
        r.bench_bytes_per_idle = (static_cast<double>(read_process(0).rss_bytes) - static_cast<double>(bench0)) / r.idle_connected;
    r.errors += errors.load();
    for (unsigned t = 0; t < pool.size(); ++t)
        pool.run_on(t, [&, t] {
            for (std::size_t i = t; i < clients.size(); i += pool.size()) clients[i]->stop();
        });
    const auto deadline = steady::now() + std::chrono::seconds(10);
    for (bool open = true; open && steady::now() < deadline;) {
        std::atomic<unsigned> n{0};
        for (unsigned t = 0; t < pool.size(); ++t)
            pool.run_on(t, [&, t] {
                for (std::size_t i = t; i < clients.size(); i += pool.size()) n += clients[i]->connected() ? 1 : 0;
            });
        open = n > 0;
        if (open) std::this_thread::sleep_for(std::chrono::milliseconds(5));
    }
    pool.stop();
    clients.clear();
}

join_result join_benchmark::run() {
    join_result r;
    r.options = o_;
    r.load_before = load_average();
    try {
        if (!o_.meeting.empty()) r.meeting = o_.meeting;
        else if (o_.history > 0) build_history(r);
        if (!r.meeting.empty() && r.ok_reason.empty() && o_.samples > 0) time_joins(r);
        if (o_.idle > 0 && r.ok_reason.empty()) measure_idle(r);
    } catch (const std::exception& e) {
        r.ok_reason = e.what();
    }
    if (r.errors > 0 && r.ok_reason.empty()) r.ok_reason = std::to_string(r.errors) + " errors";
    r.load_after = load_average();
    return r;
}

}  // namespace

join_result run_join(const join_options& o) {
    join_benchmark b(o);
    return b.run();
}

}  // namespace est::bench
