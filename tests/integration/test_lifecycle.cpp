// The meeting's lifecycle through the real server (issue 13): topic locks, the locked picture, two signatures
// with the password asked again, the closing, and that all of it survives kill -9 between each step; the lock
// race (many typing while the chair locks); the closed meeting refusing every change; the signatures checked with
// stock ssh-keygen.
#include <atomic>
#include <cstdio>
#include <fstream>
#include <set>
#include <thread>

#include <boost/asio/io_context.hpp>
#include <catch2/catch.hpp>
#include <nlohmann/json.hpp>

#include "accounts_fixture.hpp"
#include "est/lifecycle.hpp"
#include "est/server_message.hpp"
#include "live_member.hpp"

namespace {

using namespace est;
using json = nlohmann::json;

// POST /api/meetings/{id}/lifecycle as `p`; returns "200" or "<status> <error code>".
std::string move(test::accounts_fixture& f, const std::string& who, json body) {
    const auto r = f.at(who).http.post("/api/meetings/" + f.meeting() + "/lifecycle", body);
    if (r.status == 200) return "200";
    return std::to_string(r.status) + " " + json::parse(r.body).value("error", "?");
}

// The JSON export as `who` sees it: {"rev","digest","lifecycle",…}.
json exported(test::accounts_fixture& f, const std::string& who = "chair") {
    const auto r = f.at(who).http.get("/api/meetings/" + f.meeting() + "/export?format=json");
    REQUIRE(r.status == 200);
    return json::parse(r.body);
}

json sign_body(const json& exp, const std::string& password) {
    return {{"action", "sign"}, {"rev", exp.at("rev")}, {"digest", exp.at("digest")}, {"password", password}};
}

std::string phase_of(test::accounts_fixture& f) { return exported(f).at("lifecycle").at("phase"); }

// One live edit by `who`: appends to their own entry in `topic` ("allowed" or the error code).
std::string edit(test::accounts_fixture& f, const std::string& who, const std::string& topic,
                 const std::string& entry = "e1") {
    boost::asio::io_context ioc;
    test::live_member m(ioc, f.live_options(f.at(who)));
    REQUIRE(m.join() == "allowed");
    const std::string org = f.at(who).org;
    const auto& cell = m.client().replica().confirmed().topic(topic).cells.at(org);
    const bool has = std::any_of(cell.entries.begin(), cell.entries.end(), [&](const auto& e) { return e.id == entry; });
    if (!has) {
        const std::string added = m.apply(add_entry_change{topic, org, entry});
        if (added != "allowed") return added;
    }
    return m.append({topic, org, entry, "handelse"}, u"x");
}

std::string chair_writes(test::accounts_fixture& f, const std::string& topic) {
    boost::asio::io_context ioc;
    test::live_member m(ioc, f.live_options(f.at("chair")));
    REQUIRE(m.join() == "allowed");
    return m.append({topic, "", "", "bedomning"}, u"!");
}

std::string run(const std::string& command) {
    std::string out;
    FILE* p = ::popen((command + " 2>&1").c_str(), "r");
    REQUIRE(p);
    char buf[512];
    while (std::fgets(buf, sizeof buf, p)) out += buf;
    const int status = ::pclose(p);
    return std::to_string(WIFEXITED(status) ? WEXITSTATUS(status) : -1) + " " + out;
}

void write_file(const std::string& path, const std::string& text) {
    std::ofstream out(path, std::ios::binary);
    out << text;
    REQUIRE(out.flush());
}

test::accounts_fixture::options lifecycle_people() {
    test::accounts_fixture::options o;
    o.people = {"participant_a", "participant_b", "chair", "cosigner", "bra_member"};
    return o;
}

}  // namespace

