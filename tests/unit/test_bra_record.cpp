// A decision item's life after its meeting closed (shared/src/bra_record.cpp): BRÅ's decisions, re-assignments,
// comments and the owner's follow-ups; who may do each, in which state, and what a stored history replays to.
#include <catch2/catch.hpp>
#include <nlohmann/json.hpp>

#include "est/bra_record.hpp"
#include "est/calendar_date.hpp"
#include "est/error.hpp"
#include "fixtures.hpp"

namespace {

using namespace est;
using json = nlohmann::json;
using est::test::code_of;

const std::vector<std::string> orgs{"kommun", "polis", "skola"};
const calendar_date today = *calendar_date::parse("2026-12-04");
const standing bra{false, role::bra_member};
const standing chair{false, role::chair};
const standing participant{false, role::participant};
const standing outsider{false, std::nullopt};

bra_request request(json j) { return bra_request::from_json(j, "body"); }

// Checks and applies one request as the server would, stamping it.
void act(bra_record& r, json body, const standing& who = bra, std::string org = "", std::string at = "2026-12-04T09:00:00Z") {
    body["version"] = r.version();
    const bra_request req = request(body);
    r.check(req, who, org, today, orgs);
    r.apply({req, {"a1", "Bo Berg", org, "bra_member"}, std::move(at), r.version() + 1});
}

json approve() {
    return {{"kind", "decide"}, {"verdict", "approve"}, {"owner_org", "polis"}, {"contact", "Anna Berg, 0223-123 45"},
            {"due", "2027-03-01"}};
}

}  // namespace

TEST_CASE("calendar dates: only real days in YYYY-MM-DD", "[bra]") {
    CHECK(calendar_date::parse("2027-03-01")->to_string() == "2027-03-01");
    CHECK(calendar_date::parse("2028-02-29"));
    CHECK_FALSE(calendar_date::parse("2027-02-29"));
    CHECK_FALSE(calendar_date::parse("2027-13-01"));
    CHECK_FALSE(calendar_date::parse("2027-3-01"));
    CHECK_FALSE(calendar_date::parse("27-03-01"));
    CHECK_FALSE(calendar_date::parse("2027-03-01T10:00"));
    CHECK_FALSE(calendar_date::parse("1899-12-31"));
    CHECK_FALSE(calendar_date::parse("２０２７-03-01"));
    CHECK(*calendar_date::parse("2026-12-31") < *calendar_date::parse("2027-01-01"));
    CHECK(calendar_date::parse("2026-12-31")->plus_days(1) == *calendar_date::parse("2027-01-01"));
    CHECK(calendar_date(0).to_string() == "1970-01-01");
    CHECK(code_of([] { calendar_date::read("2027-02-30", "due"); }) == "bad_message");
}

TEST_CASE("BRÅ requests: only the fields of their kind, each checked", "[bra]") {
    auto with = [](json j, const char* key, json v) {
        j["version"] = 1u;
        j[key] = std::move(v);
        return j;
    };
    json a = approve();
    a["version"] = 1u;
    CHECK(code_of([&] { request(a); }) == "(allowed)");
    CHECK(code_of([&] { request(with(approve(), "due", "2027-02-30")); }) == "bad_message");
    CHECK(code_of([&] { request(with(approve(), "due", "1 mars")); }) == "bad_message");
    CHECK(code_of([&] { request(with(approve(), "contact", "")); }) == "bad_message");
    CHECK(code_of([&] { request(with(approve(), "owner_org", "Polisen i Sala")); }) == "bad_message");
    CHECK(code_of([&] { request(with(approve(), "reason", "varför")); }) == "bad_message");  // not approve's field
    CHECK(code_of([&] { request(with(approve(), "verdict", "bifall")); }) == "bad_message");
    CHECK(code_of([&] { request(with(approve(), "kind", "edit_text")); }) == "bad_message");
    CHECK(code_of([&] { request(with(approve(), "version", -1)); }) == "bad_message");
    CHECK(code_of([&] { request(with(approve(), "contact", std::string(201, 'x'))); }) == "bad_message");
    CHECK(code_of([&] { request(with(approve(), "text", "a\u202Eb")); }) == "bad_message");
    CHECK(code_of([&] { request(with(approve(), "text", std::string("a\xff", 2))); }) == "bad_message");
    CHECK(code_of([&] { request({{"kind", "decide"}, {"verdict", "reject"}, {"version", 1u}}); }) == "bad_message");
    CHECK(code_of([&] { request({{"kind", "decide"}, {"verdict", "defer"}, {"version", 1u}}); }) == "bad_message");
    CHECK(code_of([&] { request({{"kind", "comment"}, {"version", 1u}, {"text", ""}}); }) == "bad_message");
    CHECK(code_of([&] { request({{"kind", "follow_up"}, {"version", 1u}, {"progress", "yellow"}}); }) == "bad_message");
    CHECK(code_of([&] { request({{"kind", "follow_up"}, {"version", 1u}, {"progress", "red"}, {"text", ""}}); }) ==
          "bad_message");
    CHECK(code_of([&] { request({{"kind", "follow_up"}, {"version", 1u}, {"progress", "green"}}); }) == "(allowed)");
    CHECK(code_of([&] { request({{"kind", "follow_up"}, {"version", 1u}, {"progress", "purple"}}); }) == "bad_message");
    CHECK(code_of([&] { request(json::array()); }) == "bad_message");
}

