// Decision items (DESIGN.md §5, issue 14): the template's decision item fields, the changes that propose, write
// and remove an item, who may make them in which phase, and how items sit in the picture's canonical JSON.
#include "est/meeting_document.hpp"

#include <functional>
#include <string>
#include <vector>

#include <catch2/catch.hpp>
#include <nlohmann/json.hpp>

#include "est/error.hpp"
#include "est/lifecycle.hpp"
#include "est/meeting_state.hpp"
#include "est/permissions.hpp"
#include "est/protocol.hpp"
#include "est/server_message.hpp"
#include "fixtures.hpp"

namespace {

using namespace est;
using json = nlohmann::json;
using est::test::code_of;
using est::test::biweekly;
using est::test::U;

const std::vector<std::string>& orgs = est::test::test_orgs;

field_ref item_field(const char* topic, const char* item, const char* field) {
    field_ref r;
    r.topic = topic;
    r.item = item;
    r.field = field;
    return r;
}
change add_item(const char* topic, const char* item) { return add_item_change{topic, item}; }
change remove_item(const char* topic, const char* item) { return remove_item_change{topic, item}; }
change write(field_ref target, std::string_view utf8) {
    return text_change{std::move(target), text_operation{}.insert(U(utf8))};
}
change set(field_ref target, std::string value) { return set_change{std::move(target), std::move(value)}; }

identity person(role r, std::string org = "polis") { return {"Eva Ek", std::move(org), r}; }

// Applies a change that must fail with `code` and checks the picture did not change.
void expect_refused(meeting_document& doc, const change& c, const std::string& code, const limits& lim = {},
                    std::size_t budget = static_cast<std::size_t>(-1)) {
    const meeting_document before = doc;
    const json before_json = doc.to_json();
    const std::size_t before_bytes = doc.encoded_bytes();
    CHECK(code_of([&] { doc.apply(c, 99, lim, budget); }) == code);
    CHECK(doc == before);
    CHECK(doc.to_json() == before_json);
    CHECK(doc.encoded_bytes() == before_bytes);
}

json template_json() { return biweekly()->to_json(); }

std::string template_error(const json& j) {
    try {
        meeting_template::from_json(j, "items.json");
    } catch (const domain_error& e) {
        CHECK(e.code() == "bad_template");
        return e.what();
    }
    return "(no error)";
}

json& item_def(json& t, std::string_view id) {
    for (auto& f : t.at("decision_item_fields"))
        if (f.at("id") == id) return f;
    FAIL("no decision item field " << id);
    throw;
}

}  // namespace

// ---- the template ----

TEST_CASE("decision items: the biweekly template declares Brå's åtgärdsplan fields", "[decision_items][meeting_template]") {
    const auto& t = *biweekly();
    REQUIRE(t.has_decision_items());
    std::vector<std::string> ids;
    for (const auto& f : t.decision_item_fields) ids.push_back(f.id);
    CHECK(ids == std::vector<std::string>{"typ", "rubrik", "beskrivning", "orsak", "preventionsniva", "inriktning", "sikt",
                                          "mal", "indikator", "accepterat_av", "realistiskt", "klart_senast", "agare",
                                          "kontakt", "till_bra"});
    CHECK(t.find_decision_item_field("typ")->choices ==
          std::vector<std::string>{"fördjupad kartläggning", "orsaksanalys", "åtgärd/insats", "underlag till inriktningsbeslut",
                                   "medborgarlöfte", "för kännedom"});
    CHECK(t.find_decision_item_field("preventionsniva")->choices ==
          std::vector<std::string>{"universell", "selektiv", "indikerad"});
    CHECK(t.find_decision_item_field("klart_senast")->kind == field_kind::date);
    CHECK(t.find_decision_item_field("klart_senast")->group == "SMART-mål");
    CHECK(t.find_decision_item_field("agare")->kind == field_kind::organisation);
    const field_def* mark = t.find_decision_item_field("till_bra");
    REQUIRE(mark);
    CHECK(mark->chair_only);
    CHECK(mark->label == "Till BRÅ");
    // Entry and topic fields are not decision item fields, and the reverse.
    CHECK_FALSE(t.find_decision_item_field("handelse"));
    CHECK_FALSE(t.find_topic_field("till_bra"));
}

