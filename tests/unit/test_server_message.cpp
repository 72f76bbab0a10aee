#include "est/server_message.hpp"

#include <optional>
#include <random>
#include <string>
#include <vector>

#include <catch2/catch.hpp>
#include <nlohmann/json.hpp>

#include "est/error.hpp"
#include "est/protocol.hpp"
#include "est/utf.hpp"
#include "fixtures.hpp"

using est::ack_message;
using est::field_ref;
using est::remote_op;
using est::scan_op_or_ack;
using est::server_message;
using est::text_operation;
using json = nlohmann::json;

namespace {

bool same_change(const est::change& a, const est::change& b) {
    if (a.index() != b.index()) return false;
    if (const auto* ta = std::get_if<est::text_change>(&a))
        return ta->target == std::get<est::text_change>(b).target && ta->op == std::get<est::text_change>(b).op;
    return est::change_to_json(a) == est::change_to_json(b);
}

bool same_op(const remote_op& a, const remote_op& b) {
    return a.rev == b.rev && a.client == b.client && a.seq == b.seq && a.by == b.by && same_change(a.body, b.body);
}

// What the DOM route makes of a message: the reference the scanner must agree with.
struct dom_result {
    enum { not_json, not_op_or_ack, malformed, op, ack } kind = not_json;
    std::string type;
    std::optional<remote_op> op_value;
    std::optional<ack_message> ack_value;
};

dom_result dom_decode(std::string_view text) {
    dom_result r;
    json j;
    try {
        j = json::parse(text);
    } catch (const json::exception&) {  // parse_error, or out_of_range for a number past a double
        return r;
    }
    r.kind = dom_result::not_op_or_ack;
    auto t = j.find("type");
    if (t == j.end() || !t->is_string()) return r;
    r.type = t->get<std::string>();
    if (r.type != "op" && r.type != "ack") return r;
    try {
        if (r.type == "op") {
            r.op_value = est::remote_op_from_json(j);
            r.kind = dom_result::op;
        } else {
            r.ack_value = est::ack_from_json(j);
            r.kind = dom_result::ack;
        }
    } catch (const json::exception&) {
        r.kind = dom_result::malformed;
    } catch (const est::domain_error&) {
        r.kind = dom_result::malformed;
    }
    return r;
}

// The scanner, when it accepts, reads exactly what the DOM reads; server_message agrees with the DOM
// whichever route it took. Returns whether the scanner accepted.
bool check_agrees(std::string_view text) {
    INFO("message: " << text);
    const auto fast = scan_op_or_ack(text);
    const auto dom = dom_decode(text);
    if (fast) {
        if (const auto* op = std::get_if<remote_op>(&*fast)) {
            REQUIRE(dom.kind == dom_result::op);
            CHECK(same_op(*op, *dom.op_value));
        } else {
            REQUIRE(dom.kind == dom_result::ack);
            CHECK(std::get<ack_message>(*fast) == *dom.ack_value);
        }
    }
    if (dom.kind == dom_result::not_json) {
        CHECK_FALSE(fast.has_value());
        CHECK_THROWS_AS(server_message(text), json::exception);
        return false;
    }
    const server_message msg(text);
    CHECK(msg.type() == dom.type);
    CHECK(msg.text() == text);
    CHECK(msg.json() == json::parse(text));
    REQUIRE((msg.op() != nullptr) == (dom.kind == dom_result::op));
    REQUIRE((msg.ack() != nullptr) == (dom.kind == dom_result::ack));
    if (msg.op()) CHECK(same_op(*msg.op(), *dom.op_value));
    if (msg.ack()) CHECK(*msg.ack() == *dom.ack_value);
    return fast.has_value();
}

text_operation ops(const char* wire) { return text_operation::from_json(json::parse(wire), "ops"); }

est::participant_info author(std::string session, std::string name, std::string org) {
    return {std::move(session), {std::move(name), std::move(org), est::role::participant}, std::nullopt};
}

remote_op as_op(std::optional<est::fast_message> m) {
    REQUIRE(m.has_value());
    REQUIRE(std::holds_alternative<remote_op>(*m));
    return std::get<remote_op>(std::move(*m));
}

}  // namespace

