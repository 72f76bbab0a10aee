#include "est/client_replica.hpp"

#include "fixtures.hpp"

#include <deque>
#include <functional>
#include <memory>
#include <random>
#include <set>
#include <string>
#include <vector>

#include <catch2/catch.hpp>
#include <nlohmann/json.hpp>

#include "est/error.hpp"
#include "est/meeting_state.hpp"
#include "est/protocol.hpp"
#include "est/server_message.hpp"
#include "est/utf.hpp"

using est::client_replica;
using est::field_ref;
using est::identity;
using est::role;
using est::text_operation;
using json = nlohmann::json;

namespace {

using est::test::biweekly;
using est::test::S;
using est::test::U;

const std::vector<std::string>& org_ids = est::test::test_orgs;


text_operation op(const char* wire) { return text_operation::from_json(json::parse(wire), "ops"); }

const identity anna{"Anna", "polis", role::participant};
const identity bjorn{"Björn", "polis", role::participant};
const identity david{"David", "polis", role::cosigner};
const identity cecilia{"Cecilia", "kommun", role::chair};

const field_ref handelse{"hot-och-vald", "polis", "e1", "handelse"};
const field_ref plats{"hot-och-vald", "polis", "e1", "plats"};
const field_ref trend{"hot-och-vald", "polis", "e1", "trend"};
const field_ref bedomning{"hot-och-vald", "", "", "bedomning"};

// ---------------------------------------------------------------------------------------------------
// A server in memory: meeting_state plus the room's message handling, no sockets.

struct connection {
    std::string client;
    identity who;
    est::participant_info info;
    bool open = false;
    std::deque<std::string> to_server;  // sent by the replica, not yet read by the server
    std::deque<std::string> to_client;  // sent by the server, not yet read by the replica
    bool takes_applied = false;         // joined with `applied`
    int joins = 0;                      // which join of this connection's peer it is
    std::vector<std::pair<std::uint64_t, std::uint64_t>> unannounced;  // (seq, rev) of held acks
};

// The server shows a client by a public id derived from its secret (est::public_client_id); the
// simulation derives one too, so replicas must recognise their own ops by welcome.you.client.
std::string public_of(const std::string& secret) { return "k-" + std::to_string(std::hash<std::string>{}(secret)); }

class sim_server {
public:
    explicit sim_server(est::limits lim = {})
        : state_(est::meeting_document(biweekly(), org_ids), 0, {}, lim) {
        meeting_ = {{"id", "m1"},
                    {"group", json::parse(R"({"id": "est-malmo", "name": "EST Malmö", "organisations": [
                        {"id": "polis", "name": "Polisen"}, {"id": "kommun", "name": "Malmö stad"},
                        {"id": "skola", "name": "Skolförvaltningen"}]})")},
                    {"template", biweekly()->to_json()}};
    }

    // Handles a join: the welcome carries the whole state on a first join (or when asked), otherwise the
    // op messages since the client's `since`, exactly as they were broadcast.
    void join(connection& c, const std::string& join_text, bool whole_state = false) {
        const auto m = std::get<est::join_message>(est::parse_client_message(join_text, state_.bounds()));
        if (hold_acks) commit();  // a welcome waits until all it shows is durable
        c.open = true;
        c.to_server.clear();
        c.to_client.clear();
        c.takes_applied = m.applied;
        c.unannounced.clear();
        ++c.joins;  // acks held for an earlier connection go nowhere: the welcome's last_seq says it all
        c.client = public_of(m.client);
        c.who = m.who.value_or(est::identity{});
        c.info = {"p" + std::to_string(++sessions_), c.who, std::nullopt};
        est::encode::welcome_parts w;
        w.meeting = &meeting_;
        w.you = c.info;
        w.you_client = c.client;
        w.rev = state_.rev();
        w.last_seq = state_.last_seq(c.client);
        std::string st;
        if (!m.since || whole_state) {
            st = state_.document().to_json().dump();
            w.state = &st;
        } else {
            REQUIRE(*m.since <= log_.size());
            for (std::size_t i = *m.since; i < log_.size(); ++i) w.catch_up.push_back(&log_[i]);
        }
        c.to_client.push_back(est::encode::welcome(w));
    }