TEST_CASE("decision items: the template round-trips with its item fields", "[decision_items][meeting_template]") {
    const json j = template_json();
    REQUIRE(j.contains("decision_item_fields"));
    CHECK(item_def(const_cast<json&>(j), "klart_senast").at("kind") == "date");
    CHECK(item_def(const_cast<json&>(j), "agare").at("kind") == "organisation");
    CHECK(item_def(const_cast<json&>(j), "mal").at("group") == "SMART-mål");
    CHECK(meeting_template::from_json(j, "again").to_json() == j);
    // A template without decision items (every template before them) still loads, and says so.
    json old = j;
    old.erase("decision_item_fields");
    const auto t = meeting_template::from_json(old, "old.json");
    CHECK_FALSE(t.has_decision_items());
    CHECK_FALSE(t.to_json().contains("decision_item_fields"));
}

TEST_CASE("decision items: template validation is strict and names the path", "[decision_items][meeting_template]") {
    SECTION("the BRÅ mark must be there") {
        json t = template_json();
        auto& f = t.at("decision_item_fields");
        f.erase(f.size() - 1);
        CHECK(template_error(t) == "items.json: /decision_item_fields: must hold the field 'till_bra' (the chair's mark for what goes to BRÅ)");
    }
    SECTION("the BRÅ mark is a choice ja/nej") {
        json t = template_json();
        item_def(t, "till_bra")["choices"] = {"ja", "nej", "kanske"};
        CHECK(template_error(t) == "items.json: /decision_item_fields/14: 'till_bra' must be a choice field with the choices [\"ja\", \"nej\"]");
    }
    SECTION("the BRÅ mark is the chair's") {
        json t = template_json();
        item_def(t, "till_bra").erase("editor");
        CHECK(template_error(t) ==
              "items.json: /decision_item_fields/14: 'till_bra' must have \"editor\": \"chair\": the chair decides what goes to BRÅ");
    }
    SECTION("every other item field is everyone's") {
        json t = template_json();
        item_def(t, "rubrik")["editor"] = "chair";
        CHECK(template_error(t) == "items.json: /decision_item_fields/1/editor: decision item fields are written by everyone "
                                   "taking part; only 'till_bra' is the chair's");
    }
    SECTION("an unknown kind, and date and organisation only for items") {
        json t = template_json();
        item_def(t, "rubrik")["kind"] = "number";
        CHECK(template_error(t) == "items.json: /decision_item_fields/1/kind: must be \"text\", \"choice\", \"date\" or "
                                   "\"organisation\", not \"number\"");
        json e = template_json();
        e.at("entry_fields").at(0)["kind"] = "date";
        e.at("entry_fields").at(0).erase("max_length");
        CHECK(template_error(e) == "items.json: /entry_fields/0/kind: must be \"text\" or \"choice\", not \"date\"");
    }
    SECTION("a date has no length and no choices") {
        json t = template_json();
        item_def(t, "klart_senast")["max_length"] = 10;
        CHECK(template_error(t) == "items.json: /decision_item_fields/11/max_length: only text fields have a maximum length");
        json c = template_json();
        item_def(c, "klart_senast")["choices"] = {"2027-01-01"};
        CHECK(template_error(c) == "items.json: /decision_item_fields/11/choices: only choice fields have choices");
    }
    SECTION("groups are for item fields, non-empty strings") {
        json t = template_json();
        t.at("topic_fields").at(0)["group"] = "Bedömning";
        CHECK(template_error(t) == "items.json: /topic_fields/0/group: only decision item fields are grouped");
        json g = template_json();
        item_def(g, "mal")["group"] = "";
        CHECK(template_error(g) == "items.json: /decision_item_fields/7/group: must be a non-empty string");
    }
    SECTION("an empty list and duplicate ids") {
        json t = template_json();
        t["decision_item_fields"] = json::array();
        CHECK(template_error(t) == "items.json: /decision_item_fields: must be a non-empty array");
        json d = template_json();
        item_def(d, "beskrivning")["id"] = "rubrik";
        CHECK(template_error(d) == "items.json: /decision_item_fields/2/id: duplicate id 'rubrik'");
    }
}

