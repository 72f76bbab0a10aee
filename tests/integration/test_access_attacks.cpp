// Issue 12's attacks, each against the real est-server in accounts mode: what a participant, a stranger with a
// cookie, a page of another site or a password guesser could try. Each must get its documented answer, change
// nothing, and leave the server serving everyone else (checked after each: /healthz and a live edit).
#include <chrono>
#include <fstream>
#include <random>

#include <SQLiteCpp/SQLiteCpp.h>
#include <boost/asio/io_context.hpp>
#include <catch2/catch.hpp>
#include <nlohmann/json.hpp>

#include "accounts_fixture.hpp"
#include "est/client/ws_connection.hpp"
#include "est/utf.hpp"
#include "live_member.hpp"

using namespace est;
using json = nlohmann::json;
namespace net = boost::asio;

namespace {

test::accounts_fixture::options two_participants(std::vector<std::string> server_args = {}) {
    test::accounts_fixture::options o;
    o.people = {"participant_a", "participant_b"};
    o.server_args = std::move(server_args);
    return o;
}

std::string error_of(const client::http_result& r) {
    const json j = json::parse(r.body, nullptr, false);
    return j.is_object() ? j.value("error", "") : "";
}

// 43 base64url characters from the OS generator: the shape of a real session or invitation token.
std::string random_token() {
    static const char* alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
    std::random_device rd;
    std::string t;
    for (int i = 0; i < 43; ++i) t.push_back(alphabet[rd() % 64]);
    return t;
}

std::int64_t now_ms() {
    return std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::system_clock::now().time_since_epoch()).count();
}

// A new entry in a participant's own cell under "andt", and the field of it they write in.
field_ref own_field(test::live_member& m, const std::string& org, const std::string& entry) {
    REQUIRE(m.apply(add_entry_change{"andt", org, entry}) == "allowed");
    return {"andt", org, entry, "handelse"};
}

// After an attack the server still answers /healthz and takes a live edit of someone else.
void still_serving(test::accounts_fixture& f) {
    CHECK(client::http_call(f.server().host(), f.server().port(), "GET", "/healthz").status == 200);
    net::io_context ioc;
    test::live_member bystander(ioc, f.live_options(f.at("participant_b")));
    REQUIRE(bystander.join() == "allowed");
    static int checks = 0;
    const std::string entry = "e-still-" + std::to_string(++checks);
    CHECK(bystander.append(own_field(bystander, "kommun", entry), u"fortfarande här") == "allowed");
}

// How a WebSocket upgrade and join of `p` is answered with `cookie` in place of their own.
std::string join_with_cookie(test::accounts_fixture& f, const test::person& p, const std::string& cookie) {
    net::io_context ioc;
    auto o = f.live_options(p);
    o.cookie = cookie;
    test::live_member m(ioc, o);
    return m.join();
}

// How a run of password guesses was answered: refused after hashing, throttled (with Retry-After), or otherwise.
struct guess_tally {
    std::size_t wrong = 0, throttled = 0, other = 0;

    void count(const client::http_result& r) {
        if (r.status == 401 && error_of(r) == "invalid_credentials") ++wrong;
        else if (r.status == 429 && error_of(r) == "throttled" && !r.header("Retry-After").empty() && std::stol(r.header("Retry-After")) >= 1) ++throttled;
        else ++other;
    }
};

// The text of a field in a welcome's or an export's picture ("" when the entry is not there).
std::string text_in(const json& picture, const std::string& topic, const std::string& org, const std::string& entry,
                    const std::string& field) {
    for (const auto& t : picture.at("topics")) {
        if (t.at("id") != topic || !t.at("cells").contains(org)) continue;
        for (const auto& e : t.at("cells").at(org).at("entries"))
            if (e.at("id") == entry) return e.at("fields").at(field).get<std::string>();
    }
    return {};
}

}  // namespace

TEST_CASE("a participant cannot write another organisation's cell", "[access][attack]") {
    test::accounts_fixture f(two_participants());
    net::io_context ioc;
    test::live_member polis(ioc, f.live_options(f.at("participant_a")));
    test::live_member kommun(ioc, f.live_options(f.at("participant_b")));
    REQUIRE(polis.join() == "allowed");
    REQUIRE(kommun.join() == "allowed");
    const auto theirs = own_field(kommun, "kommun", "e-kommun");
    REQUIRE(kommun.append(theirs, u"kommunens text") == "allowed");
    REQUIRE(client::run_until(ioc, [&] { return polis.client().replica().rev() == kommun.client().replica().rev(); }));

    CHECK(polis.append(theirs, u" – ändrat av polisen") == "forbidden");
    CHECK(polis.apply(add_entry_change{"andt", "kommun", "e-polisens"}) == "forbidden");
    CHECK(polis.apply(remove_entry_change{"andt", "kommun", "e-kommun"}) == "forbidden");
    CHECK(polis.apply(set_change{{"andt", "kommun", "e-kommun", "trend"}, "ökar"}) == "forbidden");
    // Nothing changed: the cell's owner sees their text and their one entry.
    const json exported = json::parse(f.at("participant_b").http.get("/api/meetings/" + f.meeting() + "/export?format=json").body);
    CHECK(text_in(exported.at("picture"), "andt", "kommun", "e-kommun", "handelse") == "kommunens text");
    CHECK(text_in(exported.at("picture"), "andt", "kommun", "e-polisens", "handelse").empty());
    CHECK(kommun.client().replica().visible_text(theirs) == u"kommunens text");
    still_serving(f);
}

TEST_CASE("a participant cannot write a chair field", "[access][attack]") {
    test::accounts_fixture f(two_participants());
    net::io_context ioc;
    test::live_member polis(ioc, f.live_options(f.at("participant_a")));
    REQUIRE(polis.join() == "allowed");
    const field_ref assessment{"andt", "", "", "bedomning"};
    CHECK(polis.append(assessment, u"polisens egen bedömning") == "forbidden");
    CHECK(polis.apply(set_change{{"andt", "", "", "niva"}, "hög"}) == "forbidden");
    CHECK(polis.append({"andt", "", "", "prioriteringar"}, u"allt") == "forbidden");
    const json exported = json::parse(f.at("participant_a").http.get("/api/meetings/" + f.meeting() + "/export?format=json").body);
    for (const auto& t : exported.at("picture").at("topics")) {
        if (t.at("id") != "andt") continue;
        CHECK(t.at("fields").at("bedomning") == "");
        CHECK(t.at("fields").at("prioriteringar") == "");
        CHECK(t.at("fields").at("niva").at("value") == "");
    }
    still_serving(f);
}

TEST_CASE("a participant cannot call a chair action: create a meeting or invite", "[access][attack]") {
    test::accounts_fixture f(two_participants());
    auto& p = f.at("participant_a");
    const std::string g = "/api/groups/" + f.group();
    const auto before = json::parse(p.http.get(g + "/meetings").body);
    const auto made = p.http.post(g + "/meetings", {{"title", "Polisens eget möte"}});
    CHECK(made.status == 403);
    CHECK(error_of(made) == "forbidden");
    for (const auto& role : {"participant", "chair", "admin", "bra_member", "cosigner"}) {
        json body = {{"email", std::string("kompis-") + role + "@est.test"}, {"role", role}};
        if (std::string(role) == "participant" || std::string(role) == "cosigner") body["org"] = "polis";
        const auto invited = p.http.post(g + "/invitations", body);
        INFO("inviting as " << role);
        CHECK(invited.status == 403);
        CHECK(error_of(invited) == "forbidden");
    }
    const auto self_promotion = p.http.put(g + "/members/" + p.id, {{"role", "chair"}});
    CHECK(self_promotion.status == 403);
    CHECK(json::parse(p.http.get(g + "/meetings").body) == before);
    const auto me = json::parse(p.http.get("/api/me").body);
    CHECK(me.at("memberships").at(0).at("role") == "participant");
    still_serving(f);
}