    void handle(connection& from, const std::string& text, const std::vector<connection*>& all) {
        const auto msg = est::parse_client_message(text, state_.bounds());
        const auto* m = std::get_if<est::op_message>(&msg);
        REQUIRE(m != nullptr);
        try {
            const auto applied = state_.submit(from.client, m->seq, m->rev, m->body, from.who);
            if (!applied) {
                if (hold_acks) commit();  // a duplicate's ack waits until everything up to now is durable
                ++duplicates;
                from.to_client.push_back(est::encode::ack(m->seq, state_.rev(), true));
                return;
            }
            // Exactly once: no (client, seq) is ever applied twice.
            CHECK(applied_ids.insert(from.client + "#" + std::to_string(m->seq)).second);
            log_.push_back(est::encode::op(state_.rev(), from.client, m->seq, from.info, *applied));
            if (hold_acks && from.takes_applied) {
                from.unannounced.emplace_back(m->seq, state_.rev());
                held_.push_back({&from, from.joins, m->seq, state_.rev()});
            } else {
                from.to_client.push_back(est::encode::ack(m->seq, state_.rev(), false));
            }
            for (auto* c : all) {
                if (c == &from || !c->open) continue;
                // As the room does: its own changes not yet durable are announced before a later revision.
                for (const auto& [seq, rev] : c->unannounced) c->to_client.push_back(est::encode::applied(seq, rev));
                c->unannounced.clear();
                c->to_client.push_back(log_.back());
            }
        } catch (const est::domain_error& e) {
            errors.push_back(e.code());
            from.to_client.push_back(est::encode::error(e.code(), e.what(), m->seq));
        }
    }

    // A commit is on its way while set: the ack of a client that takes `applied` waits for commit().
    bool hold_acks = false;
    // The commit: the held acks go out, as marks after their `applied` or in their place.
    void commit() {
        for (const auto& h : held_) {
            if (!h.to->open || h.to->joins != h.joins) continue;
            std::erase_if(h.to->unannounced, [&](const auto& u) { return u.first == h.seq; });
            h.to->to_client.push_back(est::encode::ack(h.seq, h.rev, false));
        }
        held_.clear();
        last_commit_ = std::make_unique<disk>(durable());
    }
    // What is on disk (everything, when nothing is held) and a crash back to it.
    struct disk {
        est::meeting_state state;
        std::size_t log;
        std::set<std::string> applied_ids;
    };
    disk durable() const { return {state_, log_.size(), applied_ids}; }
    void restart(const disk& d) {
        state_ = d.state;
        log_.resize(d.log);
        applied_ids = d.applied_ids;
        held_.clear();
    }
    // A crash: back to the last commit.
    void crash() {
        REQUIRE(last_commit_);
        restart(*last_commit_);
    }

    const est::meeting_state& state() const { return state_; }
    std::string text(const field_ref& f) const { return S(state_.document().field(f).text); }

    std::vector<std::string> errors;
    std::set<std::string> applied_ids;
    int duplicates = 0;

private:
    est::meeting_state state_;
    json meeting_;
    std::vector<std::string> log_;  // log_[i] is the op message of revision i + 1
    int sessions_ = 0;
    struct held {
        connection* to;
        int joins;
        std::uint64_t seq, rev;
    };
    std::vector<held> held_;
    std::unique_ptr<disk> last_commit_;
};

struct peer {
    peer(const std::string& client, const identity& who) : replica(client, "m1", who) {}
    client_replica replica;
    connection conn;
};

class world {
public:
    explicit world(est::limits lim = {}) : server(lim) {}

    peer& add(const std::string& client, const identity& who) {
        peers.push_back(std::make_unique<peer>(client, who));
        connect(*peers.back());
        deliver_all(*peers.back());
        return *peers.back();
    }
    void connect(peer& p, bool whole_state = false) { server.join(p.conn, p.replica.join_message(), whole_state); }
    // The connection drops: everything in flight either way is lost.
    void disconnect(peer& p) {
        p.replica.disconnected();
        p.conn.open = false;
        p.conn.to_server.clear();
        p.conn.to_client.clear();
    }
    // What a replica returns goes on its connection, if it has one.
    void send(peer& p, const std::vector<std::string>& out) {
        if (!p.conn.open) {
            CHECK(out.empty());
            return;
        }
        for (const auto& m : out) p.conn.to_server.push_back(m);
    }
    void edit(peer& p, const field_ref& f, const text_operation& o) { send(p, p.replica.edit_text(f, o)); }
    void submit(peer& p, est::change c) { send(p, p.replica.submit(std::move(c))); }

