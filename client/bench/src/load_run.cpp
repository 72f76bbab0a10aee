#include "load_run.hpp"

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cmath>
#include <functional>
#include <iostream>
#include <map>
#include <memory>
#include <optional>
#include <random>
#include <thread>

#include <boost/asio/io_context.hpp>
#include <boost/asio/steady_timer.hpp>
#include <nlohmann/json.hpp>

#include "est/client/meeting_client.hpp"
#include "est/client_key.hpp"
#include "io_pool.hpp"
#include "proc_stats.hpp"

namespace est::bench {

namespace net = boost::asio;
using json = nlohmann::json;
using steady = std::chrono::steady_clock;

latency_summary latency_summary::of(const latency_histogram& h) {
    auto ms = [](std::int64_t ns) { return static_cast<double>(ns) / 1e6; };
    latency_summary s;
    s.count = h.count();
    s.p50 = ms(h.quantile(0.50));
    s.p90 = ms(h.quantile(0.90));
    s.p99 = ms(h.quantile(0.99));
    s.p999 = ms(h.quantile(0.999));
    s.max = ms(h.max());
    s.mean = h.mean() / 1e6;
    s.over_50ms = h.count_above(50'000'000);
    return s;
}

namespace {

constexpr unsigned max_group_organisations = 50;

std::int64_t now_ns() {
    return std::chrono::duration_cast<std::chrono::nanoseconds>(steady::now().time_since_epoch()).count();
}

// Send times of a participant's recent changes, by seq, for the receivers on other threads. A slot is
// reused after ring_size newer changes of the same participant: far more than can be in transit (a
// participant has one change in flight; a receiver would have to lag 1,024 of them behind). A reused slot
// is detected by its seq tag and counted as `unattributed`, never mis-timed.
constexpr std::size_t ring_size = 1024;
struct seq_slot {
    std::atomic<std::uint64_t> seq{0};
    std::atomic<std::int64_t> key_ns{0};   // first keystroke composed into the change
    std::atomic<std::int64_t> send_ns{0};  // when the change went to the socket
};

struct participant {
    unsigned index = 0, meeting = 0, slot = 0, thread = 0;
    std::unique_ptr<client::meeting_client> client;
    field_ref field;
    std::string topic;
    std::optional<typist> typer;

    // Author side: touched only on the participant's thread. The mirror of client_replica's numbering:
    // a change is sent at once when none is in flight, otherwise keystrokes are composed and sent on the ack.
    std::size_t length = 0;
    std::uint64_t next_seq = 1;
    std::uint64_t inflight_seq = 0;
    std::int64_t inflight_send_ns = 0;
    std::int64_t buffer_key_ns = 0;
    unsigned buffered = 0;
    std::uint64_t welcomes = 0;

    // Read by receivers on other threads.
    std::atomic<std::uint64_t> entry_seq{0};
    std::atomic<std::uint64_t> last_acked_seq{0};
    std::atomic<std::uint64_t> typing_acks{0};
    std::unique_ptr<seq_slot[]> ring = std::make_unique<seq_slot[]>(ring_size);

    // Receiver side, by the sender's slot in the meeting.
    std::vector<std::uint64_t> last_seen;
    std::vector<std::uint64_t> seen_typing;
};

struct thread_state {
    unsigned id = 0;
    std::unique_ptr<net::steady_timer> timer;
    std::vector<participant*> members;
    std::mt19937_64 rng;
    std::vector<std::pair<std::int64_t, participant*>> heap;  // next keystroke, earliest first
    std::size_t next_to_start = 0;
    unsigned joining = 0;

    latency_histogram key_recv, send_recv, ack, lag;

    // Polled by the main thread while running: single writer (this thread), relaxed.
    std::atomic<std::uint64_t> received{0}, expected{0}, welcomed{0}, errors{0};
    std::atomic<std::int64_t> busy{0};  // participants with a change in flight