TEST_CASE("a chair invites participants only: the co-signer and BRÅ's members are the administrator's to choose", "[access][attack]") {
    // The inviter holds the link: a chair who could invite a co-signer could accept it and sign twice.
    test::accounts_fixture::options o = two_participants();
    o.people.push_back("chair");
    test::accounts_fixture f(o);
    auto& chair = f.at("chair");
    const std::string g = "/api/groups/" + f.group();
    const auto before = json::parse(f.at("server_admin").http.get(g + "/members").body);
    for (const auto& [role, org] : std::vector<std::pair<std::string, std::string>>{
             {"cosigner", "polis"}, {"bra_member", ""}, {"chair", ""}, {"admin", ""}}) {
        json body = {{"email", "av-ordforanden-" + role + "@est.test"}, {"role", role}};
        if (!org.empty()) body["org"] = org;
        const auto invited = chair.http.post(g + "/invitations", body);
        INFO("the chair invites a " << role << ": " << invited.status << " " << invited.body);
        CHECK(invited.status == 403);
        CHECK(error_of(invited) == "forbidden");
    }
    CHECK(chair.http.post(g + "/invitations", {{"email", "ny-deltagare@est.test"}, {"role", "participant"}, {"org", "polis"}}).status == 201);
    const auto issued = f.at("server_admin").http.post(g + "/invitations", {{"email", "ny-medundertecknare@est.test"}, {"role", "cosigner"}, {"org", "polis"}});
    CHECK(issued.status == 201);
    CHECK(json::parse(f.at("server_admin").http.get(g + "/members").body) == before);
    still_serving(f);
}

TEST_CASE("a forged session cookie is no session", "[access][attack]") {
    test::accounts_fixture f(two_participants());
    test::api_client forger(f.server());
    forger.set_cookie("est_session=" + random_token());
    for (const auto& target : std::vector<std::string>{"/api/me", "/api/groups", "/api/meetings/" + f.meeting(), "/api/groups/" + f.group()}) {
        const auto r = forger.get(target);
        INFO(target);
        CHECK(r.status == 401);
        CHECK(error_of(r) == "sign_in_required");
    }
    CHECK(forger.post("/api/groups", {{"id", "forged"}, {"name", "F"}, {"organisations", {{{"id", "a"}, {"name", "A"}}}}}).status == 401);
    // A forged cookie reaches no more than no cookie: nothing but /healthz and the sign-in calls answers.
    test::api_client nobody(f.server());
    for (auto* c : {&forger, &nobody}) {
        for (const auto& target : {"/api/template", "/api/stats", "/api/accounts", "/api/audit", "/api/audit/verify"}) {
            INFO(target << (c == &forger ? " with a forged cookie" : " without a cookie"));
            CHECK(c->get(target).status == 401);
        }
        CHECK(c->del("/api/sessions").status == 401);
        CHECK(c->get("/healthz").status == 200);
        CHECK(c->del("/api/session").status == 204);
        CHECK(error_of(c->post("/api/invitations/lookup", {{"token", random_token()}})) == "invalid_token");
    }
    CHECK(f.at("server_admin").http.get("/api/groups/forged").status == 404);
    CHECK(join_with_cookie(f, f.at("participant_a"), forger.cookie()) == "upgrade 401 sign_in_required");
    still_serving(f);
}

TEST_CASE("an expired session is no session, by its absolute and its idle limit", "[access][attack]") {
    // The shortest lifetimes the flags allow are a minute: instead of waiting, the sessions' times are moved
    // into the past in the database while the server is stopped, and the server reads them on start.
    test::accounts_fixture f(two_participants());
    auto& p = f.at("participant_a");
    test::api_client absolute(f.server()), idle(f.server()), live(f.server());
    REQUIRE(absolute.sign_in(p.email, p.password).status == 200);
    REQUIRE(idle.sign_in(p.email, p.password).status == 200);
    REQUIRE(live.sign_in(p.email, p.password).status == 200);
    const auto session_id = [](const test::api_client& c) { return json::parse(c.get("/api/me").body).at("session").at("id").get<std::string>(); };
    const std::string absolute_id = session_id(absolute), idle_id = session_id(idle);
    f.server().terminate();
    {
        SQLite::Database db(f.data_dir() + "/est.sqlite3", SQLite::OPEN_READWRITE);
        SQLite::Statement a(db, "UPDATE sessions SET expires_at = ? WHERE id = ?");
        a.bind(1, now_ms() - 1000);
        a.bind(2, absolute_id);
        REQUIRE(a.exec() == 1);
        // Idle past the default two hours.
        SQLite::Statement i(db, "UPDATE sessions SET last_seen = ? WHERE id = ?");
        i.bind(1, now_ms() - 3 * 3600 * 1000);
        i.bind(2, idle_id);
        REQUIRE(i.exec() == 1);
    }
    f.restart();
    for (auto* c : {&absolute, &idle}) {
        const auto r = c->get("/api/me");
        CHECK(r.status == 401);
        CHECK(error_of(r) == "sign_in_required");
        CHECK(c->post("/api/groups/" + f.group() + "/meetings", {{"title", "Efter utgång"}}).status == 401);
        CHECK(join_with_cookie(f, p, c->cookie()) == "upgrade 401 sign_in_required");
    }
    // The session that did not expire still works after the restart.
    CHECK(live.get("/api/me").status == 200);
    still_serving(f);
}

TEST_CASE("a signed-out cookie replayed is refused, and its open meeting connection closed with 4003", "[access][attack]") {
    test::accounts_fixture f(two_participants());
    auto& p = f.at("participant_a");
    test::api_client session(f.server());
    REQUIRE(session.sign_in(p.email, p.password).status == 200);
    const std::string cookie = session.cookie();
    net::io_context ioc;
    auto o = f.live_options(p);
    o.cookie = cookie;
    test::live_member m(ioc, o);
    REQUIRE(m.join() == "allowed");

    const auto out = session.del("/api/session");
    CHECK(out.status == 204);
    CHECK_THAT(out.header("Set-Cookie"), Catch::Contains("Max-Age=0"));
    CHECK(m.wait_closed() == "closed: 4003 signed_out");

    test::api_client replay(f.server());
    replay.set_cookie(cookie);
    CHECK(replay.get("/api/me").status == 401);
    CHECK(replay.get("/api/groups").status == 401);
    CHECK(join_with_cookie(f, p, cookie) == "upgrade 401 sign_in_required");
    // The person's other session (from the invitation) is untouched.
    CHECK(p.http.get("/api/me").status == 200);
    still_serving(f);
}

TEST_CASE("a disabled account's cookie is refused and its open meeting connection closed with 4003", "[access][attack]") {
    test::accounts_fixture f(two_participants());
    auto& p = f.at("participant_a");
    net::io_context ioc;
    test::live_member m(ioc, f.live_options(p));
    REQUIRE(m.join() == "allowed");
    auto& admin = f.at("server_admin");
    CHECK(admin.http.post("/api/accounts/" + admin.id + "/disable", {{"disabled", true}}).status == 409);
    const auto disabled = admin.http.post("/api/accounts/" + p.id + "/disable", {{"disabled", true}});
    REQUIRE(disabled.status == 200);
    CHECK(json::parse(disabled.body).at("disabled") == true);
    CHECK(m.wait_closed() == "closed: 4003 account_disabled");

    const auto me = p.http.get("/api/me");
    CHECK(me.status == 401);
    CHECK(error_of(me) == "sign_in_required");
    test::live_member again(ioc, f.live_options(p));
    CHECK(again.join() == "upgrade 401 sign_in_required");
    // Signing in again is no way back: the same answer as a wrong password.
    test::api_client fresh(f.server());
    const auto in = fresh.sign_in(p.email, p.password);
    CHECK(in.status == 401);
    CHECK(error_of(in) == "invalid_credentials");
    still_serving(f);
}

TEST_CASE("sign out everywhere closes another session's meeting connection with 4003", "[access][attack]") {
    test::accounts_fixture f(two_participants());
    auto& p = f.at("participant_a");
    test::api_client other_tab(f.server());
    REQUIRE(other_tab.sign_in(p.email, p.password).status == 200);
    net::io_context ioc;
    auto o = f.live_options(p);
    o.cookie = other_tab.cookie();
    test::live_member m(ioc, o);
    REQUIRE(m.join() == "allowed");

    const auto out = p.http.del("/api/sessions");
    REQUIRE(out.status == 200);
    CHECK(json::parse(out.body).at("ended") == 2);
    CHECK_THAT(out.header("Set-Cookie"), Catch::Contains("Max-Age=0"));
    CHECK(m.wait_closed() == "closed: 4003 signed_out");
    CHECK(p.http.get("/api/me").status == 401);
    CHECK(other_tab.get("/api/me").status == 401);
    still_serving(f);
}