    bool server_step(peer& p) {
        if (p.conn.to_server.empty()) return false;
        const std::string m = p.conn.to_server.front();
        p.conn.to_server.pop_front();
        std::vector<connection*> all;
        for (auto& q : peers) all.push_back(&q->conn);
        server.handle(p.conn, m, all);
        return true;
    }
    bool client_step(peer& p) {
        if (p.conn.to_client.empty()) return false;
        const std::string m = p.conn.to_client.front();
        p.conn.to_client.pop_front();
        // Both routes into the replica, in turn: the client library's (op and ack decoded without a DOM)
        // and a parsed DOM.
        if (++received_ % 2) send(p, p.replica.on_message(est::server_message(m)));
        else send(p, p.replica.on_message(json::parse(m)));
        return true;
    }
    void deliver_all(peer& p) {
        while (client_step(p)) {
        }
    }
    // Moves every message until nothing is in flight.
    void drain() {
        bool moved = true;
        while (moved) {
            moved = false;
            for (auto& p : peers)
                while (server_step(*p)) moved = true;
            for (auto& p : peers)
                while (client_step(*p)) moved = true;
        }
    }

    // Every replica agrees with the server.
    void check_converged(const std::vector<field_ref>& fields) {
        for (auto& p : peers) {
            INFO("replica " << p->replica.client_id());
            CHECK(p->replica.idle());
            CHECK(p->replica.rev() == server.state().rev());
            CHECK(p->replica.confirmed() == server.state().document());
            CHECK(p->replica.confirmed().to_json() == server.state().document().to_json());
            for (const auto& f : fields) {
                INFO("field " << f.key());
                CHECK(S(p->replica.visible_text(f)) == server.text(f));
            }
        }
    }

    sim_server server;
    std::vector<std::unique_ptr<peer>> peers;

private:
    unsigned received_ = 0;
};

// Sets up anna and björn (both polis) and entry e1, everything delivered.
void add_entry_e1(world& w, peer& p) {
    w.submit(p, est::add_entry_change{"hot-och-vald", "polis", "e1"});
    w.drain();
    REQUIRE(w.server.state().rev() == 1);
}

json parsed(const std::string& text) { return json::parse(text); }

// Deterministic randomness with a fixed seed.
struct random_source {
    std::mt19937 gen;
    explicit random_source(std::uint32_t seed) : gen(seed) {}
    std::size_t below(std::size_t n) { return static_cast<std::size_t>(gen()) % n; }
    bool percent(std::size_t p) { return below(100) < p; }
};
const std::vector<std::u16string>& alphabet() {
    static const std::vector<std::u16string> a = {u"a", u"b", u" ", u"\u00e5", u"\u00e4", u"\u00f6", u"\u00d6",
                                                  u"\U0001F600", u"\U0001F693"};
    return a;
}
std::u16string random_text(random_source& r, std::size_t max_code_points) {
    std::u16string s;
    const std::size_t n = 1 + r.below(max_code_points);
    for (std::size_t i = 0; i < n; ++i) s += alphabet()[r.below(alphabet().size())];
    return s;
}
bool is_high(char16_t c) { return c >= 0xD800 && c <= 0xDBFF; }
std::size_t units_of(std::u16string_view text, std::size_t pos, std::size_t count) {
    std::size_t end = pos;
    for (std::size_t i = 0; i < count && end < text.size(); ++i) end += is_high(text[end]) ? 2 : 1;
    return end - pos;
}
// A small edit at a random code-point boundary: what a person types or deletes.
text_operation random_edit(random_source& r, std::u16string_view text) {
    std::size_t cps = 0;
    for (std::size_t i = 0; i < text.size(); i += is_high(text[i]) ? 2 : 1) ++cps;
    const std::size_t at = units_of(text, 0, r.below(cps + 1));
    text_operation o;
    o.retain(at);
    // Long texts mostly shrink, so fields stay far below their max_length (plats: 500).
    const bool long_text = text.size() > 120;
    std::size_t removed = 0;
    if (at < text.size() && r.percent(long_text ? 90 : 35)) removed = units_of(text, at, 1 + r.below(long_text ? 8 : 3));
    if (removed == 0 || r.percent(long_text ? 10 : 30)) o.insert(random_text(r, 3));
    o.remove(removed);
    o.retain(text.size() - at - removed);
    return o;
}

}  // namespace