TEST_CASE("the scanner reads every field of an op as the server sends it") {
    const std::string text = est::encode::op(
        43, "c-77aa01", 19, author("p1", "Eva Ek", "kommun"),
        est::text_change{{"andt", "polis", "e1", "handelse"}, ops(R"([12,"torget",-3,4])")});
    const auto op = as_op(scan_op_or_ack(text));
    CHECK(op.rev == 43);
    CHECK(op.client == "c-77aa01");
    CHECK(op.seq == 19);
    CHECK(op.by == est::op_author{"p1", "Eva Ek", "kommun"});
    const auto& t = std::get<est::text_change>(op.body);
    CHECK(t.target == field_ref{"andt", "polis", "e1", "handelse"});
    CHECK(t.op == ops(R"([12,"torget",-3,4])"));
    CHECK(check_agrees(text));
}

TEST_CASE("the scanner reads the protocol document's op, keys in its order, and a topic field") {
    const std::string text =
        R"({"type":"op","rev":43,"client":"c-77aa01","seq":19,"by":{"session":"p1","name":"Eva Ek","org":"kommun"},)"
        R"("change":{"kind":"text","target":{"topic":"andt","field":"bedomning"},"ops":[12,"torget"]}})";
    const auto op = as_op(scan_op_or_ack(text));
    CHECK(std::get<est::text_change>(op.body).target == field_ref{"andt", "", "", "bedomning"});
    CHECK(check_agrees(text));
}

TEST_CASE("the scanner reads every kind of change") {
    const auto by = author("p2", "Björn Åström", "polis");
    const std::vector<est::change> changes = {
        est::set_change{{"andt", "polis", "e1", "trend"}, "ökar"},
        est::set_change{{"andt", "", "", "niva"}, ""},
        est::add_entry_change{"andt", "polis", "e-7"},
        est::remove_entry_change{"hot-och-vald", "kommun", "e_2"},
        est::text_change{{"andt", "polis", "e1", "plats"}, ops(R"(["åäö ÅÄÖ 😀"])")},
    };
    for (const auto& c : changes) {
        const std::string text = est::encode::op(7, "c-1", 3, by, c);
        const auto op = as_op(scan_op_or_ack(text));
        CHECK(same_change(op.body, c));
        CHECK(op.by.name == "Björn Åström");
        CHECK(check_agrees(text));
    }
}

TEST_CASE("the scanner reads acks") {
    CHECK(std::get<ack_message>(*scan_op_or_ack(est::encode::ack(7, 42, false))) == ack_message{7, 42, false});
    CHECK(std::get<ack_message>(*scan_op_or_ack(est::encode::ack(7, 42, true))) == ack_message{7, 42, true});
    CHECK(std::get<ack_message>(*scan_op_or_ack(R"({"type":"ack","seq":0,"rev":18446744073709551615,"duplicate":false})")) ==
          ack_message{0, UINT64_MAX, false});
    CHECK(check_agrees(R"( { "type" : "ack" , "seq" : 7 , "rev" : 42 } )"));
}

TEST_CASE("the scanner decodes every string escape, Swedish letters and emoji") {
    const std::string text =
        R"({"type":"op","rev":1,"client":"c-1","seq":1,"by":{"session":"p1","name":"\u00c5sa \"\\\/\b\f\n\r\t\u00e4\u00F6 \ud83d\ude00","org":"polis"},)"
        R"("change":{"kind":"text","target":{"topic":"\u0061ndt","org":"polis","entry":"e1","field":"handelse"},)"
        R"("ops":[3,"å\u00e5ä\u00e4ö\u00f6 😀\uD83D\uDE00 \u0000\u001f€"]}})";
    const auto op = as_op(scan_op_or_ack(text));
    CHECK(op.by.name == "Åsa \"\\/\b\f\n\r\täö 😀");
    const auto& t = std::get<est::text_change>(op.body);
    CHECK(t.target.topic == "andt");
    CHECK(t.op == text_operation().retain(3).insert(est::test::U("ååääöö 😀😀 ") + std::u16string(1, u'\0') + u"\x1f€"));
    CHECK(check_agrees(text));
}

