#include "est/meeting_document.hpp"

#include "fixtures.hpp"

#include <memory>
#include <string>
#include <vector>

#include <catch2/catch.hpp>
#include <nlohmann/json.hpp>

#include "est/error.hpp"
#include "est/utf.hpp"

using est::change;
using est::field_ref;
using est::meeting_document;
using est::text_operation;
using json = nlohmann::json;

namespace {

using est::test::biweekly;
using est::test::S;
using est::test::U;

const std::vector<std::string>& orgs = est::test::test_orgs;


field_ref entry_field(const char* topic, const char* org, const char* entry, const char* field) {
    return {topic, org, entry, field};
}
field_ref topic_field(const char* topic, const char* field) { return {topic, "", "", field}; }

change text(field_ref target, const char* wire) {
    return est::text_change{std::move(target), text_operation::from_json(json::parse(wire), "ops")};
}
change insert_all(field_ref target, std::string_view utf8) {
    return est::text_change{std::move(target), text_operation{}.insert(U(utf8))};
}
change set(field_ref target, std::string value) { return est::set_change{std::move(target), std::move(value)}; }
change add(const char* topic, const char* org, const char* entry) { return est::add_entry_change{topic, org, entry}; }
change remove(const char* topic, const char* org, const char* entry) {
    return est::remove_entry_change{topic, org, entry};
}

std::string error_code(meeting_document& doc, const change& c, std::uint64_t rev, const est::limits& lim) {
    try {
        doc.apply(c, rev, lim);
    } catch (const est::domain_error& e) {
        return e.code();
    }
    return "(no error)";
}

// Applies a change that must fail with `code`, and checks the document did not change at all.
void expect_refused(meeting_document& doc, const change& c, const std::string& code, const est::limits& lim = {}) {
    const meeting_document before = doc;
    const json before_json = doc.to_json();
    const std::size_t before_total = doc.total_text();
    CHECK(error_code(doc, c, 99, lim) == code);
    CHECK(doc == before);
    CHECK(doc.to_json() == before_json);
    CHECK(doc.total_text() == before_total);
}

}  // namespace

TEST_CASE("a new document has every topic and cell, empty", "[meeting_document]") {
    meeting_document doc(biweekly(), orgs);
    CHECK(doc.organisations() == orgs);
    CHECK(doc.total_text() == 0);
    for (const auto& t : biweekly()->topics) {
        const auto& ts = doc.topic(t.id);
        CHECK(ts.fields.size() == 3);
        CHECK(ts.cells.size() == 3);
        for (const auto& [org, c] : ts.cells) CHECK(c.entries.empty());
    }
    CHECK(doc.field(topic_field("andt", "bedomning")).text.empty());
    CHECK(doc.field(topic_field("andt", "niva")).choice.empty());
    CHECK_THROWS_AS(doc.topic("nope"), est::domain_error);
}

TEST_CASE("applying add_entry, text, set and remove_entry", "[meeting_document]") {
    meeting_document doc(biweekly(), orgs);
    const est::limits lim;
    const auto handelse = entry_field("hot-och-vald", "polis", "e1", "handelse");

    doc.apply(add("hot-och-vald", "polis", "e1"), 1, lim);
    REQUIRE(doc.topic("hot-och-vald").cells.at("polis").entries.size() == 1);
    CHECK(doc.topic("hot-och-vald").cells.at("polis").entries[0].id == "e1");
    CHECK(doc.topic("hot-och-vald").cells.at("polis").entries[0].fields.size() == 6);
    CHECK(doc.field(handelse).text.empty());

    doc.apply(insert_all(handelse, "Hot mot personal"), 2, lim);
    CHECK(S(doc.field(handelse).text) == "Hot mot personal");
    CHECK(doc.total_text() == 16);

    doc.apply(text(handelse, R"([16, " på skolan 🏫"])"), 3, lim);  // 12 + 2 units
    CHECK(S(doc.field(handelse).text) == "Hot mot personal på skolan 🏫");
    CHECK(doc.total_text() == 29);

    doc.apply(text(handelse, R"([4, "hot", -3, 22])"), 4, lim);
    CHECK(S(doc.field(handelse).text) == "Hot hot personal på skolan 🏫");

    const auto trend = entry_field("hot-och-vald", "polis", "e1", "trend");
    doc.apply(set(trend, "ökar"), 5, lim);
    CHECK(doc.field(trend).choice == "ökar");
    CHECK(doc.field(trend).rev == 5);
    doc.apply(set(trend, ""), 6, lim);
    CHECK(doc.field(trend).choice.empty());
    CHECK(doc.field(trend).rev == 6);

    // Topic fields.
    doc.apply(insert_all(topic_field("hot-och-vald", "bedomning"), "Förhöjd risk"), 7, lim);
    doc.apply(set(topic_field("hot-och-vald", "niva"), "förhöjd"), 8, lim);
    CHECK(S(doc.field(topic_field("hot-och-vald", "bedomning")).text) == "Förhöjd risk");
    CHECK(doc.field(topic_field("hot-och-vald", "niva")).choice == "förhöjd");
    CHECK(doc.total_text() == 29 + 12);

    // Entries keep their order; the same id may be used in another cell.
    doc.apply(add("hot-och-vald", "polis", "e2"), 9, lim);
    doc.apply(add("hot-och-vald", "kommun", "e1"), 10, lim);
    doc.apply(add("andt", "polis", "e1"), 11, lim);
    CHECK(doc.topic("hot-och-vald").cells.at("polis").entries[1].id == "e2");

    doc.apply(remove("hot-och-vald", "polis", "e1"), 12, lim);
    CHECK(doc.topic("hot-och-vald").cells.at("polis").entries.size() == 1);
    CHECK(doc.topic("hot-och-vald").cells.at("polis").entries[0].id == "e2");
    CHECK(doc.total_text() == 12);  // the removed entry's text is gone from the total
    CHECK(error_code(doc, text(handelse, "[1]"), 13, lim) == "not_found");
}