// ---------------------------------------------------------------------------------------------------

TEST_CASE("a replica joins from a whole-state welcome", "[client_replica]") {
    world w;
    auto& a = w.add("c-anna-0123456789ab", anna);
    CHECK(a.replica.has_state());
    CHECK(a.replica.connected());
    CHECK(a.replica.rev() == 0);
    CHECK(a.replica.idle());
    CHECK(a.replica.confirmed() == w.server.state().document());
    CHECK(parsed(a.replica.join_message()).at("since") == 0);

    client_replica fresh_one("c-new-0123456789ab", "m1", anna);
    CHECK_FALSE(fresh_one.has_state());
    CHECK_FALSE(fresh_one.connected());
    CHECK_FALSE(parsed(fresh_one.join_message()).contains("since"));
    CHECK(parsed(fresh_one.join_message()) ==
          json::parse(R"({"type": "join", "meeting": "m1", "client": "c-new-0123456789ab", "name": "Anna", "org": "polis", "role": "participant", "applied": true})"));
    CHECK_THROWS_AS(fresh_one.edit_text(handelse, op(R"(["x"])")), est::domain_error);
}

TEST_CASE("two replicas type concurrently into one field and converge", "[client_replica]") {
    world w;
    auto& a = w.add("c-anna-0123456789ab", anna);
    auto& b = w.add("c-bjorn-0123456789ab", bjorn);
    add_entry_e1(w, a);
    CHECK(b.replica.confirmed().field(handelse).text.empty());

    // Both type into the empty field at once; both keep typing before hearing back.
    w.edit(a, handelse, op(R"(["Hej"])"));
    w.edit(b, handelse, op(R"(["Då"])"));
    CHECK(a.conn.to_server.size() == 1);
    CHECK(b.conn.to_server.size() == 1);
    w.edit(a, handelse, op(R"([3, " där 👋"])"));
    w.edit(b, handelse, op(R"([2, "!"])"));
    CHECK(a.conn.to_server.size() == 1);  // one change in flight per field; the rest is buffered
    CHECK(S(a.replica.visible_text(handelse)) == "Hej där 👋");
    CHECK(S(b.replica.visible_text(handelse)) == "Då!");
    CHECK_FALSE(a.replica.idle());

    // The server takes Anna's first, then Björn's; the rest follows as acks arrive.
    w.server_step(a);
    w.server_step(b);
    CHECK(w.server.text(handelse) == "HejDå");
    w.drain();

    const std::string final_text = w.server.text(handelse);
    CHECK(final_text == "HejDå där 👋!");
    for (const char* word : {"Hej", "Då", " där 👋", "!"}) CHECK_THAT(final_text, Catch::Contains(word));
    w.check_converged({handelse, plats});
    CHECK(w.server.errors.empty());
    CHECK(w.server.duplicates == 0);
    CHECK(a.replica.remote_changes() == 2);  // Björn's two changes
    CHECK(b.replica.remote_changes() == 3);  // the entry and Anna's two changes
}

TEST_CASE("replicas interleave text and set changes in server order", "[client_replica]") {
    world w;
    auto& a = w.add("c-anna-0123456789ab", anna);
    auto& b = w.add("c-bjorn-0123456789ab", bjorn);
    auto& c = w.add("c-cecilia-0123456789ab", cecilia);
    add_entry_e1(w, a);

    w.edit(a, plats, op(R"(["Centrum"])"));
    w.submit(b, est::set_change{trend, "ökar"});
    w.edit(c, bedomning, op(R"(["Förhöjt läge"])"));
    w.edit(b, plats, op(R"(["Torget, "])"));
    w.drain();
    CHECK(w.server.text(plats) == "CentrumTorget, ");
    CHECK(w.server.state().document().field(trend).choice == "ökar");
    w.check_converged({handelse, plats, bedomning});
    CHECK(b.replica.confirmed().field(trend).choice == "ökar");
    CHECK(b.replica.confirmed().field(trend).rev == a.replica.confirmed().field(trend).rev);
}

