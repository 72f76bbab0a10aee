// The contract of docs/protocol.md, rule by rule, as a client written from the document alone relies on it:
// the transform tie-break, the canonical form of `ops`, rebasing after a whole state, `seq`, which error
// code answers what, and the shape of the state. The vectors in tests/vectors/protocol_contract.json run
// here through the server's own path (est::meeting_state) and in client/web/tests/unit/protocol-contract.test.ts
// through the web client's TextOperation.
#include "fixtures.hpp"

#include <cstdint>
#include <fstream>
#include <optional>
#include <sstream>
#include <string>
#include <vector>

#include <catch2/catch.hpp>
#include <nlohmann/json.hpp>

#include "est/change.hpp"
#include "est/error.hpp"
#include "est/meeting_document.hpp"
#include "est/meeting_state.hpp"
#include "est/protocol.hpp"
#include "est/text_operation.hpp"

using est::change;
using est::field_ref;
using est::identity;
using est::meeting_state;
using est::role;
using est::text_operation;
using json = nlohmann::json;

namespace {

using est::test::biweekly;
using est::test::fails;
using est::test::S;
using est::test::U;

const identity anna{"Anna", "polis", role::participant};
const identity bjorn{"Björn", "polis", role::participant};
const identity kim{"Kim", "kommun", role::participant};

const field_ref handelse{"hot-och-vald", "polis", "e1", "handelse"};

json load_contract() {
    std::ifstream in(EST_SOURCE_DIR "/tests/vectors/protocol_contract.json", std::ios::binary);
    REQUIRE(in.good());
    std::stringstream ss;
    ss << in.rdbuf();
    return json::parse(ss.str());
}

text_operation op_of(const json& wire) { return text_operation::from_json(wire, "ops"); }
change text(const field_ref& target, const json& wire) { return est::text_change{target, op_of(wire)}; }
std::string text_of(const meeting_state& st, const field_ref& f) { return S(st.document().field(f).text); }

// A meeting whose field `handelse` (of entry e1) holds `doc`; returns it at the revision where it does.
meeting_state meeting_with(const std::string& doc) {
    meeting_state st(est::meeting_document(biweekly(), est::test::test_orgs), 0, {}, est::limits{});
    st.submit("setup", 1, 0, est::add_entry_change{"hot-och-vald", "polis", "e1"}, anna);
    if (!doc.empty()) st.submit("setup", 2, st.rev(), text(handelse, json::array({doc})), anna);
    return st;
}

json ops_applied(const std::optional<change>& c) {
    REQUIRE(c.has_value());
    const json j = est::change_to_json(*c);  // exactly what the broadcast `op` carries as its change
    return j.at("ops");
}

std::string parse_code(std::string_view text) {
    return fails([&] { est::parse_client_message(text, est::limits{}); }).code;
}

// A join that is valid before and after any change to the rules of `client` (16+ id characters).
json join_json() {
    return json::parse(R"({"type":"join","meeting":"fagersta-v47","client":"c-3f9a0e7b41d2c5a8e6",
                           "name":"Anna Berg","org":"polis","role":"participant"})");
}
json op_json() {
    return json::parse(R"({"type":"op","seq":7,"rev":41,"change":{"kind":"text",
        "target":{"topic":"andt","org":"polis","entry":"e1","field":"plats"},"ops":[12,"torget"]}})");
}

}  // namespace

// ---- "Text changes": the tie-break ----

TEST_CASE("contract: at one position the change already applied on the server inserts first", "[contract][vectors]") {
    const json v = load_contract();
    CHECK(v.at("unit") == "utf16");
    const json& cases = v.at("server_transform");
    CHECK(cases.size() >= 5);
    for (const json& c : cases) {
        INFO("case: " << c.at("name").get<std::string>());
        auto st = meeting_with(c.at("doc").get<std::string>());
        const std::uint64_t base = st.rev();
        // Others' changes, each made against the newest revision: applied as they are.
        int other = 0;
        for (const json& a : c.at("applied")) {
            const auto applied = st.submit("other-" + std::to_string(++other), 1, st.rev(), text(handelse, a), bjorn);
            CHECK(ops_applied(applied) == a);
        }
        // The incoming change, made against `base`, is transformed over them.
        const auto got = st.submit("author", 1, base, text(handelse, c.at("incoming")), anna);
        CHECK(ops_applied(got) == c.at("broadcast"));
        CHECK(text_of(st, handelse) == c.at("result").get<std::string>());
        CHECK(st.rev() == base + c.at("applied").size() + 1);

        // The author's client, holding the incoming change, receives each applied change in turn.
        text_operation pending = op_of(c.at("incoming"));
        std::u16string visible = pending.apply(U(c.at("doc").get<std::string>()));
        for (std::size_t i = 0; i < c.at("applied").size(); ++i) {
            auto [for_us, pending_now] = text_operation::transform(op_of(c.at("applied")[i]), pending);
            CHECK(for_us.to_json() == c.at("client_sees")[i]);
            visible = for_us.apply(visible);
            pending = std::move(pending_now);
        }
        CHECK(S(visible) == c.at("result").get<std::string>());
        CHECK(pending.to_json() == c.at("broadcast"));

        if (c.contains("incoming_first")) {
            // What the other convention would make of it: not what the server holds.
            const text_operation applied = op_of(c.at("applied").at(0));
            const auto incoming_first = text_operation::transform(op_of(c.at("incoming")), applied).first;
            const auto after = applied.apply(U(c.at("doc").get<std::string>()));
            CHECK(S(incoming_first.apply(after)) == c.at("incoming_first").get<std::string>());
            CHECK(c.at("incoming_first") != c.at("result"));
        }
    }
}