TEST_CASE("a meeting from open to closed, with kill -9 between each step", "[lifecycle][integration]") {
    test::accounts_fixture f(lifecycle_people());
    const std::string pw_chair = test::accounts_fixture::password_of("chair");
    const std::string pw_cosigner = test::accounts_fixture::password_of("cosigner");
    REQUIRE(edit(f, "participant_a", "hot-och-vald") == "allowed");
    REQUIRE(edit(f, "participant_a", "andt") == "allowed");

    // Topic locks: the chair alone; a locked topic's cells are refused with `locked`, the others go on.
    CHECK(move(f, "participant_a", {{"action", "lock_topic"}, {"topic", "hot-och-vald"}}) == "403 forbidden");
    CHECK(move(f, "chair", {{"action", "lock_topic"}, {"topic", "no-such-topic"}}) == "404 not_found");
    CHECK(move(f, "chair", {{"action", "lock_topic"}, {"topic", "hot-och-vald"}}) == "200");
    CHECK(move(f, "chair", {{"action", "lock_topic"}, {"topic", "hot-och-vald"}}) == "409 conflict");
    CHECK(move(f, "chair", {{"action", "sign"}, {"rev", 1}, {"digest", "x"}, {"password", pw_chair}}) ==
          "409 wrong_phase");
    CHECK(edit(f, "participant_a", "hot-och-vald") == "locked");
    CHECK(edit(f, "participant_a", "andt") == "allowed");

    f.crash_and_restart();
    CHECK(exported(f).at("lifecycle").at("locked_topics") == json::array({"hot-och-vald"}));
    CHECK(edit(f, "participant_a", "hot-och-vald") == "locked");
    CHECK(move(f, "chair", {{"action", "unlock_topic"}, {"topic", "hot-och-vald"}}) == "200");
    CHECK(edit(f, "participant_a", "hot-och-vald") == "allowed");

    // The whole picture: cells are refused, the chair's assessment still changes.
    CHECK(move(f, "cosigner", {{"action", "lock_picture"}}) == "403 forbidden");
    CHECK(move(f, "chair", {{"action", "lock_picture"}}) == "200");
    CHECK(edit(f, "participant_b", "andt") == "locked");
    CHECK(chair_writes(f, "andt") == "allowed");

    f.crash_and_restart();
    CHECK(phase_of(f) == "locked");
    CHECK(edit(f, "participant_b", "andt") == "locked");

    // Signing: the chair and the co-signer, each with their password again, on the picture as it is now.
    json now = exported(f);
    CHECK(move(f, "participant_a", sign_body(now, test::accounts_fixture::password_of("participant_a"))) ==
          "403 forbidden");
    CHECK(move(f, "chair", sign_body(now, "not the password at all")) == "403 bad_password");
    json stale = now;
    stale["digest"] = std::string(64, '0');
    CHECK(move(f, "chair", sign_body(stale, pw_chair)) == "409 stale_revision");
    CHECK(move(f, "chair", sign_body(now, pw_chair)) == "200");
    CHECK(move(f, "chair", sign_body(exported(f), pw_chair)) == "409 already_signed");

    f.crash_and_restart();
    CHECK(exported(f).at("lifecycle").at("signatures").size() == 1);
    // An accepted change after a signature voids it, and everyone sees that.
    CHECK(chair_writes(f, "andt") == "allowed");
    CHECK(exported(f).at("lifecycle").at("signatures").empty());
    CHECK(phase_of(f) == "locked");

    CHECK(move(f, "chair", sign_body(exported(f), pw_chair)) == "200");
    CHECK(move(f, "chair", {{"action", "close"}}) == "409 wrong_phase");
    CHECK(move(f, "cosigner", sign_body(exported(f, "cosigner"), pw_cosigner)) == "200");
    CHECK(phase_of(f) == "signed");
    // A signed picture is never unlocked.
    CHECK(move(f, "chair", {{"action", "unlock_picture"}}) == "409 wrong_phase");
    CHECK(chair_writes(f, "andt") == "locked");

    f.crash_and_restart();
    CHECK(phase_of(f) == "signed");
    CHECK(move(f, "cosigner", {{"action", "close"}}) == "403 forbidden");
    CHECK(move(f, "chair", {{"action", "close"}}) == "200");

    f.crash_and_restart();
    const json closed = exported(f);
    CHECK(closed.at("lifecycle").at("phase") == "closed");
    CHECK(closed.at("lifecycle").at("signatures").size() == 2);
    CHECK(closed.at("lifecycle").at("closing").is_object());
    // Closed: every change refused, live and over REST.
    CHECK(edit(f, "participant_a", "andt") == "closed");
    CHECK(chair_writes(f, "andt") == "closed");
    CHECK(move(f, "chair", {{"action", "lock_topic"}, {"topic", "andt"}}) == "409 closed");
    CHECK(move(f, "chair", {{"action", "unlock_picture"}}) == "409 closed");
    CHECK(move(f, "chair", sign_body(closed, pw_chair)) == "409 closed");
    CHECK(exported(f).at("rev") == closed.at("rev"));
    // The group's list says so, and the chain holds it.
    const auto list = json::parse(f.at("chair").http.get("/api/groups/" + f.group() + "/meetings").body);
    CHECK(list.at(0).at("state") == "closed");
    const auto chain = json::parse(f.at("bra_member").http.get("/api/groups/" + f.group() + "/chain").body);
    REQUIRE(chain.at("closings").size() == 1);
    CHECK(chain.at("closings").at(0).at("sequence") == 1);
    CHECK(chain.at("closings").at(0).at("previous") == "");
    CHECK(chain.at("closings").at(0).at("digest") == closed.at("digest"));
    CHECK(f.at("participant_a").http.get("/api/groups/" + f.group() + "/chain").status == 200);
    CHECK(test::api_client(f.server()).get("/api/groups/" + f.group() + "/chain").status == 401);

    // Each signature names the signed-in person, and stock ssh-keygen checks it against the server's key.
    const auto keys = json::parse(test::api_client(f.server()).get("/api/keys").body).at("keys");
    REQUIRE(keys.size() == 1);
    const std::string dir = f.data_dir();
    write_file(dir + "/allowed_signers", "est-live " + keys.at(0).at("public_key").get<std::string>() + "\n");
    std::set<std::string> signers;
    for (const auto& s : closed.at("lifecycle").at("signatures")) {
        const auto facts = read_signature_statement(s.at("statement").get<std::string>());
        signers.insert(facts.account);
        CHECK(facts.digest == closed.at("digest"));
        write_file(dir + "/statement", s.at("statement"));
        write_file(dir + "/statement.sig", s.at("sshsig"));
        CHECK(run("ssh-keygen -Y verify -f " + dir + "/allowed_signers -I est-live -n est-live-signature -s " + dir +
                  "/statement.sig < " + dir + "/statement")
                  .starts_with("0 "));
        // One changed character in the statement fails.
        std::string altered = s.at("statement");
        altered[altered.find("\"rev\":") + 6] ^= 1;
        write_file(dir + "/statement", altered);
        CHECK_FALSE(run("ssh-keygen -Y verify -f " + dir + "/allowed_signers -I est-live -n est-live-signature -s " +
                        dir + "/statement.sig < " + dir + "/statement")
                        .starts_with("0 "));
    }
    CHECK(signers == std::set<std::string>{f.at("chair").id, f.at("cosigner").id});

    // The audit log says who moved the meeting, and who typed a wrong password when signing.
    std::multiset<std::string> moves;
    std::size_t wrong_passwords = 0;
    for (const auto& row : json::parse(f.at("server_admin").http.get("/api/audit?limit=500").body)) {
        if (row.at("action") == "sign_off.password_failed") ++wrong_passwords;
        if (row.at("action") != "meeting.lifecycle") continue;
        CHECK(row.at("subject") == f.meeting());
        const auto& detail = row.at("detail");
        moves.insert(detail.at("move").get<std::string>() + " by " + (row.at("actor") == f.at("chair").id ? "chair" : "other"));
    }
    CHECK(moves.count("close by chair") == 1);
    CHECK(moves.count("sign by chair") == 2);
    CHECK(moves.count("sign by other") == 1);
    CHECK(moves.count("lock_topic by chair") == 1);
    CHECK(wrong_passwords == 1);
}