TEST_CASE("a refused change is dropped and its error recorded", "[client_replica]") {
    world w;
    auto& a = w.add("c-anna-0123456789ab", anna);
    auto& b = w.add("c-bjorn-0123456789ab", bjorn);
    add_entry_e1(w, a);

    SECTION("a set that lost a conflict") {
        w.submit(a, est::set_change{trend, "ökar"});
        w.submit(b, est::set_change{trend, "minskar"});  // both based on revision 1
        w.drain();
        CHECK(w.server.errors == std::vector<std::string>{"conflict"});
        CHECK(b.replica.errors() == std::vector<std::string>{"conflict"});
        CHECK(w.server.state().document().field(trend).choice == "ökar");
        w.check_converged({handelse});
    }
    SECTION("a text edit in another organisation's cell") {
        auto& k = w.add("c-kim-0123456789ab", identity{"Kim", "kommun", role::participant});
        w.edit(k, handelse, op(R"(["Inte min cell"])"));
        CHECK(S(k.replica.visible_text(handelse)) == "Inte min cell");
        w.drain();
        CHECK(k.replica.errors() == std::vector<std::string>{"forbidden"});
        CHECK(k.replica.visible_text(handelse).empty());
        w.check_converged({handelse});
    }
    SECTION("an edit of an entry another replica removed") {
        w.edit(a, handelse, op(R"(["Hej"])"));
        w.edit(a, handelse, op(R"([3, " igen"])"));
        w.submit(b, est::remove_entry_change{"hot-och-vald", "polis", "e1"});
        w.server_step(b);  // the removal wins the race
        w.drain();
        CHECK(a.replica.errors() == std::vector<std::string>{"not_found"});
        CHECK(a.replica.idle());
        CHECK(a.replica.confirmed().topic("hot-och-vald").cells.at("polis").entries.empty());
        w.check_converged({});
    }
}

TEST_CASE("a change refused only for now is kept and sent again after a resync", "[client_replica]") {
    const auto code = GENERATE(as<std::string>{}, "rate_limited", "stale_revision", "storage_failed");
    INFO("code " << code);
    world w;
    auto& a = w.add("c-anna-0123456789ab", anna);
    add_entry_e1(w, a);
    w.edit(a, handelse, op(R"(["Hej"])"));
    // The server refuses it for now (answered here instead of by the server).
    const auto refused = est::parse_client_message(a.conn.to_server.front(), est::limits{});
    a.conn.to_server.pop_front();
    a.conn.to_client.push_back(est::encode::error(code, "not now", std::get<est::op_message>(refused).seq));
    // A later change in another field is applied, so last_seq passes the refused one.
    w.edit(a, plats, op(R"(["Torget"])"));
    w.drain();
    CHECK(a.replica.take_resync());
    CHECK_FALSE(a.replica.take_resync());
    CHECK(S(a.replica.visible_text(handelse)) == "Hej");  // the user's text is still there
    CHECK_FALSE(a.replica.idle());
    CHECK(w.server.text(handelse).empty());

    w.disconnect(a);
    w.connect(a);
    w.drain();
    CHECK(w.server.text(handelse) == "Hej");
    CHECK(w.server.text(plats) == "Torget");
    w.check_converged({handelse, plats});
}