// ---- "Text changes": the canonical form ----

TEST_CASE("contract: ops are accepted in any order of equivalent components and held in canonical form",
          "[contract][vectors]") {
    const json v = load_contract();
    const json& cases = v.at("canonical");
    CHECK(cases.size() >= 10);
    for (const json& c : cases) {
        INFO("case: " << c.at("name").get<std::string>() << " ops " << c.at("ops").dump());
        const std::string error = c.value("error", "");
        // As a whole op message: how the server reads it.
        json msg = op_json();
        msg["change"]["ops"] = c.at("ops");
        if (error == "bad_message") {
            CHECK(fails([&] { op_of(c.at("ops")); }).code == "bad_message");
            CHECK(parse_code(msg.dump()) == "bad_message");
            continue;
        }
        CHECK(parse_code(msg.dump()) == "(no error)");
        const text_operation parsed = op_of(c.at("ops"));
        if (!c.contains("doc")) {
            CHECK(parsed.to_json() == c.at("canonical"));
            continue;
        }
        auto st = meeting_with(c.at("doc").get<std::string>());
        const auto rev = st.rev();
        if (!error.empty()) {
            CHECK(fails([&] { st.submit("author", 1, rev, text(handelse, c.at("ops")), anna); }).code == error);
            CHECK(st.rev() == rev);
            CHECK(st.last_seq("author") == 0);
            continue;
        }
        CHECK(parsed.to_json() == c.at("canonical"));
        // The broadcast form is the canonical one, and even a change that changes nothing is a revision.
        CHECK(ops_applied(st.submit("author", 1, rev, text(handelse, c.at("ops")), anna)) == c.at("canonical"));
        CHECK(text_of(st, handelse) == c.at("result").get<std::string>());
        CHECK(st.rev() == rev + 1);
    }
}

// ---- "Writing a client": rebasing onto a whole state ----

TEST_CASE("contract: pending typing is rebased onto a whole state by transforming it over diff(base, new)",
          "[contract][vectors]") {
    const json v = load_contract();
    for (const json& c : v.at("rebase")) {
        INFO("case: " << c.at("name").get<std::string>());
        const std::u16string old_text = U(c.at("old").get<std::string>());
        const text_operation in_flight = op_of(c.at("in_flight"));
        const std::optional<text_operation> buffer =
            c.at("buffer").is_null() ? std::nullopt : std::optional(op_of(c.at("buffer")));
        const bool applied = c.at("applied").get<bool>();
        const std::u16string base = applied ? in_flight.apply(old_text) : old_text;
        std::optional<text_operation> mine;
        if (applied) mine = buffer;
        else mine = buffer ? text_operation::compose(in_flight, *buffer) : in_flight;
        if (c.at("new").is_null() || !mine) {
            CHECK(c.at("resend").is_null());
            continue;
        }
        const std::string new_text = c.at("new").get<std::string>();
        const auto resend = text_operation::transform(text_operation::diff(base, U(new_text)), *mine).second;
        CHECK(resend.to_json() == c.at("resend"));
        // Sent against the welcome's revision, the server applies it as it is.
        auto st = meeting_with(new_text);
        CHECK(ops_applied(st.submit("author", 5, st.rev(), text(handelse, resend.to_json()), anna)) == c.at("resend"));
        CHECK(text_of(st, handelse) == c.at("visible").get<std::string>());
    }
}

// ---- "seq" ----

