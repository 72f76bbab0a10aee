#include "est/change.hpp"

#include "fixtures.hpp"

#include <stdexcept>
#include <string>
#include <vector>

#include <catch2/catch.hpp>
#include <nlohmann/json.hpp>

#include "est/error.hpp"

using json = nlohmann::json;
using est::change;
using est::field_ref;

namespace {

using est::test::failure;
using est::test::fails;
failure change_error(const std::string& text) {
    return fails([&] { est::change_from_json(json::parse(text), "change"); });
}
}  // namespace

TEST_CASE("field_ref: key and JSON", "[change]") {
    const field_ref topic_field{"hot-och-vald", "", "", "bedomning"};
    const field_ref entry_field{"hot-och-vald", "polis", "e1", "handelse"};
    CHECK(topic_field.is_topic_field());
    CHECK_FALSE(entry_field.is_topic_field());
    CHECK(topic_field.key() == "hot-och-vald/bedomning");
    CHECK(entry_field.key() == "hot-och-vald/polis/e1/handelse");
    CHECK(topic_field.to_json() == json::parse(R"({"topic": "hot-och-vald", "field": "bedomning"})"));
    CHECK(entry_field.to_json() ==
          json::parse(R"({"topic": "hot-och-vald", "org": "polis", "entry": "e1", "field": "handelse"})"));
    CHECK(field_ref::from_json(topic_field.to_json(), "target") == topic_field);
    CHECK(field_ref::from_json(entry_field.to_json(), "target") == entry_field);
}

TEST_CASE("field_ref::compare_key orders as key() does", "[change]") {
    // Parts that are prefixes of one another, and '-' and '_' on either side of the '/' between parts.
    const std::vector<field_ref> refs = {
        {"a", "", "", "f"},    {"a", "", "", "f-g"},  {"a-b", "", "", "f"},  {"a_b", "", "", "f"},
        {"a", "o", "e", "f"},  {"a", "o", "e", "f_"}, {"a", "o", "e-1", "f"}, {"a", "o", "e", "f/x"},
        {"a", "o-p", "e", "f"}, {"ab", "o", "e", "f"}, {"a", "o", "e1", "f"}, {"b", "", "", "a"}};
    auto sign = [](int c) { return (c > 0) - (c < 0); };
    for (const auto& x : refs) {
        for (const auto& y : refs) {
            INFO(x.key() << " vs " << y.key());
            CHECK(sign(x.compare_key(y.key())) == sign(x.key().compare(y.key())));
        }
        for (const std::string other : {"", "a", "a/", "a/f/", "a/o/e/f/", "a/o/e/fz", "zz"}) {
            INFO(x.key() << " vs " << other);
            CHECK(sign(x.compare_key(other)) == sign(x.key().compare(other)));
        }
    }
}

TEST_CASE("field_ref::from_json rejects bad references", "[change]") {
    auto err = [](const char* text) { return fails([&] { field_ref::from_json(json::parse(text), "target"); }); };
    auto f = err(R"({"topic": "t", "org": "polis", "field": "f"})");
    CHECK(f.code == "bad_message");
    CHECK_THAT(f.message, Catch::Contains("entry"));
    f = err(R"({"topic": "t", "entry": "e1", "field": "f"})");
    CHECK(f.code == "bad_message");
    f = err(R"({"topic": "Hot och våld", "field": "f"})");
    CHECK(f.code == "bad_message");
    CHECK_THAT(f.message, Catch::Contains("target.topic"));
    f = err(R"({"topic": "t", "field": "f", "colour": "red"})");
    CHECK(f.code == "bad_message");
    CHECK_THAT(f.message, Catch::Contains("target.colour"));
    f = err(R"({"topic": "t"})");
    CHECK(f.code == "bad_message");
    CHECK_THAT(f.message, Catch::Contains("target.field"));
    CHECK(err(R"(["t", "f"])").code == "bad_message");
    CHECK(err(R"({"topic": "t", "field": 3})").code == "bad_message");
    CHECK(err(R"({"topic": "", "field": "f"})").code == "bad_message");
}