TEST_CASE("a changed or removed role closes the member's meeting connection with 4003 access_changed", "[access][attack]") {
    test::accounts_fixture f(two_participants());
    auto& admin = f.at("server_admin");
    auto& p = f.at("participant_a");
    net::io_context ioc;
    test::live_member m(ioc, f.live_options(p));
    REQUIRE(m.join() == "allowed");
    REQUIRE(admin.http.put("/api/groups/" + f.group() + "/members/" + p.id, {{"role", "participant"}, {"org", "kommun"}}).status == 200);
    CHECK(m.wait_closed() == "closed: 4003 access_changed");
    // Back in, they write as their new organisation and no longer as the old one.
    test::live_member moved(ioc, f.live_options(p));
    REQUIRE(moved.join() == "allowed");
    CHECK(moved.welcome().at("you").at("org") == "kommun");
    CHECK(moved.apply(add_entry_change{"andt", "polis", "e-gammal"}) == "forbidden");

    REQUIRE(admin.http.del("/api/groups/" + f.group() + "/members/" + p.id).status == 200);
    CHECK(moved.wait_closed() == "closed: 4003 access_changed");
    test::live_member removed(ioc, f.live_options(p));
    CHECK(removed.join() == "meeting_not_found");
    CHECK(p.http.get("/api/groups/" + f.group()).status == 404);
    still_serving(f);
}

TEST_CASE("a join that says who it is is refused under accounts", "[access][attack]") {
    // The participant claims to be the chair: under accounts name, org and role come from the account.
    test::accounts_fixture f(two_participants());
    net::io_context ioc;
    auto o = f.live_options(f.at("participant_a"));
    o.join_as_account = false;
    o.who = {"Ordförande", "polis", role::chair};
    test::live_member claimant(ioc, o);
    CHECK(claimant.join() == "bad_message");
    CHECK(claimant.apply(set_change{{"andt", "", "", "niva"}, "hög"}) == "not_joined");
    still_serving(f);
}

TEST_CASE("an invitation cannot be used twice", "[access][attack]") {
    test::accounts_fixture f(two_participants());
    const auto issued = f.at("server_admin").http.post("/api/groups/" + f.group() + "/invitations",
                                                       {{"email", "ny@est.test"}, {"role", "participant"}, {"org", "polis"}});
    REQUIRE(issued.status == 201);
    // Valid for 7 days by default.
    const auto expires_in = json::parse(issued.body).at("expires_at").get<std::int64_t>() - now_ms();
    CHECK(expires_in > (7 * 24 - 1) * 3600 * 1000LL);
    CHECK(expires_in <= 7 * 24 * 3600 * 1000LL);
    const std::string token = test::token_of_link(json::parse(issued.body).at("link"));
    test::api_client first(f.server()), second(f.server());
    // A password the policy refuses does not use the invitation up.
    const auto too_short = first.accept_invitation(token, "kort", "Första");
    CHECK(error_of(too_short) == "password_too_short");
    const auto looked_up = first.post("/api/invitations/lookup", {{"token", token}});
    REQUIRE(looked_up.status == 200);
    CHECK(json::parse(looked_up.body).at("org_name") == "Org polis");
    REQUIRE(first.accept_invitation(token, "Första-lösenordet-42", "Första").status == 200);
    for (const auto& password : {"Andra-lösenordet-42", "Första-lösenordet-42"}) {
        const auto again = second.accept_invitation(token, password, "Andra");
        CHECK(again.status == 400);
        CHECK(error_of(again) == "invalid_token");
        CHECK(second.cookie().empty());
    }
    CHECK(error_of(second.post("/api/invitations/lookup", {{"token", token}})) == "invalid_token");
    // The account kept the first password.
    test::api_client signs_in(f.server());
    CHECK(signs_in.sign_in("ny@est.test", "Första-lösenordet-42").status == 200);
    still_serving(f);
}

TEST_CASE("an expired invitation is refused", "[access][attack]") {
    // --invitation-hours is at least 1: the invitation's expiry is moved into the past in the database while the
    // server is stopped.
    test::accounts_fixture f(two_participants());
    const std::string token = f.invitation_token("sen@est.test", role::participant, "polis");
    f.server().terminate();
    {
        SQLite::Database db(f.data_dir() + "/est.sqlite3", SQLite::OPEN_READWRITE);
        SQLite::Statement s(db, "UPDATE invitations SET expires_at = ? WHERE email = ?");
        s.bind(1, now_ms() - 1000);
        s.bind(2, "sen@est.test");
        REQUIRE(s.exec() == 1);
    }
    f.restart();
    test::api_client late(f.server());
    CHECK(error_of(late.post("/api/invitations/lookup", {{"token", token}})) == "invalid_token");
    const auto r = late.accept_invitation(token, "Sent-omsider-lösen-7", "Sen");
    CHECK(r.status == 400);
    CHECK(error_of(r) == "invalid_token");
    CHECK(late.cookie().empty());
    CHECK(f.at("server_admin").http.get("/api/accounts").body.find("sen@est.test") == std::string::npos);
    still_serving(f);
}

TEST_CASE("a guessed invitation token is refused", "[access][attack]") {
    test::accounts_fixture f(two_participants());
    // Real tokens are 256 bits: 43 base64url characters.
    const std::string real = f.invitation_token("gissad@est.test", role::participant, "polis");
    CHECK(real.size() == 43);
    CHECK(real.find_first_not_of("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_") == std::string::npos);
    test::api_client guesser(f.server());
    std::vector<std::string> guesses = {"a", real.substr(0, 42), real + "A", std::string(43, 'A'), "../../etc/passwd",
                                        "' OR '1'='1"};
    for (int i = 0; i < 200; ++i) guesses.push_back(random_token());
    for (const auto& g : guesses) {
        const auto r = guesser.accept_invitation(g, "Gissat-lösenord-99", "Gissare");
        const auto l = guesser.post("/api/invitations/lookup", {{"token", g}});
        INFO("token '" << g << "': accept " << r.status << " " << r.body << ", lookup " << l.status << " " << l.body);
        CHECK((r.status == 400 && error_of(r) == "invalid_token"));
        CHECK((l.status == 400 && error_of(l) == "invalid_token"));
    }
    // No token at all is a malformed request rather than a guess.
    CHECK(guesser.accept_invitation("", "Gissat-lösenord-99", "Gissare").status == 400);
    CHECK(guesser.cookie().empty());
    CHECK(f.at("server_admin").http.get("/api/accounts").body.find("gissad@est.test") == std::string::npos);
    still_serving(f);
}

TEST_CASE("a WebSocket upgrade from a foreign Origin is refused with 403, and one without a cookie with 401", "[access][attack]") {
    test::accounts_fixture f(two_participants());
    net::io_context ioc;
    for (const auto& origin : {"https://evil.example", "null", "http://127.0.0.1.evil.example"}) {
        auto o = f.live_options(f.at("participant_a"));
        o.origin = origin;
        test::live_member hijack(ioc, o);
        INFO("Origin: " << origin);
        CHECK(hijack.join() == "upgrade 403 bad_origin");
    }
    auto o = f.live_options(f.at("participant_a"));
    o.cookie.clear();
    test::live_member anonymous(ioc, o);
    CHECK(anonymous.join() == "upgrade 401 sign_in_required");
    // The same person from the server's own page gets in, and so does a program that sends no Origin.
    test::live_member own(ioc, f.live_options(f.at("participant_a")));
    CHECK(own.join() == "allowed");
    auto program = f.live_options(f.at("participant_b"));
    program.origin.clear();
    test::live_member tool(ioc, program);
    CHECK(tool.join() == "allowed");
    still_serving(f);
}

