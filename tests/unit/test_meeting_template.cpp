#include "est/meeting_template.hpp"

#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include <catch2/catch.hpp>
#include <nlohmann/json.hpp>

#include "est/error.hpp"

using est::meeting_template;
using json = nlohmann::json;

namespace {

const char* const template_file = EST_SOURCE_DIR "/templates/est-biweekly.json";

json template_json() {
    std::ifstream in(template_file, std::ios::binary);
    REQUIRE(in.good());
    std::stringstream ss;
    ss << in.rdbuf();
    return json::parse(ss.str());
}

struct failure {
    std::string code;
    std::string message;
};
failure template_error(const json& j, const std::string& source = "broken.json") {
    try {
        meeting_template::from_json(j, source);
    } catch (const est::domain_error& e) {
        return {e.code(), e.what()};
    }
    return {"(no error)", ""};
}

// JSON numbers as the parser makes them (unsigned), not as C++ ints convert (signed).
json num(const char* text) { return json::parse(text); }

}  // namespace

TEST_CASE("the biweekly template loads with its six topics in order", "[meeting_template]") {
    const auto t = meeting_template::load_file(template_file);
    CHECK(t.id == "est-biweekly");
    CHECK(t.name == "EST-möte varannan vecka");
    CHECK(t.version == 1);
    REQUIRE(t.topics.size() == 6);
    std::vector<std::string> titles;
    for (const auto& topic : t.topics) titles.push_back(topic.title);
    CHECK(titles == std::vector<std::string>{"Hot och våld", "Ordningsstörning och otrygghet",
                                             "Extremism och kriminella nätverk", "Ungdomar och skolor", "ANDT",
                                             "Övrigt"});
    CHECK(t.topics[0].id == "hot-och-vald");
    CHECK(t.topics[5].id == "ovrigt");
    CHECK(t.topics[4].description == "Alkohol, narkotika, dopning och tobak");
    CHECK(t.topics[0].description.empty());
}

TEST_CASE("the biweekly template's fields", "[meeting_template]") {
    const auto t = meeting_template::load_file(template_file);
    REQUIRE(t.entry_fields.size() == 6);
    const auto* trend = t.find_entry_field("trend");
    REQUIRE(trend != nullptr);
    CHECK(trend->kind == est::field_kind::choice);
    CHECK(trend->choices == std::vector<std::string>{"ökar", "oförändrad", "minskar"});
    CHECK_FALSE(trend->chair_only);
    const auto* handelse = t.find_entry_field("handelse");
    REQUIRE(handelse != nullptr);
    CHECK(handelse->kind == est::field_kind::text);
    CHECK(handelse->label == "Händelse");
    CHECK(handelse->max_length == 4000);
    CHECK(t.find_entry_field("tid")->max_length == 200);

    REQUIRE(t.topic_fields.size() == 3);
    const auto* niva = t.find_topic_field("niva");
    REQUIRE(niva != nullptr);
    CHECK(niva->chair_only);
    CHECK(niva->choices == std::vector<std::string>{"låg", "förhöjd", "hög"});
    CHECK(t.find_topic_field("bedomning")->max_length == 8000);
    CHECK(t.find_topic_field("bedomning")->chair_only);
    CHECK(t.find_topic_field("handelse") == nullptr);
    CHECK(t.find_entry_field("niva") == nullptr);
    CHECK(t.find_topic("andt") == &t.topics[4]);
    CHECK(t.find_topic("nope") == nullptr);
}

TEST_CASE("template to_json / from_json round trip (in memory)", "[meeting_template][json]") {
    const auto t = meeting_template::load_file(template_file);
    const json j = t.to_json();
    CHECK(j == template_json());
    // from_json must accept what to_json produces, without a trip through text.
    const auto f = template_error(j, "memory");
    INFO(f.message);
    CHECK(f.code == "(no error)");
    if (f.code == "(no error)") CHECK(meeting_template::from_json(j, "memory").to_json() == j);
}

TEST_CASE("template to_json / from_json round trip (through text)", "[meeting_template][json]") {
    const auto t = meeting_template::load_file(template_file);
    const auto back = meeting_template::from_json(json::parse(t.to_json().dump()), "wire");
    CHECK(back.to_json() == t.to_json());
    CHECK(back.topics.size() == 6);
    CHECK(back.find_topic_field("niva")->chair_only);
    CHECK(back.find_entry_field("plats")->max_length == 500);
}

