#include "est/protocol.hpp"

#include <string>
#include <vector>

#include <catch2/catch.hpp>
#include <nlohmann/json.hpp>

#include "est/error.hpp"
#include "est/meeting_template.hpp"

using json = nlohmann::json;
using est::client_message;
using est::limits;

namespace {

struct failure {
    std::string code;
    std::string message;
};
failure parse_error(std::string_view text, const limits& lim = {}) {
    try {
        est::parse_client_message(text, lim);
    } catch (const est::domain_error& e) {
        return {e.code(), e.what()};
    }
    return {"(no error)", ""};
}

const char* const op_text = R"({"type": "op", "seq": 3, "rev": 7, "change": {"kind": "text",
    "target": {"topic": "hot-och-vald", "org": "polis", "entry": "e1", "field": "handelse"}, "ops": [1, "å😀", -1]}})";
const char* const join_text =
    R"({"type": "join", "meeting": "m-2024-06", "client": "c-anna-0123456789ab", "name": "Anna Åström", "org": "polis", "role": "participant"})";

// The message with one top-level field removed, added or replaced.
std::string without(const char* text, const char* key) {
    json j = json::parse(text);
    j.erase(key);
    return j.dump();
}
std::string with(const char* text, const char* key, const json& value) {
    json j = json::parse(text);
    j[key] = value;
    return j.dump();
}

est::identity anna() { return {"Anna Åström", "polis", est::role::participant}; }

}  // namespace

TEST_CASE("roles to and from strings", "[protocol]") {
    for (auto r : {est::role::participant, est::role::chair, est::role::cosigner, est::role::bra_member, est::role::admin})
        CHECK(est::role_from_string(est::to_string(r)) == r);
    CHECK_FALSE(est::role_from_string("Chair").has_value());
    CHECK_FALSE(est::role_from_string("").has_value());
}

TEST_CASE("parse_client_message: join", "[protocol]") {
    const auto m = est::parse_client_message(join_text, limits{});
    REQUIRE(std::holds_alternative<est::join_message>(m));
    const auto& j = std::get<est::join_message>(m);
    CHECK(j.meeting == "m-2024-06");
    CHECK(j.client == "c-anna-0123456789ab");
    CHECK(j.who->name == "Anna Åström");
    CHECK(j.who->org == "polis");
    CHECK(j.who->role == est::role::participant);
    CHECK_FALSE(j.since.has_value());

    const auto m2 = est::parse_client_message(with(join_text, "since", json::parse("42")), limits{});
    CHECK(std::get<est::join_message>(m2).since == 42u);
    const auto m3 = est::parse_client_message(with(join_text, "role", "chair"), limits{});
    CHECK(std::get<est::join_message>(m3).who->role == est::role::chair);
}

TEST_CASE("parse_client_message: op", "[protocol]") {
    const auto m = est::parse_client_message(op_text, limits{});
    REQUIRE(std::holds_alternative<est::op_message>(m));
    const auto& op = std::get<est::op_message>(m);
    CHECK(op.seq == 3);
    CHECK(op.rev == 7);
    REQUIRE(std::holds_alternative<est::text_change>(op.body));
    const auto& t = std::get<est::text_change>(op.body);
    CHECK(t.target == est::field_ref{"hot-och-vald", "polis", "e1", "handelse"});
    CHECK(t.op.base_length() == 2);
    CHECK(t.op.target_length() == 4);  // å + emoji (2 units) + the retained unit
    CHECK(t.op.to_json() == json::parse(R"([1, "å😀", -1])"));
}

TEST_CASE("parse_client_message: focus", "[protocol]") {
    const auto m = est::parse_client_message(
        R"({"type": "focus", "target": {"topic": "andt", "field": "bedomning"}})", limits{});
    REQUIRE(std::holds_alternative<est::focus_message>(m));
    const auto& f = std::get<est::focus_message>(m);
    REQUIRE(f.target.has_value());
    CHECK(*f.target == est::field_ref{"andt", "", "", "bedomning"});

    const auto none = est::parse_client_message(R"({"type": "focus", "target": null})", limits{});
    CHECK_FALSE(std::get<est::focus_message>(none).target.has_value());
}