TEST_CASE("contract: seq must pass the last applied one, gaps are allowed, a refused seq is not used up",
          "[contract][seq]") {
    auto st = meeting_with("");
    const auto r = st.rev();
    // Gaps: any seq above the last applied one.
    REQUIRE(st.submit("c", 3, r, text(handelse, R"(["a"])"_json), anna).has_value());
    REQUIRE(st.submit("c", 10, r + 1, text(handelse, R"([1, "b"])"_json), anna).has_value());
    CHECK(st.last_seq("c") == 10);

    // A refused change does not advance last_seq: its seq may carry the next change.
    CHECK(fails([&] { st.submit("c", 11, r + 2, text(handelse, "[5]"_json), anna); }).code == "out_of_range");
    CHECK(st.last_seq("c") == 10);
    REQUIRE(st.submit("c", 11, r + 2, text(handelse, R"([2, "c"])"_json), anna).has_value());
    CHECK(st.last_seq("c") == 11);

    // A seq at or below the last applied one is a duplicate — answered `duplicate` and not applied — even when
    // no change was ever applied under it (4 was never used) and even when the change would be refused.
    const json before = st.snapshot();
    CHECK_FALSE(st.submit("c", 4, r + 3, text(handelse, R"([3, "X"])"_json), anna).has_value());
    CHECK_FALSE(st.submit("c", 11, r + 3, est::add_entry_change{"hot-och-vald", "kommun", "k9"}, anna).has_value());
    CHECK(st.snapshot() == before);

    // Exactly-once is per client: another client's seq 4 is its own.
    CHECK(st.submit("d", 4, r + 3, text(handelse, R"([3, "X"])"_json), bjorn).has_value());
    CHECK(text_of(st, handelse) == "abcX");
    // 0 is never a seq.
    CHECK(fails([&] { st.submit("e", 0, st.rev(), text(handelse, "[4]"_json), anna); }).code == "bad_message");
}

TEST_CASE("contract: seq may run at most 4096 past last_seq and never past 2^53-1", "[contract][seq]") {
    auto st = meeting_with("");
    CHECK(fails([&] { st.submit("fresh", 4097, st.rev(), text(handelse, R"(["a"])"_json), anna); }).code == "bad_message");
    CHECK(st.submit("fresh", 4096, st.rev(), text(handelse, R"(["a"])"_json), anna).has_value());
    CHECK(fails([&] { st.submit("fresh", 4096 + 4097, st.rev(), text(handelse, R"([1, "b"])"_json), anna); }).code ==
          "bad_message");
    CHECK(st.submit("fresh", 4096 + 4096, st.rev(), text(handelse, R"([1, "b"])"_json), anna).has_value());

    // A client whose last applied seq is just below 2^53-1 (as restored from a snapshot).
    constexpr std::uint64_t max_seq = (std::uint64_t{1} << 53) - 1;
    meeting_state near(est::meeting_document(biweekly(), est::test::test_orgs), 0, {{"k-old", max_seq - 1}}, est::limits{});
    near.submit("setup", 1, 0, est::add_entry_change{"hot-och-vald", "polis", "e1"}, anna);
    CHECK(near.submit("k-old", max_seq, near.rev(), text(handelse, R"(["a"])"_json), anna).has_value());
    CHECK_FALSE(near.submit("k-old", max_seq, near.rev(), text(handelse, R"([1, "b"])"_json), anna).has_value());
    meeting_state past(est::meeting_document(biweekly(), est::test::test_orgs), 0, {{"k-old", max_seq}}, est::limits{});
    past.submit("setup", 1, 0, est::add_entry_change{"hot-och-vald", "polis", "e1"}, anna);
    CHECK(fails([&] { past.submit("k-old", max_seq + 1, past.rev(), text(handelse, R"(["a"])"_json), anna); }).code ==
          "bad_message");
}

// ---- "Error codes": what answers what ----

TEST_CASE("contract: a message that is not an object with a string type is bad_message", "[contract][errors]") {
    CHECK(parse_code("[1, 2]") == "bad_message");
    CHECK(parse_code(R"("op")") == "bad_message");
    CHECK(parse_code("42") == "bad_message");
    CHECK(parse_code("null") == "bad_message");
    CHECK(parse_code("{}") == "bad_message");                    // type missing
    CHECK(parse_code(R"({"seq": 1})") == "bad_message");         // type missing
    CHECK(parse_code(R"({"type": 5})") == "bad_message");        // not a string
    CHECK(parse_code(R"({"type": null})") == "bad_message");
    // A string type that is not one of the three, case included.
    CHECK(parse_code(R"({"type": "leave"})") == "unknown_type");
    CHECK(parse_code(R"({"type": "OP"})") == "unknown_type");
    CHECK(parse_code(R"({"type": "ack"})") == "unknown_type");
}