TEST_CASE("reconnect: an op the server applied comes back in the catch-up as the ack", "[client_replica]") {
    world w;
    auto& a = w.add("c-anna-0123456789ab", anna);
    auto& b = w.add("c-bjorn-0123456789ab", bjorn);
    add_entry_e1(w, a);

    w.edit(a, handelse, op(R"(["Hej"])"));
    const json sent = parsed(a.conn.to_server.front());
    const auto seq = sent.at("seq").get<std::uint64_t>();
    w.server_step(a);  // applied as revision 2; the ack is on its way
    w.edit(b, handelse, op(R"(["Då "])"));
    w.server_step(b);  // revision 3
    REQUIRE(w.server.state().rev() == 3);
    REQUIRE(w.server.text(handelse) == "HejDå ");

    SECTION("nothing pending besides it: nothing is resent") {
        w.disconnect(a);  // the ack and Björn's op are lost
        CHECK_FALSE(a.replica.connected());
        CHECK(parsed(a.replica.join_message()).at("since") == 1);
        w.connect(a);
        const std::string welcome = a.conn.to_client.front();
        CHECK(parsed(welcome).at("catch_up").size() == 2);
        CHECK(parsed(welcome).at("last_seq") == seq);
        w.client_step(a);
        CHECK(a.conn.to_server.empty());  // resends nothing
        CHECK(a.replica.idle());
        CHECK(a.replica.rev() == 3);
        CHECK(S(a.replica.visible_text(handelse)) == "HejDå ");
    }
    SECTION("typing while offline: only the new typing is sent, under a new seq") {
        w.disconnect(a);
        w.edit(a, handelse, op(R"([3, " alla"])"));  // buffered behind the applied op; nothing sent offline
        CHECK(a.conn.to_server.empty());
        CHECK(S(a.replica.visible_text(handelse)) == "Hej alla");
        w.connect(a);
        w.client_step(a);
        REQUIRE(a.conn.to_server.size() == 1);
        const json resent = parsed(a.conn.to_server.front());
        CHECK(resent.at("seq").get<std::uint64_t>() > seq);
        CHECK(resent.at("rev") == 3);
        // Björn's op came first at the same position (server order breaks the tie).
        CHECK(resent.at("change").at("ops") == json::parse(R"([6, " alla"])"));
        CHECK(S(a.replica.visible_text(handelse)) == "HejDå  alla");
    }
    w.drain();
    CHECK(w.server.duplicates == 0);
    CHECK(w.server.errors.empty());
    const std::string final_text = w.server.text(handelse);
    CHECK(final_text.find("Hej") == final_text.rfind("Hej"));  // applied once
    w.check_converged({handelse});
}

TEST_CASE("reconnect: an op the server never received is resent with the same seq and applied once",
          "[client_replica]") {
    world w;
    auto& a = w.add("c-anna-0123456789ab", anna);
    auto& b = w.add("c-bjorn-0123456789ab", bjorn);
    add_entry_e1(w, a);

    w.edit(a, handelse, op(R"(["Hej"])"));
    const json original = parsed(a.conn.to_server.front());
    w.disconnect(a);  // lost on the way
    w.edit(b, handelse, op(R"(["Då"])"));
    w.drain();
    REQUIRE(w.server.state().rev() == 2);
    CHECK(w.server.state().last_seq(public_of("c-anna-0123456789ab")) == 1);  // the add_entry only

    w.connect(a);
    CHECK(parsed(a.conn.to_client.front()).at("catch_up").size() == 1);
    w.client_step(a);
    REQUIRE(a.conn.to_server.size() == 1);
    const std::string resend = a.conn.to_server.front();
    const json resent = parsed(resend);
    CHECK(resent.at("seq") == original.at("seq"));
    CHECK(resent.at("rev") == 2);  // rebased over Björn's op
    // Björn's op was applied first, so at the same position it goes first.
    CHECK(resent.at("change").at("ops") == json::parse(R"([2, "Hej"])"));

    w.server_step(a);
    CHECK(w.server.state().rev() == 3);
    CHECK(w.server.text(handelse) == "DåHej");
    w.drain();
    w.check_converged({handelse});

    // The same message arriving once more (a network duplicate) is recognised and changes nothing.
    const json before = w.server.state().snapshot();
    a.conn.to_server.push_back(resend);
    w.drain();
    CHECK(w.server.duplicates == 1);
    CHECK(w.server.state().snapshot() == before);
    CHECK(w.server.text(handelse) == "DåHej");
    w.check_converged({handelse});
}

