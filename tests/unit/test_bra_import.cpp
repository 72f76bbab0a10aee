// Open measures imported into the BRÅ queue (shared/src/bra_import.cpp, bra_record's import event): the JSON import
// reads the list's own items; an imported item starts with an "import" event that gives it its state, and its
// history goes on from there as any item's.
#include "est/bra_import.hpp"

#include <catch2/catch.hpp>
#include <nlohmann/json.hpp>

#include "est/calendar_date.hpp"
#include "fixtures.hpp"

namespace {

using namespace est;
using json = nlohmann::json;
using est::test::biweekly;
using est::test::fails;
using est::test::test_orgs;

// An item as GET /api/bra/items lists it, with the members the server makes.
json listed_item() {
    return {{"id", "m-1.andt.d2"}, {"group", "sala"}, {"meeting", {{"id", "m-1"}, {"title", "EST"}, {"date", "2026-12-01"}}},
            {"topic", {{"id", "andt"}, {"title", "ANDT"}}}, {"fields", {{"rubrik", "Kameror"}, {"till_bra", "ja"}}},
            {"status", "approved"}, {"verdict", "approve"}, {"owner_org", "polis"}, {"contact", "Anna Berg"},
            {"due", "2027-03-01"}, {"progress", "yellow"}, {"version", 4}, {"last_report_at", "2026-12-10T08:00:00Z"},
            {"flags", {{"overdue", false}, {"stale", false}, {"back_on_agenda", false}}}};
}

std::string refused(const json& body) { return fails([&] { read_bra_import_json(body, *biweekly(), test_orgs); }).message; }

}  // namespace

TEST_CASE("the JSON import reads the list's items, their fields and state, and ignores what the server makes",
          "[bra][import]") {
    const json body = {{"today", "2026-12-04"}, {"stale_weeks", 6}, {"items", {listed_item()}}};
    const auto items = read_bra_import_json(body, *biweekly(), test_orgs);
    REQUIRE(items.size() == 1);
    CHECK(items[0].topic_id == "andt");
    CHECK(items[0].fields.at("rubrik") == "Kameror");
    CHECK(items[0].fields.at("typ") == "");
    CHECK(items[0].fields.size() == biweekly()->decision_item_fields.size());
    CHECK(items[0].state.kind == bra_event_kind::import_item);
    CHECK(items[0].state.status == bra_status::approved);
    CHECK(items[0].state.progress == bra_progress::yellow);
    // The topic may also be just its id.
    json plain = listed_item();
    plain["topic"] = "andt";
    CHECK(read_bra_import_json({{"items", {plain}}}, *biweekly(), test_orgs).size() == 1);
}

TEST_CASE("the JSON import refuses the whole body for one bad item, naming it by its path", "[bra][import]") {
    auto with = [](const char* key, json value) {
        json item = listed_item();
        item[key] = std::move(value);
        return json{{"items", {listed_item(), item}}};
    };
    CHECK(refused(with("status", "open")).rfind("items[1].status: 'open' is not a status", 0) == 0);
    CHECK(refused(with("owner_org", "brandkaren")) == "items[1].owner_org: 'brandkaren' is not one of the group's organisations");
    CHECK(refused(with("due", 20270301)) == "items[1].due: must be a string");
    CHECK(refused(with("colour", "red")) == "items[1].colour: is not a member of a queue item");
    CHECK(refused(with("fields", {{"farg", "röd"}})) == "items[1].fields.farg: is not a decision item field of the template");
    CHECK(refused(with("fields", {{"typ", "åtgärd"}})).rfind("items[1].fields.typ: 'åtgärd' is not one of the choices", 0) == 0);
    CHECK(refused(with("topic", json::array())) == "items[1].topic: must be {\"id\": …} or the topic's id");
    CHECK(refused(json::array()) == "body: must be an object {\"items\":[…]}, as GET /api/bra/items answers");
    CHECK(refused({{"items", json::array()}}) == "items: there are no items to import");
    CHECK(refused({{"items", json::array({1})}}) == "items[0]: must be an object");
    CHECK(fails([] { read_bra_import_json({{"items", {listed_item(), listed_item()}}}, *biweekly(), test_orgs, 1); }).message ==
          "items: 2 items; one import holds at most 1");
}

TEST_CASE("an imported item starts at its import event and goes on as any item: followed up by its owner, stored "
          "and replayed",
          "[bra][import]") {
    const auto items = read_bra_import_json({{"items", {listed_item()}}}, *biweekly(), test_orgs);
    bra_record r;
    r.apply({items[0].state, {"a1", "Bo Berg", "", "bra_member"}, "2026-12-04T09:00:00Z", 2});
    CHECK(r.status() == bra_status::approved);
    CHECK(r.version() == 2);
    CHECK(r.owner_org() == "polis");
    CHECK(r.history().size() == 1);
    // Overdue and stale are counted as for any approved item (stale from the import).
    const auto today = *calendar_date::parse("2027-04-01");
    CHECK(r.flags(today, 6).overdue);
    CHECK(r.flags(today, 6).stale);
    // No one sends an import to an item, and an import is only ever the first event.
    json again = {{"kind", "import"}, {"version", 2}, {"status", "done"}};
    CHECK(fails([&] { bra_request::from_json(again, "body"); }).code == "bad_message");
    CHECK(fails([&] { r.apply({items[0].state, {}, "2026-12-05T09:00:00Z", 3}); }).code == "bad_snapshot");

    const bra_request done = bra_request::from_json({{"kind", "follow_up"}, {"version", 2u}, {"progress", "done"}}, "body");
    r.check(done, {false, role::participant}, "polis", today, test_orgs);
    r.apply({done, {"a2", "Per", "polis", "participant"}, "2026-12-06T09:00:00Z", 3});
    const bra_record replayed = bra_record::from_json(r.to_json());
    CHECK(replayed.status() == bra_status::done);
    CHECK(replayed.history().at(0).what.kind == bra_event_kind::import_item);
    CHECK(replayed.history().at(0).to_json().at("kind") == "import");
    CHECK(replayed.history().at(0).to_json().at("status") == "approved");
    CHECK(replayed.to_json() == r.to_json());
}