TEST_CASE("a REST POST from a foreign Origin is refused with 403 and creates nothing", "[access][attack]") {
    test::accounts_fixture f(two_participants({"--allowed-origin", "https://est.sala.se"}));
    auto& admin = f.at("server_admin");
    const json group = {{"name", "Från annan sajt"}, {"organisations", {{{"id", "polis"}, {"name", "Polisen"}}}}};
    for (const auto& origin : {"https://evil.example", "null"}) {
        INFO("Origin: " << origin);
        json g = group;
        g["id"] = "csrf";
        const auto r = admin.http.post("/api/groups", g, {{"Origin", origin}});
        CHECK(r.status == 403);
        CHECK(error_of(r) == "bad_origin");
        const auto invite = admin.http.post("/api/groups/" + f.group() + "/invitations",
                                            {{"email", "csrf@est.test"}, {"role", "admin"}}, {{"Origin", origin}});
        CHECK(invite.status == 403);
        CHECK(admin.http.post("/api/accounts/" + f.at("participant_a").id + "/disable", {{"disabled", true}}, {{"Origin", origin}}).status == 403);
        // Nor may another site sign someone in (login CSRF) or out.
        test::api_client browser(f.server());
        const auto in = browser.post("/api/session", {{"email", f.at("participant_b").email}, {"password", f.at("participant_b").password}},
                                     {{"Origin", origin}});
        CHECK(in.status == 403);
        CHECK(test::session_cookie_of(in).empty());
        CHECK(f.at("participant_b").http.del("/api/sessions", {{"Origin", origin}}).status == 403);
        CHECK(f.at("participant_b").http.get("/api/me").status == 200);
    }
    CHECK(admin.http.get("/api/groups/csrf").status == 404);
    CHECK(f.at("participant_a").http.get("/api/me").status == 200);
    CHECK(admin.http.get("/api/groups/" + f.group() + "/members").body.find("csrf@est.test") == std::string::npos);
    // The server's own origin and an allowed one may write.
    json own = group, allowed = group;
    own["id"] = "egen";
    allowed["id"] = "sala";
    CHECK(admin.http.post("/api/groups", own, {{"Origin", admin.http.own_origin()}}).status == 201);
    CHECK(admin.http.post("/api/groups", allowed, {{"Origin", "https://est.sala.se"}}).status == 201);
    still_serving(f);
}

TEST_CASE("a POST that is not JSON is refused with 415 and creates nothing", "[access][attack]") {
    test::accounts_fixture f(two_participants());
    auto& admin = f.at("server_admin");
    const std::string body = R"({"id":"formular","name":"Formulär","organisations":[{"id":"polis","name":"Polisen"}]})";
    for (const auto& type : {"text/plain", "application/x-www-form-urlencoded", "multipart/form-data; boundary=x", ""}) {
        INFO("Content-Type: '" << type << "'");
        const auto r = admin.http.call("POST", "/api/groups", body, {{"Content-Type", type}});
        CHECK(r.status == 415);
        CHECK(error_of(r) == "unsupported_media_type");
    }
    const auto sign_in = f.at("participant_a").http.call(
        "POST", "/api/session", json{{"email", f.at("participant_a").email}, {"password", f.at("participant_a").password}}.dump(),
        {{"Content-Type", "text/plain"}});
    CHECK(sign_in.status == 415);
    // With or without a body: a sign-out everywhere without the JSON type ends nothing.
    const auto everywhere = f.at("participant_a").http.call("DELETE", "/api/sessions", {}, {{"Content-Type", ""}});
    CHECK(everywhere.status == 415);
    CHECK(f.at("participant_a").http.get("/api/me").status == 200);
    CHECK(admin.http.get("/api/groups/formular").status == 404);
    CHECK(admin.http.call("POST", "/api/groups", body, {{"Content-Type", "application/json; charset=utf-8"}}).status == 201);
    still_serving(f);
}

TEST_CASE("a wrong Host header is refused with 421", "[access][attack]") {
    test::accounts_fixture f(two_participants({"--allowed-host", "est.sala.se"}));
    auto& admin = f.at("server_admin");
    const std::string port = f.server().port();
    for (const auto& host : std::vector<std::string>{"evil.example", "evil.example:" + port, "est.sala.se.evil.example"}) {
        INFO("Host: " << host);
        const auto r = admin.http.get("/api/groups", {{"Host", host}});
        CHECK(r.status == 421);
        CHECK(error_of(r) == "bad_host");
        CHECK(admin.http.post("/api/groups", {{"id", "rebound"}, {"name", "R"}, {"organisations", {{{"id", "a"}, {"name", "A"}}}}},
                              {{"Host", host}})
                  .status == 421);
    }
    CHECK(admin.http.get("/api/groups/rebound").status == 404);
    // The WebSocket upgrade is checked the same way.
    {
        net::io_context ioc;
        std::string closed;
        client::ws_connection ws(ioc, {nullptr, nullptr, [&](const std::string& why) { closed = why; }});
        ws.connect(f.server().host(), port, "/ws?meeting=" + f.meeting(),
                   {{"Cookie", f.at("participant_a").http.cookie()}, {"Host", "evil.example:" + port}});
        REQUIRE(client::run_until(ioc, [&] { return !closed.empty(); }));
        CHECK(test::refused_upgrade(closed) == "upgrade 421 bad_host");
    }
    // /healthz answers whatever the name; the allowed name passes.
    CHECK(admin.http.get("/healthz", {{"Host", "evil.example"}}).status == 200);
    CHECK(admin.http.get("/api/groups", {{"Host", "est.sala.se:" + port}}).status == 200);
    still_serving(f);
}

TEST_CASE("a thousand wrong passwords in a row are throttled, and the owner still signs in", "[access][attack][throttle]") {
    test::accounts_fixture f(two_participants());
    auto& owner = f.at("participant_a");
    // The owner has signed in from 127.0.0.1 before.
    test::api_client owners_computer(f.server(), "127.0.0.1");
    REQUIRE(owners_computer.sign_in(owner.email, owner.password).status == 200);

    // An unknown e-mail and a wrong password sound the same.
    test::api_client prober(f.server(), "127.0.0.7");
    const auto unknown = prober.post("/api/session", {{"email", "finns-inte@est.test"}, {"password", "fel-lösenord-123"}});
    const auto wrong_password = prober.post("/api/session", {{"email", f.at("participant_b").email}, {"password", "fel-lösenord-123"}});
    CHECK(unknown.status == 401);
    CHECK(unknown.status == wrong_password.status);
    CHECK(unknown.body == wrong_password.body);

    // The guesser, from another address, also names the owner's address in X-Forwarded-For: without
    // --trusted-proxy that header must count for nothing.
    test::api_client guesser(f.server(), "127.0.0.2");
    guess_tally t;
    for (int i = 0; i < 1000; ++i)
        t.count(guesser.post("/api/session", {{"email", owner.email}, {"password", "fel-lösenord-" + std::to_string(i)}},
                             {{"X-Forwarded-For", "127.0.0.1"}}));
    INFO(t.wrong << " hashed and refused, " << t.throttled << " throttled, " << t.other << " other");
    CHECK(t.other == 0);
    // Only the free attempts and the odd one after a wait has passed are hashed; the rest are throttled unhashed
    // (Argon2id takes ~0.1 s: 1,000 of them would take minutes).
    CHECK(t.wrong >= 6);
    CHECK(t.wrong <= 20);
    CHECK(t.throttled == 1000 - t.wrong);

    // The right password from the owner's known address gets in at once.
    test::api_client owner_again(f.server(), "127.0.0.1");
    CHECK(owner_again.sign_in(owner.email, owner.password).status == 200);
    CHECK(owner_again.get("/api/me").status == 200);
    // The audit log names the guesser's real address, not the one it put in X-Forwarded-For.
    const auto audit = json::parse(f.at("server_admin").http.get("/api/audit?limit=100").body);
    std::size_t throttled_rows = 0, from_guesser = 0;
    for (const auto& row : audit) {
        if (row.at("action") != "sign_in.throttled") continue;
        ++throttled_rows;
        from_guesser += row.at("address") == "127.0.0.2";
    }
    CHECK(throttled_rows > 0);
    CHECK(from_guesser == throttled_rows);
    still_serving(f);
}

