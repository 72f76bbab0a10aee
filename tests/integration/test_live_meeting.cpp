// The live meeting over real WebSockets against the real est-server process.
#include <random>
#include <set>

#include <boost/asio/io_context.hpp>
#include <catch2/catch.hpp>
#include <nlohmann/json.hpp>

#include "est/client/meeting_client.hpp"
#include "est/utf.hpp"
#include "server_process.hpp"
#include "../support/count_of.hpp"

using namespace est;
using est::test::count_of;
using est::client::meeting_client;
using est::client::run_until;
using json = nlohmann::json;

namespace {

struct member {
    std::unique_ptr<meeting_client> client;
    std::vector<json> errors;
};

std::unique_ptr<member> join(boost::asio::io_context& ioc, const test::server_process& s, const std::string& meeting,
                             const std::string& org, role r = role::participant, std::string client_id = {},
                             std::string ws_path = {}) {
    auto m = std::make_unique<member>();
    auto o = test::client_options(s, meeting, {"Deltagare " + org, org, r});
    o.client_id = std::move(client_id);
    o.ws_path = std::move(ws_path);
    m->client = std::make_unique<meeting_client>(ioc, o);
    m->client->on_message = [raw = m.get()](const est::server_message& msg) {
        if (msg.type() == "error") raw->errors.push_back(msg.json());
    };
    m->client->start();
    REQUIRE(run_until(ioc, [&] { return m->client->welcomed(); }));
    return m;
}

text_operation insert_at(std::size_t len, std::size_t pos, const std::u16string& s) {
    text_operation op;
    op.retain(pos).insert(s).retain(len - pos);
    return op;
}

std::u16string u(const std::string& s) { return *utf8_to_utf16(s); }

// A random position between two tokens ("[...]"), so every token typed stays whole.
std::size_t token_boundary(const std::u16string& text, std::mt19937& rng) {
    std::vector<std::size_t> boundaries{0};
    for (std::size_t i = 0; i < text.size(); ++i)
        if (text[i] == u']') boundaries.push_back(i + 1);
    return boundaries[std::uniform_int_distribution<std::size_t>(0, boundaries.size() - 1)(rng)];
}

void append(meeting_client& c, const field_ref& f, const std::string& token) {
    const auto text = c.replica().visible_text(f);
    c.edit_text(f, insert_at(text.size(), text.size(), u(token)));
}

field_ref handelse(const std::string& topic, const std::string& org, const std::string& entry) {
    return {topic, org, entry, "handelse"};
}

void add_entry(boost::asio::io_context& ioc, meeting_client& c, const std::string& topic, const std::string& org,
               const std::string& entry) {
    c.submit(add_entry_change{topic, org, entry});
    REQUIRE(run_until(ioc, [&] { return c.replica().idle(); }));
}

}  // namespace

