// Attendance (*närvaro*, issue 16) through the real server: who is in a meeting while it is open or locked is noted
// once, durably, and the record shows it with the chair. Waits on answers and messages, never on the clock.
#include <string>
#include <vector>

#include <boost/asio/io_context.hpp>
#include <catch2/catch.hpp>
#include <nlohmann/json.hpp>

#include "accounts_fixture.hpp"
#include "live_member.hpp"

namespace {

using namespace est;
using json = nlohmann::json;

test::accounts_fixture::options people() {
    test::accounts_fixture::options o;
    o.people = {"participant_a", "participant_b", "chair", "cosigner", "bra_member"};
    return o;
}

std::string new_draft(test::accounts_fixture& f, const std::string& title) {
    const auto r = f.at("chair").http.post("/api/groups/" + f.group() + "/meetings", {{"title", title}});
    REQUIRE(r.status == 201);
    return json::parse(r.body).at("id");
}

int move(test::accounts_fixture& f, const std::string& meeting, const std::string& action) {
    return f.at("chair").http.post("/api/meetings/" + meeting + "/lifecycle", {{"action", action}}).status;
}

// "name/org/role" of each person in the JSON export's attendance, in its order ("(no export)" when it fails). No
// assertion inside: it is called within CHECKs.
std::vector<std::string> attendance(test::accounts_fixture& f, const std::string& meeting) {
    const auto r = f.at("chair").http.get("/api/meetings/" + meeting + "/export?format=json");
    if (r.status != 200) return {"(no export)"};
    std::vector<std::string> out;
    const json body = json::parse(r.body);  // kept: a range-for over .at() of a temporary would dangle
    for (const auto& a : body.at("attendance")) {
        const bool utc = a.at("first_at").get<std::string>().size() == 20;  // "2026-12-05T13:20:00Z"
        out.push_back(a.at("name").get<std::string>() + "/" + a.at("org").get<std::string>() + "/" +
                      a.at("role").get<std::string>() + (utc ? "" : " (bad time)"));
    }
    return out;
}

std::string as_noted(test::accounts_fixture& f, const std::string& who) {
    const auto& p = f.at(who);
    return p.name + "/" + p.org + "/" + std::string(to_string(*p.member_role));
}

}  // namespace

TEST_CASE("attendance: who is in the meeting while it is open or locked is noted once, durably, and the record shows it",
          "[attendance][integration]") {
    test::accounts_fixture f(people());
    const std::string m = new_draft(f, "Närvaromötet");
    boost::asio::io_context ioc;

    // The chair prepares the draft with participant A already in it: not yet attendance.
    test::live_member a(ioc, f.live_options(f.at("participant_a"), m));
    REQUIRE(a.join() == "allowed");
    CHECK(attendance(f, m).empty());
    // Opening it counts whoever is in it.
    REQUIRE(move(f, m, "open") == 200);
    const auto opened = attendance(f, m);
    CHECK(opened == std::vector<std::string>{as_noted(f, "participant_a")});

    // Joins while open and locked count; a second join of the same person does not add a row.
    {
        test::live_member chair(ioc, f.live_options(f.at("chair"), m));
        REQUIRE(chair.join() == "allowed");
    }
    {
        test::live_member again(ioc, f.live_options(f.at("participant_a"), m));
        REQUIRE(again.join() == "allowed");
    }
    REQUIRE(move(f, m, "lock_picture") == 200);
    {
        test::live_member cosigner(ioc, f.live_options(f.at("cosigner"), m));
        REQUIRE(cosigner.join() == "allowed");
    }
    const std::vector<std::string> expected = {as_noted(f, "participant_a"), as_noted(f, "chair"), as_noted(f, "cosigner")};
    const auto held = attendance(f, m);
    CHECK(held == expected);

    // The record: the chair named in its head, a row per person, and the organisations nobody came from.
    const auto html = f.at("participant_b").http.get("/api/meetings/" + m + "/export");
    REQUIRE(html.status == 200);
    CHECK(html.body.find("<dd class=\"chair-name\">" + f.at("chair").name + "</dd>") != std::string::npos);
    CHECK(html.body.find("<tr><td>" + f.at("participant_a").name + "</td><td>Org polis</td><td>deltagare</td>") != std::string::npos);
    CHECK(html.body.find("3 personer från 2 organisationer") != std::string::npos);
    CHECK(html.body.find("Ingen deltog från: Org raddning.") != std::string::npos);
    const auto md = f.at("participant_b").http.get("/api/meetings/" + m + "/export?format=markdown");
    REQUIRE(md.status == 200);
    CHECK(md.body.find("## Närvaro") != std::string::npos);
    CHECK(md.body.find("| " + f.at("cosigner").name + " | Org polis | medundertecknare |") != std::string::npos);

    // Durable across a restart, and a join after it still adds nobody twice.
    f.restart();
    {
        boost::asio::io_context ioc2;
        test::live_member back(ioc2, f.live_options(f.at("chair"), m));
        REQUIRE(back.join() == "allowed");
    }
    const auto after_restart = attendance(f, m);
    CHECK(after_restart == expected);
}

TEST_CASE("attendance: a draft being prepared adds nobody, and the record says none is noted", "[attendance][integration]") {
    test::accounts_fixture f(people());
    const std::string m = new_draft(f, "Utkastet");
    boost::asio::io_context ioc;
    {
        test::live_member chair(ioc, f.live_options(f.at("chair"), m));
        REQUIRE(chair.join() == "allowed");
    }
    CHECK(attendance(f, m).empty());
    const auto html = f.at("chair").http.get("/api/meetings/" + m + "/export");
    REQUIRE(html.status == 200);
    CHECK(html.body.find("Ingen närvaro är registrerad för mötet.") != std::string::npos);
    // The chair is not known from attendance or signatures yet.
    CHECK(html.body.find("<span class=\"empty\">Inte känd</span>") != std::string::npos);
}