// ---- the picture ----

TEST_CASE("decision items: added, written, set and removed in the picture", "[decision_items][meeting_document]") {
    meeting_document doc(biweekly(), orgs);
    doc.apply(add_item("andt", "d1"), 1, {});
    const auto& items = doc.topic("andt").items;
    REQUIRE(items.size() == 1);
    CHECK(items[0].id == "d1");
    CHECK(items[0].fields.size() == biweekly()->decision_item_fields.size());
    CHECK(doc.topic("hot-och-vald").items.empty());

    doc.apply(write(item_field("andt", "d1", "rubrik"), "Orsaksanalys: oro kring Risbroskolan"), 2, {});
    doc.apply(set(item_field("andt", "d1", "typ"), "orsaksanalys"), 3, {});
    doc.apply(set(item_field("andt", "d1", "klart_senast"), "2027-03-01"), 4, {});
    doc.apply(set(item_field("andt", "d1", "agare"), "kommun"), 5, {});
    doc.apply(set(item_field("andt", "d1", "till_bra"), "ja"), 6, {});
    CHECK(doc.field(item_field("andt", "d1", "rubrik")).text == U("Orsaksanalys: oro kring Risbroskolan"));
    CHECK(doc.field(item_field("andt", "d1", "typ")).choice == "orsaksanalys");
    CHECK(doc.field(item_field("andt", "d1", "klart_senast")).choice == "2027-03-01");
    CHECK(doc.field(item_field("andt", "d1", "klart_senast")).rev == 4);
    CHECK(doc.field(item_field("andt", "d1", "agare")).choice == "kommun");
    CHECK(doc.field(item_field("andt", "d1", "till_bra")).choice == "ja");
    CHECK(doc.newest_register_rev() == 6);
    CHECK(doc.total_text() == U("Orsaksanalys: oro kring Risbroskolan").size());

    // Cleared like any register.
    doc.apply(set(item_field("andt", "d1", "klart_senast"), ""), 7, {});
    CHECK(doc.field(item_field("andt", "d1", "klart_senast")).choice.empty());

    doc.apply(remove_item("andt", "d1"), 8, {});
    CHECK(doc.topic("andt").items.empty());
    CHECK(doc.total_text() == 0);
    // The id is never used again in that topic, and a late edit of it finds nothing.
    expect_refused(doc, add_item("andt", "d1"), "duplicate_entry");
    expect_refused(doc, write(item_field("andt", "d1", "rubrik"), "x"), "not_found");
    // Another topic may use the same id.
    doc.apply(add_item("ovrigt", "d1"), 9, {});
}