TEST_CASE("the scanner leaves whatever it does not accept to the DOM, which decides as before") {
    const std::string good =
        R"({"by":{"name":"Eva","org":"kommun","session":"p1"},"change":{"kind":"text","ops":[1,"x"],)"
        R"("target":{"entry":"e1","field":"handelse","org":"polis","topic":"andt"}},"client":"c-1","rev":2,"seq":3,"type":"op"})";
    REQUIRE(scan_op_or_ack(good).has_value());
    auto with = [&](const std::string& from, const std::string& to) {
        std::string s = good;
        const auto at = s.find(from);
        REQUIRE(at != std::string::npos);
        return s.replace(at, from.size(), to);
    };
    const std::vector<std::string> refused = {
        with(R"("x")", R"("\ud83d")"),                       // a lone high surrogate
        with(R"("x")", R"("\ude00x")"),                      // a lone low surrogate
        with(R"("x")", R"("\ud83dx\ude00")"),                // a high surrogate not followed by a \u escape
        with(R"("x")", R"("\ud83d\u0041")"),                 // ... followed by something else
        with(R"("x")", R"("\x")"),                           // an unknown escape
        with(R"("x")", R"("\u12G4")"),                       // a bad hex digit
        with(R"("x")", "\"a\x01\""),                         // a raw control character
        with(R"("x")", "\"\xc0\x80\""),                      // an overlong form
        with(R"("x")", "\"\xed\xa0\x80\""),                  // a surrogate in UTF-8
        with(R"("x")", "\"\xf4\x90\x80\x80\""),              // past U+10FFFF
        with(R"("x")", "\"\xc3\""),                          // a truncated sequence
        with(R"("x")", "\"\xff\""),                          // not UTF-8
        with(R"("x")", R"("")"),                             // an empty insert
        with(R"([1,)", R"([0,)"),                            // a zero count
        with(R"([1,)", R"([-0,)"),
        with(R"([1,)", R"([01,)"),                           // a leading zero
        with(R"([1,)", R"([1.0,)"),                          // not a whole number
        with(R"([1,)", R"([1e2,)"),
        with(R"([1,)", R"([16777217,)"),                     // too large
        with(R"([1,)", R"([-16777217,)"),
        with(R"([1,)", R"([true,)"),
        with(R"([1,)", R"([1,,)"),
        with(R"("rev":2)", R"("rev":-2)"),                   // negative
        with(R"("rev":2)", R"("rev":2.5)"),
        with(R"("rev":2)", R"("rev":18446744073709551616)"), // past 64 bits
        with(R"("rev":2)", R"("rev":"2")"),
        with(R"("seq":3)", R"("seq":3,"seq":4)"),            // a repeated key
        with(R"("seq":3)", R"("seq":3,"extra":1)"),          // an unknown key
        with(R"("seq":3,)", ""),                             // a missing key
        with(R"("org":"polis",)", ""),                       // an entry without its organisation
        with(R"("topic":"andt")", R"("topic":"Andt")"),      // not an id
        with(R"("topic":"andt")", R"("topic":"")"),
        with(R"("kind":"text")", R"("kind":"set")"),         // the wrong members for the kind
        with(R"("kind":"text")", R"("kind":"paste")"),
        with(R"("type":"op")", R"("type":"ack")"),
        with(R"("type":"op")", R"("type":"presence")"),
        with(R"("client":"c-1")", R"("client":7)"),
        with(R"("name":"Eva")", R"("name":null)"),
        with(R"("name":"Eva",)", ""),
        with(R"("ty)", R"("\u0074y)"),                       // an escape in a key
        good + "x",                                          // trailing garbage
        good.substr(0, good.size() - 1),                     // truncated
        "\xef\xbb\xbf" + good,                               // a byte order mark
        R"({"type":"welcome","rev":1})",
        R"([{"type":"ack","seq":1,"rev":2}])",
        R"({"type":"ack","seq":1,"rev":2,"duplicate":1})",
        "",
    };
    for (const auto& text : refused) {
        CHECK_FALSE(scan_op_or_ack(text).has_value());
        check_agrees(text);
    }
}

TEST_CASE("server_message: other types come as JSON, a malformed op as neither op nor ack") {
    const server_message err(R"({"type":"error","code":"forbidden","message":"nej","seq":8})");
    CHECK(err.type() == "error");
    CHECK(err.op() == nullptr);
    CHECK(err.ack() == nullptr);
    CHECK(err.json().at("seq") == 8);

    const server_message bad(R"({"type":"op","rev":1})");
    CHECK(bad.type() == "op");
    CHECK(bad.op() == nullptr);

    const server_message untyped(R"([1,2])");
    CHECK(untyped.type().empty());

    CHECK_THROWS_AS(server_message("{nope"), json::parse_error);
}

