// Two parts of sign-off through the real server (issue 13): a new meeting is a draft the chair prepares and opens
// (DESIGN.md §4), and the group's setting of who signs (PUT /api/groups/{id}/settings), fixed into each meeting
// when it is made. Waits on answers and messages, never on the clock.
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

// "200", or "<status> <error code>".
std::string answer(const client::http_result& r) {
    if (r.status == 200 || r.status == 201) return std::to_string(r.status);
    const json j = json::parse(r.body, nullptr, false);
    return std::to_string(r.status) + " " + (j.is_object() ? j.value("error", "?") : "?");
}

std::string new_meeting(test::accounts_fixture& f, const std::string& title) {
    const auto r = f.at("chair").http.post("/api/groups/" + f.group() + "/meetings", {{"title", title}});
    REQUIRE(r.status == 201);
    const json m = json::parse(r.body);
    CHECK(m.at("state") == "draft");
    return m.at("id");
}

std::string move(test::accounts_fixture& f, const std::string& who, const std::string& meeting, const json& body) {
    return answer(f.at(who).http.post("/api/meetings/" + meeting + "/lifecycle", body));
}

json exported(test::accounts_fixture& f, const std::string& meeting) {
    const auto r = f.at("chair").http.get("/api/meetings/" + meeting + "/export?format=json");
    REQUIRE(r.status == 200);
    return json::parse(r.body);
}

std::string sign(test::accounts_fixture& f, const std::string& who, const std::string& meeting) {
    const json e = exported(f, meeting);
    return move(f, who, meeting,
                {{"action", "sign"}, {"rev", e.at("rev")}, {"digest", e.at("digest")},
                 {"password", test::accounts_fixture::password_of(who)}});
}

std::string state_in_list(test::accounts_fixture& f, const std::string& meeting) {
    for (const auto& m : json::parse(f.at("chair").http.get("/api/groups/" + f.group() + "/meetings").body))
        if (m.at("id") == meeting) return m.at("state");
    return "(missing)";
}

// One live edit by `who` in `meeting`: a new entry in their own cell of "andt" with a word in it, or the chair's
// samlad bedömning of "andt" ("allowed" or the error code).
std::string edit(test::accounts_fixture& f, const std::string& who, const std::string& meeting) {
    boost::asio::io_context ioc;
    test::live_member m(ioc, f.live_options(f.at(who), meeting));
    REQUIRE(m.join() == "allowed");
    const std::string org = f.at(who).org;
    if (who == "chair") return m.append({"andt", "", "", "bedomning"}, u"Förberett. ");
    const std::string entry = "e" + std::to_string(m.client().replica().rev());
    const std::string added = m.apply(add_entry_change{"andt", org, entry});
    if (added != "allowed") return added;
    return m.append({"andt", org, entry, "handelse"}, u"x");
}

std::vector<std::string> signers_of(const json& group) { return group.at("signers").get<std::vector<std::string>>(); }

test::accounts_fixture::options people() {
    test::accounts_fixture::options o;
    o.people = {"participant_a", "chair", "cosigner", "bra_member", "group_admin", "non_member", "anonymous"};
    return o;
}

}  // namespace