TEST_CASE("decision items: bad changes are refused and change nothing", "[decision_items][meeting_document]") {
    meeting_document doc(biweekly(), orgs);
    doc.apply(add_item("andt", "d1"), 1, {});
    expect_refused(doc, add_item("andt", "d1"), "duplicate_entry");
    expect_refused(doc, add_item("nope", "d2"), "not_found");
    expect_refused(doc, remove_item("andt", "d9"), "not_found");
    expect_refused(doc, write(item_field("andt", "d9", "rubrik"), "x"), "not_found");
    expect_refused(doc, write(item_field("andt", "d1", "handelse"), "x"), "not_found");  // an entry field
    expect_refused(doc, write(item_field("andt", "d1", "typ"), "x"), "wrong_kind");
    expect_refused(doc, write(item_field("andt", "d1", "klart_senast"), "2027-03-01"), "wrong_kind");
    expect_refused(doc, set(item_field("andt", "d1", "rubrik"), "x"), "wrong_kind");
    expect_refused(doc, set(item_field("andt", "d1", "typ"), "beslut"), "bad_value");
    expect_refused(doc, set(item_field("andt", "d1", "till_bra"), "kanske"), "bad_value");
    expect_refused(doc, set(item_field("andt", "d1", "agare"), "brandkaren"), "bad_value");
    expect_refused(doc, set(item_field("andt", "d1", "agare"), "Polisen"), "bad_value");  // the id, not the name
    SECTION("a due date must be a real calendar day, YYYY-MM-DD") {
        for (const char* bad : {"2027-02-30", "2027-02-29", "2026-13-01", "2026-00-10", "2026-12-00", "2026-12-32",
                                "27-03-01", "2027-3-1", "2027/03/01", "01-03-2027", "2027-03-01T10:00:00Z",
                                " 2027-03-01", "imorgon", "1899-12-31", "２０２７-03-01"}) {
            INFO(bad);
            expect_refused(doc, set(item_field("andt", "d1", "klart_senast"), bad), "bad_value");
        }
        for (const char* good : {"2028-02-29", "2027-12-31", "2027-01-01"}) {
            INFO(good);
            CHECK_NOTHROW(doc.apply(set(item_field("andt", "d1", "klart_senast"), good), 2, {}));
        }
        try {
            doc.apply(set(item_field("andt", "d1", "klart_senast"), "2027-02-30"), 3, {});
            FAIL("accepted");
        } catch (const domain_error& e) {
            CHECK(std::string(e.what()) ==
                  "'2027-02-30' is not a date for 'klart_senast': write a real calendar day as YYYY-MM-DD, e.g. 2027-03-01");
        }
    }
}

TEST_CASE("decision items: a template without them refuses adding one", "[decision_items][meeting_document]") {
    json j = template_json();
    j.erase("decision_item_fields");
    meeting_document doc(std::make_shared<const meeting_template>(meeting_template::from_json(j, "old")), orgs);
    expect_refused(doc, add_item("andt", "d1"), "not_found");
    CHECK_FALSE(doc.to_json().at("topics").at(0).contains("items"));
}

TEST_CASE("decision items: at most max_items_per_topic per topic", "[decision_items][meeting_document][limits]") {
    meeting_document doc(biweekly(), orgs);
    limits small;
    small.max_items_per_topic = 2;
    doc.apply(add_item("andt", "d1"), 1, small);
    doc.apply(add_item("andt", "d2"), 2, small);
    expect_refused(doc, add_item("andt", "d3"), "limit_reached", small);
    doc.apply(add_item("ovrigt", "d3"), 3, small);  // per topic
    doc.apply(remove_item("andt", "d1"), 4, small);
    CHECK_NOTHROW(doc.apply(add_item("andt", "d4"), 5, small));
}