TEST_CASE("many type while the chair locks the topic: after the lock no change lands there", "[lifecycle][integration]") {
    test::accounts_fixture f(lifecycle_people());
    const std::string topic = "hot-och-vald";
    for (const char* who : {"participant_a", "participant_b", "cosigner"}) REQUIRE(edit(f, who, topic) == "allowed");

    // An observer records every op the room broadcasts, in revision order.
    boost::asio::io_context observer_ioc;
    test::live_member observer(observer_ioc, f.live_options(f.at("bra_member")));
    REQUIRE(observer.join() == "allowed");
    std::vector<json> ops;
    observer.client().on_message = [&](const server_message& m) {
        if (m.type() == "op") ops.push_back(m.json());
    };

    std::atomic<int> typing{0};
    std::map<std::string, std::vector<std::string>> answers;  // each writer's own list (Catch2 asserts only here)
    for (const char* who : {"participant_a", "participant_b", "cosigner"}) answers[who];
    std::vector<std::thread> writers;
    for (const char* who : {"participant_a", "participant_b", "cosigner"}) {
        writers.emplace_back([&, who] {
            boost::asio::io_context ioc;
            test::live_member m(ioc, f.live_options(f.at(who)));
            auto& mine = answers.at(who);
            mine.push_back(m.join());
            ++typing;
            if (mine.back() != "allowed") return;
            // Type until the lock has refused two changes in a row (the refusal holds), or something else answers.
            for (int i = 0; i < 100000; ++i) {
                mine.push_back(m.append({topic, f.at(who).org, "e1", "handelse"}, u"y"));
                const auto n = mine.size();
                if (mine.back() != "allowed" && mine.back() != "locked") break;
                if (n >= 3 && mine[n - 1] == "locked" && mine[n - 2] == "locked") break;
            }
        });
    }
    while (typing < 3) std::this_thread::yield();  // every writer has joined (a signal, not a clock)
    const std::string locked = move(f, "chair", {{"action", "lock_topic"}, {"topic", topic}});
    for (auto& t : writers) t.join();
    REQUIRE(locked == "200");

    // Every change was either acknowledged or refused with `locked`, and once refused, refused for good.
    for (const auto& [who, got] : answers) {
        INFO(who);
        REQUIRE(got.size() >= 3);
        CHECK(got.front() == "allowed");  // the join
        bool refused = false;
        for (std::size_t i = 1; i < got.size(); ++i) {
            const auto& a = got[i];
            CHECK((a == "allowed" || a == "locked"));
            if (a == "locked") refused = true;
            else CHECK_FALSE(refused);
        }
        CHECK(refused);
    }
    // The observer sees the lock, and after it no change of the topic.
    const std::uint64_t final_rev = exported(f).at("rev");
    client::run_until(observer_ioc, [&] { return !ops.empty() && ops.back().at("rev") == final_rev; });
    std::optional<std::uint64_t> lock_rev;
    for (const auto& op : ops) {
        const auto& c = op.at("change");
        if (c.value("kind", "") == "lock_topic") lock_rev = op.at("rev").get<std::uint64_t>();
        if (lock_rev && c.contains("target")) CHECK(c.at("target").at("topic") != topic);
    }
    CHECK(lock_rev);
}