TEST_CASE("template validation names the source, the JSON path and the problem", "[meeting_template]") {
    json j = template_json();
    REQUIRE(template_error(j).code == "(no error)");

    auto expect = [](const json& broken, const std::vector<std::string>& parts) {
        const auto f = template_error(broken);
        INFO(f.message);
        CHECK(f.code == "bad_template");
        CHECK_THAT(f.message, Catch::StartsWith("broken.json: "));
        for (const auto& p : parts) CHECK_THAT(f.message, Catch::Contains(p));
    };

    SECTION("missing topics") {
        j.erase("topics");
        expect(j, {"missing", "'topics'"});
    }
    SECTION("empty topics") {
        j["topics"] = json::array();
        expect(j, {"/topics", "non-empty array"});
    }
    SECTION("duplicate topic id") {
        j["topics"][1]["id"] = "hot-och-vald";
        expect(j, {"/topics/1/id", "duplicate", "hot-och-vald"});
    }
    SECTION("bad topic id") {
        j["topics"][2]["id"] = "Extremism";
        expect(j, {"/topics/2/id", "Extremism", "not a valid id"});
    }
    SECTION("topic id too long") {
        j["topics"][0]["id"] = std::string(65, 'a');
        expect(j, {"/topics/0/id", "not a valid id"});
    }
    SECTION("empty topic id") {
        j["topics"][0]["id"] = "";
        expect(j, {"/topics/0/id", "non-empty string"});
    }
    SECTION("topic without title") {
        j["topics"][3].erase("title");
        expect(j, {"/topics/3", "missing", "'title'"});
    }
    SECTION("topic that is not an object") {
        j["topics"][3] = "Ungdomar";
        expect(j, {"/topics/3", "must be an object"});
    }
    SECTION("unknown field in a topic") {
        j["topics"][0]["colour"] = "red";
        expect(j, {"/topics/0/colour", "unknown field"});
    }
    SECTION("unknown top-level field") {
        j["owner"] = "BRÅ";
        expect(j, {"/owner", "unknown field"});
    }
    SECTION("unknown field in an entry field") {
        j["entry_fields"][1]["placeholder"] = "Var?";
        expect(j, {"/entry_fields/1/placeholder", "unknown field"});
    }
    SECTION("bad kind") {
        j["entry_fields"][0]["kind"] = "number";
        expect(j, {"/entry_fields/0/kind", "number"});
    }
    SECTION("choice without choices") {
        j["entry_fields"][5].erase("choices");
        expect(j, {"/entry_fields/5", "choices"});
    }
    SECTION("empty choices") {
        j["topic_fields"][1]["choices"] = json::array();
        expect(j, {"/topic_fields/1/choices", "non-empty"});
    }
    SECTION("a choice that is not a string") {
        j["entry_fields"][5]["choices"][1] = num("3");
        expect(j, {"/entry_fields/5/choices/1", "non-empty string"});
    }
    SECTION("choices on a text field") {
        j["entry_fields"][0]["choices"] = {"a", "b"};
        expect(j, {"/entry_fields/0/choices", "only choice fields"});
    }
    SECTION("duplicate entry field id") {
        j["entry_fields"][1]["id"] = "handelse";
        expect(j, {"/entry_fields/1/id", "duplicate", "handelse"});
    }
    SECTION("bad entry field id") {
        j["entry_fields"][2]["id"] = "Tid";
        expect(j, {"/entry_fields/2/id", "not a valid id"});
    }
    SECTION("max_length 0") {
        j["entry_fields"][0]["max_length"] = num("0");
        expect(j, {"/entry_fields/0/max_length", "1 to 100000"});
    }
    SECTION("max_length too large") {
        j["entry_fields"][0]["max_length"] = num("100001");
        expect(j, {"/entry_fields/0/max_length"});
    }
    SECTION("max_length negative") {
        j["entry_fields"][0]["max_length"] = num("-5");
        expect(j, {"/entry_fields/0/max_length"});
    }
    SECTION("max_length as a string") {
        j["entry_fields"][0]["max_length"] = "4000";
        expect(j, {"/entry_fields/0/max_length"});
    }
    SECTION("editor on an entry field") {
        j["entry_fields"][0]["editor"] = "chair";
        expect(j, {"/entry_fields/0/editor", "organisation"});
    }
    SECTION("unknown editor") {
        j["topic_fields"][0]["editor"] = "admin";
        expect(j, {"/topic_fields/0/editor", "chair"});
    }
    SECTION("missing entry_fields") {
        j.erase("entry_fields");
        expect(j, {"missing", "'entry_fields'"});
    }
    SECTION("topic_fields not an array") {
        j["topic_fields"] = json::object();
        expect(j, {"/topic_fields", "non-empty array"});
    }
    SECTION("label missing") {
        j["topic_fields"][2].erase("label");
        expect(j, {"/topic_fields/2", "'label'"});
    }
    SECTION("version 0") {
        j["version"] = num("0");
        expect(j, {"/version", "positive whole number"});
    }
    SECTION("version as a string") {
        j["version"] = "1";
        expect(j, {"/version"});
    }
    SECTION("bad template id") {
        j["id"] = "EST biweekly";
        expect(j, {"/id", "not a valid id"});
    }
    SECTION("not an object") {
        expect(json::array(), {"broken.json: /:", "object"});
    }
}

TEST_CASE("load_file reports a missing file as bad_template naming it", "[meeting_template]") {
    try {
        meeting_template::load_file(EST_SOURCE_DIR "/templates/does-not-exist.json");
        FAIL("no error");
    } catch (const est::domain_error& e) {
        CHECK(e.code() == "bad_template");
        CHECK_THAT(std::string(e.what()), Catch::Contains("does-not-exist.json"));
    }
}