TEST_CASE("decision items: count against the meeting's byte budget", "[decision_items][meeting_document][limits]") {
    meeting_document doc(biweekly(), orgs);
    const std::size_t empty = doc.encoded_bytes();
    doc.apply(add_item("andt", "d1"), 1, {});
    const std::size_t one = doc.encoded_bytes();
    CHECK(one > empty + biweekly()->decision_item_fields.size() * 8);
    // An item is refused when it does not fit the budget left; so is text in one.
    expect_refused(doc, add_item("andt", "d2"), "limit_reached", {}, one + 10);
    expect_refused(doc, write(item_field("andt", "d1", "beskrivning"), std::string(200, 'x')), "text_too_long", {}, one + 100);
    expect_refused(doc, set(item_field("andt", "d1", "typ"), "underlag till inriktningsbeslut"), "limit_reached", {}, one + 5);
    doc.apply(write(item_field("andt", "d1", "beskrivning"), "Skadegörelse vid resecentrum \"kvällstid\"\n"), 2, {});
    doc.apply(set(item_field("andt", "d1", "klart_senast"), "2027-03-01"), 3, {});
    // The running count is the count from scratch: what a reload computes.
    const auto reloaded = meeting_document::from_json(biweekly(), orgs, doc.to_json());
    CHECK(reloaded.encoded_bytes() == doc.encoded_bytes());
    // And about the size of the JSON itself, never less.
    CHECK(doc.encoded_bytes() >= doc.to_json().dump().size());
    doc.apply(remove_item("andt", "d1"), 4, {});
    CHECK(meeting_document::from_json(biweekly(), orgs, doc.to_json()).encoded_bytes() == doc.encoded_bytes());
    CHECK(doc.encoded_bytes() >= doc.to_json().dump().size());
}

TEST_CASE("decision items: the canonical JSON has them only where there are some", "[decision_items][meeting_document][json]") {
    meeting_document doc(biweekly(), orgs);
    const std::string without = doc.to_json().dump();
    CHECK(without.find("\"items\"") == std::string::npos);
    CHECK(without.find("retired_items") == std::string::npos);

    doc.apply(add_item("andt", "d1"), 1, {});
    doc.apply(write(item_field("andt", "d1", "rubrik"), "Fördjupad kartläggning"), 2, {});
    doc.apply(set(item_field("andt", "d1", "till_bra"), "ja"), 3, {});
    const json j = doc.to_json();
    const json& andt = j.at("topics").at(4);
    REQUIRE(andt.at("id") == "andt");
    REQUIRE(andt.at("items").size() == 1);
    const json& item = andt.at("items").at(0);
    CHECK(item.at("id") == "d1");
    CHECK(item.at("fields").at("rubrik") == "Fördjupad kartläggning");
    CHECK(item.at("fields").at("beskrivning") == "");
    CHECK(item.at("fields").at("till_bra") == json{{"value", "ja"}, {"rev", 3}});
    CHECK(item.at("fields").at("klart_senast") == json{{"value", ""}, {"rev", 0}});
    CHECK(item.at("fields").at("agare") == json{{"value", ""}, {"rev", 0}});
    CHECK(item.at("fields").size() == biweekly()->decision_item_fields.size());
    CHECK_FALSE(j.at("topics").at(0).contains("items"));
    // Keys sorted, no whitespace: the items key sits between "id" and the end of the topic.
    CHECK(j.dump().find(R"("id":"andt","items":[{"fields":{"accepterat_av":"","agare":{"rev":0,"value":""})") !=
          std::string::npos);
    // Round trip, and back to the old form once the last one is gone (but its id stays retired).
    CHECK(meeting_document::from_json(biweekly(), orgs, j) == doc);
    doc.apply(remove_item("andt", "d1"), 4, {});
    const json after = doc.to_json();
    CHECK_FALSE(after.at("topics").at(4).contains("items"));
    CHECK(after.at("retired_items") == json::array({"andt/d1"}));
    CHECK(meeting_document::from_json(biweekly(), orgs, after) == doc);
}