TEST_CASE("an address that failed eleven sign-ins waits, whatever account it names next", "[access][attack][throttle]") {
    // After 10 failures from an address each further attempt waits min(1 s × 2^(n−11), 15 min): the 11th failure
    // starts a wait of a second, and the next attempt (one Argon2id run later) falls inside it.
    test::accounts_fixture f(two_participants());
    test::api_client from(f.server(), "127.0.0.4");
    for (int i = 0; i < 11; ++i) {
        const auto r = from.sign_in("okand-" + std::to_string(i) + "@est.test", "fel-lösenord-123");
        REQUIRE(r.status == 401);
    }
    auto& b = f.at("participant_b");
    const auto r = from.sign_in(b.email, b.password);
    CHECK(r.status == 429);
    CHECK(error_of(r) == "throttled");
    CHECK(!r.header("Retry-After").empty());
    // Another address is not held by it.
    test::api_client elsewhere(f.server(), "127.0.0.5");
    CHECK(elsewhere.sign_in(b.email, b.password).status == 200);
    still_serving(f);
}

TEST_CASE("SQL metacharacters and <script> are stored and returned verbatim", "[access][attack]") {
    test::accounts_fixture f(two_participants());
    auto& admin = f.at("server_admin");
    const std::string evil = R"(Robert'); DROP TABLE accounts;-- <script>alert("x")</script> & ' OR 1=1 -- \ %s)";
    // A group and a meeting named so.
    const auto made = admin.http.post("/api/groups", {{"id", "elak"}, {"name", evil}, {"municipality", evil},
                                                      {"organisations", {{{"id", "polis"}, {"name", evil}}}}});
    REQUIRE(made.status == 201);
    const auto group = json::parse(admin.http.get("/api/groups/elak").body);
    CHECK(group.at("name") == evil);
    CHECK(group.at("municipality") == evil);
    CHECK(group.at("organisations").at(0).at("name") == evil);
    // A person named so, with an e-mail address holding a quote, in the fixture's group.
    const auto issued = admin.http.post("/api/groups/" + f.group() + "/invitations",
                                        {{"email", "o'neil@est.test"}, {"role", "participant"}, {"org", "raddning"}});
    REQUIRE(issued.status == 201);
    test::person mallory{"mallory", "o'neil@est.test", "Mallorys-lösenord-1", evil, "", role::participant, "raddning", false,
                         test::api_client(f.server())};
    const auto accepted = mallory.http.accept_invitation(test::token_of_link(json::parse(issued.body).at("link")), mallory.password, evil);
    REQUIRE(accepted.status == 200);
    CHECK(json::parse(accepted.body).at("name") == evil);
    CHECK(json::parse(mallory.http.get("/api/me").body).at("name") == evil);
    CHECK(admin.http.get("/api/groups/" + f.group() + "/members").body.find(json(evil).dump()) != std::string::npos);
    const auto meeting = f.at("participant_a").http.get("/api/meetings/" + f.meeting());
    REQUIRE(meeting.status == 200);

    // Over the live meeting: their name as others see it, and an entry's text.
    const field_ref where{"andt", "raddning", "e-elak", "handelse"};
    {
        net::io_context ioc;
        test::live_member m(ioc, f.live_options(mallory));
        REQUIRE(m.join() == "allowed");
        CHECK(m.welcome().at("you").at("name") == evil);
        own_field(m, "raddning", "e-elak");
        const auto evil16 = *utf8_to_utf16(evil);
        REQUIRE(m.append(where, evil16) == "allowed");
        test::live_member watcher(ioc, f.live_options(f.at("participant_a")));
        REQUIRE(watcher.join() == "allowed");
        bool seen = false;
        for (const auto& p : watcher.welcome().at("participants")) seen = seen || p.at("name") == evil;
        CHECK(seen);
        CHECK(watcher.client().replica().confirmed().field(where).text == evil16);
    }  // closed before the restart, which would otherwise wait for their close frames

    // Stored as it is: after a restart the export and the API say the same, and the audit chain holds.
    f.restart();
    const auto exported = json::parse(f.at("participant_a").http.get("/api/meetings/" + f.meeting() + "/export?format=json").body);
    CHECK(text_in(exported.at("picture"), "andt", "raddning", "e-elak", "handelse") == evil);
    CHECK(json::parse(admin.http.get("/api/groups/elak").body).at("name") == evil);
    test::api_client again(f.server());
    CHECK(again.sign_in("o'neil@est.test", mallory.password).status == 200);
    CHECK(json::parse(again.get("/api/me").body).at("name") == evil);
    CHECK(json::parse(admin.http.get("/api/audit/verify").body).at("ok") == true);
    still_serving(f);
}

TEST_CASE("an oversized cookie header is refused with 431, and the server serves others", "[access][attack]") {
    test::accounts_fixture f(two_participants());
    auto& p = f.at("participant_a");
    const std::string huge = p.http.cookie() + "; filler=" + std::string(17 * 1024, 'x');
    const auto r = p.http.get("/api/me", {{"Cookie", huge}});
    CHECK(r.status == 431);
    CHECK(error_of(r) == "too_large");
    // Over the WebSocket upgrade too.
    CHECK(join_with_cookie(f, p, huge) == "upgrade 431 too_large");
    CHECK(p.http.get("/api/me").status == 200);
    still_serving(f);
}

TEST_CASE("a malformed cookie header is no session: 401", "[access][attack]") {
    test::accounts_fixture f(two_participants());
    auto& p = f.at("participant_a");
    const std::string token = p.http.cookie().substr(std::string("est_session=").size());
    const std::vector<std::string> malformed = {
        "est_session",                                   // no value
        "est_session=",                                  // empty
        "est_session=" + token.substr(0, 20),            // cut short
        "est_session=" + token + "A",                    // one too many
        "est_session=" + token.substr(0, 42) + "!",      // not base64url
        "est_session=" + token + "; est_session=" + token,  // twice
        "EST_SESSION=" + token,                          // another name
        "other=" + token,
        ";;;==;",
        "est_session=' OR 1=1 --",
    };
    for (const auto& cookie : malformed) {
        INFO("Cookie: " << cookie);
        const auto r = p.http.get("/api/me", {{"Cookie", cookie}});
        CHECK(r.status == 401);
        CHECK(error_of(r) == "sign_in_required");
    }
    // The cookie twice on two Cookie lines is held twice all the same; one well-formed line after another is read.
    const auto two_lines = p.http.get("/api/me", {{"Cookie", "est_session=" + token}, {"Cookie", "est_session=" + token}});
    CHECK(two_lines.status == 401);
    CHECK(p.http.get("/api/me", {{"Cookie", "lang=sv"}, {"Cookie", "est_session=" + token}}).status == 200);
    // The well-formed one still is a session.
    CHECK(p.http.get("/api/me").status == 200);
    still_serving(f);
}

TEST_CASE("signing in ends the cookie sent along: no session fixation", "[access][attack]") {
    test::accounts_fixture f(two_participants());
    auto& p = f.at("participant_a");
    // Someone plants a session of their own in the victim's browser; the victim then signs in.
    test::api_client planted(f.server());
    REQUIRE(planted.sign_in(f.at("participant_b").email, f.at("participant_b").password).status == 200);
    const std::string planted_cookie = planted.cookie();
    test::api_client victim(f.server());
    victim.set_cookie(planted_cookie);
    const auto in = victim.sign_in(p.email, p.password);
    REQUIRE(in.status == 200);
    CHECK(victim.cookie() != planted_cookie);
    CHECK(json::parse(victim.get("/api/me").body).at("email") == p.email);
    test::api_client attacker(f.server());
    attacker.set_cookie(planted_cookie);
    CHECK(attacker.get("/api/me").status == 401);
    // The cookie is out of reach of page scripts and of other sites' requests.
    const std::string set_cookie = in.header("Set-Cookie");
    CHECK_THAT(set_cookie, Catch::StartsWith("est_session="));
    CHECK_THAT(set_cookie, Catch::Contains("HttpOnly"));
    CHECK_THAT(set_cookie, Catch::Contains("SameSite=Strict"));
    CHECK_THAT(set_cookie, Catch::Contains("Path=/"));
    CHECK_THAT(set_cookie, Catch::Contains("Max-Age=36000"));  // 10 hours
    CHECK(victim.cookie().size() == std::string("est_session=").size() + 43);
    // Answers that may hold personal data are kept by no cache and sniffed by no browser.
    const auto me = victim.get("/api/me");
    CHECK(me.header("Cache-Control") == "no-store");
    CHECK(me.header("X-Content-Type-Options") == "nosniff");
    CHECK(me.header("Referrer-Policy") == "no-referrer");
    still_serving(f);
}