namespace {

// Random text over the characters that matter to JSON strings and UTF-16.
std::u16string random_text(std::mt19937& rng, std::size_t max_len) {
    static const std::u16string pool = est::test::U("aZ 09\"\\/\b\f\n\r\t\x01\x1f\x7fåäöÅÄÖé€\uffff") +
                                       std::u16string(1, u'\0') + est::test::U("😀𝄞\U0010FFFF");
    std::u16string out;
    const std::size_t n = 1 + rng() % max_len;
    while (out.size() < n) {
        const std::size_t i = rng() % pool.size();
        if (i + 1 < pool.size() && pool[i] >= 0xD800 && pool[i] <= 0xDBFF) out += pool.substr(i, 2);
        else if (pool[i] >= 0xDC00 && pool[i] <= 0xDFFF) continue;
        else out += pool[i];
    }
    return out;
}

std::string random_id(std::mt19937& rng) {
    static const std::string chars = "abcdefghijklmnopqrstuvwxyz0123456789-_";
    std::string s;
    for (std::size_t n = 1 + rng() % 12; n > 0; --n) s += chars[rng() % chars.size()];
    return s;
}

std::string random_message(std::mt19937& rng) {
    const auto r = rng() % 10;
    if (r == 0) return est::encode::ack(rng() % 100000, rng(), rng() % 2 == 0);
    field_ref target{random_id(rng), random_id(rng), random_id(rng), random_id(rng)};
    if (rng() % 4 == 0) target.org = target.entry = "";
    est::change c;
    if (r == 1) {
        c = est::set_change{target, est::utf16_to_utf8(random_text(rng, 10))};
    } else if (r == 2) {
        c = est::add_entry_change{random_id(rng), random_id(rng), random_id(rng)};
    } else if (r == 3) {
        c = est::remove_entry_change{random_id(rng), random_id(rng), random_id(rng)};
    } else {
        text_operation op;
        for (auto n = rng() % 5; n > 0; --n) {
            switch (rng() % 3) {
                case 0: op.retain(1 + rng() % 2000); break;
                case 1: op.insert(random_text(rng, 8)); break;
                default: op.remove(1 + rng() % 2000); break;
            }
        }
        c = est::text_change{target, op};
    }
    const auto by = author("p" + std::to_string(rng() % 300), est::utf16_to_utf8(random_text(rng, 12)), random_id(rng));
    return est::encode::op(rng() % 1000000, "c-" + random_id(rng), rng() % 1000000, by, c);
}

// Small random edits: most break the JSON, some change a value, a few keep it as it was.
std::string mutate(std::string s, std::mt19937& rng) {
    static const std::string interesting = std::string("\"\\{}[],:09-.eEu aA \x01\x1f\x7f\x80\xbf\xc3\xa5\xed\xf0\xf4\xff") +
                                           std::string(1, '\0');
    for (auto n = 1 + rng() % 3; n > 0 && !s.empty(); --n) {
        const std::size_t at = rng() % s.size();
        const char c = interesting[rng() % interesting.size()];
        switch (rng() % 4) {
            case 0: s[at] = c; break;
            case 1: s.erase(at, 1); break;
            case 2: s.insert(at, 1, c); break;
            default: s.resize(at); break;
        }
    }
    return s;
}

}  // namespace

TEST_CASE("differential: the scanner and the DOM agree on many generated and mutated messages") {
    std::mt19937 rng(20261122);
    int mutated_accepted = 0;
    for (int i = 0; i < 3000; ++i) {
        const std::string text = random_message(rng);
        // The server's own shape, the same with every non-ASCII character escaped, and pretty-printed.
        REQUIRE(check_agrees(text));
        const json j = json::parse(text);
        REQUIRE(check_agrees(j.dump(-1, ' ', true)));
        REQUIRE(check_agrees(j.dump(1, '\t', i % 2 == 0)));
        for (int k = 0; k < 8; ++k) mutated_accepted += check_agrees(mutate(text, rng)) ? 1 : 0;
    }
    CHECK(mutated_accepted > 0);  // some edits keep a valid op (a digit changed): those are compared too
}