TEST_CASE("contract: negative or fractional since, rev and seq are bad_message", "[contract][errors]") {
    for (const json& bad : {json(-1), json(1.5), json("41"), json(nullptr)}) {
        INFO(bad.dump());
        json j = join_json();
        j["since"] = bad;
        CHECK(parse_code(j.dump()) == "bad_message");
        for (const char* key : {"rev", "seq"}) {
            json o = op_json();
            o[key] = bad;
            CHECK(parse_code(o.dump()) == "bad_message");
        }
    }
    json o = op_json();
    o["change"]["kind"] = "move";
    CHECK(parse_code(o.dump()) == "bad_message");
    o = op_json();
    o["colour"] = "red";
    CHECK(parse_code(o.dump()) == "bad_message");

    // Once `seq` is read, the error names it; a `seq` that cannot be read is not named.
    auto seq_of_error = [](const json& msg) {
        std::optional<std::uint64_t> seq;
        const auto f = fails([&] { est::parse_client_message(msg.dump(), est::limits{}, &seq); });
        CHECK(f.code == "bad_message");
        return seq;
    };
    for (const char* key : {"rev", "colour"}) {
        o = op_json();
        o[key] = -1;
        CHECK(seq_of_error(o) == std::optional<std::uint64_t>(7));
    }
    o = op_json();
    o["change"]["kind"] = "move";
    CHECK(seq_of_error(o) == std::optional<std::uint64_t>(7));
    for (const json& bad : {json(1.5), json(nullptr), json::parse("9223372036854775808")}) {
        o = op_json();
        o["change"]["ops"] = json::array({bad});
        CHECK(seq_of_error(o) == std::optional<std::uint64_t>(7));
    }
    o = op_json();
    o["seq"] = -7;
    CHECK_FALSE(seq_of_error(o).has_value());
    CHECK(parse_code(join_json().dump()) == "(no error)");
    CHECK(parse_code(op_json().dump()) == "(no error)");
}

TEST_CASE("contract: a lone surrogate escape and invalid UTF-8 are bad_json", "[contract][errors]") {
    auto with_name = [](const std::string& escaped) {
        return R"({"type":"join","meeting":"fagersta-v47","client":"c-3f9a0e7b41d2c5a8e6","name":")" + escaped +
               R"(","org":"polis","role":"participant"})";
    };
    CHECK(parse_code(with_name(R"(Anna \ud83d\ude00)")) == "(no error)");  // a pair is a character
    CHECK(parse_code(with_name(R"(Anna \ud800)")) == "bad_json");          // a high half alone
    CHECK(parse_code(with_name(R"(Anna \udc00)")) == "bad_json");          // a low half alone
    CHECK(parse_code(with_name(R"(\ud800\u0041)")) == "bad_json");         // a high half before no low half
    CHECK(parse_code(with_name(R"(\ude00\ud83d)")) == "bad_json");         // the halves swapped
    // Bytes that are not UTF-8: a stray byte, an overlong form, an encoded surrogate. (Over the WebSocket
    // such a text frame never gets this far: it is closed with 1007.)
    CHECK(parse_code(with_name("Anna \xff")) == "bad_json");
    CHECK(parse_code(with_name("Anna \xc0\xaf")) == "bad_json");
    CHECK(parse_code(with_name("Anna \xed\xa0\x80")) == "bad_json");
    // Inside an inserted text as well.
    CHECK(parse_code(R"({"type":"op","seq":1,"rev":0,"change":{"kind":"text","target":{"topic":"andt","field":"bedomning"},"ops":["\ud800"]}})") ==
          "bad_json");
}

TEST_CASE("contract: focus on a field that does not exist is not_found, any existing field may have the focus",
          "[contract][errors]") {
    // The room looks the target up as the document does (meeting_room::do_focus).
    auto st = meeting_with("");
    const auto& doc = st.document();
    auto code = [&](const field_ref& f) { return fails([&] { doc.field(f); }).code; };
    CHECK(code({"nope", "", "", "bedomning"}) == "not_found");           // topic
    CHECK(code({"andt", "", "", "nope"}) == "not_found");                // topic field
    CHECK(code({"andt", "polis", "e1", "nope"}) == "not_found");         // entry field
    CHECK(code({"andt", "xx", "e1", "plats"}) == "not_found");           // organisation
    CHECK(code({"hot-och-vald", "polis", "e9", "plats"}) == "not_found");  // entry
    CHECK(code({"hot-och-vald", "polis", "e1", "plats"}) == "(no error)");
    CHECK(code({"hot-och-vald", "polis", "e1", "trend"}) == "(no error)");  // a choice field too
    CHECK(code({"andt", "", "", "niva"}) == "(no error)");
}