    // Read by the main thread only after the threads stopped.
    std::uint64_t win_keystrokes = 0, win_ops = 0, win_acks = 0, win_deliveries = 0;
    std::uint64_t out_of_order = 0, gaps = 0, unattributed = 0, mismatches = 0, foreign = 0, skipped = 0, reconnects = 0;
    std::vector<std::uint64_t> per_second;
    std::vector<std::string> first_errors;
};

void bump(std::atomic<std::uint64_t>& a, std::uint64_t by = 1) { a.store(a.load(std::memory_order_relaxed) + by, std::memory_order_relaxed); }
void bump(std::atomic<std::int64_t>& a, std::int64_t by) { a.store(a.load(std::memory_order_relaxed) + by, std::memory_order_relaxed); }

class load_generator {
public:
    explicit load_generator(const load_options& o) : o_(o), pool_(o.threads), setup_(o.server) {}
    ~load_generator() { shutdown(); }

    load_result run();

private:
    void note(const std::string& what) const {
        if (o_.progress) std::cerr << "est-bench: " << what << std::endl;
    }
    void create_participants();
    void start_next(thread_state& ts);
    void on_message(thread_state& ts, participant& p, const server_message& msg);
    void on_op(thread_state& ts, participant& r, const remote_op& op, std::int64_t now);
    void on_ack(thread_state& ts, participant& p, const ack_message& ack, std::string_view text, std::int64_t now);
    void on_error(thread_state& ts, participant& p, const json& msg);
    void send_change(thread_state& ts, participant& p, std::int64_t key_ns, std::int64_t send_ns);
    void keystroke(thread_state& ts, participant& p, std::int64_t now);
    void start_typing(thread_state& ts);
    void on_tick(thread_state& ts);
    void arm(thread_state& ts);
    participant* sender_of(std::string_view public_id) const;

    template <class F>
    std::uint64_t sum(F f) const {
        std::uint64_t n = 0;
        for (const auto& t : threads_) n += f(*t);
        return n;
    }
    bool wait_for(const std::function<bool()>& done, double seconds) const;
    bool settled() const;
    void check_replicas(load_result& r);
    void shutdown();

    load_options o_;
    io_pool pool_;
    bench_setup setup_;
    std::string id_prefix_;
    // Public client id (as ops name their author) -> participant; filled before anyone connects.
    std::map<std::string, participant*, std::less<>> by_public_id_;
    std::vector<std::unique_ptr<participant>> people_;
    std::vector<std::vector<participant*>> by_meeting_;
    std::vector<std::unique_ptr<thread_state>> threads_;
    bool shut_down_ = false;