TEST_CASE("a new meeting is a draft: the chair prepares it and opens it, live and for good", "[lifecycle][draft][integration]") {
    test::accounts_fixture f(people());
    const std::string m = new_meeting(f, "EST-möte vecka 49");
    CHECK(state_in_list(f, m) == "draft");
    CHECK(exported(f, m).at("lifecycle").at("phase") == "draft");

    // In a draft the cells are nobody's yet; the chair prepares the joint assessment.
    CHECK(edit(f, "participant_a", m) == "forbidden");
    CHECK(edit(f, "chair", m) == "allowed");
    CHECK(move(f, "chair", m, {{"action", "lock_picture"}}) == "409 wrong_phase");

    // Only the chair opens it; everyone in the meeting sees the move as it happens.
    boost::asio::io_context ioc;
    test::live_member watcher(ioc, f.live_options(f.at("participant_a"), m));
    REQUIRE(watcher.join() == "allowed");
    CHECK(watcher.welcome().at("lifecycle").at("phase") == "draft");
    std::vector<json> ops_seen;
    watcher.client().on_message = [&, inner = watcher.client().on_message](const server_message& msg) {
        if (inner) inner(msg);
        if (msg.type() == "op") ops_seen.push_back(msg.json());
    };
    CHECK(move(f, "participant_a", m, {{"action", "open"}}) == "403 forbidden");
    CHECK(move(f, "cosigner", m, {{"action", "open"}}) == "403 forbidden");
    CHECK(move(f, "group_admin", m, {{"action", "open"}}) == "403 forbidden");
    CHECK(move(f, "non_member", m, {{"action", "open"}}) == "404 not_found");
    CHECK(move(f, "chair", m, {{"action", "open"}, {"topic", "andt"}}) == "400 bad_message");
    CHECK(move(f, "chair", m, {{"action", "open"}}) == "200");
    REQUIRE(client::run_until(ioc, [&] { return !ops_seen.empty(); }));
    CHECK(ops_seen.back().at("change") == json{{"kind", "open"}});
    CHECK(ops_seen.back().at("by").at("name") == f.at("chair").name);
    CHECK(move(f, "chair", m, {{"action", "open"}}) == "409 wrong_phase");
    CHECK(state_in_list(f, m) == "open");
    CHECK(edit(f, "participant_a", m) == "allowed");

    // The opening is in the op log with who and when, and in the audit log.
    const json audit = json::parse(f.at("server_admin").http.get("/api/audit?limit=20").body);
    bool audited = false;
    for (const auto& row : audit)
        audited = audited || (row.at("action") == "meeting.lifecycle" && row.at("subject") == m &&
                              row.at("detail").at("move") == "open" && row.at("actor") == f.at("chair").id);
    CHECK(audited);

    // kill -9 after the opening: open it stays.
    f.crash_and_restart();
    CHECK(exported(f, m).at("lifecycle").at("phase") == "open");
    CHECK(state_in_list(f, m) == "open");
    CHECK(edit(f, "participant_a", m) == "allowed");
    CHECK(move(f, "chair", m, {{"action", "open"}}) == "409 wrong_phase");
}

TEST_CASE("a draft survives kill -9 as a draft, with what the chair prepared", "[lifecycle][draft][integration]") {
    test::accounts_fixture f(people());
    const std::string m = new_meeting(f, "EST-möte vecka 51");
    CHECK(edit(f, "chair", m) == "allowed");
    f.crash_and_restart();
    const json e = exported(f, m);
    CHECK(e.at("lifecycle").at("phase") == "draft");
    CHECK(e.at("lifecycle").at("required") == json{"chair", "cosigner"});
    CHECK(state_in_list(f, m) == "draft");
    CHECK(edit(f, "participant_a", m) == "forbidden");
    CHECK(move(f, "chair", m, {{"action", "open"}}) == "200");
}

TEST_CASE("the group's signers: only an administrator changes them, and bad values change nothing",
          "[signers][integration]") {
    test::accounts_fixture f(people());
    const std::string settings = "/api/groups/" + f.group() + "/settings";
    const json one = {{"signers", {"chair"}}};
    CHECK(signers_of(json::parse(f.at("chair").http.get("/api/groups/" + f.group()).body)) ==
          std::vector<std::string>{"chair", "cosigner"});

    CHECK(answer(f.at("anonymous").http.put(settings, one)) == "401 sign_in_required");
    CHECK(answer(f.at("non_member").http.put(settings, one)) == "404 not_found");
    for (const char* who : {"participant_a", "chair", "cosigner", "bra_member"}) {
        INFO(who);
        CHECK(answer(f.at(who).http.put(settings, one)) == "403 forbidden");
    }
    // A page of another origin cannot change it with the administrator's cookie.
    CHECK(f.at("server_admin").http.put(settings, one, {{"Origin", "https://evil.example"}}).status == 403);
    CHECK(answer(f.at("server_admin").http.get(settings)) == "405 method_not_allowed");

    const std::vector<std::pair<json, std::string>> bad = {
        {{{"signers", json::array()}}, "must begin with \"chair\""},
        {{{"signers", {"cosigner"}}}, "must begin with \"chair\""},
        {{{"signers", {"chair", "chair"}}}, "signers[1]"},
        {{{"signers", {"chair", "participant"}}}, "only co-signers"},
        {{{"signers", {"chair", "cosigner", "cosigner", "cosigner", "cosigner"}}}, "1 to 4 roles"},
        {{{"signers", "chair"}}, "must be an array"},
        {{{"signers", {"chair"}}, {"name", "Ny"}}, "name"},
        {json::object(), "signers"},
    };
    for (const auto& [body, says] : bad) {
        INFO(body.dump());
        const auto r = f.at("server_admin").http.put(settings, body);
        CHECK(r.status == 400);
        CHECK(json::parse(r.body).at("error") == "bad_message");
        CHECK_THAT(json::parse(r.body).at("message").get<std::string>(), Catch::Contains(says));
    }
    CHECK(signers_of(json::parse(f.at("chair").http.get("/api/groups/" + f.group()).body)) ==
          std::vector<std::string>{"chair", "cosigner"});

    // The group's own administrator may, and so may the server's; each change is in the audit log.
    const auto changed = f.at("group_admin").http.put(settings, {{"signers", {"chair", "cosigner", "cosigner"}}});
    REQUIRE(changed.status == 200);
    CHECK(signers_of(json::parse(changed.body)) == std::vector<std::string>{"chair", "cosigner", "cosigner"});
    REQUIRE(f.at("server_admin").http.put(settings, one).status == 200);
    const json audit = json::parse(f.at("server_admin").http.get("/api/audit?limit=5").body);
    REQUIRE(!audit.empty());
    CHECK(audit[0].at("action") == "group.settings");
    CHECK(audit[0].at("subject") == f.group());
    CHECK(audit[0].at("detail").at("signers") == json{"chair"});
    CHECK(audit[0].at("detail").at("before") == json{"chair", "cosigner", "cosigner"});

    // Durable: a restart reads it back.
    f.restart();
    CHECK(signers_of(json::parse(f.at("chair").http.get("/api/groups/" + f.group()).body)) ==
          std::vector<std::string>{"chair"});
}