TEST_CASE("change_to_json / change_from_json round trip every kind", "[change]") {
    const std::vector<change> changes = {
        est::text_change{{"hot-och-vald", "polis", "e1", "handelse"},
                         est::text_operation{}.retain(2).insert(u"h\u00e5\U0001F600").remove(1)},
        est::text_change{{"andt", "", "", "bedomning"}, est::text_operation{}.insert(u"\u00d6kat")},
        est::set_change{{"ovrigt", "skola", "e7", "trend"}, "\u00f6kar"},
        est::set_change{{"ovrigt", "", "", "niva"}, ""},
        est::add_entry_change{"extremism", "kommun", "e2"},
        est::remove_entry_change{"extremism", "kommun", "e2"},
    };
    for (const auto& c : changes) {
        const json j = est::change_to_json(c);
        INFO(j.dump());
        const change back = est::change_from_json(json::parse(j.dump()), "change");
        CHECK(back.index() == c.index());
        CHECK(est::change_to_json(back) == j);
    }
    CHECK(est::change_to_json(changes[4]) ==
          json::parse(R"({"kind": "add_entry", "topic": "extremism", "org": "kommun", "entry": "e2"})"));
    CHECK(est::change_to_json(changes[0]) == json::parse(R"({"kind": "text",
        "target": {"topic": "hot-och-vald", "org": "polis", "entry": "e1", "field": "handelse"},
        "ops": [2, "hå😀", -1]})"));
}

TEST_CASE("change_json_text writes every kind as the wire has it, in the bytes dump() writes", "[change]") {
    // Text that needs escaping: quotes, a backslash, controls (short and \u00xx forms), å, an emoji, and a lone
    // surrogate (written as U+FFFD, as utf16_to_utf8 writes it).
    const std::u16string tricky = u"\"q\" \\ \n\t\b\f\r\u007f\u0001\u001f\u00e5\U0001F600\xD800.";
    const std::string tricky8 = "\"q\" \\ \n\t\b\f\r\u007f\u0001\u001f\u00e5\U0001F600\uFFFD.";
    const est::field_ref entry{"hot-och-vald", "polis", "e1", "handelse"};
    const est::field_ref topic{"andt", "", "", "bedomning"};
    const est::field_ref item{"andt", "", "", "titel", "d1"};
    const json entry_j = {{"topic", "hot-och-vald"}, {"org", "polis"}, {"entry", "e1"}, {"field", "handelse"}};
    const json topic_j = {{"topic", "andt"}, {"field", "bedomning"}};
    const json item_j = {{"topic", "andt"}, {"item", "d1"}, {"field", "titel"}};
    const std::string number(64, 'a');
    const std::vector<std::pair<change, json>> cases = {
        {est::text_change{entry, est::text_operation{}.retain(2).insert(tricky).remove(3)},
         {{"kind", "text"}, {"target", entry_j}, {"ops", json::array({2, tricky8, -3})}}},
        {est::text_change{topic, est::text_operation{}.insert(u"x")}, {{"kind", "text"}, {"target", topic_j}, {"ops", {"x"}}}},
        {est::text_change{item, est::text_operation{}.retain(7)}, {{"kind", "text"}, {"target", item_j}, {"ops", {7}}}},
        {est::text_change{entry, est::text_operation{}}, {{"kind", "text"}, {"target", entry_j}, {"ops", json::array()}}},
        {est::set_change{entry, "h\u00f6g"}, {{"kind", "set"}, {"target", entry_j}, {"value", "h\u00f6g"}}},
        {est::set_change{item, ""}, {{"kind", "set"}, {"target", item_j}, {"value", ""}}},
        {est::add_entry_change{"andt", "polis", "e2"}, {{"kind", "add_entry"}, {"topic", "andt"}, {"org", "polis"}, {"entry", "e2"}}},
        {est::remove_entry_change{"andt", "polis", "e2"},
         {{"kind", "remove_entry"}, {"topic", "andt"}, {"org", "polis"}, {"entry", "e2"}}},
        {est::add_item_change{"andt", "d2"}, {{"kind", "add_item"}, {"topic", "andt"}, {"item", "d2"}}},
        {est::remove_item_change{"andt", "d2"}, {{"kind", "remove_item"}, {"topic", "andt"}, {"item", "d2"}}},
        {est::secrecy_change{"andt", "polis", "e1", tricky8},
         {{"kind", "secrecy"}, {"topic", "andt"}, {"org", "polis"}, {"entry", "e1"}, {"osl", tricky8}}},
        {est::acknowledge_change{entry, number, tricky8},
         {{"kind", "acknowledge"}, {"target", entry_j}, {"number", number}, {"reason", tricky8}}},
        {est::acknowledge_change{item, number, "ok", "Eva \"Ek\"", "2026-12-06T10:00:00Z"},
         {{"kind", "acknowledge"}, {"target", item_j}, {"number", number}, {"reason", "ok"}, {"by", "Eva \"Ek\""},
          {"at", "2026-12-06T10:00:00Z"}}},
        {est::acknowledge_change{topic, number, "ok", "Eva Ek"},
         {{"kind", "acknowledge"}, {"target", topic_j}, {"number", number}, {"reason", "ok"}, {"by", "Eva Ek"}}},
        {est::current_topic_change{"andt"}, {{"kind", "current_topic"}, {"topic", "andt"}}},
        {est::current_topic_change{""}, {{"kind", "current_topic"}, {"topic", ""}}},
    };
    for (const auto& [c, expected] : cases) {
        const std::string text = est::change_json_text(c);
        INFO(text);
        CHECK(text == expected.dump());
        CHECK(est::change_to_json(c) == expected);
    }
    // Text that is not UTF-8 is refused, as dump() refused it: the writer never writes what is not JSON.
    CHECK_THROWS_AS(est::change_json_text(est::set_change{entry, "h\xC3"}), std::invalid_argument);
    CHECK_THROWS_AS(est::change_json_text(est::secrecy_change{"andt", "polis", "e1", "\xED\xA0\x80"}), std::invalid_argument);
}