TEST_CASE("parse_client_message rejects malformed JSON as bad_json", "[protocol]") {
    for (const char* bad : {"", "{", "{\"type\": \"op\",}", "op", "{\"type\": 'op'}", "{} {}"}) {
        INFO(bad);
        CHECK(parse_error(bad).code == "bad_json");
    }
}

TEST_CASE("parse_client_message rejects too deep nesting as too_deep", "[protocol]") {
    std::string deep = R"({"type": "focus", "target": {"topic": )";
    deep += std::string(40, '[') + std::string(40, ']') + "}}";
    CHECK(parse_error(deep).code == "too_deep");
    limits shallow;
    shallow.max_json_depth = 2;
    CHECK(parse_error(op_text, shallow).code == "too_deep");
    CHECK(parse_error(join_text, shallow).code == "(no error)");
}

TEST_CASE("parse_client_message rejects an unknown type as unknown_type", "[protocol]") {
    const auto f = parse_error(R"({"type": "leave"})");
    CHECK(f.code == "unknown_type");
    CHECK_THAT(f.message, Catch::Contains("leave"));
    CHECK(parse_error(R"({"type": "welcome"})").code == "unknown_type");
}

TEST_CASE("parse_client_message: missing and extra fields are bad_message naming the field", "[protocol]") {
    auto expect = [](const std::string& text, const std::string& field) {
        const auto f = parse_error(text);
        INFO(text << "\n" << f.message);
        CHECK(f.code == "bad_message");
        CHECK_THAT(f.message, Catch::Contains("'" + field + "'"));
    };
    expect(without(op_text, "seq"), "seq");
    expect(without(op_text, "rev"), "rev");
    expect(without(op_text, "change"), "change");
    expect(without(op_text, "type"), "type");
    expect(with(op_text, "extra", 1), "extra");
    expect(with(op_text, "seq", -1), "seq");
    expect(with(op_text, "rev", "7"), "rev");
    expect(without(join_text, "org"), "org");
    expect(without(join_text, "client"), "client");
    expect(with(join_text, "password", "hemligt"), "password");
    expect(with(join_text, "client", "Anna!"), "client");
    expect(with(join_text, "since", 1.5), "since");
    expect(R"({"type": "focus"})", "target");
    expect(R"({"type": "focus", "target": null, "where": 1})", "where");

    // Nested fields are named by their path.
    json j = json::parse(op_text);
    j["change"]["colour"] = "red";
    expect(j.dump(), "change.colour");
    j = json::parse(op_text);
    j["change"]["target"].erase("field");
    expect(j.dump(), "change.target.field");
    j = json::parse(op_text);
    j["change"]["ops"] = json::parse("[1, 0]");
    expect(j.dump(), "change.ops[1]");

    CHECK(parse_error(with(join_text, "role", "king")).code == "bad_message");
    CHECK_THAT(parse_error(with(join_text, "role", "king")).message, Catch::Contains("king"));
    CHECK(parse_error("[1, 2]").code == "bad_message");
    CHECK(parse_error(R"("op")").code == "bad_message");
    CHECK(parse_error(R"({"type": 5})").code == "bad_message");
}

TEST_CASE("parse_client_message rejects an oversize message as too_large", "[protocol]") {
    limits lim;
    std::string big = R"({"type": "focus", "target": null})";
    big.insert(big.size() - 1, std::string(lim.max_message_bytes - big.size(), ' '));
    REQUIRE(big.size() == lim.max_message_bytes);
    CHECK(parse_error(big, lim).code == "(no error)");
    big.insert(big.size() - 1, " ");
    CHECK(parse_error(big, lim).code == "too_large");

    // Checked before parsing: even malformed text is too_large first.
    CHECK(parse_error(std::string(lim.max_message_bytes + 1, '{'), lim).code == "too_large");
    limits tiny;
    tiny.max_message_bytes = 20;
    CHECK(parse_error(op_text, tiny).code == "too_large");
}