TEST_CASE("three clients type at once, two of them in one field, and all converge on the server's state", "[live]") {
    test::temp_dir dir;
    // Four I/O threads; b's connection names no meeting (placed round robin) and c's names one on another
    // thread than the room: delivery across threads must be as good as on the room's own.
    test::server_process server(dir.path(), {"--threads", "4"});
    const auto meeting = test::create_meeting(server, {"kommun", "polis", "nvk"});
    boost::asio::io_context ioc;
    auto a = join(ioc, server, meeting, "kommun");
    auto b = join(ioc, server, meeting, "polis", role::participant, {}, "/ws");
    auto c = join(ioc, server, meeting, "polis", role::participant, {}, test::ws_path_on_other_thread(meeting, 4));
    const std::uint64_t opened = a->client->replica().rev();  // the chair's opening of the draft
    add_entry(ioc, *a->client, "hot-och-vald", "kommun", "ea");
    add_entry(ioc, *b->client, "hot-och-vald", "polis", "eb");
    REQUIRE(run_until(ioc, [&] { return a->client->replica().rev() == opened + 2 && c->client->replica().rev() == opened + 2; }));

    const auto own = handelse("hot-och-vald", "kommun", "ea");
    const auto shared = handelse("hot-och-vald", "polis", "eb");
    std::mt19937 rng(4711);
    std::vector<std::string> tokens_a, tokens_shared;
    for (int round = 0; round < 60; ++round) {
        auto type = [&](member& m, const field_ref& f, const std::string& name, std::vector<std::string>& tokens) {
            const std::string token = "[" + name + std::to_string(round) + "åäö😀]";
            const auto text = m.client->replica().visible_text(f);
            m.client->edit_text(f, insert_at(text.size(), token_boundary(text, rng), u(token)));
            tokens.push_back(token);
        };
        type(*a, own, "a", tokens_a);
        type(*b, shared, "b", tokens_shared);
        type(*c, shared, "c", tokens_shared);
        ioc.poll();  // let whatever has arrived interleave with the typing
    }
    const auto all_idle = [&] { return a->client->replica().idle() && b->client->replica().idle() && c->client->replica().idle(); };
    REQUIRE(run_until(ioc, all_idle));

    for (auto* m : {a.get(), b.get(), c.get()})
        for (const auto& e : m->errors) UNSCOPED_INFO("error: " << e.dump());
    auto observer = join(ioc, server, meeting, "nvk");
    const auto server_rev = observer->client->replica().rev();
    // Typing while a change is in flight is composed into one change per field, so fewer than 180.
    REQUIRE(server_rev > 2);
    REQUIRE(run_until(ioc, [&] {
        return a->client->replica().rev() == server_rev && b->client->replica().rev() == server_rev &&
               c->client->replica().rev() == server_rev;
    }));
    const auto& truth = observer->client->replica().confirmed();
    CHECK(a->client->replica().confirmed() == truth);
    CHECK(b->client->replica().confirmed() == truth);
    CHECK(c->client->replica().confirmed() == truth);

    const auto shared_text = utf16_to_utf8(truth.field(shared).text);
    const auto own_text = utf16_to_utf8(truth.field(own).text);
    for (const auto& t : tokens_shared) CHECK(count_of(shared_text, t) == 1);
    for (const auto& t : tokens_a) CHECK(count_of(own_text, t) == 1);
    CHECK(a->errors.empty());
    CHECK(b->errors.empty());
    CHECK(c->errors.empty());
}

TEST_CASE("a client that drops with unacknowledged edits reconnects and resends: nothing lost, nothing doubled", "[live][reconnect]") {
    test::temp_dir dir;
    test::server_process server(dir.path());
    const auto meeting = test::create_meeting(server, {"kommun", "polis"});
    // Separate event loops: the observer can see a change while the author has not yet read its ack.
    boost::asio::io_context ioc_a, ioc_b;
    auto a = join(ioc_a, server, meeting, "polis");
    auto b = join(ioc_b, server, meeting, "kommun");
    add_entry(ioc_a, *a->client, "andt", "polis", "e1");
    const auto f = handelse("andt", "polis", "e1");
    std::string expected;

    SECTION("the ack was lost: the server applied the edit, the author never heard") {
        for (int i = 0; i < 5; ++i) {
            const std::string t = "ord" + std::to_string(i) + " ";
            append(*a->client, f, t);
            expected += t;
        }
        // Only the observer's loop runs: the edits reach the server and the observer, while the
        // author's acks sit unread in its socket.
        ioc_a.poll();  // write them out
        REQUIRE(run_until(ioc_b, [&] {
            return b->client->replica().rev() >= 2 &&
                   utf16_to_utf8(b->client->replica().confirmed().field(f).text).find("ord0") != std::string::npos;
        }));
        REQUIRE_FALSE(a->client->replica().idle());
    }
    SECTION("the edits never left: the connection died before they were written") {
        for (int i = 0; i < 5; ++i) {
            const std::string t = "ord" + std::to_string(i) + " ";
            append(*a->client, f, t);
            expected += t;
        }
    }
    a->client->drop();
    // Typing goes on while offline.
    for (int i = 5; i < 8; ++i) {
        const std::string t = "ord" + std::to_string(i) + " ";
        append(*a->client, f, t);
        expected += t;
    }
    REQUIRE(run_until(ioc_a, [&] { return a->client->welcomes() == 2 && a->client->replica().idle(); }));
    CHECK(utf16_to_utf8(a->client->replica().confirmed().field(f).text) == expected);
    REQUIRE(run_until(ioc_b, [&] { return b->client->replica().rev() == a->client->replica().rev(); }));
    CHECK(utf16_to_utf8(b->client->replica().confirmed().field(f).text) == expected);
    CHECK(a->errors.empty());
}