TEST_CASE("a password-reset link works once and ends every session of the account", "[access][attack]") {
    test::accounts_fixture f(two_participants());
    auto& p = f.at("participant_a");
    net::io_context ioc;
    test::live_member m(ioc, f.live_options(p));
    REQUIRE(m.join() == "allowed");
    const auto issued = f.at("server_admin").http.post("/api/accounts/" + p.id + "/password-reset", json::object());
    REQUIRE(issued.status == 201);
    const std::string link = json::parse(issued.body).at("link");
    CHECK_THAT(link, Catch::Contains("#/aterstall/"));
    const std::string token = test::token_of_link(link);
    test::api_client anyone(f.server());
    const std::string fresh = "Nytt-lösenord-efter-återställning";
    // A reset token is no invitation.
    CHECK(error_of(anyone.accept_invitation(token, fresh, "X")) == "invalid_token");
    const auto reset = anyone.post("/api/password-reset", {{"token", token}, {"password", fresh}});
    REQUIRE(reset.status == 204);
    CHECK_THAT(m.wait_closed(), Catch::StartsWith("closed: 4003"));
    CHECK(p.http.get("/api/me").status == 401);
    CHECK(error_of(anyone.post("/api/password-reset", {{"token", token}, {"password", "Och-ett-tredje-lösenord"}})) == "invalid_token");
    test::api_client old_password(f.server()), new_password(f.server());
    CHECK(old_password.sign_in(p.email, p.password).status == 401);
    CHECK(new_password.sign_in(p.email, fresh).status == 200);
    // The administrator's list of accounts shows no password hash.
    const auto accounts = f.at("server_admin").http.get("/api/accounts");
    REQUIRE(accounts.status == 200);
    CHECK(accounts.body.find("argon2") == std::string::npos);
    still_serving(f);
}

TEST_CASE("guessing an existing account's password through an invitation is throttled like a sign-in", "[access][attack][throttle]") {
    // A chair may invite any address, an existing account's too, and accepting for an existing account takes its
    // password: without the throttle, a password-guessing oracle.
    test::accounts_fixture::options o = two_participants();
    o.people.push_back("chair");
    o.people.push_back("non_member");
    test::accounts_fixture f(o);
    auto& victim = f.at("non_member");
    test::api_client victims_computer(f.server(), "127.0.0.1");
    REQUIRE(victims_computer.sign_in(victim.email, victim.password).status == 200);
    const auto issued = f.at("chair").http.post("/api/groups/" + f.group() + "/invitations",
                                                {{"email", victim.email}, {"role", "participant"}, {"org", "polis"}});
    REQUIRE(issued.status == 201);
    const std::string token = test::token_of_link(json::parse(issued.body).at("link"));
    test::api_client guesser(f.server(), "127.0.0.6");
    guess_tally t;
    // As the web client sends it for an existing account: without a name.
    for (int i = 0; i < 50; ++i)
        t.count(guesser.post("/api/invitations/accept", {{"token", token}, {"password", "gissning-nummer-" + std::to_string(i)}}));
    INFO(t.wrong << " hashed and refused, " << t.throttled << " throttled, " << t.other << " other");
    CHECK(t.other == 0);
    CHECK(t.wrong <= 10);
    CHECK(t.throttled == 50 - t.wrong);
    CHECK(guesser.cookie().empty());
    // The victim joined no group, and still signs in from their own computer.
    test::api_client victim_again(f.server(), "127.0.0.1");
    REQUIRE(victim_again.sign_in(victim.email, victim.password).status == 200);
    const auto me = json::parse(victim_again.get("/api/me").body);
    CHECK(me.at("memberships").size() == 1);
    CHECK(me.at("memberships").at(0).at("group_id") == f.other_group());
    still_serving(f);
}

TEST_CASE("accepting an invitation for an existing account ignores the name, as documented", "[access][invitation]") {
    // docs/protocol.md: "when the e-mail has one, that account must give its own password in `password`; `name`
    // is then ignored". So a name that would not do for a new account changes nothing for an existing one.
    test::accounts_fixture::options o = two_participants();
    o.people.push_back("non_member");
    test::accounts_fixture f(o);
    auto& p = f.at("non_member");
    const std::string token = f.invitation_token(p.email, role::participant, "polis");
    test::api_client again(f.server());
    const auto r = again.accept_invitation(token, p.password, "");
    INFO(r.status << " " << r.body);
    CHECK(r.status == 200);
    if (r.status == 200) CHECK(json::parse(r.body).at("name") == p.name);
    still_serving(f);
}

TEST_CASE("a participant cannot reach into another group, nor tell that it exists", "[access][attack]") {
    test::accounts_fixture f(two_participants());
    auto& p = f.at("participant_a");  // a member of the fixture's group, not of the other one
    const auto same_as_missing = [&](const std::string& method, const std::string& existing, const std::string& missing,
                                     const json& body = nullptr) {
        const auto a = p.http.call(method, existing, body.is_null() ? "" : body.dump());
        const auto b = p.http.call(method, missing, body.is_null() ? "" : body.dump());
        INFO(method << " " << existing << ": " << a.status << " " << a.body << " / " << missing << ": " << b.status << " " << b.body);
        CHECK(a.status == 404);
        CHECK(b.status == 404);
        CHECK(error_of(a) == error_of(b));
    };
    const std::string other = "/api/groups/" + f.other_group(), none = "/api/groups/finns-inte";
    same_as_missing("GET", other, none);
    same_as_missing("GET", other + "/meetings", none + "/meetings");
    same_as_missing("POST", other + "/meetings", none + "/meetings", json{{"title", "Smyg"}});
    same_as_missing("POST", other + "/invitations", none + "/invitations", json{{"email", "smyg@est.test"}, {"role", "participant"}, {"org", "polis"}});
    same_as_missing("GET", other + "/members", none + "/members");
    CHECK(json::parse(f.at("server_admin").http.get(other + "/meetings").body).empty());
    still_serving(f);
}

TEST_CASE("only a trusted proxy's X-Forwarded-For names the client", "[access][attack]") {
    test::accounts_fixture f(two_participants({"--trusted-proxy", "127.0.0.8"}));
    test::api_client via_proxy(f.server(), "127.0.0.8"), direct(f.server(), "127.0.0.9");
    const json wrong = {{"email", f.at("participant_a").email}, {"password", "fel-lösenord-123"}};
    // The proxy appends the address it saw: the last entry is the one a client cannot forge.
    CHECK(via_proxy.post("/api/session", wrong, {{"X-Forwarded-For", "203.0.113.9, 198.51.100.7"}}).status == 401);
    CHECK(direct.post("/api/session", wrong, {{"X-Forwarded-For", "198.51.100.8"}}).status == 401);
    // A proxy that adds a line of its own after the client's (HAProxy's option forwardfor): its line counts.
    CHECK(via_proxy.post("/api/session", wrong, {{"X-Forwarded-For", "6.6.6.6"}, {"X-Forwarded-For", "198.51.100.5"}}).status == 401);
    std::vector<std::string> addresses;
    for (const auto& row : json::parse(f.at("server_admin").http.get("/api/audit?limit=20").body))
        if (row.at("action") == "sign_in.failed") addresses.push_back(row.at("address"));
    CHECK_THAT(addresses, Catch::UnorderedEquals(std::vector<std::string>{"198.51.100.7", "127.0.0.9", "198.51.100.5"}));
    still_serving(f);
}

TEST_CASE("a page of the web client answers without a session, may not be framed and runs no inline script", "[access][attack]") {
    test::temp_dir web;
    {
        std::ofstream(web.path() + "/index.html") << "<!doctype html><title>EST Live</title>";
    }
    test::accounts_fixture f(two_participants({"--web-root", web.path()}));
    test::api_client anonymous(f.server());
    for (const auto& path : {"/", "/logga-in", "/moten/est-test"}) {
        INFO(path);
        const auto r = anonymous.get(path);
        CHECK(r.status == 200);
        CHECK(r.header("Content-Security-Policy") ==
              "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; "
              "base-uri 'none'; form-action 'self'; frame-ancestors 'none'");
        CHECK(r.header("X-Frame-Options") == "DENY");
        CHECK(r.header("X-Content-Type-Options") == "nosniff");
        CHECK(r.header("Referrer-Policy") == "no-referrer");
    }
    still_serving(f);
}