TEST_CASE("decision items: a snapshot that does not fit is refused", "[decision_items][meeting_document][json]") {
    meeting_document doc(biweekly(), orgs);
    doc.apply(add_item("andt", "d1"), 1, {});
    const json good = doc.to_json();
    auto damaged = [&](const std::function<void(json&)>& f) {
        json j = good;
        f(j);
        return code_of([&] { meeting_document::from_json(biweekly(), orgs, j); });
    };
    CHECK(damaged([](json& j) { j["topics"][4]["items"].push_back(j["topics"][4]["items"][0]); }) == "bad_snapshot");
    CHECK(damaged([](json& j) { j["retired_items"] = {"andt/d1"}; }) == "bad_snapshot");
    CHECK(damaged([](json& j) { j["topics"][4]["items"][0]["fields"]["klart_senast"]["value"] = "2027-02-30"; }) ==
          "bad_snapshot");
    CHECK(damaged([](json& j) { j["topics"][4]["items"][0]["fields"]["agare"]["value"] = "brandkaren"; }) == "bad_snapshot");
    CHECK(damaged([](json& j) { j["topics"][4]["items"][0]["fields"]["till_bra"]["value"] = "kanske"; }) == "bad_snapshot");
    CHECK(damaged([](json& j) { j["topics"][4]["items"] = "d1"; }) == "bad_snapshot");
    json j = template_json();
    j.erase("decision_item_fields");
    const auto old = std::make_shared<const meeting_template>(meeting_template::from_json(j, "old"));
    CHECK(code_of([&] { meeting_document::from_json(old, orgs, good); }) == "bad_snapshot");
}

// ---- the wire ----

TEST_CASE("decision items: changes and addresses on the wire", "[decision_items][change][json]") {
    const std::vector<change> changes = {
        add_item("andt", "d-1a2b3c4d"),
        remove_item("andt", "d-1a2b3c4d"),
        write(item_field("andt", "d1", "rubrik"), "åäö 😀"),
        set(item_field("andt", "d1", "klart_senast"), "2027-03-01"),
    };
    for (const auto& c : changes) {
        const json j = change_to_json(c);
        CHECK(change_to_json(change_from_json(j, "change")) == j);
        // A client decoding the broadcast reads the same change.
        const std::string wire = encode::op(7, "c-1", 3, R"({"session":"p1","name":"Eva","org":"polis"})", j.dump());
        const auto op = scan_op_or_ack(wire);
        REQUIRE(op);
        REQUIRE(std::holds_alternative<remote_op>(*op));
        CHECK(change_to_json(std::get<remote_op>(*op).body) == j);
    }
    CHECK(change_to_json(add_item("andt", "d1")) == json{{"kind", "add_item"}, {"topic", "andt"}, {"item", "d1"}});
    CHECK(item_field("andt", "d1", "rubrik").to_json() == json{{"topic", "andt"}, {"item", "d1"}, {"field", "rubrik"}});
    // Keys of the three kinds of address never meet.
    CHECK(item_field("andt", "d1", "rubrik").key() == "andt/*d1/rubrik");
    CHECK(item_field("andt", "d1", "rubrik").compare_key("andt/*d1/rubrik") == 0);
    CHECK(item_field("andt", "d1", "rubrik").compare_key("andt/*d1/rubriker") < 0);
    CHECK(item_field("andt", "d1", "rubrik").compare_key("andt/d1/rubrik") != 0);
    CHECK_FALSE(item_field("andt", "d1", "rubrik").is_topic_field());

    auto refused = [](const char* text) { return code_of([&] { change_from_json(json::parse(text), "change"); }); };
    CHECK(refused(R"({"kind":"add_item","topic":"andt"})") == "bad_message");
    CHECK(refused(R"({"kind":"add_item","topic":"andt","item":"D1"})") == "bad_message");
    CHECK(refused(R"({"kind":"add_item","topic":"andt","item":"d1","org":"polis"})") == "bad_message");
    CHECK(refused(R"({"kind":"remove_item","topic":"andt","item":""})") == "bad_message");
    CHECK(refused(R"({"kind":"set","target":{"topic":"andt","item":"d1","org":"polis","entry":"e1","field":"typ"},"value":""})") ==
          "bad_message");
    CHECK(refused(R"({"kind":"set","target":{"topic":"andt","item":"d1","entry":"e1","field":"typ"},"value":""})") ==
          "bad_message");
    CHECK(refused(R"({"kind":"set","target":{"topic":"andt","item":7,"field":"typ"},"value":""})") == "bad_message");
}

// ---- who may, and when ----