TEST_CASE("lifecycle moves: bad bodies and strangers change nothing", "[lifecycle][integration]") {
    test::accounts_fixture f(lifecycle_people());
    const std::string path = "/api/meetings/" + f.meeting() + "/lifecycle";
    auto& chair = f.at("chair");
    const auto before = exported(f).at("rev");
    CHECK(chair.http.post(path, json{{"action", "explode"}}).status == 400);
    CHECK(chair.http.post(path, json{{"action", "lock_topic"}}).status == 400);
    CHECK(chair.http.post(path, json{{"action", "lock_picture"}, {"extra", 1}}).status == 400);
    CHECK(chair.http.post(path, json::array()).status == 400);
    CHECK(chair.http.call("POST", path, "{not json", {{"Content-Type", "application/json"}}).status == 400);
    CHECK(chair.http.get(path).status == 405);
    CHECK(test::api_client(f.server()).post(path, json{{"action", "lock_picture"}}).status == 401);
    CHECK(chair.http.post("/api/meetings/nope/lifecycle", json{{"action", "lock_picture"}}).status == 404);
    // A page of another origin may not drive the chair's session.
    CHECK(chair.http.post(path, json{{"action", "lock_picture"}}, {{"Origin", "https://evil.example"}}).status == 403);
    CHECK(exported(f).at("rev") == before);
    CHECK(phase_of(f) == "open");
}