TEST_CASE("encode_client_message -> parse_client_message round trip", "[protocol]") {
    std::vector<client_message> messages = {
        est::join_message{"m1", "c-anna-0123456789ab", anna(), std::nullopt, {}},
        est::join_message{"m1", "c-anna-0123456789ab", est::identity{"Cecilia", "kommun", est::role::chair}, 17, {}},
        est::join_message{"m1", "c-anna-0123456789ab", std::nullopt, 17, "0123456789abcdef"},
        est::join_message{"m1", "c-anna-0123456789ab", std::nullopt, std::nullopt, {}, true},
        est::op_message{1, 0, est::add_entry_change{"hot-och-vald", "polis", "e1"}},
        est::op_message{2, 1, est::text_change{{"hot-och-vald", "polis", "e1", "handelse"},
                                               est::text_operation{}.insert(u"Hot \U0001F44A v\u00e5ld")}},
        est::op_message{3, 2, est::set_change{{"hot-och-vald", "polis", "e1", "trend"}, "ökar"}},
        est::op_message{4, 3, est::remove_entry_change{"hot-och-vald", "polis", "e1"}},
        est::focus_message{est::field_ref{"andt", "", "", "niva"}},
        est::focus_message{std::nullopt},
    };
    for (const auto& m : messages) {
        const std::string text = est::encode_client_message(m);
        INFO(text);
        CHECK(json::parse(text).is_object());
        const auto back = est::parse_client_message(text, limits{});
        CHECK(back.index() == m.index());
        CHECK(est::encode_client_message(back) == text);
    }
    const auto j = std::get<est::join_message>(est::parse_client_message(est::encode_client_message(messages[1]), {}));
    CHECK(j.since == 17u);
    CHECK(j.who->role == est::role::chair);
    CHECK(j.who->name == "Cecilia");
    CHECK(j.epoch.empty());
    const auto k = std::get<est::join_message>(est::parse_client_message(est::encode_client_message(messages[2]), {}));
    CHECK(k.since == 17u);
    CHECK(k.epoch == "0123456789abcdef");
    CHECK_FALSE(k.who);
    CHECK_FALSE(k.applied);
    CHECK(std::get<est::join_message>(est::parse_client_message(est::encode_client_message(messages[3]), {})).applied);
}

TEST_CASE("a join's applied is true or false", "[protocol]") {
    const std::string head = R"({"type":"join","meeting":"m1","client":"c-anna-0123456789ab","applied":)";
    CHECK(std::get<est::join_message>(est::parse_client_message(head + "false}", {})).applied == false);
    CHECK(parse_error(head + "1}", limits{}).code == "bad_message");
    CHECK(parse_error(head + "\"true\"}", limits{}).code == "bad_message");
}

TEST_CASE("a join's epoch is a bounded string", "[protocol]") {
    const std::string head = R"({"type":"join","meeting":"m1","client":"c-anna-0123456789ab","since":3,"epoch":)";
    CHECK(parse_error(head + "\"" + std::string(est::max_epoch_length, 'a') + "\"}", limits{}).code == "(no error)");
    CHECK(parse_error(head + "\"" + std::string(est::max_epoch_length + 1, 'a') + "\"}", limits{}).code == "bad_message");
    CHECK(parse_error(head + "17}", limits{}).code == "bad_message");
}