TEST_CASE("kill -9 right after acknowledgements loses nothing and clients reconnect to the restarted server", "[live][durability]") {
    test::temp_dir dir;
    auto server = std::make_unique<test::server_process>(dir.path(), std::vector<std::string>{"--snapshot-every", "7"});
    const auto port = server->port();
    const auto meeting = test::create_meeting(*server, {"kommun", "polis"});
    boost::asio::io_context ioc;
    auto a = join(ioc, *server, meeting, "kommun");
    add_entry(ioc, *a->client, "ovrigt", "kommun", "e1");
    const auto f = handelse("ovrigt", "kommun", "e1");
    std::string expected;
    for (int i = 0; i < 40; ++i) {
        const std::string t = "händelse" + std::to_string(i) + "😀 ";
        append(*a->client, f, t);
        expected += t;
        if (i % 5 == 0) ioc.poll();
    }
    REQUIRE(run_until(ioc, [&] { return a->client->replica().idle(); }));  // every edit acknowledged
    server->kill9();
    for (int i = 40; i < 45; ++i) {  // typed while the server is down
        const std::string t = "offline" + std::to_string(i) + " ";
        append(*a->client, f, t);
        expected += t;
    }
    server = std::make_unique<test::server_process>(dir.path(), std::vector<std::string>{"--snapshot-every", "7", "--port", port});
    REQUIRE(run_until(ioc, [&] { return a->client->welcomed() && a->client->replica().idle(); }, std::chrono::seconds(20)));
    CHECK(utf16_to_utf8(a->client->replica().visible_text(f)) == expected);

    auto fresh = join(ioc, *server, meeting, "polis");
    CHECK(utf16_to_utf8(fresh->client->replica().confirmed().field(f).text) == expected);
    CHECK(fresh->client->replica().confirmed() == a->client->replica().confirmed());
}

TEST_CASE("a client too far behind for a catch-up gets the whole state and keeps its offline edits", "[live][reconnect]") {
    // Behind the history bounded by count, or by memory (each op message is a few hundred bytes).
    const auto bound = GENERATE(std::vector<std::string>{"--history-window", "5"},
                                std::vector<std::string>{"--history-bytes", "1500"});
    INFO("server " << bound[0] << " " << bound[1]);
    test::temp_dir dir;
    test::server_process server(dir.path(), bound);
    const auto meeting = test::create_meeting(server, {"kommun", "polis"});
    boost::asio::io_context ioc;
    // a reconnects only when told to: it stays away until b has typed past the history.
    meeting_client a(ioc, test::client_options(server, meeting, {"Deltagare polis", "polis", role::participant}, false));
    std::vector<json> welcomes;
    a.on_message = [&](const est::server_message& m) { if (m.type() == "welcome") welcomes.push_back(m.json()); };
    a.start();
    REQUIRE(run_until(ioc, [&] { return a.welcomed(); }));
    auto b = join(ioc, server, meeting, "polis");
    add_entry(ioc, a, "extremism", "polis", "e1");
    const auto f = handelse("extremism", "polis", "e1");
    append(a, f, "start ");
    REQUIRE(run_until(ioc, [&] { return a.replica().idle() && b->client->replica().rev() == a.replica().rev(); }));

    a.drop();
    append(a, f, "A-offline ");  // pending while away
    for (int i = 0; i < 20; ++i) {  // 20 revisions, each acknowledged before the next
        const auto text = b->client->replica().visible_text(f);
        b->client->edit_text(f, insert_at(text.size(), 0, u("b" + std::to_string(i) + " ")));
        REQUIRE(run_until(ioc, [&] { return b->client->replica().idle(); }));
    }
    a.start();
    REQUIRE(run_until(ioc, [&] { return a.welcomes() == 2 && a.replica().idle() && b->client->replica().idle(); }));
    REQUIRE(run_until(ioc, [&] { return a.replica().rev() == b->client->replica().rev(); }));
    CHECK(a.replica().confirmed() == b->client->replica().confirmed());
    REQUIRE(welcomes.size() == 2);
    CHECK(welcomes[1].contains("state"));  // not a catch-up: what it missed is no longer in the history
    CHECK_FALSE(welcomes[1].contains("catch_up"));
    const auto text = utf16_to_utf8(a.replica().confirmed().field(f).text);
    CHECK(count_of(text, "A-offline") == 1);
    CHECK(count_of(text, "start") == 1);
    for (int i = 0; i < 20; ++i) CHECK(count_of(text, "b" + std::to_string(i) + " ") == 1);
}

