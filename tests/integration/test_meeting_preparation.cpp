// Issue 16 through the real server: meetings a chair can prepare and file. A meeting's default title names its
// week, no two meetings of a group share a title, the chair changes the title and date until the picture is signed
// and archives meetings; everyone else is refused, bad bodies change nothing, and a restart keeps it all.
#include <string>

#include <catch2/catch.hpp>
#include <nlohmann/json.hpp>

#include "accounts_fixture.hpp"

namespace {

using namespace est;
using json = nlohmann::json;

test::accounts_fixture::options people() {
    test::accounts_fixture::options o;
    o.people = {"participant_a", "chair", "non_member", "anonymous"};
    return o;
}

std::string error_of(const client::http_result& r) {
    const json j = json::parse(r.body, nullptr, false);
    return j.is_object() ? j.value("error", "") : "";
}

json meetings_of(test::person& p, const std::string& group) {
    const auto r = p.http.get("/api/groups/" + group + "/meetings");
    REQUIRE(r.status == 200);
    return json::parse(r.body);
}

json meeting(test::person& p, const std::string& id) {
    const auto r = p.http.get("/api/meetings/" + id);
    REQUIRE(r.status == 200);
    return json::parse(r.body);
}

}  // namespace

TEST_CASE("a new meeting is titled after its week, and a group's titles are unique whatever their case",
          "[meetings][integration]") {
    test::accounts_fixture f(people());
    auto& chair = f.at("chair");
    const std::string g = "/api/groups/" + f.group() + "/meetings";
    const auto first = chair.http.post(g, {{"date", "2026-12-08"}});
    REQUIRE(first.status == 201);
    CHECK(json::parse(first.body).at("title") == "EST-möte vecka 50");
    CHECK(json::parse(first.body).at("date") == "2026-12-08");
    // A second meeting that week gets a number rather than a refusal: the one-click creation always works.
    const auto second = chair.http.post(g, {{"date", "2026-12-10"}});
    REQUIRE(second.status == 201);
    CHECK(json::parse(second.body).at("title") == "EST-möte vecka 50 (2)");
    // A title given that another meeting has, in other case and spacing, is refused and nothing is made.
    const auto count = meetings_of(chair, f.group()).size();
    const auto taken = chair.http.post(g, {{"title", "  est-möte  VECKA 50 "}, {"date", "2026-12-09"}});
    CHECK(taken.status == 409);
    CHECK(error_of(taken) == "duplicate_title");
    CHECK(meetings_of(chair, f.group()).size() == count);
    // A title is trimmed; an empty one or a day that does not exist is refused.
    const auto trimmed = chair.http.post(g, {{"title", "  Extramöte om torget  "}, {"date", "2026-12-09"}});
    REQUIRE(trimmed.status == 201);
    CHECK(json::parse(trimmed.body).at("title") == "Extramöte om torget");
    CHECK(error_of(chair.http.post(g, {{"title", "   "}})) == "bad_message");
    CHECK(error_of(chair.http.post(g, {{"date", "2026-02-30"}})) == "bad_message");
    CHECK(meetings_of(chair, f.group()).size() == count + 1);
}

TEST_CASE("the chair renames, re-dates and archives a meeting, others are refused, and a restart keeps it",
          "[meetings][integration]") {
    test::accounts_fixture f(people());
    auto& chair = f.at("chair");
    const std::string g = "/api/groups/" + f.group() + "/meetings";
    const std::string id = f.meeting();
    const std::string m = "/api/meetings/" + id;
    const auto other = chair.http.post(g, {{"title", "Extramöte"}});
    REQUIRE(other.status == 201);
    const json before = meeting(chair, id);

    SECTION("the title and the date change, the export shows them, and bad bodies change nothing") {
        const auto old_export = chair.http.get(m + "/export");
        REQUIRE(old_export.status == 200);
        CHECK(old_export.body.find(before.at("title").get<std::string>()) != std::string::npos);
        const auto r = chair.http.patch(m, {{"title", "EST-möte vecka 50, tisdag"}, {"date", "2026-12-08"}});
        REQUIRE(r.status == 200);
        CHECK(json::parse(r.body).at("title") == "EST-möte vecka 50, tisdag");
        CHECK(json::parse(r.body).at("date") == "2026-12-08");
        // The export at the same revision is made anew: the cached one named the old title.
        const auto new_export = chair.http.get(m + "/export");
        REQUIRE(new_export.status == 200);
        CHECK(new_export.body.find("EST-möte vecka 50, tisdag") != std::string::npos);
        CHECK(new_export.body.find("2026-12-08") != std::string::npos);

        for (const json& bad : {json{{"title", "extramöte"}}, json{{"title", ""}}, json{{"date", "2026-13-01"}},
                                json::object(), json{{"titel", "x"}}, json{{"archived", "ja"}}, json{{"date", 20261208}}}) {
            INFO(bad.dump());
            const auto refused = chair.http.patch(m, bad);
            CHECK(refused.status == (bad.contains("title") && bad.at("title") == "extramöte" ? 409 : 400));
        }
        const json now = meeting(chair, id);
        CHECK(now.at("title") == "EST-möte vecka 50, tisdag");
        CHECK(now.at("date") == "2026-12-08");
        CHECK_FALSE(now.contains("archived_at"));
    }

    SECTION("only the chair: a participant is forbidden, a stranger finds nothing, no session is asked to sign in") {
        CHECK(f.at("participant_a").http.patch(m, {{"title", "Kapat"}}).status == 403);
        CHECK(f.at("participant_a").http.patch(m, {{"archived", true}}).status == 403);
        CHECK(f.at("non_member").http.patch(m, {{"title", "Kapat"}}).status == 404);
        CHECK(f.at("anonymous").http.patch(m, {{"title", "Kapat"}}).status == 401);
        // A page of another site cannot make the chair's browser do it.
        const auto foreign = chair.http.call("PATCH", m, json{{"title", "Kapat"}}.dump(), {{"Origin", "https://evil.example"}});
        CHECK(foreign.status == 403);
        CHECK(chair.http.patch("/api/meetings/no-such-meeting", {{"title", "x"}}).status == 404);
        CHECK(meeting(chair, id).at("title") == before.at("title"));
    }

    SECTION("archived, it is still readable and shown as archived; brought back, it is not; a restart keeps both") {
        const auto r = chair.http.patch(m, {{"archived", true}, {"title", "Arkiverat möte"}});
        REQUIRE(r.status == 200);
        const std::string at = json::parse(r.body).at("archived_at");
        CHECK((at.size() == 20 && at.back() == 'Z'));
        // Archiving again keeps the first time.
        REQUIRE(chair.http.patch(m, {{"archived", true}}).status == 200);
        CHECK(meeting(chair, id).at("archived_at") == at);
        f.crash_and_restart();
        const json after = meeting(chair, id);
        CHECK(after.at("archived_at") == at);
        CHECK(after.at("title") == "Arkiverat möte");
        bool listed = false;
        for (const auto& x : meetings_of(chair, f.group()))
            if (x.at("id") == id) listed = x.value("archived_at", "") == at;
        CHECK(listed);
        CHECK(f.at("participant_a").http.get(m + "/export").status == 200);
        REQUIRE(chair.http.patch(m, {{"archived", false}}).status == 200);
        f.restart();
        CHECK_FALSE(meeting(chair, id).contains("archived_at"));
    }
}