TEST_CASE("the documented session and invitation lifetime flags are taken", "[access]") {
    test::accounts_fixture f(two_participants({"--session-minutes", "180", "--session-idle-minutes", "30", "--invitation-hours", "48"}));
    auto& p = f.at("participant_a");
    test::api_client c(f.server());
    const auto in = c.sign_in(p.email, p.password);
    CHECK_THAT(in.header("Set-Cookie"), Catch::Contains("Max-Age=10800"));
    const auto issued = f.at("server_admin").http.post("/api/groups/" + f.group() + "/invitations",
                                                       {{"email", "flagga@est.test"}, {"role", "bra_member"}});
    const auto expires_in = json::parse(issued.body).at("expires_at").get<std::int64_t>() - now_ms();
    CHECK(expires_in > (2 * 24 - 1) * 3600 * 1000LL);
    CHECK(expires_in <= 2 * 24 * 3600 * 1000LL);
}

// Security review of issue 12: each test below is named after the finding it pins.

TEST_CASE("a flood of throttled sign-ins writes one audit row per back-off window, not one per request", "[access][attack][throttle]") {
    test::accounts_fixture f(two_participants());
    test::api_client flooder(f.server(), "127.0.0.8");
    // Eleven failures put the address in back-off; then a flood, each naming another e-mail (the audit row's
    // subject is the e-mail as typed).
    for (int i = 0; i < 11; ++i) REQUIRE(flooder.sign_in("okand-" + std::to_string(i) + "@est.test", "fel-lösenord-123").status == 401);
    std::size_t throttled = 0, hashed = 0;
    for (int i = 0; i < 300; ++i) {
        const auto r = flooder.post("/api/session", {{"email", "flod-" + std::to_string(i) + "-" + std::string(200, 'x') + "@est.test"},
                                                     {"password", "fel-lösenord-123"}});
        if (r.status == 429) ++throttled;
        else ++hashed;  // a wait that ran out: one more failure, a longer wait
    }
    INFO(throttled << " throttled, " << hashed << " let through");
    CHECK(throttled >= 290);
    std::size_t rows = 0;
    for (const auto& row : json::parse(f.at("server_admin").http.get("/api/audit?limit=500").body))
        rows += row.at("action") == "sign_in.throttled" && row.at("address") == "127.0.0.8";
    // One row per back-off window; a window ends only after an attempt is let through again.
    CHECK(rows >= 1);
    CHECK(rows <= hashed + 1);
    still_serving(f);
}

TEST_CASE("failed sign-ins for unknown e-mails write one audit row per address per window", "[access][attack]") {
    test::accounts_fixture f(two_participants());
    test::api_client prober(f.server(), "127.0.0.9");
    for (int i = 0; i < 8; ++i) REQUIRE(prober.sign_in("okand-" + std::to_string(i) + "@est.test", "fel-lösenord-123").status == 401);
    // A wrong password for a real account is written every time.
    REQUIRE(prober.sign_in(f.at("participant_b").email, "fel-lösenord-123").status == 401);
    std::size_t unknown = 0, wrong = 0;
    for (const auto& row : json::parse(f.at("server_admin").http.get("/api/audit?limit=500").body)) {
        if (row.at("action") != "sign_in.failed" || row.at("address") != "127.0.0.9") continue;
        (row.at("detail").at("reason") == "unknown_email" ? unknown : wrong)++;
    }
    CHECK(unknown == 1);
    CHECK(wrong == 1);
}

TEST_CASE("an over-long password is refused alike for a known and an unknown e-mail, on every path", "[access][attack]") {
    test::accounts_fixture f(two_participants());
    const std::string overlong(2000, 'x');
    test::api_client c(f.server(), "127.0.0.10");
    const auto known = c.post("/api/session", {{"email", f.at("participant_a").email}, {"password", overlong}});
    const auto unknown = c.post("/api/session", {{"email", "finns-inte@est.test"}, {"password", overlong}});
    CHECK(known.status == 400);
    CHECK(error_of(known) == "password_too_long");
    CHECK(known.status == unknown.status);
    CHECK(known.body == unknown.body);
    // Accepting for an existing account and for a new one, and a reset.
    const auto existing = c.post("/api/invitations/accept",
                                 {{"token", f.invitation_token(f.at("participant_b").email, role::bra_member)}, {"password", overlong}});
    const auto fresh = c.post("/api/invitations/accept",
                              {{"token", f.invitation_token("ny@est.test", role::bra_member)}, {"password", overlong}, {"name", "Ny"}});
    CHECK(error_of(existing) == "password_too_long");
    CHECK(existing.body == fresh.body);
    const auto issued = f.at("server_admin").http.post("/api/accounts/" + f.at("participant_a").id + "/password-reset", json::object());
    const auto reset = c.post("/api/password-reset", {{"token", test::token_of_link(json::parse(issued.body).at("link"))}, {"password", overlong}});
    CHECK(error_of(reset) == "password_too_long");
    // None of them counted as a failed sign-in.
    for (const auto& row : json::parse(f.at("server_admin").http.get("/api/audit?limit=500").body))
        CHECK(row.at("action") != "sign_in.failed");
}

TEST_CASE("an invitation dies with its inviter's right to issue it", "[access][attack][invitation]") {
    test::accounts_fixture::options o = two_participants();
    o.people.push_back("chair");
    test::accounts_fixture f(o);
    auto& chair = f.at("chair");
    const std::string g = "/api/groups/" + f.group();
    const auto issued = chair.http.post(g + "/invitations", {{"email", "ny@est.test"}, {"role", "participant"}, {"org", "polis"}});
    REQUIRE(issued.status == 201);
    const std::string token = test::token_of_link(json::parse(issued.body).at("link"));
    // The chair loses the role: the link no longer works.
    REQUIRE(f.at("server_admin").http.del(g + "/members/" + chair.id).status == 200);
    test::api_client invitee(f.server());
    const auto r = invitee.accept_invitation(token, "Ett-långt-lösenord-för-ny", "Ny Person");
    CHECK(r.status == 400);
    CHECK(error_of(r) == "invalid_token");
    CHECK(invitee.cookie().empty());
}