TEST_CASE("a rejoin catches up within its epoch and the next, and gets the whole state from an older one", "[live][reconnect][durability]") {
    // A change reaches the others before it is durable (docs/protocol.md, "Durability"), so a revision seen
    // before a crash may not be in the restarted server's history, even when the number is. `since` counts under
    // the epoch it was seen in, and under the one before up to where the restarted server's history started;
    // from an older epoch the whole state comes. On the code before epochs b's rejoin was a catch-up.
    test::temp_dir dir;
    auto server = std::make_unique<test::server_process>(dir.path());
    const auto port = server->port();
    const auto meeting = test::create_meeting(*server, {"kommun", "polis"});
    boost::asio::io_context ioc;
    struct watched {
        std::unique_ptr<meeting_client> client;
        std::vector<json> welcomes;
    };
    auto start = [&](const std::string& org) {
        auto w = std::make_unique<watched>();
        w->client = std::make_unique<meeting_client>(ioc, test::client_options(*server, meeting, {"Deltagare " + org, org, role::participant}, false));
        w->client->on_message = [raw = w.get()](const est::server_message& m) {
            if (m.type() == "welcome") raw->welcomes.push_back(m.json());
        };
        w->client->start();
        REQUIRE(run_until(ioc, [&] { return w->client->welcomed(); }));
        return w;
    };
    auto rejoin = [&](watched& w) {
        const auto before = w.client->welcomes();
        w.client->start();
        REQUIRE(run_until(ioc, [&] { return w.client->welcomes() == before + 1 && w.client->replica().idle(); }));
        return w.welcomes.back();
    };
    auto restart = [&](std::initializer_list<watched*> all) {
        for (auto* w : all) w->client->drop();
        REQUIRE(server->terminate() == 0);
        server = std::make_unique<test::server_process>(dir.path(), std::vector<std::string>{"--port", port});
    };
    auto a = start("polis");
    auto b = start("kommun");
    add_entry(ioc, *a->client, "extremism", "polis", "e1");
    const auto f = handelse("extremism", "polis", "e1");
    append(*a->client, f, "ett ");
    REQUIRE(run_until(ioc, [&] { return a->client->replica().idle() && b->client->replica().rev() == a->client->replica().rev(); }));
    const std::string first = a->welcomes.at(0).at("epoch");
    CHECK(first.size() == 16);
    CHECK(b->welcomes.at(0).at("epoch") == first);

    // Within one epoch a rejoin catches up.
    a->client->drop();
    auto w = rejoin(*a);
    CHECK(w.contains("catch_up"));
    CHECK_FALSE(w.contains("state"));
    CHECK(w.at("epoch") == first);

    // After a restart: a new epoch, and what was seen under the one before catches up.
    restart({a.get(), b.get()});
    append(*a->client, f, "två ");
    w = rejoin(*a);
    const std::string second = w.at("epoch");
    CHECK(second != first);
    CHECK(w.contains("catch_up"));
    CHECK_FALSE(w.contains("state"));

    // After another, b's revision is from two epochs ago: the whole state.
    restart({a.get()});
    w = rejoin(*b);
    CHECK(w.at("epoch") != first);
    CHECK(w.at("epoch") != second);
    CHECK(w.contains("state"));
    CHECK_FALSE(w.contains("catch_up"));
    CHECK(utf16_to_utf8(b->client->replica().confirmed().field(f).text) == "ett två ");
    w = rejoin(*a);
    CHECK(w.contains("catch_up"));
    CHECK(a->client->replica().confirmed() == b->client->replica().confirmed());
}