TEST_CASE("BRÅ decides: bifall with owner and a due date not past, only by a BRÅ member", "[bra]") {
    bra_record r;
    CHECK(r.status() == bra_status::awaiting);
    CHECK(r.version() == 1);
    json body = approve();
    body["version"] = 1u;
    const bra_request req = request(body);
    CHECK(code_of([&] { r.check(req, chair, "kommun", today, orgs); }) == "forbidden");
    CHECK(code_of([&] { r.check(req, participant, "polis", today, orgs); }) == "forbidden");
    CHECK(code_of([&] { r.check(req, outsider, "", today, orgs); }) == "forbidden");
    CHECK(code_of([&] { r.check(req, bra, "", today, std::vector<std::string>{"kommun"}); }) == "bad_message");
    CHECK(code_of([&] { r.check(req, bra, "", *calendar_date::parse("2027-03-02"), orgs); }) == "bad_message");
    CHECK(code_of([&] { r.check(req, bra, "", *calendar_date::parse("2027-03-01"), orgs); }) == "(allowed)");
    act(r, approve());
    CHECK(r.status() == bra_status::approved);
    CHECK(r.version() == 2);
    CHECK(r.owner_org() == "polis");
    CHECK(r.due() == "2027-03-01");
    // Decided once: a second decision, even at the right version, is refused.
    json again = approve();
    again["version"] = 2u;
    CHECK(code_of([&] { r.check(request(again), bra, "", today, orgs); }) == "wrong_state");
}

TEST_CASE("two reviewers decide at once: the second, still at the old version, gets conflict", "[bra]") {
    bra_record r;
    json first = approve(), second = {{"kind", "decide"}, {"verdict", "reject"}, {"reason", "Ingen budget"}};
    first["version"] = 1u;
    second["version"] = 1u;
    const bra_request a = request(first), b = request(second);
    r.check(a, bra, "", today, orgs);
    r.check(b, bra, "", today, orgs);  // both read version 1
    r.apply({a, {"a1", "Bo", "", "bra_member"}, "2026-12-04T09:00:00Z", 2});
    CHECK(code_of([&] { r.check(b, bra, "", today, orgs); }) == "conflict");
    CHECK(r.status() == bra_status::approved);
    CHECK(r.history().size() == 1);
}

TEST_CASE("avslag needs a reason, bordläggning a future BRÅ meeting that brings the item back then", "[bra]") {
    bra_record rejected;
    act(rejected, {{"kind", "decide"}, {"verdict", "reject"}, {"reason", "Ingår redan i polisens arbete"}});
    CHECK(rejected.status() == bra_status::rejected);
    CHECK(rejected.reason() == "Ingår redan i polisens arbete");

    bra_record r;
    CHECK(code_of([&] { act(r, {{"kind", "decide"}, {"verdict", "defer"}, {"deferred_to", "2026-12-03"}}); }) ==
          "bad_message");
    act(r, {{"kind", "decide"}, {"verdict", "defer"}, {"deferred_to", "2027-01-20"}});
    CHECK(r.status() == bra_status::deferred);
    CHECK_FALSE(r.flags(today, 6).back_on_agenda);
    CHECK(r.flags(*calendar_date::parse("2027-01-20"), 6).back_on_agenda);
    // A deferred item is decided later.
    act(r, approve());
    CHECK(r.status() == bra_status::approved);
    CHECK(r.history().size() == 2);
}

