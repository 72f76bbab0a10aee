// Short names per organisation (issue 16) through the real server: the group's administrator sets them with
// PUT /api/groups/{id}/settings, everyone reads them as each organisation's "label" in the group and in the
// meeting's welcome, and bad ones change nothing. Waits on answers and messages, never on the clock.
#include <map>
#include <string>
#include <utility>
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
    o.people = {"participant_a", "chair", "group_admin", "non_member", "anonymous"};
    return o;
}

// Each organisation's id → label, from a group's JSON.
std::map<std::string, std::string> labels(const json& group) {
    std::map<std::string, std::string> out;
    for (const auto& o : group.at("organisations")) out[o.at("id")] = o.at("label");
    return out;
}

json group_of(test::accounts_fixture& f) {
    const auto r = f.at("participant_a").http.get("/api/groups/" + f.group());
    REQUIRE(r.status == 200);
    return json::parse(r.body);
}

}  // namespace

TEST_CASE("short names: the group's administrator sets them, everyone sees them as labels, live too",
          "[short_names][integration]") {
    test::accounts_fixture f(people());
    const std::string settings = "/api/groups/" + f.group() + "/settings";
    // Without short names each label is the name (the fixture's names hold no comma).
    CHECK(labels(group_of(f)).at("polis") == "Org polis");

    const json body = {{"short_names", {{"polis", "Polisen"}, {"kommun", "Kommunen"}}}};
    CHECK(f.at("anonymous").http.put(settings, body).status == 401);
    CHECK(f.at("non_member").http.put(settings, body).status == 404);
    for (const char* who : {"participant_a", "chair"}) {
        INFO(who);
        CHECK(f.at(who).http.put(settings, body).status == 403);
    }
    CHECK(f.at("group_admin").http.put(settings, body, {{"Origin", "https://evil.example"}}).status == 403);
    CHECK(labels(group_of(f)).at("polis") == "Org polis");

    const auto changed = f.at("group_admin").http.put(settings, body);
    REQUIRE(changed.status == 200);
    CHECK(json::parse(changed.body).at("organisations")[0].at("short_name") == "Polisen");
    const auto shown = labels(group_of(f));
    CHECK(shown.at("polis") == "Polisen");
    CHECK(shown.at("kommun") == "Kommunen");
    CHECK(shown.at("raddning") == "Org raddning");
    // Only the named organisations change; the signers stay as they were.
    CHECK(group_of(f).at("signers") == json{"chair", "cosigner"});

    // The audit log says what was before and after.
    const json audit = json::parse(f.at("server_admin").http.get("/api/audit?limit=1").body);
    REQUIRE(audit.size() == 1);
    CHECK(audit[0].at("action") == "group.settings");
    CHECK(audit[0].at("detail").at("short_names").at("polis") == "Polisen");
    CHECK(audit[0].at("detail").at("short_names_before").at("polis") == "");

    // A meeting's page reads them from the welcome (of a meeting whose room loads after the change).
    {
        const auto made = f.at("chair").http.post("/api/groups/" + f.group() + "/meetings", {{"title", "Med kortnamn"}});
        REQUIRE(made.status == 201);
        boost::asio::io_context ioc;
        test::live_member m(ioc, f.live_options(f.at("participant_a"), json::parse(made.body).at("id")));
        REQUIRE(m.join() == "allowed");
        CHECK(labels(m.welcome().at("meeting").at("group")).at("polis") == "Polisen");
    }

    // Durable, and "" clears one.
    f.restart();
    CHECK(labels(group_of(f)).at("kommun") == "Kommunen");
    REQUIRE(f.at("group_admin").http.put(settings, {{"short_names", {{"kommun", ""}}}}).status == 200);
    CHECK(labels(group_of(f)).at("kommun") == "Org kommun");
    CHECK(labels(group_of(f)).at("polis") == "Polisen");
}

TEST_CASE("short names: unknown organisations, duplicates, long or multi-line names are refused and change nothing",
          "[short_names][integration]") {
    test::accounts_fixture f(people());
    const std::string settings = "/api/groups/" + f.group() + "/settings";
    REQUIRE(f.at("group_admin").http.put(settings, {{"short_names", {{"polis", "Polisen"}}}}).status == 200);
    const json before = group_of(f);
    const std::vector<std::pair<json, std::string>> bad = {
        {{{"short_names", {{"brandkaren", "Brand"}}}}, "brandkaren"},
        {{{"short_names", {{"kommun", "Polisen"}}}}, "two organisations"},
        {{{"short_names", {{"kommun", std::string(41, 'k')}}}}, "kommun"},
        {{{"short_names", {{"kommun", "Två\nrader"}}}}, "kommun"},
        {{{"short_names", {{"kommun", 3}}}}, "kommun"},
        {{{"short_names", json::array()}}, "short_names"},
        // One bad name spoils the whole body: the good one in it is not applied either.
        {{{"short_names", {{"kommun", "Kommunen"}, {"raddning", std::string(41, 'r')}}}}, "raddning"},
    };
    for (const auto& [body, says] : bad) {
        INFO(body.dump());
        const auto r = f.at("group_admin").http.put(settings, body);
        CHECK(r.status == 400);
        CHECK(json::parse(r.body).at("error") == "bad_message");
        CHECK_THAT(json::parse(r.body).at("message").get<std::string>(), Catch::Contains(says));
    }
    CHECK(group_of(f) == before);
}

TEST_CASE("short names: a meeting under way welcomes its next joiner with the names as they are now",
          "[short_names][integration]") {
    test::accounts_fixture f(people());
    const auto made = f.at("chair").http.post("/api/groups/" + f.group() + "/meetings", {{"title", "Under mötet"}});
    REQUIRE(made.status == 201);
    const std::string meeting = json::parse(made.body).at("id");
    boost::asio::io_context ioc;
    // The chair stays in the meeting throughout, so its room stays loaded across the change.
    test::live_member chair(ioc, f.live_options(f.at("chair"), meeting));
    REQUIRE(chair.join() == "allowed");
    CHECK(labels(chair.welcome().at("meeting").at("group")).at("polis") == "Org polis");

    REQUIRE(f.at("group_admin").http.put("/api/groups/" + f.group() + "/settings",
                                         {{"short_names", {{"polis", "Polisen"}}}}).status == 200);
    test::live_member late(ioc, f.live_options(f.at("participant_a"), meeting));
    REQUIRE(late.join() == "allowed");
    CHECK(labels(late.welcome().at("meeting").at("group")).at("polis") == "Polisen");
}