TEST_CASE("refused changes leave the document unchanged", "[meeting_document]") {
    meeting_document doc(biweekly(), orgs);
    const est::limits lim;
    doc.apply(add("hot-och-vald", "polis", "e1"), 1, lim);
    doc.apply(insert_all(entry_field("hot-och-vald", "polis", "e1", "handelse"), "a😀b"), 2, lim);
    doc.apply(set(entry_field("hot-och-vald", "polis", "e1", "trend"), "minskar"), 3, lim);
    doc.apply(add("hot-och-vald", "polis", "e2"), 4, lim);
    doc.apply(remove("hot-och-vald", "polis", "e2"), 5, lim);
    const auto handelse = entry_field("hot-och-vald", "polis", "e1", "handelse");

    SECTION("not_found") {
        expect_refused(doc, text(entry_field("nope", "polis", "e1", "handelse"), "[1]"), "not_found");
        expect_refused(doc, text(entry_field("hot-och-vald", "brandkaren", "e1", "handelse"), "[1]"), "not_found");
        expect_refused(doc, text(entry_field("hot-och-vald", "polis", "e9", "handelse"), "[1]"), "not_found");
        expect_refused(doc, text(entry_field("hot-och-vald", "polis", "e1", "farg"), "[1]"), "not_found");
        expect_refused(doc, text(topic_field("hot-och-vald", "handelse"), "[1]"), "not_found");
        expect_refused(doc, text(topic_field("nope", "bedomning"), "[1]"), "not_found");
        expect_refused(doc, set(entry_field("hot-och-vald", "polis", "e9", "trend"), "ökar"), "not_found");
        expect_refused(doc, add("nope", "polis", "e3"), "not_found");
        expect_refused(doc, add("andt", "brandkaren", "e3"), "not_found");
        expect_refused(doc, remove("hot-och-vald", "polis", "e9"), "not_found");
        expect_refused(doc, remove("hot-och-vald", "kommun", "e1"), "not_found");
        expect_refused(doc, remove("hot-och-vald", "polis", "e2"), "not_found");  // already removed
    }
    SECTION("wrong_kind") {
        expect_refused(doc, text(entry_field("hot-och-vald", "polis", "e1", "trend"), R"(["ökar"])"), "wrong_kind");
        expect_refused(doc, text(topic_field("hot-och-vald", "niva"), R"(["hög"])"), "wrong_kind");
        expect_refused(doc, set(handelse, "ökar"), "wrong_kind");
        expect_refused(doc, set(topic_field("hot-och-vald", "bedomning"), "x"), "wrong_kind");
    }
    SECTION("bad_value") {
        expect_refused(doc, set(entry_field("hot-och-vald", "polis", "e1", "trend"), "kanske"), "bad_value");
        expect_refused(doc, set(entry_field("hot-och-vald", "polis", "e1", "trend"), "Ökar"), "bad_value");
        expect_refused(doc, set(topic_field("hot-och-vald", "niva"), "ökar"), "bad_value");  // trend's, not niva's
    }
    SECTION("out_of_range: wrong base length") {
        expect_refused(doc, text(handelse, "[3]"), "out_of_range");
        expect_refused(doc, text(handelse, "[5]"), "out_of_range");
        expect_refused(doc, text(handelse, R"(["x"])"), "out_of_range");
    }
    SECTION("out_of_range: an operation cutting an emoji in two") {
        // "a😀b" is a, D83D, DE00, b.
        expect_refused(doc, text(handelse, R"([2, "x", 2])"), "out_of_range");  // insert between the halves
        expect_refused(doc, text(handelse, "[1, -1, 2]"), "out_of_range");      // remove the high half
        expect_refused(doc, text(handelse, "[2, -1, 1]"), "out_of_range");      // remove the low half
        expect_refused(doc, text(handelse, "[2, -2]"), "out_of_range");         // remove from the middle on
        expect_refused(doc, text(handelse, R"([2, "🎉", -1, 1])"), "out_of_range");
        // Whole emoji are fine.
        CHECK(error_code(doc, text(handelse, "[1, -2, 1]"), 6, lim) == "(no error)");
        CHECK(S(doc.field(handelse).text) == "ab");
    }
    SECTION("text_too_long: the template's max_length") {
        const auto tid = entry_field("hot-och-vald", "polis", "e1", "tid");  // max_length 200
        expect_refused(doc, insert_all(tid, std::string(201, 'x')), "text_too_long");
        expect_refused(doc, insert_all(tid, std::string(199, 'x') + "😀"), "text_too_long");  // 201 units
        CHECK(error_code(doc, insert_all(tid, std::string(198, 'x') + "😀"), 6, lim) == "(no error)");
        CHECK(doc.field(tid).text.size() == 200);
        expect_refused(doc, text(tid, R"([200, "å"])"), "text_too_long");
    }
    SECTION("text_too_long: the server's max_field_length when lower") {
        est::limits small;
        small.max_field_length = 5;
        expect_refused(doc, text(handelse, R"([4, "xx"])"), "text_too_long", small);
        CHECK(error_code(doc, text(handelse, R"([4, "x"])"), 6, small) == "(no error)");
    }
    SECTION("text_too_long: a text already over a lowered limit may shrink, not grow") {
        est::limits small;
        small.max_field_length = 2;
        CHECK(error_code(doc, text(handelse, "[3, -1]"), 6, small) == "(no error)");
        expect_refused(doc, text(handelse, R"([3, "!"])"), "text_too_long", small);
    }
    SECTION("text_too_long: the whole meeting's text") {
        est::limits small;
        small.max_meeting_text = 10;
        const auto plats = entry_field("hot-och-vald", "polis", "e1", "plats");
        CHECK(error_code(doc, insert_all(plats, "Torget"), 6, small) == "(no error)");  // 4 + 6 = 10
        expect_refused(doc, text(plats, R"([6, "!"])"), "text_too_long", small);
        expect_refused(doc, insert_all(topic_field("andt", "bedomning"), "x"), "text_too_long", small);
    }
    SECTION("limit_reached") {
        est::limits small;
        small.max_entries_per_cell = 2;
        CHECK(error_code(doc, add("hot-och-vald", "polis", "e3"), 6, small) == "(no error)");
        expect_refused(doc, add("hot-och-vald", "polis", "e4"), "limit_reached", small);
        CHECK(error_code(doc, add("hot-och-vald", "kommun", "e4"), 7, small) == "(no error)");
    }
    SECTION("duplicate_entry") {
        expect_refused(doc, add("hot-och-vald", "polis", "e1"), "duplicate_entry");
        expect_refused(doc, add("hot-och-vald", "polis", "e2"), "duplicate_entry");  // removed: never reused
        CHECK(error_code(doc, add("hot-och-vald", "kommun", "e2"), 6, lim) == "(no error)");
    }
}