    // Set before typing starts, read-only afterwards.
    std::int64_t t0_ = 0, win_start_ = 0, win_end_ = 0;
};

participant* load_generator::sender_of(std::string_view public_id) const {
    // An op names its author by the public id the server derives from the client's secret.
    const auto it = by_public_id_.find(public_id);
    return it == by_public_id_.end() ? nullptr : it->second;
}

void load_generator::create_participants() {
    std::random_device rd;
    id_prefix_ = "b" + std::to_string(rd() % 1000000);
    const auto topics = setup_.topics();
    // A group has at most 50 organisations (est::group): past that, participants share organisations, each
    // still typing in an entry of its own.
    const unsigned orgs = std::min(o_.participants, max_group_organisations);
    const std::string group = setup_.create_group("Benchmark " + id_prefix_, orgs);
    by_meeting_.resize(o_.meetings);
    for (unsigned t = 0; t < pool_.size(); ++t) {
        auto ts = std::make_unique<thread_state>();
        ts->id = t;
        ts->rng.seed(rd());
        ts->timer = std::make_unique<net::steady_timer>(pool_.context(t));
        threads_.push_back(std::move(ts));
    }
    for (unsigned m = 0; m < o_.meetings; ++m) {
        const std::string meeting = setup_.create_meeting(group, "Benchmöte " + std::to_string(m + 1));
        for (unsigned s = 0; s < o_.participants; ++s) {
            auto p = std::make_unique<participant>();
            p->index = static_cast<unsigned>(people_.size());
            p->meeting = m;
            p->slot = s;
            p->thread = p->index % pool_.size();
            const std::string org = bench_setup::organisation(s % orgs);
            p->topic = topics.at(s % topics.size());
            p->field = {p->topic, org, "e-" + std::to_string(s + 1), "handelse"};
            p->typer.emplace(o_.typing, (static_cast<std::size_t>(p->index) * 7919) % corpus().size());
            p->last_seen.assign(o_.participants, 0);
            p->seen_typing.assign(o_.participants, 0);
            client::meeting_client::options co;
            co.host = o_.server.host;
            co.port = o_.server.port;
            co.meeting = meeting;
            co.client_id = id_prefix_ + "-" + std::to_string(p->index);
            by_public_id_.emplace(public_client_id(meeting, co.client_id), p.get());
            co.who = {"Deltagare " + std::to_string(s + 1), org, role::participant};
            co.take_applied = false;  // its count of what is in flight ends at the ack
            auto& ts = *threads_[p->thread];
            p->client = std::make_unique<client::meeting_client>(pool_.context(p->thread), co);
            p->client->on_message = [this, &ts, raw = p.get()](const server_message& msg) { on_message(ts, *raw, msg); };
            ts.members.push_back(p.get());
            by_meeting_[m].push_back(p.get());
            people_.push_back(std::move(p));
        }
    }
    for (auto& ts : threads_) {
        ts->heap.reserve(ts->members.size() + 1);
        ts->per_second.assign(static_cast<std::size_t>(std::ceil(o_.warmup + o_.duration)) + 1, 0);
    }
}

void load_generator::start_next(thread_state& ts) {
    while (ts.joining < o_.connect_parallel && ts.next_to_start < ts.members.size()) {
        ++ts.joining;
        ts.members[ts.next_to_start++]->client->start();
    }
}

void load_generator::on_message(thread_state& ts, participant& p, const server_message& msg) {
    const std::int64_t now = now_ns();
    if (const auto* op = msg.op()) return on_op(ts, p, *op, now);
    if (const auto* ack = msg.ack()) return on_ack(ts, p, *ack, msg.text(), now);
    const auto type = msg.type();
    if (type == "error") return on_error(ts, p, msg.json());
    if (type == "welcome") {
        if (++p.welcomes > 1) ++ts.reconnects;
        if (p.welcomes == 1) {
            // The replica numbers its changes after the highest seq the server has seen of this client.
            const auto last_seq = msg.json().at("last_seq").get<std::uint64_t>();
            if (p.next_seq <= last_seq) p.next_seq = last_seq + 1;
            bump(ts.welcomed);
            --ts.joining;
            start_next(ts);
        }
    }
}

void load_generator::on_op(thread_state& ts, participant& r, const remote_op& op, std::int64_t now) {
    participant* s = sender_of(op.client);
    if (!s || s->meeting != r.meeting) {
        ++ts.foreign;
        return;
    }
    const auto seq = op.seq;
    auto& last = r.last_seen[s->slot];
    if (seq <= last) {
        ++ts.out_of_order;
    } else {
        if (last != 0 && seq != last + 1) ++ts.gaps;
        last = seq;
    }
    bump(ts.received);
    if (seq <= s->entry_seq.load(std::memory_order_relaxed)) return;  // the entry it types into, not typing
    ++r.seen_typing[s->slot];
    if (now >= win_start_ && now < win_end_) ++ts.win_deliveries;
    if (now >= t0_) {
        const auto sec = static_cast<std::size_t>((now - t0_) / 1'000'000'000);
        if (sec < ts.per_second.size()) ++ts.per_second[sec];
    }
    const auto& slot = s->ring[seq & (ring_size - 1)];
    const auto tag = slot.seq.load(std::memory_order_acquire);
    const auto key = slot.key_ns.load(std::memory_order_relaxed);
    const auto sent = slot.send_ns.load(std::memory_order_relaxed);
    if (tag != seq || slot.seq.load(std::memory_order_acquire) != tag) {
        ++ts.unattributed;
        return;
    }
    if (key >= win_start_ && key < win_end_) {
        ts.key_recv.record(now - key);
        ts.send_recv.record(now - sent);
    }
}

void load_generator::on_ack(thread_state& ts, participant& p, const ack_message& ack, std::string_view text, std::int64_t now) {
    const auto seq = ack.seq;
    if (seq != p.inflight_seq || ack.duplicate) {
        ++ts.mismatches;
        if (ts.first_errors.size() < 5)
            ts.first_errors.push_back("unexpected ack " + std::string(text) + " for participant " + std::to_string(p.index) +
                                      " (in flight: " + std::to_string(p.inflight_seq) + ", composed keystrokes: " + std::to_string(p.buffered) + ")");
        return;
    }
    p.last_acked_seq.store(seq, std::memory_order_relaxed);
    bump(ts.expected, o_.participants - 1);
    if (seq == p.entry_seq.load(std::memory_order_relaxed)) {
        p.inflight_seq = 0;
        bump(ts.busy, -1);
        return;
    }
    p.typing_acks.store(p.typing_acks.load(std::memory_order_relaxed) + 1, std::memory_order_relaxed);
    if (p.inflight_send_ns >= win_start_ && p.inflight_send_ns < win_end_) {
        ts.ack.record(now - p.inflight_send_ns);
        ++ts.win_acks;
    }
    if (p.buffered > 0) {
        // The replica sends the composed keystrokes right after this hook returns.
        send_change(ts, p, p.buffer_key_ns, now);
    } else {
        p.inflight_seq = 0;
        bump(ts.busy, -1);
    }
}

void load_generator::on_error(thread_state& ts, participant& p, const json& msg) {
    bump(ts.errors);
    if (ts.first_errors.size() < 5) ts.first_errors.push_back(msg.dump());
    auto seq = msg.find("seq");
    if (seq != msg.end() && seq->get<std::uint64_t>() == p.inflight_seq && p.inflight_seq != 0) {
        // The replica dropped the field's pending change: follow it, and count nothing more for it.
        p.inflight_seq = 0;
        p.buffered = 0;
        bump(ts.busy, -1);
        try {
            p.length = p.client->replica().visible_text(p.field).size();
        } catch (const std::exception&) {
            p.length = 0;
        }
    }
}

void load_generator::send_change(thread_state& ts, participant& p, std::int64_t key_ns, std::int64_t send_ns) {
    const std::uint64_t seq = p.next_seq++;
    auto& slot = p.ring[seq & (ring_size - 1)];
    slot.key_ns.store(key_ns, std::memory_order_relaxed);
    slot.send_ns.store(send_ns, std::memory_order_relaxed);
    slot.seq.store(seq, std::memory_order_release);
    p.inflight_seq = seq;
    p.inflight_send_ns = send_ns;
    p.buffered = 0;
    if (send_ns >= win_start_ && send_ns < win_end_) ++ts.win_ops;
}

void load_generator::keystroke(thread_state& ts, participant& p, std::int64_t now) {
    if (!p.client->welcomed()) {
        ++ts.skipped;
        return;
    }
    text_operation op;
    if (p.typer->backspace(ts.rng, p.length, p.buffered > 0)) {
        op.retain(p.length - 1).remove(1);
        --p.length;
    } else {
        const char16_t c = p.typer->next_char();
        op.retain(p.length).insert(std::u16string_view(&c, 1));
        ++p.length;
    }
    if (now >= win_start_ && now < win_end_) ++ts.win_keystrokes;
    if (p.inflight_seq == 0) {
        send_change(ts, p, now, now);
        bump(ts.busy, 1);
    } else {
        if (p.buffered == 0) p.buffer_key_ns = now;
        ++p.buffered;
    }
    p.client->edit_text(p.field, op);
}

void load_generator::start_typing(thread_state& ts) {
    for (auto* p : ts.members) {
        ts.heap.emplace_back(t0_ + static_cast<std::int64_t>(p->typer->next_delay(ts.rng) * 1e9), p);
        std::push_heap(ts.heap.begin(), ts.heap.end(), std::greater<>());
    }
    arm(ts);
}

void load_generator::arm(thread_state& ts) {
    if (ts.heap.empty()) return;
    ts.timer->expires_at(steady::time_point(std::chrono::nanoseconds(ts.heap.front().first)));
    ts.timer->async_wait([this, &ts](const boost::system::error_code& ec) {
        if (!ec) on_tick(ts);
    });
}

void load_generator::on_tick(thread_state& ts) {
    std::int64_t now = now_ns();
    while (!ts.heap.empty() && ts.heap.front().first <= now) {
        std::pop_heap(ts.heap.begin(), ts.heap.end(), std::greater<>());
        auto [due, p] = ts.heap.back();
        ts.heap.pop_back();
        if (due >= win_end_) continue;  // the typing is over for this participant
        if (now >= win_start_) ts.lag.record(now - due);
        keystroke(ts, *p, now);
        // Scheduled from the due time, not from now: a late keystroke does not lower the rate.
        ts.heap.emplace_back(due + static_cast<std::int64_t>(p->typer->next_delay(ts.rng) * 1e9), p);
        std::push_heap(ts.heap.begin(), ts.heap.end(), std::greater<>());
        now = now_ns();
    }
    arm(ts);
}

bool load_generator::wait_for(const std::function<bool()>& done, double seconds) const {
    // Polls a condition the I/O threads publish: a signal, with a deadline, never a fixed sleep.
    const auto deadline = steady::now() + std::chrono::duration_cast<steady::duration>(std::chrono::duration<double>(seconds));
    while (!done()) {
        if (steady::now() >= deadline) return false;
        std::this_thread::sleep_for(std::chrono::milliseconds(2));
    }
    return true;
}

bool load_generator::settled() const {
    // busy first: once no participant has a change in flight, `expected` is final.
    for (const auto& t : threads_)
        if (t->busy.load(std::memory_order_relaxed) != 0) return false;
    return sum([](const thread_state& t) { return t.received.load(std::memory_order_relaxed); }) >=
           sum([](const thread_state& t) { return t.expected.load(std::memory_order_relaxed); });
}

void load_generator::check_replicas(load_result& r) {
    std::vector<std::uint64_t> hash(people_.size(), 0), rev(people_.size(), 0);
    std::vector<std::uint64_t> lost(pool_.size(), 0), behind(pool_.size(), 0), text_bad(pool_.size(), 0);
    for (unsigned t = 0; t < pool_.size(); ++t) {
        pool_.run_on(t, [&, t] {
            for (auto* p : threads_[t]->members) {
                if (!p->client->replica().has_state()) continue;
                hash[p->index] = std::hash<std::string>{}(p->client->replica().confirmed().to_json().dump());
                rev[p->index] = p->client->replica().rev();
                try {
                    if (p->client->replica().visible_text(p->field).size() != p->length) ++text_bad[t];
                } catch (const std::exception&) {
                    ++text_bad[t];
                }
                for (auto* s : by_meeting_[p->meeting]) {
                    if (s == p) continue;
                    const auto acked = s->typing_acks.load();
                    if (p->seen_typing[s->slot] < acked) lost[t] += acked - p->seen_typing[s->slot];
                    if (p->last_seen[s->slot] != s->last_acked_seq.load()) ++behind[t];
                }
            }
        });
    }
    for (unsigned t = 0; t < pool_.size(); ++t) {
        r.lost += lost[t];
        r.text_mismatches += text_bad[t];
        r.gaps += behind[t];  // a receiver whose last seq of a sender is not the sender's last acknowledged one
    }
    for (const auto& members : by_meeting_) {
        bool same = true;
        for (auto* p : members)
            if (hash[p->index] != hash[members.front()->index] || rev[p->index] != rev[members.front()->index]) same = false;
        (same ? r.meetings_identical : r.meetings_diverged) += 1;
    }
}

void load_generator::shutdown() {
    if (shut_down_) return;
    shut_down_ = true;
    for (unsigned t = 0; t < pool_.size() && t < threads_.size(); ++t) {
        pool_.run_on(t, [&, t] {
            threads_[t]->timer->cancel();
            for (auto* p : threads_[t]->members) p->client->stop();
        });
    }
    // Close frames go out; the server says goodbye to each. Waits for that, not for a fixed time.
    wait_for([&] {
        std::atomic<std::size_t> open{0};
        for (unsigned t = 0; t < pool_.size() && t < threads_.size(); ++t)
            pool_.run_on(t, [&, t] {
                for (auto* p : threads_[t]->members) open += p->client->connected() ? 1 : 0;
            });
        return open == 0;
    }, 10);
    pool_.stop();
    people_.clear();  // the clients, before the io_contexts they use
}

load_result load_generator::run() {
    load_result r;
    r.options = o_;
    r.load_before = load_average();
    {
        // What the rest of the machine is doing before we start (other builds, browsers): recorded, not fixed.
        const auto a = read_machine();
        std::this_thread::sleep_for(std::chrono::seconds(1));
        r.background_busy_percent = 100.0 * busy_share(a, read_machine());
    }
    const auto srv0 = o_.server_pid ? read_process(o_.server_pid) : process_sample{};
    r.server_rss_before = srv0.rss_bytes;

    note("creating 1 group and " + std::to_string(o_.meetings) + " meetings");
    create_participants();
    const std::size_t n = people_.size();

    note("connecting " + std::to_string(n) + " participants on " + std::to_string(pool_.size()) + " threads");
    const auto c0 = steady::now();
    for (unsigned t = 0; t < pool_.size(); ++t) pool_.post(t, [this, t] { start_next(*threads_[t]); });
    const bool all_in = wait_for([&] { return sum([](const thread_state& t) { return t.welcomed.load(); }) == n; },
                                 60 + static_cast<double>(n) / 50);
    r.connect_seconds = std::chrono::duration<double>(steady::now() - c0).count();
    if (!all_in) {
        r.ok_reason = "only " + std::to_string(sum([](const thread_state& t) { return t.welcomed.load(); })) + " of " +
                      std::to_string(n) + " participants were welcomed";
        for (auto& t : threads_)
            for (auto& e : t->first_errors) r.first_errors.push_back(e);
        return r;
    }

    note("adding one entry per participant");
    // run_on, not post: every `busy` is counted before settled() is first asked.
    for (unsigned t = 0; t < pool_.size(); ++t)
        pool_.run_on(t, [this, t] {
            for (auto* p : threads_[t]->members) {
                p->entry_seq.store(p->next_seq, std::memory_order_relaxed);
                p->inflight_seq = p->next_seq++;
                bump(threads_[t]->busy, 1);
                p->client->submit(add_entry_change{p->field.topic, p->field.org, p->field.entry});
            }
        });
    if (!wait_for([&] { return settled(); }, 60)) r.ok_reason = "the entries were not all acknowledged and delivered";
    const auto srv1 = o_.server_pid ? read_process(o_.server_pid) : process_sample{};
    r.server_rss_connected = srv1.rss_bytes;

    note("typing: " + std::to_string(static_cast<int>(o_.warmup)) + " s warm-up, " + std::to_string(static_cast<int>(o_.duration)) + " s measured");
    t0_ = now_ns() + 50'000'000;
    win_start_ = t0_ + static_cast<std::int64_t>(o_.warmup * 1e9);
    win_end_ = win_start_ + static_cast<std::int64_t>(o_.duration * 1e9);
    for (unsigned t = 0; t < pool_.size(); ++t) pool_.post(t, [this, t] { start_typing(*threads_[t]); });

    auto at = [](std::int64_t ns) { return steady::time_point(std::chrono::nanoseconds(ns)); };
    std::this_thread::sleep_until(at(win_start_));
    const auto srv_a = o_.server_pid ? read_process(o_.server_pid) : process_sample{};
    const auto me_a = read_process(0);
    const auto mach_a = read_machine();
    std::uint64_t rss_max = srv_a.rss_bytes;
    // Sample the server's memory twice a second through the window.
    for (std::int64_t next = win_start_ + 500'000'000; next < win_end_; next += 500'000'000) {
        std::this_thread::sleep_until(at(next));
        if (o_.server_pid) rss_max = std::max(rss_max, read_process(o_.server_pid).rss_bytes);
    }
    std::this_thread::sleep_until(at(win_end_));
    const auto srv_b = o_.server_pid ? read_process(o_.server_pid) : process_sample{};
    const auto me_b = read_process(0);
    const auto mach_b = read_machine();
    r.window_seconds = o_.duration;
    r.load_after = load_average();

    note("waiting for every change to be acknowledged and delivered");
    const auto s0 = steady::now();
    r.settled = wait_for([&] { return settled(); }, o_.settle_timeout);
    r.settle_seconds = std::chrono::duration<double>(steady::now() - s0).count();
    note("comparing " + std::to_string(n) + " replicas");
    check_replicas(r);
    shutdown();

    latency_histogram key, send, ack, lag;
    r.deliveries_by_second.assign(threads_.front()->per_second.size(), 0);
    for (const auto& t : threads_) {
        key.merge(t->key_recv);
        send.merge(t->send_recv);
        ack.merge(t->ack);
        lag.merge(t->lag);
        r.keystrokes += t->win_keystrokes;
        r.ops += t->win_ops;
        r.acks += t->win_acks;
        r.deliveries += t->win_deliveries;
        r.deliveries_total += t->received.load();
        r.deliveries_expected += t->expected.load();
        r.out_of_order += t->out_of_order;
        r.gaps += t->gaps;
        r.unattributed += t->unattributed;
        r.attribution_mismatches += t->mismatches + t->foreign;
        r.errors += t->errors.load();
        r.skipped_keystrokes += t->skipped;
        r.reconnects += t->reconnects;
        for (std::size_t i = 0; i < t->per_second.size(); ++i) r.deliveries_by_second[i] += t->per_second[i];
        for (auto& e : t->first_errors)
            if (r.first_errors.size() < 5) r.first_errors.push_back(e);
    }
    r.exceptions = pool_.exceptions();
    if (r.exceptions && r.first_errors.size() < 5) r.first_errors.push_back("exception: " + pool_.first_exception());
    r.keystroke_to_receipt = latency_summary::of(key);
    r.send_to_receipt = latency_summary::of(send);
    r.ack = latency_summary::of(ack);
    r.timer_lag = latency_summary::of(lag);
    r.keystrokes_per_second = static_cast<double>(r.keystrokes) / r.window_seconds;
    r.ops_per_second = static_cast<double>(r.ops) / r.window_seconds;
    r.deliveries_per_second = static_cast<double>(r.deliveries) / r.window_seconds;
    r.deliveries_per_op = r.ops ? static_cast<double>(r.deliveries) / static_cast<double>(r.ops) : 0;

    if (o_.server_pid && srv_a.ok && srv_b.ok) {
        const double cpu = srv_b.cpu_seconds - srv_a.cpu_seconds;
        r.server_cpu_percent = 100.0 * cpu / r.window_seconds;
        if (r.ops) r.server_cpu_ms_per_op = 1e3 * cpu / static_cast<double>(r.ops);
        if (r.deliveries) r.server_cpu_us_per_delivery = 1e6 * cpu / static_cast<double>(r.deliveries);
        r.server_rss_max = std::max(rss_max, srv_b.rss_bytes);
        r.server_rss_end = srv_b.rss_bytes;
        r.server_hwm = srv_b.hwm_bytes;
        r.server_threads = srv_b.threads;
    }
    r.bench_cpu_percent = 100.0 * (me_b.cpu_seconds - me_a.cpu_seconds) / r.window_seconds;
    r.bench_rss = me_b.rss_bytes;
    r.machine_busy_percent = 100.0 * busy_share(mach_a, mach_b);
    // Busy CPU not spent by the server or this process, in % of one core (other work on the machine, kernel threads).
    r.others_cpu_percent = r.machine_busy_percent * cpu_count() - r.bench_cpu_percent - std::max(r.server_cpu_percent, 0.0);

    std::string bad;
    auto add = [&](bool cond, const std::string& what) {
        if (cond) bad += (bad.empty() ? "" : "; ") + what;
    };
    add(!r.ok_reason.empty(), r.ok_reason);
    add(!r.settled, "not every change was delivered within " + std::to_string(o_.settle_timeout) + " s");
    add(r.lost > 0, std::to_string(r.lost) + " deliveries lost");
    add(r.out_of_order > 0, std::to_string(r.out_of_order) + " out of order");
    add(r.gaps > 0, std::to_string(r.gaps) + " gaps in a sender's seqs");
    add(r.errors > 0, std::to_string(r.errors) + " errors");
    add(r.reconnects > 0, std::to_string(r.reconnects) + " reconnects");
    add(r.exceptions > 0, std::to_string(r.exceptions) + " exceptions");
    add(r.meetings_diverged > 0, std::to_string(r.meetings_diverged) + " meetings whose replicas differ");
    add(r.text_mismatches > 0, std::to_string(r.text_mismatches) + " fields differ from what was typed");
    add(r.attribution_mismatches > 0, std::to_string(r.attribution_mismatches) + " acks or ops the bench could not attribute");
    r.ok_reason = bad;
    return r;
}

}  // namespace

load_result run_load(const load_options& o) {
    load_generator g(o);
    return g.run();
}

}  // namespace est::bench