TEST_CASE("reconnect with a whole-state welcome rebases pending typing", "[client_replica]") {
    world w;
    auto& a = w.add("c-anna-0123456789ab", anna);
    auto& b = w.add("c-bjorn-0123456789ab", bjorn);
    add_entry_e1(w, a);
    w.edit(a, handelse, op(R"(["Hej"])"));
    w.drain();

    SECTION("the outstanding op was applied") {
        w.edit(a, handelse, op(R"([3, " där"])"));
        w.server_step(a);
        w.disconnect(a);
        w.edit(a, handelse, op(R"([7, "!"])"));
        w.edit(b, handelse, op(R"(["Ja, ", 3])"));
        w.drain();
        w.connect(a, true);
        w.drain();
        CHECK(w.server.text(handelse) == "Ja, Hej där!");
    }
    SECTION("the outstanding op was lost") {
        w.edit(a, handelse, op(R"([3, " där"])"));
        w.disconnect(a);
        w.edit(b, handelse, op(R"(["Ja, ", 3])"));
        w.drain();
        w.connect(a, true);
        w.drain();
        CHECK(w.server.text(handelse) == "Ja, Hej där");
    }
    CHECK(w.server.errors.empty());
    w.check_converged({handelse});
}

namespace {
// Random sessions: people typing in shared fields, the server and the network interleaving at random.
void random_session(std::uint32_t seed, int steps, bool with_reconnects, bool held_acks = false) {
    world w;
    std::vector<peer*> ps = {&w.add("c-anna-0123456789ab", anna), &w.add("c-bjorn-0123456789ab", bjorn), &w.add("c-david-0123456789ab", david),
                             &w.add("c-cecilia-0123456789ab", cecilia)};
    add_entry_e1(w, *ps[0]);
    const std::vector<field_ref> polis_fields = {handelse, plats};
    const std::vector<field_ref> all_fields = {handelse, plats, bedomning};
    random_source r(seed);
    int edits = 0, reconnects = 0;
    w.server.hold_acks = held_acks;
    w.server.commit();
    std::set<peer*> after_crash;  // must rejoin with the whole state: the server's revisions are not theirs
    int crashes = 0;
    for (int i = 0; i < steps; ++i) {
        peer& p = *ps[r.below(ps.size())];
        const std::size_t what = r.below(100);
        if (held_acks && r.percent(10)) w.server.commit();
        if (held_acks && r.below(1000) < 3) {
            w.server.crash();
            for (auto* q : ps) {
                if (q->conn.open) w.disconnect(*q);
                after_crash.insert(q);
            }
            ++crashes;
        }
        if (what < 35) {
            const field_ref& f = &p == ps[3] ? bedomning : polis_fields[r.below(polis_fields.size())];
            const auto o = random_edit(r, p.replica.visible_text(f));
            w.edit(p, f, o);
            ++edits;
        } else if (what < 37 && &p != ps[3]) {
            w.submit(p, est::set_change{trend, r.percent(50) ? "ökar" : "minskar"});
        } else if (what < 67) {
            w.server_step(p);
        } else if (what < 97 || !with_reconnects) {
            w.client_step(p);
        } else if (p.conn.open) {
            w.disconnect(p);
        } else {
            w.connect(p, r.percent(25) || after_crash.erase(&p) > 0);
            ++reconnects;
        }
    }
    for (auto* p : ps)
        if (!p->conn.open) w.connect(*p, after_crash.count(p) > 0);
    w.server.hold_acks = false;
    w.server.commit();
    w.drain();
    INFO("seed " << seed << ", " << edits << " edits, " << reconnects << " reconnects, server rev "
                 << w.server.state().rev());
    CHECK(edits > steps / 4);
    if (with_reconnects) CHECK(reconnects > 0);
    if (held_acks) CHECK(crashes > 0);
    for (const auto& e : w.server.errors) CHECK(e == "conflict");
    w.check_converged(all_fields);
    for (const auto& f : all_fields) {
        CHECK(est::is_well_formed(w.server.state().document().field(f).text));
        CHECK(w.server.state().document().field(f).text.size() > 0);
    }
}
}  // namespace

TEST_CASE("random concurrent sessions converge (fixed seeds)", "[client_replica][random]") {
    for (std::uint32_t seed = 1; seed <= 10; ++seed) random_session(seed, 3000, false);
}