TEST_CASE("change_from_json rejects malformed changes naming the field", "[change]") {
    auto f = change_error(R"({"topic": "t", "org": "o", "entry": "e"})");
    CHECK(f.code == "bad_message");
    CHECK_THAT(f.message, Catch::Contains("change.kind"));

    f = change_error(R"({"kind": "move", "topic": "t"})");
    CHECK(f.code == "bad_message");
    CHECK_THAT(f.message, Catch::Contains("move"));

    f = change_error(R"({"kind": "add_entry", "topic": "t", "org": "o", "entry": "e", "extra": 1})");
    CHECK(f.code == "bad_message");
    CHECK_THAT(f.message, Catch::Contains("change.extra"));

    f = change_error(R"({"kind": "remove_entry", "topic": "t", "org": "o"})");
    CHECK(f.code == "bad_message");
    CHECK_THAT(f.message, Catch::Contains("change.entry"));

    f = change_error(R"({"kind": "set", "target": {"topic": "t", "field": "f"}, "value": 3})");
    CHECK(f.code == "bad_message");
    CHECK_THAT(f.message, Catch::Contains("change.value"));

    f = change_error(R"({"kind": "set", "target": {"topic": "t", "field": "f"}})");
    CHECK(f.code == "bad_message");
    CHECK_THAT(f.message, Catch::Contains("change.value"));

    f = change_error(R"({"kind": "text", "target": {"topic": "t", "field": "f"}, "ops": [0]})");
    CHECK(f.code == "bad_message");
    CHECK_THAT(f.message, Catch::Contains("change.ops[0]"));

    f = change_error(R"({"kind": "text", "target": {"topic": "t", "field": "f"}})");
    CHECK(f.code == "bad_message");
    CHECK_THAT(f.message, Catch::Contains("change.ops"));

    f = change_error(R"({"kind": "text", "target": {"topic": "t"}, "ops": []})");
    CHECK(f.code == "bad_message");
    CHECK_THAT(f.message, Catch::Contains("change.target.field"));

    CHECK(change_error(R"([1, 2])").code == "bad_message");
    CHECK(change_error(R"({"kind": "set", "target": {"topic": "t", "field": "f"}, "value": ")" +
                       std::string(201, 'x') + R"("})").code == "bad_message");
}

TEST_CASE("json_read::uint accepts only whole numbers >= 0", "[change]") {
    const json j = json::parse(R"({"a": 5, "b": -1, "c": 1.5, "d": "5"})");
    CHECK(est::json_read::uint(j, "", "a") == 5);
    for (const char* key : {"b", "c", "d", "e"}) {
        auto f = fails([&] { est::json_read::uint(j, "", key); });
        CHECK(f.code == "bad_message");
        CHECK_THAT(f.message, Catch::Contains(key));
    }
}