TEST_CASE("bad input gets a clear error, changes nothing, and another client goes on working", "[live][errors]") {
    test::temp_dir dir;
    test::server_process server(dir.path(), {"--max-field-length", "100", "--max-message-bytes", "4096"});
    const auto meeting = test::create_meeting(server, {"kommun", "polis"});
    boost::asio::io_context ioc;
    auto a = join(ioc, server, meeting, "kommun");
    auto b = join(ioc, server, meeting, "polis");
    const std::uint64_t opened = a->client->replica().rev();  // the chair's opening of the draft
    add_entry(ioc, *a->client, "hot-och-vald", "kommun", "e1");
    add_entry(ioc, *b->client, "hot-och-vald", "polis", "e2");
    const auto fa = handelse("hot-och-vald", "kommun", "e1");
    const auto fb = handelse("hot-och-vald", "polis", "e2");
    REQUIRE(run_until(ioc, [&] { return a->client->replica().rev() == opened + 2; }));
    const auto before = a->client->replica().confirmed();

    int b_words = 0;
    auto expect_error = [&](const std::string& raw, const std::string& code, const std::string& mention = {}) {
        INFO("sent: " << raw.substr(0, 200));
        const auto n = a->errors.size();
        a->client->send_raw(raw);
        REQUIRE(run_until(ioc, [&] { return a->errors.size() > n; }));
        CHECK(a->errors.back().at("code") == code);
        CHECK_FALSE(a->errors.back().at("message").get<std::string>().empty());
        if (!mention.empty()) CHECK_THAT(a->errors.back().at("message").get<std::string>(), Catch::Contains(mention));
        // Meanwhile the other participant keeps typing and is acknowledged.
        append(*b->client, fb, "w" + std::to_string(b_words++) + " ");
        REQUIRE(run_until(ioc, [&] { return b->client->replica().idle(); }));
    };
    const auto rev = std::to_string(a->client->replica().rev());
    const std::string target_a = R"({"topic":"hot-och-vald","org":"kommun","entry":"e1","field":"handelse"})";
    expect_error("{not json", "bad_json");
    expect_error(R"({"type":"dance"})", "unknown_type", "dance");
    expect_error(R"({"type":"op","seq":1000,"change":{"kind":"add_entry","topic":"andt","org":"kommun","entry":"x"}})", "bad_message", "rev");
    expect_error(R"({"type":"focus","target":null,"colour":"red"})", "bad_message", "colour");
    expect_error(R"({"type":"op","seq":1001,"rev":)" + rev + R"(,"change":{"kind":"text","target":)" + target_a +
                     R"(,"ops":[")" + std::string(150, 'x') + R"("]}})",
                 "text_too_long", "100");
    expect_error(R"({"type":"op","seq":1002,"rev":)" + rev + R"(,"change":{"kind":"text","target":)" + target_a + R"(,"ops":[50,"x"]}})",
                 "out_of_range");
    expect_error(R"({"type":"op","seq":1003,"rev":)" + rev +
                     R"(,"change":{"kind":"text","target":{"topic":"hot-och-vald","org":"polis","entry":"e2","field":"handelse"},"ops":["x"]}})",
                 "forbidden", "polis");
    expect_error(R"({"type":"op","seq":1004,"rev":999999,"change":{"kind":"add_entry","topic":"andt","org":"kommun","entry":"x"}})",
                 "stale_revision", "999999");
    expect_error(R"({"type":"op","seq":1005,"rev":)" + rev + R"(,"change":{"kind":"set","target":{"topic":"andt","field":"niva"},"value":"hög"}})",
                 "forbidden", "chair");
    expect_error(R"({"type":"op","seq":1006,"rev":)" + rev + R"(,"change":{"kind":"add_entry","topic":"nope","org":"kommun","entry":"x"}})",
                 "not_found", "nope");
    expect_error(std::string(20, '[') + std::string(20, ']'), "too_deep");
    expect_error(R"({"type":"join","meeting":")" + meeting + R"(","client":"c-x-secret-0123456789","name":"A","org":"kommun","role":"participant"})",
                 "already_joined");

    // Nothing changed by any of it (apart from b's words in b's own cell).
    auto after = a->client->replica().confirmed();
    CHECK(after.field(fa).text == before.field(fa).text);
    CHECK(after.topic("andt").cells.at("kommun").entries.empty());

    // A frame past the size limit closes that connection with 1009; others are unaffected.
    auto big = join(ioc, server, meeting, "kommun");
    big->client->send_raw(std::string(8000, ' '));
    REQUIRE(run_until(ioc, [&] { return !big->client->connected() && !big->client->last_close_reason().empty(); }));
    CHECK_THAT(big->client->last_close_reason(), Catch::Contains("1009"));
    big->client->stop();

    // Joining a meeting that does not exist, or as an organisation outside the group.
    {
        boost::asio::io_context ioc2;
        meeting_client ghost(ioc2, test::client_options(server, "no-such-meeting", {"X", "kommun", role::participant}, false));
        std::vector<json> errs;
        ghost.on_message = [&](const est::server_message& m) { if (m.type() == "error") errs.push_back(m.json()); };
        ghost.start();
        REQUIRE(run_until(ioc2, [&] { return !errs.empty(); }));
        CHECK(errs[0].at("code") == "meeting_not_found");
        meeting_client outsider(ioc2, test::client_options(server, meeting, {"X", "brandkaren", role::participant}, false));
        std::vector<json> errs2;
        outsider.on_message = [&](const est::server_message& m) { if (m.type() == "error") errs2.push_back(m.json()); };
        outsider.start();
        REQUIRE(run_until(ioc2, [&] { return !errs2.empty(); }));
        CHECK(errs2[0].at("code") == "unknown_org");
    }

    // The first connection is still usable.
    append(*a->client, fa, "fortfarande här");
    REQUIRE(run_until(ioc, [&] { return a->client->replica().idle(); }));
    REQUIRE(run_until(ioc, [&] { return b->client->replica().rev() == a->client->replica().rev(); }));
    CHECK(utf16_to_utf8(b->client->replica().confirmed().field(fa).text) == "fortfarande här");
    CHECK(b->errors.empty());
}