TEST_CASE("server message encoders", "[protocol]") {
    CHECK(json::parse(est::encode::ack(3, 9, false)) == json::parse(R"({"type": "ack", "seq": 3, "rev": 9})"));
    CHECK(json::parse(est::encode::ack(3, 9, true)) ==
          json::parse(R"({"type": "ack", "seq": 3, "rev": 9, "duplicate": true})"));

    const auto err = json::parse(est::encode::error("forbidden", "nej", 4));
    CHECK(err == json::parse(R"({"type": "error", "code": "forbidden", "message": "nej", "seq": 4})"));
    CHECK_FALSE(json::parse(est::encode::error("bad_json", "x")).contains("seq"));
    // A message quoting invalid client input still encodes as valid JSON.
    const auto quoted = json::parse(est::encode::error("bad_message", std::string("'v\xE5ld'")));
    CHECK(quoted.at("message").get<std::string>().find("\xEF\xBF\xBD") != std::string::npos);

    const est::participant_info p{"p7", anna(), est::field_ref{"andt", "polis", "e1", "plats"}};
    CHECK(est::participant_to_json(p) == json::parse(R"({"session": "p7", "name": "Anna Åström", "org": "polis",
        "role": "participant", "focus": {"topic": "andt", "org": "polis", "entry": "e1", "field": "plats"}})"));
    CHECK(json::parse(est::encode::presence(p)) == json{{"type", "presence"}, {"participant", est::participant_to_json(p)}});
    CHECK(json::parse(est::encode::presence_left("p7")) == json::parse(R"({"type": "presence_left", "session": "p7"})"));

    const est::change c = est::set_change{{"andt", "", "", "niva"}, "hög"};
    const auto op = json::parse(est::encode::op(12, "c-anna-0123456789ab", 5, p, c));
    CHECK(op == json::parse(R"({"type": "op", "rev": 12, "client": "c-anna-0123456789ab", "seq": 5,
        "by": {"session": "p7", "name": "Anna Åström", "org": "polis"},
        "change": {"kind": "set", "target": {"topic": "andt", "field": "niva"}, "value": "hög"}})"));
}

TEST_CASE("ack and op are written directly, byte for byte as the json DOM dumps them", "[protocol]") {
    for (const std::uint64_t seq : {1ull, 9ull, 18446744073709551615ull})
        for (const bool dup : {false, true}) {
            json j = {{"type", "ack"}, {"seq", seq}, {"rev", seq / 3}};
            if (dup) j["duplicate"] = true;
            CHECK(est::encode::ack(seq, seq / 3, dup) == j.dump());
        }
    const json applied = {{"type", "applied"}, {"seq", 7}, {"rev", 42}, {"flags", {{"numbers", json::array()}}}};
    CHECK(est::encode::applied(7, 42, R"({"numbers":[]})") == applied.dump());
    // Names with å/ä/ö, quotes, a backslash, a control character and an emoji; client ids needing escapes.
    const est::participant_info p{"p7", {"Anna \"Åström\" \\ 😀\t", "polis", est::role::participant}, std::nullopt};
    const std::vector<est::change> changes = {
        est::set_change{{"andt", "", "", "niva"}, "hög"},
        est::text_change{{"andt", "polis", "e1", "plats"}, est::text_operation::from_json(json::parse(R"([3, "ö\n🇸🇪", -2, 4])"), "ops")},
        est::add_entry_change{"andt", "polis", "e2"},
        est::remove_entry_change{"andt", "polis", "e2"},
    };
    for (const std::string client : {"c-anna-0123456789ab", "c-\"q\"\u0001"})
        for (const auto& c : changes) {
            const json dom = {{"type", "op"}, {"rev", 12}, {"client", client}, {"seq", 5},
                              {"by", {{"session", p.session}, {"name", p.who.name}, {"org", p.who.org}}},
                              {"change", est::change_to_json(c)}};
            CHECK(est::encode::op(12, client, 5, p, c) == dom.dump());
            CHECK(est::encode::op(12, client, 5, est::encode::author_json(p), est::change_to_json(c).dump()) == dom.dump());
        }
}