TEST_CASE("a meeting keeps the signers it was made with, and a one-signer group closes on the chair's signature",
          "[signers][lifecycle][integration]") {
    test::accounts_fixture f(people());
    const std::string settings = "/api/groups/" + f.group() + "/settings";
    const std::string earlier = new_meeting(f, "Före ändringen");
    REQUIRE(f.at("server_admin").http.put(settings, {{"signers", {"chair"}}}).status == 200);
    const std::string later = new_meeting(f, "Efter ändringen");
    CHECK(exported(f, earlier).at("lifecycle").at("required") == json{"chair", "cosigner"});
    CHECK(exported(f, later).at("lifecycle").at("required") == json{"chair"});

    for (const auto& m : {earlier, later}) {
        REQUIRE(move(f, "chair", m, {{"action", "open"}}) == "200");
        REQUIRE(move(f, "chair", m, {{"action", "lock_picture"}}) == "200");
    }
    // The later meeting asks for no co-signer: theirs is refused, and nothing changes.
    CHECK(sign(f, "cosigner", later) == "403 forbidden");
    CHECK(exported(f, later).at("lifecycle").at("signatures").empty());
    for (const auto& m : {earlier, later}) REQUIRE(sign(f, "chair", m) == "200");
    // The earlier meeting still waits for its co-signer; the later one is signed by the chair alone.
    CHECK(exported(f, earlier).at("lifecycle").at("phase") == "locked");
    CHECK(move(f, "chair", earlier, {{"action", "close"}}) == "409 wrong_phase");
    CHECK(exported(f, later).at("lifecycle").at("phase") == "signed");
    CHECK(move(f, "chair", later, {{"action", "close"}}) == "200");
    CHECK(exported(f, later).at("lifecycle").at("phase") == "closed");
    CHECK(exported(f, later).at("lifecycle").at("signatures").size() == 1);
    // Setting it back changes neither: the earlier one still needs its co-signer and gets it.
    REQUIRE(f.at("server_admin").http.put(settings, {{"signers", {"chair", "cosigner"}}}).status == 200);
    CHECK(sign(f, "cosigner", earlier) == "200");
    CHECK(move(f, "chair", earlier, {{"action", "close"}}) == "200");
}

TEST_CASE("a three-signer group's picture needs three different people", "[signers][lifecycle][integration]") {
    test::accounts_fixture f(people());
    f.invite("cosigner_2", role::cosigner, "kommun");
    REQUIRE(f.at("server_admin").http.put("/api/groups/" + f.group() + "/settings",
                                          {{"signers", {"chair", "cosigner", "cosigner"}}}).status == 200);
    const std::string m = new_meeting(f, "Tre underskrifter");
    REQUIRE(move(f, "chair", m, {{"action", "open"}}) == "200");
    REQUIRE(move(f, "chair", m, {{"action", "lock_picture"}}) == "200");
    CHECK(sign(f, "cosigner", m) == "200");
    CHECK(sign(f, "cosigner", m) == "409 already_signed");  // the same person does not fill the second place
    CHECK(sign(f, "chair", m) == "200");
    CHECK(exported(f, m).at("lifecycle").at("phase") == "locked");
    CHECK(move(f, "chair", m, {{"action", "close"}}) == "409 wrong_phase");
    f.crash_and_restart();
    CHECK(exported(f, m).at("lifecycle").at("signatures").size() == 2);
    CHECK(sign(f, "cosigner_2", m) == "200");
    CHECK(exported(f, m).at("lifecycle").at("phase") == "signed");
    CHECK(move(f, "chair", m, {{"action", "close"}}) == "200");
    CHECK(exported(f, m).at("lifecycle").at("signatures").size() == 3);
}