TEST_CASE("decision items: anyone taking part proposes and writes, the chair alone marks for BRÅ", "[decision_items][permissions]") {
    const auto& t = *biweekly();
    const change propose = add_item("andt", "d1");
    const change edit = write(item_field("andt", "d1", "rubrik"), "x");
    const change choose = set(item_field("andt", "d1", "typ"), "orsaksanalys");
    const change drop = remove_item("andt", "d1");
    const change mark = set(item_field("andt", "d1", "till_bra"), "ja");
    for (const change* c : {&propose, &edit, &choose, &drop}) CHECK(action_of(person(role::participant), *c) == action::propose_decision_item);
    CHECK(action_of(person(role::chair), mark) == action::select_decision_item);

    const std::vector<std::string> no_locks, andt_locked = {"andt"};
    for (meeting_phase phase : {meeting_phase::draft, meeting_phase::open, meeting_phase::locked, meeting_phase::signed_off,
                                meeting_phase::closed}) {
        for (const auto* locks : {&no_locks, &andt_locked}) {
            const meeting_status now{phase, *locks};
            const bool writable = phase == meeting_phase::open || phase == meeting_phase::locked;
            INFO(to_string(phase) << (locks->empty() ? "" : ", andt locked"));
            const std::string refused_for_phase = phase == meeting_phase::closed ? "closed"
                                                  : phase == meeting_phase::draft ? "forbidden"
                                                                                  : "locked";
            for (role r : {role::participant, role::chair, role::cosigner}) {
                // A participant of another organisation too: items belong to no organisation.
                for (const char* org : {"polis", "skola"}) {
                    for (const change* c : {&propose, &edit, &choose, &drop})
                        CHECK(code_of([&] { check_may_apply(person(r, org), *c, t, now); }) ==
                              (writable ? "(allowed)" : refused_for_phase));
                }
                const std::string mark_code = code_of([&] { check_may_apply(person(r), mark, t, now); });
                if (r == role::chair) CHECK(mark_code == (writable ? "(allowed)" : refused_for_phase));
                else CHECK(mark_code == "forbidden");
            }
            for (role r : {role::bra_member, role::admin}) {
                for (const change* c : {&propose, &edit, &choose, &drop, &mark})
                    CHECK(code_of([&] { check_may_apply(person(r, ""), *c, t, now); }) == "forbidden");
            }
        }
    }
    // The refusal says why.
    try {
        check_may_apply(person(role::participant), mark, t, meeting_status{});
        FAIL("allowed");
    } catch (const domain_error& e) {
        CHECK(std::string(e.what()) == "only the chair decides which decision items go to BRÅ");
    }
}

// ---- the meeting's log ----