TEST_CASE("pending invitations are listed without their tokens and revoked by those who may issue them", "[access][invitation]") {
    test::accounts_fixture::options o = two_participants();
    o.people.push_back("chair");
    o.people.push_back("non_member");
    test::accounts_fixture f(o);
    auto& chair = f.at("chair");
    auto& admin = f.at("server_admin");
    const std::string g = "/api/groups/" + f.group();
    const auto by_chair = chair.http.post(g + "/invitations", {{"email", "ny@est.test"}, {"role", "participant"}, {"org", "polis"}});
    const auto by_admin = admin.http.post(g + "/invitations", {{"email", "ordf@est.test"}, {"role", "chair"}});
    REQUIRE(by_chair.status == 201);
    REQUIRE(by_admin.status == 201);
    const std::string token = test::token_of_link(json::parse(by_chair.body).at("link"));

    const auto listed = admin.http.get(g + "/invitations");
    REQUIRE(listed.status == 200);
    CHECK(listed.body.find(token) == std::string::npos);
    CHECK(listed.body.find(test::token_of_link(json::parse(by_admin.body).at("link"))) == std::string::npos);
    const auto all = json::parse(listed.body);
    REQUIRE(all.size() == 2);
    // A chair sees those of the roles they may invite: not the chair invitation.
    const auto chairs = json::parse(chair.http.get(g + "/invitations").body);
    REQUIRE(chairs.size() == 1);
    const auto& mine = chairs.at(0);
    CHECK(mine.at("email") == "ny@est.test");
    CHECK(mine.at("role") == "participant");
    CHECK(mine.at("org") == "polis");
    CHECK(mine.at("created_by") == chair.id);
    CHECK(mine.at("created_by_name") == chair.name);
    CHECK(mine.at("expires_at").get<std::int64_t>() > mine.at("created_at").get<std::int64_t>());
    const std::string id = mine.at("id");
    std::string chair_invitation;
    for (const auto& i : all)
        if (i.at("role") == "chair") chair_invitation = i.at("id");
    // Nor revokes it; a participant neither lists nor revokes; someone outside the group finds no group.
    CHECK(chair.http.del(g + "/invitations/" + chair_invitation).status == 404);
    CHECK(f.at("participant_a").http.get(g + "/invitations").status == 403);
    CHECK(f.at("participant_a").http.del(g + "/invitations/" + id).status == 403);
    CHECK(f.at("non_member").http.get(g + "/invitations").status == 404);
    CHECK(f.at("non_member").http.del(g + "/invitations/" + id).status == 404);

    REQUIRE(chair.http.del(g + "/invitations/" + id).status == 204);
    CHECK(chair.http.del(g + "/invitations/" + id).status == 404);
    test::api_client invitee(f.server());
    CHECK(error_of(invitee.accept_invitation(token, "Ett-långt-lösenord-för-ny", "Ny Person")) == "invalid_token");
    CHECK(json::parse(admin.http.get(g + "/invitations").body).size() == 1);
    bool audited = false;
    for (const auto& row : json::parse(admin.http.get("/api/audit?limit=50").body))
        audited = audited || (row.at("action") == "invitation.revoke" && row.at("actor") == chair.id && row.at("subject") == "ny@est.test");
    CHECK(audited);
    // A changed role revokes what the member issued in the group.
    REQUIRE(chair.http.post(g + "/invitations", {{"email", "ny2@est.test"}, {"role", "participant"}, {"org", "kommun"}}).status == 201);
    REQUIRE(admin.http.put(g + "/members/" + chair.id, {{"role", "bra_member"}}).status == 200);
    for (const auto& i : json::parse(admin.http.get(g + "/invitations").body)) CHECK(i.at("email") != "ny2@est.test");
}

TEST_CASE("reset links: a new one cancels the older, and a disabled account's is refused", "[access][attack]") {
    test::accounts_fixture f(two_participants());
    auto& admin = f.at("server_admin");
    auto& p = f.at("participant_a");
    const std::string path = "/api/accounts/" + p.id + "/password-reset";
    const auto issued = json::parse(admin.http.post(path, json::object()).body);
    const auto first = test::token_of_link(issued.at("link"));
    // A reset link lasts 60 minutes, not as long as an invitation (--invitation-hours).
    const auto expires_in = issued.at("expires_at").get<std::int64_t>() - now_ms();
    CHECK(expires_in > 59 * 60 * 1000LL);
    CHECK(expires_in <= 60 * 60 * 1000LL);
    const auto second = test::token_of_link(json::parse(admin.http.post(path, json::object()).body).at("link"));
    test::api_client anyone(f.server());
    CHECK(error_of(anyone.post("/api/password-reset", {{"token", first}, {"password", "Nytt-lösenord-nummer-ett"}})) == "invalid_token");
    // Disabling cancels the link; one made while disabled is refused with account_disabled.
    REQUIRE(admin.http.post("/api/accounts/" + p.id + "/disable", {{"disabled", true}}).status == 200);
    CHECK(error_of(anyone.post("/api/password-reset", {{"token", second}, {"password", "Nytt-lösenord-nummer-två"}})) == "invalid_token");
    const auto third = test::token_of_link(json::parse(admin.http.post(path, json::object()).body).at("link"));
    const auto r = anyone.post("/api/password-reset", {{"token", third}, {"password", "Nytt-lösenord-nummer-tre"}});
    CHECK(r.status == 403);
    CHECK(error_of(r) == "account_disabled");
    test::api_client again(f.server());
    CHECK(again.sign_in(p.email, "Nytt-lösenord-nummer-tre").status == 401);
}

TEST_CASE("creating invitations is rate-limited per account", "[access][attack][invitation]") {
    // The fixture's own creations (two groups, a meeting, the chair's invitation) fit in a burst of 5.
    test::accounts_fixture::options o;
    o.people = {"chair"};
    o.server_args = {"--max-creations-per-minute", "1", "--creation-burst", "5"};
    test::accounts_fixture f(o);
    const std::string g = "/api/groups/" + f.group() + "/invitations";
    std::size_t made = 0, limited = 0;
    for (int i = 0; i < 8; ++i) {
        const auto r = f.at("chair").http.post(g, {{"email", "flod-" + std::to_string(i) + "@est.test"}, {"role", "participant"}, {"org", "polis"}});
        if (r.status == 201) ++made;
        else if (r.status == 429 && error_of(r) == "rate_limited" && !r.header("Retry-After").empty()) ++limited;
    }
    CHECK(made == 5);
    CHECK(limited == 3);
    // Another account has its own budget.
    CHECK(f.at("server_admin").http.post(g, {{"email", "annan@est.test"}, {"role", "bra_member"}}).status == 201);
}

TEST_CASE("accepting an invitation ends the session the browser had", "[access][attack][invitation]") {
    test::accounts_fixture f(two_participants());
    test::api_client browser(f.server());
    REQUIRE(browser.sign_in(f.at("participant_b").email, f.at("participant_b").password).status == 200);
    const std::string old_cookie = browser.cookie();
    const auto r = browser.accept_invitation(f.invitation_token("ny@est.test", role::bra_member), "Ett-långt-lösenord-för-ny", "Ny Person");
    REQUIRE(r.status == 200);
    CHECK(browser.cookie() != old_cookie);
    test::api_client replay(f.server());
    replay.set_cookie(old_cookie);
    CHECK(replay.get("/api/me").status == 401);
}

TEST_CASE("a display name with bidi or C1 control characters is refused", "[access][attack][invitation]") {
    test::accounts_fixture f(two_participants());
    test::api_client invitee(f.server());
    const std::string token = f.invitation_token("ny@est.test", role::bra_member);
    for (const std::string bad : {"Anna \u202Eredoc", "Anna \u2066x\u2069", "Anna \u0085"}) {
        const auto r = invitee.accept_invitation(token, "Ett-långt-lösenord-för-ny", bad);
        CHECK(r.status == 400);
        CHECK(error_of(r) == "bad_message");
    }
    CHECK(invitee.accept_invitation(token, "Ett-långt-lösenord-för-ny", "Anna Ny").status == 200);
}

TEST_CASE("a member's role is changed only for members, and the answer shows only that group", "[access][attack]") {
    test::accounts_fixture::options o = two_participants();
    o.people.push_back("group_admin");
    o.people.push_back("non_member");
    test::accounts_fixture f(o);
    const std::string g = "/api/groups/" + f.group() + "/members/";
    auto& stranger = f.at("non_member");
    // The group's administrator cannot pull someone from another group into theirs without an invitation.
    auto& group_admin = f.at("group_admin");
    const auto pulled = group_admin.http.put(g + stranger.id, {{"role", "participant"}, {"org", "polis"}});
    CHECK(pulled.status == 404);
    test::api_client again(f.server());
    REQUIRE(again.sign_in(stranger.email, stranger.password).status == 200);
    CHECK(json::parse(again.get("/api/me").body).at("memberships").size() == 1);
    // A member's answer names their role here, not their other groups; a server administrator may add anyone.
    const auto added = f.at("server_admin").http.put(g + stranger.id, {{"role", "participant"}, {"org", "polis"}});
    REQUIRE(added.status == 200);
    const auto shown = json::parse(added.body);
    CHECK_FALSE(shown.contains("memberships"));
    CHECK(added.body.find(f.other_group()) == std::string::npos);
    CHECK(shown.at("role") == "participant");
    const auto changed = group_admin.http.put(g + stranger.id, {{"role", "participant"}, {"org", "kommun"}});
    REQUIRE(changed.status == 200);
    CHECK(changed.body.find(f.other_group()) == std::string::npos);
    const auto removed = group_admin.http.del(g + stranger.id);
    REQUIRE(removed.status == 200);
    CHECK(removed.body.find(f.other_group()) == std::string::npos);
    CHECK(group_admin.http.del(g + stranger.id).status == 404);
}