TEST_CASE("under --open-access a move names who makes it, and the rules are the same", "[lifecycle][integration]") {
    test::temp_dir dir;
    test::server_process s(dir.path());
    const std::string meeting = test::create_meeting(s, {"polis", "kommun"});
    const test::api_client http(s);
    const std::string path = "/api/meetings/" + meeting + "/lifecycle";
    auto status = [&](const json& body) {
        const auto r = http.post(path, body);
        return r.status == 200 ? std::string("200") : std::to_string(r.status) + " " + json::parse(r.body).value("error", "?");
    };
    const json chair = {{"name", "Eva Ek"}, {"role", "chair"}, {"org", "kommun"}};
    const json cosigner = {{"name", "Åsa Öberg"}, {"role", "cosigner"}, {"org", "polis"}};
    CHECK(status({{"action", "lock_picture"}}) == "400 bad_message");  // who acts must be said
    CHECK(status({{"action", "lock_picture"}, {"as", {{"name", "P"}, {"role", "participant"}, {"org", "polis"}}}}) ==
          "403 forbidden");
    CHECK(status({{"action", "lock_picture"}, {"as", chair}}) == "200");
    auto exp = json::parse(http.get("/api/meetings/" + meeting + "/export?format=json").body);
    CHECK(status({{"action", "sign"}, {"rev", exp.at("rev")}, {"digest", exp.at("digest")}, {"as", chair}}) == "200");
    // The same person under another role is still the same person.
    json chair_as_cosigner = chair;
    chair_as_cosigner["role"] = "cosigner";
    exp = json::parse(http.get("/api/meetings/" + meeting + "/export?format=json").body);
    CHECK(status({{"action", "sign"}, {"rev", exp.at("rev")}, {"digest", exp.at("digest")}, {"as", chair_as_cosigner}}) ==
          "409 already_signed");
    CHECK(status({{"action", "sign"}, {"rev", exp.at("rev")}, {"digest", exp.at("digest")}, {"as", cosigner}}) == "200");
    CHECK(status({{"action", "close"}, {"as", chair}}) == "200");
    exp = json::parse(http.get("/api/meetings/" + meeting + "/export?format=json").body);
    CHECK(exp.at("lifecycle").at("phase") == "closed");
    for (const auto& sig : exp.at("lifecycle").at("signatures"))
        CHECK(read_signature_statement(sig.at("statement").get<std::string>()).account.empty());
}

TEST_CASE("a chair's script cannot grow the meeting's log without end: moves are rate limited", "[lifecycle][integration]") {
    test::accounts_fixture f(lifecycle_people());
    // A chair who has made no move yet (the fixture's chair opened the meeting: one move of their own).
    f.invite("second_chair", role::chair);
    int ok = 0;
    std::string last;
    // Lock and unlock, again and again: the first 30 go through at once, then the limit answers.
    for (int i = 0; i < 40 && last != "429 rate_limited"; ++i) {
        last = move(f, "second_chair", {{"action", i % 2 ? "unlock_topic" : "lock_topic"}, {"topic", "andt"}});
        if (last == "200") ++ok;
    }
    CHECK(last == "429 rate_limited");
    CHECK(ok == 30);
    // Another person's moves are their own: the limit is per account.
    CHECK(move(f, "cosigner", {{"action", "lock_picture"}}) == "403 forbidden");
}