TEST_CASE("encode::welcome with catch_up is valid JSON with the ops intact", "[protocol]") {
    const auto tmpl = est::meeting_template::load_file(EST_SOURCE_DIR "/templates/est-biweekly.json");
    const json meeting = {{"id", "m1"},
                          {"group", json::parse(R"({"id": "g", "name": "EST Malmö", "organisations": [{"id": "polis", "name": "Polisen"}]})")},
                          {"template", tmpl.to_json()}};
    const est::participant_info you{"p1", anna(), std::nullopt};
    const est::participant_info other{"p2", {"Björn", "polis", est::role::participant}, std::nullopt};
    const std::vector<std::string> ops = {
        est::encode::op(5, "c-bjorn-0123456789ab", 1, other, est::add_entry_change{"andt", "polis", "e1"}),
        est::encode::op(6, "c-bjorn-0123456789ab", 2, other,
                        est::text_change{{"andt", "polis", "e1", "handelse"}, est::text_operation{}.insert(u"H\u00e4r \U0001F600")}),
        est::encode::op(7, "c-anna-0123456789ab", 4, you, est::set_change{{"andt", "polis", "e1", "trend"}, "minskar"}),
    };

    est::encode::welcome_parts w;
    w.meeting = &meeting;
    w.you = you;
    w.you_client = "k-0123456789abcdef0123";
    w.rev = 7;
    w.last_seq = 4;
    w.participants = {you, other};
    for (const auto& o : ops) w.catch_up.push_back(&o);
    const std::string text = est::encode::welcome(w);
    INFO(text);
    json j;
    REQUIRE_NOTHROW(j = json::parse(text));
    CHECK(j.at("type") == "welcome");
    CHECK(j.at("rev") == 7);
    CHECK(j.at("last_seq") == 4);
    CHECK(j.at("meeting") == meeting);
    json you_json = est::participant_to_json(you);
    you_json["client"] = "k-0123456789abcdef0123";
    CHECK(j.at("you") == you_json);
    CHECK(j.at("participants").size() == 2);
    CHECK_FALSE(j.contains("state"));
    REQUIRE(j.at("catch_up").is_array());
    REQUIRE(j.at("catch_up").size() == 3);
    for (std::size_t i = 0; i < ops.size(); ++i) CHECK(j["catch_up"][i] == json::parse(ops[i]));
    CHECK(j["catch_up"][1]["change"]["ops"] == json::parse(R"(["Här 😀"])"));

    SECTION("empty catch_up") {
        w.catch_up.clear();
        const auto e = json::parse(est::encode::welcome(w));
        CHECK(e.at("catch_up") == json::array());
    }
    SECTION("whole state instead") {
        const json state = {{"topics", json::array()}};
        const std::string dumped = state.dump();
        w.state = &dumped;
        const auto s = json::parse(est::encode::welcome(w));
        CHECK(s.at("state") == state);
        CHECK_FALSE(s.contains("catch_up"));
    }
}

TEST_CASE("regression: a bad op whose seq can be read names its seq", "[protocol][issue11]") {
    // Without it a client cannot tell which pending change was refused.
    for (const char* bad : {R"({"type":"op","seq":7,"rev":-5,"change":{}})",
                            R"({"type":"op","seq":7,"rev":1,"extra":1,"change":{}})",
                            R"({"type":"op","seq":7,"rev":1,"change":{"kind":"move"}})",
                            R"({"type":"op","seq":7,"rev":1,"change":{"kind":"text","target":{"topic":"a","field":"b"},"ops":[1.5]}})",
                            R"({"type":"op","seq":7,"rev":1,"change":{"kind":"text","target":{"topic":"a","field":"b"},"ops":[null]}})",
                            R"({"type":"op","seq":7,"rev":1,"change":{"kind":"text","target":{"topic":"a","field":"b"},"ops":[18446744073709551615]}})"}) {
        INFO(bad);
        std::optional<std::uint64_t> seq;
        CHECK_THROWS_AS(est::parse_client_message(bad, {}, &seq), est::domain_error);
        CHECK(seq == std::optional<std::uint64_t>(7));
    }
    std::optional<std::uint64_t> none;
    CHECK_THROWS_AS(est::parse_client_message(R"({"type":"op","seq":-1,"rev":1,"change":{}})", {}, &none), est::domain_error);
    CHECK_FALSE(none);
}

TEST_CASE("join: the client secret must be long enough and the name free of control characters", "[protocol][issue11]") {
    CHECK(parse_error(with(join_text, "client", "c-short")).code == "bad_message");
    CHECK(parse_error(with(join_text, "client", "c-0123456789abcdef")).code == "(no error)");
    CHECK(parse_error(with(join_text, "name", "Anna\u202e")).code == "bad_message");
}