TEST_CASE("document to_json / from_json round trip", "[meeting_document][json]") {
    meeting_document doc(biweekly(), orgs);
    const est::limits lim;
    std::uint64_t rev = 0;
    doc.apply(add("hot-och-vald", "polis", "e1"), ++rev, lim);
    doc.apply(insert_all(entry_field("hot-och-vald", "polis", "e1", "handelse"), "Hot mot väktare 👮 i Örebro"), ++rev, lim);
    doc.apply(set(entry_field("hot-och-vald", "polis", "e1", "trend"), "oförändrad"), ++rev, lim);
    doc.apply(add("hot-och-vald", "polis", "e2"), ++rev, lim);
    doc.apply(add("ungdomar-skolor", "skola", "x_1"), ++rev, lim);
    doc.apply(insert_all(entry_field("ungdomar-skolor", "skola", "x_1", "plats"), "Åbyskolan"), ++rev, lim);
    doc.apply(add("andt", "kommun", "gone"), ++rev, lim);
    doc.apply(remove("andt", "kommun", "gone"), ++rev, lim);
    doc.apply(insert_all(topic_field("ovrigt", "prioriteringar"), "Hat på sociala medier 💬"), ++rev, lim);
    doc.apply(set(topic_field("ovrigt", "niva"), "hög"), ++rev, lim);

    const json j = doc.to_json();
    const auto back = meeting_document::from_json(biweekly(), orgs, j);
    CHECK(back == doc);
    CHECK(back.to_json() == j);
    CHECK(back.total_text() == doc.total_text());
    CHECK(back.field(topic_field("ovrigt", "niva")).rev == 10);

    const auto via_text = meeting_document::from_json(biweekly(), orgs, json::parse(j.dump()));
    CHECK(via_text == doc);
    CHECK(via_text.to_json() == j);

    // Topics in template order, cells in group order.
    REQUIRE(j.at("topics").size() == 6);
    CHECK(j["topics"][0]["id"] == "hot-och-vald");
    CHECK(j["topics"][5]["id"] == "ovrigt");
    CHECK(j["topics"][0]["cells"]["polis"]["entries"][0]["fields"]["handelse"] == "Hot mot väktare 👮 i Örebro");

    // A removed entry's id stays retired after the round trip.
    auto copy = back;
    CHECK(error_code(copy, add("andt", "kommun", "gone"), 11, lim) == "duplicate_entry");
}