TEST_CASE("decision items: submitted, merged, replayed and resent exactly once", "[decision_items][meeting_state]") {
    meeting_state st(meeting_document(biweekly(), orgs), 0, {}, limits{});
    const identity polis = person(role::participant, "polis"), skola = person(role::participant, "skola"),
                   chair = person(role::chair, "kommun");
    // The op log: what submit applied, as the room logs it.
    struct logged {
        std::string client;
        std::uint64_t seq;
        json change;
    };
    std::vector<logged> log;
    auto submit = [&](const std::string& client, std::uint64_t seq, std::uint64_t base, change c, const identity& who) {
        auto applied = st.submit(client, seq, base, std::move(c), who);
        if (applied) log.push_back({client, seq, change_to_json(*applied)});
        return applied.has_value();
    };
    REQUIRE(submit("a", 1, 0, add_item("hot-och-vald", "d1"), polis));
    // Two people type into one field of the item at once: both keep their words.
    REQUIRE(submit("a", 2, 1, write(item_field("hot-och-vald", "d1", "beskrivning"), "Polisen: "), polis));
    REQUIRE(submit("b", 1, 1, write(item_field("hot-och-vald", "d1", "beskrivning"), "Skolan."), skola));
    const std::string merged = test::S(st.document().field(item_field("hot-och-vald", "d1", "beskrivning")).text);
    CHECK((merged == "Polisen: Skolan." || merged == "Skolan.Polisen: "));
    // A register: a set based before the last set is a conflict.
    REQUIRE(submit("c", 1, 3, set(item_field("hot-och-vald", "d1", "till_bra"), "ja"), chair));
    CHECK(code_of([&] { submit("a", 3, 3, set(item_field("hot-och-vald", "d1", "till_bra"), "nej"), polis); }) ==
          "forbidden");
    CHECK(code_of([&] { submit("c", 2, 3, set(item_field("hot-och-vald", "d1", "till_bra"), "nej"), chair); }) ==
          "conflict");
    // A resend is applied once.
    CHECK_FALSE(submit("a", 1, 0, add_item("hot-och-vald", "d1"), polis));
    REQUIRE(submit("a", 3, 4, set(item_field("hot-och-vald", "d1", "klart_senast"), "2027-06-30"), polis));
    CHECK(code_of([&] { submit("a", 4, 5, set(item_field("hot-och-vald", "d1", "klart_senast"), "2027-06-31"), polis); }) ==
          "bad_value");
    REQUIRE(submit("a", 4, 5, add_item("hot-och-vald", "d2"), polis));
    REQUIRE(submit("b", 2, 6, remove_item("hot-och-vald", "d2"), skola));
    CHECK(st.rev() == 7);
    REQUIRE(log.size() == 7);

    // Replaying the log gives the same picture, and so does the snapshot.
    meeting_state again(meeting_document(biweekly(), orgs), 0, {}, limits{});
    for (const auto& l : log) again.replay(l.client, l.seq, l.change);
    CHECK(again.document() == st.document());
    CHECK(again.document().to_json() == st.document().to_json());
    CHECK(again.encoded_bytes() == st.encoded_bytes());
    const meeting_state from_snap = meeting_state::from_snapshot(biweekly(), orgs, st.snapshot(), limits{});
    CHECK(from_snap.document() == st.document());
    CHECK(from_snap.rev() == st.rev());
    CHECK(from_snap.last_seq("a") == 4);
    CHECK(from_snap.encoded_bytes() == st.encoded_bytes());
}

TEST_CASE("decision items: still written once the picture is locked, and an edit voids the signatures", "[decision_items][lifecycle]") {
    meeting_state st(meeting_document(biweekly(), orgs), 0, {}, limits{});
    const identity polis = person(role::participant, "polis"), chair = person(role::chair, "kommun");
    REQUIRE(st.submit("a", 1, 0, add_item("andt", "d1"), polis));
    st.apply_lifecycle({lifecycle_kind::lock_topic, "andt", std::nullopt});
    // A locked topic's cells are closed; its decision items are not.
    CHECK(code_of([&] { st.submit("a", 2, 2, add_entry_change{"andt", "polis", "e1"}, polis); }) == "locked");
    REQUIRE(st.submit("a", 3, 2, write(item_field("andt", "d1", "rubrik"), "Åtgärd"), polis));
    st.apply_lifecycle({lifecycle_kind::lock_picture, {}, std::nullopt});
    REQUIRE(st.lifecycle().phase() == meeting_phase::locked);
    const signer eva{"a-chair", chair};
    st.apply_lifecycle({lifecycle_kind::sign, {},
                        signed_record{signature_statement("m1", "g1", st.rev(), "d", "2026-12-04T10:15:00Z", eva), "sig", "SHA256:k"}});
    REQUIRE(st.lifecycle().signatures().size() == 1);
    REQUIRE(st.submit("a", 4, st.rev(), add_item("andt", "d2"), polis));
    CHECK(st.lifecycle().signatures().empty());
    REQUIRE(st.submit("c", 1, st.rev(), set(item_field("andt", "d2", "till_bra"), "ja"), chair));
    CHECK(st.lifecycle().phase() == meeting_phase::locked);
}