// ---- "welcome": the state ----

TEST_CASE("contract: every field of the state is present, an empty text as an empty string, an unset choice as an empty value at rev 0",
          "[contract][state]") {
    auto st = meeting_with("");
    const json state = st.document().to_json();
    REQUIRE(state.at("topics").is_array());
    CHECK(state.at("retired") == json::array());
    const auto& tmpl = *biweekly();
    CHECK(state.at("topics").size() == tmpl.topics.size());
    for (const json& t : state.at("topics")) {
        INFO("topic " << t.at("id"));
        for (const auto& f : tmpl.topic_fields) {
            const json& value = t.at("fields").at(f.id);
            if (f.kind == est::field_kind::text) CHECK(value == "");
            else CHECK(value == json::parse(R"({"value": "", "rev": 0})"));
        }
        CHECK(t.at("cells").size() == est::test::test_orgs.size());  // a cell for every organisation
    }
    // The entry just added: every field present, none absent.
    const json& cells = state.at("topics").at(0).at("cells");
    REQUIRE(state.at("topics").at(0).at("id") == "hot-och-vald");
    const json& entry = cells.at("polis").at("entries").at(0);
    CHECK(entry.at("id") == "e1");
    CHECK(entry.at("fields").size() == tmpl.entry_fields.size());
    for (const auto& f : tmpl.entry_fields) {
        if (f.kind == est::field_kind::text) CHECK(entry.at("fields").at(f.id) == "");
        else CHECK(entry.at("fields").at(f.id) == json::parse(R"({"value": "", "rev": 0})"));
    }
    CHECK(cells.at("kommun").at("entries") == json::array());

    // A removed entry's key is listed in `retired`.
    st.submit("setup", 9, st.rev(), est::remove_entry_change{"hot-och-vald", "polis", "e1"}, anna);
    CHECK(st.document().to_json().at("retired") == json::array({"hot-och-vald/polis/e1"}));
}

// ---- "Limits": a change that does not lengthen a text is never refused for its length ----

TEST_CASE("contract: a text over its limit may still be shortened, not lengthened", "[contract][limits]") {
    est::meeting_document doc(biweekly(), est::test::test_orgs);
    est::limits roomy;
    doc.apply(est::add_entry_change{"hot-och-vald", "polis", "e1"}, 1, roomy);
    doc.apply(text(handelse, R"(["0123456789"])"_json), 2, roomy);
    est::limits tight = roomy;
    tight.max_field_length = 5;  // e.g. a lower --max-field-length after a restart
    CHECK(fails([&] { doc.apply(text(handelse, R"([10, "x"])"_json), 3, tight); }).code == "text_too_long");
    CHECK(fails([&] { doc.apply(text(handelse, R"([9, "x", -1])"_json), 3, tight); }).code == "(no error)");
    CHECK(fails([&] { doc.apply(text(handelse, R"([-1, 9])"_json), 4, tight); }).code == "(no error)");
    CHECK(S(doc.field(handelse).text) == "12345678x");
}

// ---- "Text changes": what a text may hold ----

TEST_CASE("contract: inserted text holding a control or bidi control is bad_text, deleting one is allowed",
          "[contract][vectors]") {
    const json v = load_contract();
    const json& cases = v.at("text_rules");
    CHECK(cases.size() >= 20);
    for (const json& c : cases) {
        INFO("case: " << c.at("name").get<std::string>());
        std::u16string ch;
        est::append_utf16(ch, c.at("code_point").get<char32_t>());
        const std::string text_with = S(u"a" + ch + u"b");
        auto st = meeting_with("xy");
        const auto rev = st.rev();
        const auto code = fails([&] { st.submit("author", 1, rev, text(handelse, json::array({1, text_with, 1})), anna); }).code;
        if (c.at("refused").get<bool>()) {
            CHECK(code == "bad_text");
            CHECK(st.rev() == rev);
            CHECK(st.last_seq("author") == 0);
            CHECK(text_of(st, handelse) == "xy");
            // Such a character already in a text (from before the rule) may be deleted.
            st.replay("old-client", 1, text(handelse, json::array({1, S(ch), 1})));
            CHECK(fails([&] { st.submit("author", 1, st.rev(), text(handelse, json::array({1, -static_cast<int>(ch.size()), 1})), anna); }).code ==
                  "(no error)");
            CHECK(text_of(st, handelse) == "xy");
        } else {
            CHECK(code == "(no error)");
            CHECK(text_of(st, handelse) == "x" + text_with + "y");
        }
    }
}