TEST_CASE("a message many times longer than the server's first read arrives whole, between short ones", "[live][messages]") {
    // The server reads the start of a message into 512 bytes and grows its buffer only for a longer one, then
    // shrinks it again: a long paste must arrive intact, and the short messages around it too.
    test::temp_dir dir;
    test::server_process server(dir.path());
    const auto meeting = test::create_meeting(server, {"kommun", "polis"});
    boost::asio::io_context ioc;
    auto a = join(ioc, server, meeting, "kommun");
    auto b = join(ioc, server, meeting, "polis");
    add_entry(ioc, *a->client, "hot-och-vald", "kommun", "e1");
    const auto f = handelse("hot-och-vald", "kommun", "e1");
    std::string expected;
    // 300 to 3,000 characters (half of them å, two bytes or more on the wire): from just past one first read to
    // many; 3,910 in all, under the template's 4,000 for the field.
    for (const std::size_t n : {1u, 600u, 2u, 3000u, 3u, 300u, 4u}) {
        std::string piece;
        for (std::size_t i = 0; i < n; ++i) piece += i % 2 ? "å" : "b";
        append(*a->client, f, piece);
        REQUIRE(run_until(ioc, [&] { return a->client->replica().idle(); }));
        INFO("errors: " << json(a->errors).dump());
        REQUIRE(a->errors.empty());
        expected += piece;
    }
    REQUIRE(run_until(ioc, [&] { return b->client->replica().visible_text(f) == u(expected); }));
    CHECK(a->client->replica().visible_text(f) == u(expected));
}