TEST_CASE("random sessions with dropped connections converge, each change applied once (fixed seeds)",
          "[client_replica][random]") {
    for (std::uint32_t seed = 101; seed <= 110; ++seed) random_session(seed, 3000, true);
}

TEST_CASE("random sessions whose acks wait for a commit, with crashes, converge through applied (fixed seeds)", "[client_replica][random]") {
    for (std::uint32_t seed = 201; seed <= 210; ++seed) random_session(seed, 3000, true, true);
}

TEST_CASE("a change confirmed by applied and lost in a crash is sent again, with what was typed after it", "[client_replica]") {
    world w;
    auto& a = w.add("c-anna-0123456789ab", anna);
    auto& b = w.add("c-bjorn-0123456789ab", bjorn);
    add_entry_e1(w, a);
    w.edit(a, handelse, op(R"(["Centrum"])"));
    w.drain();
    const auto disk = w.server.durable();
    w.server.hold_acks = true;
    w.edit(a, handelse, op(R"(["A", 7])"));
    w.server_step(a);
    w.edit(b, handelse, op(R"([7, "!"])"));
    w.server_step(b);  // Anna gets an applied for hers, then Björn's change
    REQUIRE(a.conn.to_client.size() == 2);
    CHECK(parsed(a.conn.to_client.front()).at("type") == "applied");
    w.deliver_all(a);
    CHECK(S(a.replica.confirmed().field(handelse).text) == "ACentrum!");
    CHECK_FALSE(a.replica.idle());
    w.edit(a, handelse, op(R"([1, "B", 8])"));
    w.server_step(a);  // applied, never announced
    w.deliver_all(b);  // Björn: Anna's A, an applied for his, Anna's B
    CHECK(S(b.replica.confirmed().field(handelse).text) == "ABCentrum!");

    w.server.restart(disk);  // none of it was durable
    w.server.hold_acks = false;
    w.disconnect(a);
    w.disconnect(b);
    CHECK(w.server.text(handelse) == "Centrum");
    w.connect(a, true);
    w.drain();
    w.connect(b, true);
    w.drain();
    CHECK(w.server.text(handelse) == "ABCentrum!");
    w.check_converged({handelse});
}

TEST_CASE("an entry, its text and a choice confirmed by applied and lost in a crash come back in the order they were made",
          "[client_replica]") {
    world w;
    auto& a = w.add("c-anna-0123456789ab", anna);
    auto& b = w.add("c-bjorn-0123456789ab", bjorn);
    const auto disk = w.server.durable();
    w.server.hold_acks = true;
    // Each of Anna's changes is announced by an applied, as Björn's next change reaches her before its commit.
    const std::vector<std::function<void()>> steps = {
        [&] { w.submit(a, est::add_entry_change{"hot-och-vald", "polis", "e1"}); },
        [&] { w.edit(a, handelse, op(R"(["Hej"])")); },
        [&] { w.submit(a, est::set_change{trend, "ökar"}); },
    };
    for (std::size_t i = 0; i < steps.size(); ++i) {
        steps[i]();
        w.server_step(a);
        w.submit(b, est::add_entry_change{"andt", "polis", "b" + std::to_string(i)});
        w.server_step(b);
        w.deliver_all(a);
        w.deliver_all(b);
    }
    CHECK_FALSE(a.replica.idle());
    CHECK(S(a.replica.confirmed().field(handelse).text) == "Hej");

    w.server.restart(disk);  // none of it was durable
    w.server.hold_acks = false;
    w.disconnect(a);
    w.disconnect(b);
    w.connect(a, true);
    w.deliver_all(a);
    std::vector<std::string> kinds;
    for (const auto& m : a.conn.to_server) kinds.push_back(parsed(m).at("change").at("kind"));
    CHECK(kinds == std::vector<std::string>{"add_entry", "text", "set"});
    w.drain();
    w.connect(b, true);
    w.drain();
    CHECK(w.server.text(handelse) == "Hej");
    CHECK(w.server.state().document().field(trend).choice == "ökar");
    CHECK(w.server.errors.empty());
    w.check_converged({handelse});
}