TEST_CASE("follow-up: only the owner organisation, only while approved, until done", "[bra]") {
    bra_record r;
    json green{{"kind", "follow_up"}, {"progress", "green"}};
    CHECK(code_of([&] { act(r, green, participant, "polis"); }) == "forbidden");  // no owner yet
    act(r, approve());
    CHECK(code_of([&] { act(r, green, participant, "skola"); }) == "forbidden");
    CHECK(code_of([&] { act(r, green, bra, ""); }) == "forbidden");
    act(r, {{"kind", "follow_up"}, {"progress", "yellow"}, {"text", "Kameror försenade"}}, participant, "polis",
        "2026-12-10T08:00:00Z");
    CHECK(r.progress() == bra_progress::yellow);
    CHECK(r.status() == bra_status::approved);
    act(r, {{"kind", "follow_up"}, {"progress", "done"}}, participant, "polis");
    CHECK(r.status() == bra_status::done);
    CHECK(code_of([&] { act(r, green, participant, "polis"); }) == "wrong_state");
    CHECK(code_of([&] { act(r, approve()); }) == "wrong_state");
}

TEST_CASE("re-assignment by BRÅ, comments by BRÅ and the chair", "[bra]") {
    bra_record r;
    CHECK(code_of([&] { act(r, {{"kind", "assign"}, {"owner_org", "skola"}, {"contact", "Ulla"}, {"due", "2027-05-01"}}); }) ==
          "wrong_state");
    act(r, approve());
    act(r, {{"kind", "assign"}, {"owner_org", "skola"}, {"contact", "Ulla Rektor"}, {"due", "2027-05-01"}});
    CHECK(r.owner_org() == "skola");
    CHECK(r.due() == "2027-05-01");
    act(r, {{"kind", "comment"}, {"text", "Tas upp på nästa BRÅ-möte"}}, chair, "kommun");
    CHECK(code_of([&] { act(r, {{"kind", "comment"}, {"text", "x"}}, participant, "polis"); }) == "forbidden");
    CHECK(r.history().size() == 3);
    CHECK(r.history().back().what.text == "Tas upp på nästa BRÅ-möte");
}

TEST_CASE("overdue and stale: approved items whose due date passed, or with no follow-up for weeks", "[bra]") {
    bra_record r;
    act(r, approve(), bra, "", "2026-12-04T09:00:00Z");
    CHECK_FALSE(r.flags(today, 6).overdue);
    CHECK(r.flags(*calendar_date::parse("2027-03-02"), 6).overdue);
    CHECK_FALSE(r.flags(*calendar_date::parse("2027-01-15"), 6).stale);  // 42 days
    CHECK(r.flags(*calendar_date::parse("2027-01-16"), 6).stale);         // 43 days
    CHECK_FALSE(r.flags(*calendar_date::parse("2027-01-16"), 0).stale);   // 0: never stale
    act(r, {{"kind", "follow_up"}, {"progress", "green"}}, participant, "polis", "2027-01-10T08:00:00Z");
    CHECK_FALSE(r.flags(*calendar_date::parse("2027-01-16"), 6).stale);
    act(r, {{"kind", "follow_up"}, {"progress", "done"}}, participant, "polis", "2027-01-11T08:00:00Z");
    CHECK_FALSE(r.flags(*calendar_date::parse("2028-01-01"), 6).overdue);
    CHECK_FALSE(r.flags(*calendar_date::parse("2028-01-01"), 6).stale);
}

TEST_CASE("a BRÅ record round-trips through its history, and a broken history is refused", "[bra]") {
    bra_record r;
    act(r, {{"kind", "decide"}, {"verdict", "defer"}, {"deferred_to", "2027-01-20"}});
    act(r, approve());
    act(r, {{"kind", "follow_up"}, {"progress", "red"}, {"text", "Ingen resurs"}}, participant, "polis");
    const json j = r.to_json();
    const bra_record back = bra_record::from_json(j);
    CHECK(back.to_json() == j);
    CHECK(back.status() == bra_status::approved);
    CHECK(back.progress() == bra_progress::red);
    CHECK(back.history().at(0).by.name == "Bo Berg");

    json skipped = j;
    skipped["history"].erase(1);  // versions 2, 4
    CHECK(code_of([&] { bra_record::from_json(skipped); }) == "bad_snapshot");
    json bad = j;
    bad["history"][0]["verdict"] = "maybe";
    CHECK(code_of([&] { bra_record::from_json(bad); }) == "bad_snapshot");
    CHECK(code_of([&] { bra_record::from_json(json::object()); }) == "bad_snapshot");
}