TEST_CASE("json_text writes exactly what to_json().dump() writes", "[meeting_document][json]") {
    // The group's organisations out of order (cells are keyed in sorted order), escapes, four-byte characters,
    // registers, secrecy, decision items and retired ids of both kinds.
    meeting_document doc(biweekly(), orgs);
    CHECK(doc.json_text() == doc.to_json().dump());
    const est::limits lim;
    std::uint64_t rev = 0;
    auto apply = [&](const change& c) {
        doc.apply(c, ++rev, lim);
        CHECK(doc.json_text() == doc.to_json().dump());
    };
    apply(add("hot-och-vald", "skola", "e1"));
    apply(insert_all(entry_field("hot-och-vald", "skola", "e1", "handelse"),
                     "Citat: \"stick\" \\ snedstreck\tflik\nny rad 👮 Örebro \u200e ✓"));
    apply(set(entry_field("hot-och-vald", "skola", "e1", "trend"), "ökar"));
    apply(add("hot-och-vald", "polis", "e2"));
    apply(est::secrecy_change{"hot-och-vald", "polis", "e2", "35 kap. 1 § OSL"});
    apply(add("hot-och-vald", "kommun", "e3"));
    apply(est::secrecy_change{"hot-och-vald", "kommun", "e3", "\"citat\" OSL"});
    apply(est::secrecy_change{"hot-och-vald", "kommun", "e3", ""});  // cleared: the key stays, with its revision
    apply(add("andt", "kommun", "gone"));
    apply(remove("andt", "kommun", "gone"));
    apply(est::add_item_change{"andt", "d1"});
    apply(insert_all(field_ref{"andt", "", "", "rubrik", "d1"}, "Åtgärd: \"trygg\" väg"));
    apply(set(field_ref{"andt", "", "", "agare", "d1"}, "kommun"));
    apply(set(field_ref{"andt", "", "", "klart_senast", "d1"}, "2027-03-01"));
    apply(est::add_item_change{"andt", "d2"});
    apply(est::remove_item_change{"andt", "d2"});
    apply(insert_all(topic_field("ovrigt", "prioriteringar"), "Hat på sociala medier 💬"));
    apply(set(topic_field("ovrigt", "niva"), "hög"));
    const json j = doc.to_json();
    REQUIRE(j.contains("retired_items"));
    REQUIRE(j["topics"][0]["cells"]["polis"]["entries"][0].contains("secrecy"));
    REQUIRE(j["topics"][0]["cells"]["kommun"]["entries"][0].contains("secrecy"));
    // And what it writes is the document again.
    CHECK(meeting_document::from_json(biweekly(), orgs, json::parse(doc.json_text())) == doc);
}

TEST_CASE("from_json rejects a snapshot that does not fit", "[meeting_document][json]") {
    meeting_document doc(biweekly(), orgs);
    doc.apply(add("andt", "polis", "e1"), 1, est::limits{});
    const json good = doc.to_json();
    auto code = [](const json& j) {
        try {
            meeting_document::from_json(biweekly(), orgs, j);
        } catch (const est::domain_error& e) {
            return e.code();
        }
        return std::string("(no error)");
    };
    CHECK(code(good) == "(no error)");
    json j = good;
    j["topics"][0]["id"] = "nope";
    CHECK(code(j) == "bad_snapshot");
    j = good;
    j["topics"][4]["cells"]["brandkaren"] = {{"entries", json::array()}};
    CHECK(code(j) == "bad_snapshot");
    j = good;
    j["topics"][4]["cells"]["polis"]["entries"][0]["fields"]["handelse"] = 5;
    CHECK(code(j) == "bad_snapshot");
    j = good;
    j["topics"][4]["fields"]["niva"] = "hög";
    CHECK(code(j) == "bad_snapshot");
    CHECK(code(json::array()) == "bad_snapshot");
    CHECK(code(json::object()) == "bad_snapshot");
}
