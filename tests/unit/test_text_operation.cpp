#include "est/text_operation.hpp"

#include "fixtures.hpp"

#include <cstdint>
#include <fstream>
#include <random>
#include <sstream>
#include <string>
#include <vector>

#include <catch2/catch.hpp>
#include <nlohmann/json.hpp>

#include "est/error.hpp"
#include "est/utf.hpp"

using est::text_operation;
using json = nlohmann::json;
using K = text_operation::kind;

namespace {

using est::test::failure;
using est::test::fails;

using est::test::biweekly;
using est::test::S;
using est::test::U;



text_operation op_from(const char* wire) { return text_operation::from_json(json::parse(wire), "test"); }

bool is_high(char16_t c) { return c >= 0xD800 && c <= 0xDBFF; }
bool is_low(char16_t c) { return c >= 0xDC00 && c <= 0xDFFF; }

// Independent of est::splits_surrogate_pair: does `pos` fall inside a surrogate pair of `text`?
bool inside_pair(std::u16string_view text, std::size_t pos) {
    return pos > 0 && pos < text.size() && is_high(text[pos - 1]) && is_low(text[pos]);
}

// Does any boundary of `op` (a component's start or end in the base text) cut a surrogate pair of `base`?
bool cuts_pair(const text_operation& op, std::u16string_view base) {
    std::size_t pos = 0;
    for (const auto& c : op.components()) {
        if (inside_pair(base, pos)) return true;
        if (c.k != K::insert) pos += c.n;
    }
    return inside_pair(base, pos);
}

// Canonical form: no empty component, no two adjacent components of one kind, never a remove
// directly followed by an insert; n of an insert is its text's length; lengths add up.
bool is_canonical(const text_operation& op) {
    const auto& cs = op.components();
    std::size_t base = 0, target = 0;
    for (std::size_t i = 0; i < cs.size(); ++i) {
        if (cs[i].n == 0) return false;
        if (cs[i].k == K::insert && cs[i].n != cs[i].text.size()) return false;
        if (cs[i].k != K::insert && !cs[i].text.empty()) return false;
        if (i > 0 && cs[i - 1].k == cs[i].k) return false;
        if (i > 0 && cs[i - 1].k == K::remove && cs[i].k == K::insert) return false;
        if (cs[i].k != K::insert) base += cs[i].n;
        if (cs[i].k != K::remove) target += cs[i].n;
    }
    return base == op.base_length() && target == op.target_length();
}

// Deterministic randomness: a fixed seed and plain modulo (the same sequence on every standard library).
struct random_source {
    std::mt19937 gen;
    explicit random_source(std::uint32_t seed) : gen(seed) {}
    std::size_t below(std::size_t n) { return static_cast<std::size_t>(gen()) % n; }
    bool percent(std::size_t p) { return below(100) < p; }
};

// Code points: ASCII, å ä ö Å Ä Ö and characters outside the BMP (two UTF-16 units each).
const std::vector<std::u16string>& alphabet() {
    static const std::vector<std::u16string> a = {
        u"a", u"b", u"c", u" ", u"\u00e5", u"\u00e4", u"\u00f6", u"\u00c5", u"\u00c4", u"\u00d6",
        u"\U0001F600", u"\U0001F693", u"\U0001F44D", u"\U0001F3FD", u"\U0001F389"};
    return a;
}

std::u16string random_text(random_source& r, std::size_t max_code_points) {
    std::u16string s;
    const std::size_t n = r.below(max_code_points + 1);
    for (std::size_t i = 0; i < n; ++i) s += alphabet()[r.below(alphabet().size())];
    return s;
}

// Units taken by `count` code points from `pos` (fewer when the text ends).
std::size_t units_of(std::u16string_view text, std::size_t pos, std::size_t count) {
    std::size_t end = pos;
    for (std::size_t i = 0; i < count && end < text.size(); ++i) end += is_high(text[end]) ? 2 : 1;
    return end - pos;
}

// A random operation over `text` that only ever cuts at code-point boundaries.
text_operation random_op(random_source& r, std::u16string_view text) {
    text_operation op;
    std::size_t pos = 0;
    while (pos < text.size()) {
        const std::size_t what = r.below(10);
        if (what < 2) {
            op.insert(random_text(r, 3));
        } else if (what < 6) {
            const std::size_t n = units_of(text, pos, 1 + r.below(4));
            op.retain(n);
            pos += n;
        } else {
            const std::size_t n = units_of(text, pos, 1 + r.below(3));
            op.remove(n);
            pos += n;
        }
    }
    if (r.percent(30)) op.insert(random_text(r, 3));
    return op;
}

std::string describe(const text_operation& op) { return op.to_json().dump(); }

}  // namespace

// ---------------------------------------------------------------------------------------------------
// Builder

TEST_CASE("builder: empty components are dropped", "[text_operation]") {
    text_operation op;
    op.retain(0).insert(u"").remove(0);
    CHECK(op.components().empty());
    CHECK(op.is_noop());
    CHECK(op.base_length() == 0);
    CHECK(op.target_length() == 0);
}

TEST_CASE("builder: adjacent components of one kind merge", "[text_operation]") {
    text_operation op;
    op.retain(2).retain(3).insert(u"h").insert(u"\u00e5").remove(1).remove(4);
    REQUIRE(op.components().size() == 3);
    CHECK(op.components()[0] == text_operation::component{K::retain, 5, {}});
    CHECK(op.components()[1] == text_operation::component{K::insert, 2, u"h\u00e5"});
    CHECK(op.components()[2] == text_operation::component{K::remove, 5, {}});
    CHECK(op.base_length() == 10);
    CHECK(op.target_length() == 7);
    CHECK(is_canonical(op));
}

TEST_CASE("builder: an insert after a remove goes before it", "[text_operation]") {
    text_operation a;
    a.retain(1).remove(2).insert(u"x");
    text_operation b;
    b.retain(1).insert(u"x").remove(2);
    CHECK(a == b);
    REQUIRE(a.components().size() == 3);
    CHECK(a.components()[1].k == K::insert);
    CHECK(a.components()[2].k == K::remove);
    CHECK(is_canonical(a));

    SECTION("and merges with an insert already before the remove") {
        a.remove(1).insert(u"y");
        text_operation c;
        c.retain(1).insert(u"xy").remove(3);
        CHECK(a == c);
        CHECK(a.components().size() == 3);
        CHECK(is_canonical(a));
    }
    SECTION("at the very start too") {
        text_operation d;
        d.remove(3).insert(u"hej");
        CHECK(describe(d) == R"(["hej",-3])");
        CHECK(is_canonical(d));
    }
}

TEST_CASE("builder: lengths count UTF-16 units", "[text_operation]") {
    text_operation op;
    op.insert(u"\U0001F600\u00e5");  // emoji (2 units) + å (1 unit)
    CHECK(op.target_length() == 3);
    CHECK(op.base_length() == 0);
    CHECK(op.components()[0].n == 3);
}

TEST_CASE("builder: is_noop", "[text_operation]") {
    CHECK(text_operation{}.is_noop());
    CHECK(text_operation{}.retain(4).is_noop());
    CHECK_FALSE(text_operation{}.insert(u"a").is_noop());
    CHECK_FALSE(text_operation{}.remove(1).is_noop());
    CHECK_FALSE(text_operation{}.retain(1).remove(1).is_noop());
}

// ---------------------------------------------------------------------------------------------------
// apply

TEST_CASE("apply", "[text_operation]") {
    CHECK(S(op_from(R"([3, " d\u00e5"])").apply(u"hej")) == "hej d\u00e5");
    CHECK(S(op_from(R"(["Hot", -3, 9])").apply(U("hot och v\u00e5ld"))) == "Hot och v\u00e5ld");
    CHECK(S(op_from(R"([1, -2, 1])").apply(U("a\U0001F600b"))) == "ab");
    CHECK(S(op_from(R"([2, "\u00f6"])").apply(U("\U0001F600"))) == "\U0001F600\u00f6");
    CHECK(text_operation{}.apply(u"").empty());
    CHECK(S(text_operation{}.insert(u"\u00c5").apply(u"")) == "\u00c5");
}

TEST_CASE("apply rejects a text of the wrong length", "[text_operation]") {
    const auto op = op_from(R"([2, "x", -1])");  // base length 3
    CHECK(fails([&] { op.apply(u"ab"); }).code == "out_of_range");
    CHECK(fails([&] { op.apply(u"abcd"); }).code == "out_of_range");
    CHECK(fails([&] { op.apply(u""); }).code == "out_of_range");
    CHECK(fails([&] { text_operation{}.apply(u"a"); }).code == "out_of_range");
    // Lengths are UTF-16 units: "a😀" is 3 units long, "😀😀" is 4.
    const auto whole = op_from(R"([1, "x", -2])");
    CHECK(S(whole.apply(U("a\U0001F600"))) == "ax");
    CHECK(fails([&] { whole.apply(U("\U0001F600\U0001F600")); }).code == "out_of_range");
}

TEST_CASE("apply_in_place has the effect of apply", "[text_operation][random]") {
    random_source r(0xA991);
    int failures = 0;
    for (int i = 0; i < 5000; ++i) {
        const std::u16string s = random_text(r, 12);
        // Edits of one place (done in place) and random operations of many parts (rebuilt).
        const text_operation op = r.percent(50) ? text_operation::diff(s, random_op(r, s).apply(s)) : random_op(r, s);
        std::u16string text = s;
        op.apply_in_place(text);
        if (text != op.apply(s) && ++failures <= 5) {
            INFO("s = " << S(s) << "\nop = " << describe(op));
            CHECK(text == op.apply(s));
        }
    }
    CHECK(failures == 0);
}

TEST_CASE("apply_in_place rejects a text of the wrong length and leaves it as it was", "[text_operation]") {
    for (const char* wire : {R"([2, "x", -1])", R"(["a", 1, -1, 1, "b"])"}) {
        const auto op = op_from(wire);  // base length 3
        std::u16string text = u"abcd";
        CHECK(fails([&] { op.apply_in_place(text); }).code == "out_of_range");
        CHECK(text == u"abcd");
    }
}

// ---------------------------------------------------------------------------------------------------
// compose

TEST_CASE("compose equals applying one after the other", "[text_operation]") {
    const std::u16string s = U("Hot och v\u00e5ld \U0001F693");
    const auto a = op_from(R"([4, "mot", -3, 8])");  // "Hot mot våld 🚓"
    const std::u16string after_a = a.apply(s);
    CHECK(S(after_a) == "Hot mot v\u00e5ld \U0001F693");
    const auto b = op_from(R"([-4, 8, "!", 3])");  // "mot våld! 🚓"
    const auto c = text_operation::compose(a, b);
    CHECK(S(c.apply(s)) == S(b.apply(after_a)));
    CHECK(S(c.apply(s)) == "mot v\u00e5ld! \U0001F693");
    CHECK(c.base_length() == a.base_length());
    CHECK(c.target_length() == b.target_length());
    CHECK(is_canonical(c));
}

TEST_CASE("compose rejects operations that do not line up", "[text_operation]") {
    const auto a = op_from(R"([3, "x"])");  // 3 -> 4
    const auto b = op_from(R"([3])");       // 3 -> 3
    CHECK(fails([&] { text_operation::compose(a, b); }).code == "out_of_range");
    CHECK(fails([&] { text_operation::compose(b, a); }).code == "(no error)");
}

TEST_CASE("compose property: apply(s, compose(a, b)) == apply(apply(s, a), b)", "[text_operation][random]") {
    random_source r(0xC0FFEE);
    int failures = 0;
    for (int i = 0; i < 5000; ++i) {
        const std::u16string s = random_text(r, 12);
        const text_operation a = random_op(r, s);
        const std::u16string after_a = a.apply(s);
        const text_operation b = random_op(r, after_a);
        const text_operation c = text_operation::compose(a, b);
        const std::u16string expected = b.apply(after_a);
        const bool ok = c.base_length() == s.size() && c.target_length() == expected.size() && is_canonical(c) &&
                        c.apply(s) == expected;
        if (!ok && ++failures <= 5) {
            INFO("s = " << S(s) << "\na = " << describe(a) << "\nb = " << describe(b) << "\ncompose = " << describe(c));
            CHECK(ok);
        }
    }
    CHECK(failures == 0);
}

// ---------------------------------------------------------------------------------------------------
// transform

TEST_CASE("transform: a's insert goes first at equal positions", "[text_operation]") {
    const auto a = op_from(R"([1, "A", 1])");
    const auto b = op_from(R"([1, "B", 1])");
    const auto [a2, b2] = text_operation::transform(a, b);
    CHECK(S(b2.apply(a.apply(u"xy"))) == "xABy");
    CHECK(S(a2.apply(b.apply(u"xy"))) == "xABy");
    const auto [b3, a3] = text_operation::transform(b, a);
    CHECK(S(a3.apply(b.apply(u"xy"))) == "xBAy");
}

TEST_CASE("transform rejects different base lengths", "[text_operation]") {
    CHECK(fails([] { text_operation::transform(op_from("[3]"), op_from("[2]")); }).code == "out_of_range");
}

TEST_CASE("transform property: both orders converge (random, fixed seed)", "[text_operation][random]") {
    random_source r(20240611);
    int failures = 0;
    std::size_t units = 0, both_change = 0, surrogates = 0;
    for (int i = 0; i < 5000; ++i) {
        const std::u16string s = random_text(r, 12);
        const text_operation a = random_op(r, s);
        const text_operation b = random_op(r, s);
        const auto [a2, b2] = text_operation::transform(a, b);
        const std::u16string sa = a.apply(s), sb = b.apply(s);
        units += s.size();
        if (!a.is_noop() && !b.is_noop()) ++both_change;
        for (const auto& c : s) surrogates += is_high(c);
        bool ok = a2.base_length() == sb.size() && b2.base_length() == sa.size() && is_canonical(a2) &&
                  is_canonical(b2) && !cuts_pair(a2, sb) && !cuts_pair(b2, sa);
        std::u16string left, right;
        if (ok) {
            left = b2.apply(sa);
            right = a2.apply(sb);
            ok = left == right && est::is_well_formed(left);
        }
        if (!ok && ++failures <= 5) {
            INFO("s = " << S(s) << "\na = " << describe(a) << "\nb = " << describe(b) << "\na' = " << describe(a2)
                        << "\nb' = " << describe(b2) << "\nleft = " << S(left) << "\nright = " << S(right));
            CHECK(ok);
        }
    }
    CHECK(failures == 0);
    // The generator really produced non-trivial input: texts with emoji, both sides changing.
    CHECK(units > 5000 * 5);
    CHECK(both_change > 3000);
    CHECK(surrogates > 5000);
}

// ---------------------------------------------------------------------------------------------------
// diff

TEST_CASE("diff: the smallest single range", "[text_operation]") {
    CHECK(describe(text_operation::diff(u"hej", U("hej d\u00e5"))) == R"([3," då"])");
    CHECK(describe(text_operation::diff(u"abcdef", u"abXYef")) == R"([2,"XY",-2,2])");
    CHECK(describe(text_operation::diff(u"abc", u"abc")) == "[3]");
    CHECK(text_operation::diff(u"", u"").is_noop());
    CHECK(describe(text_operation::diff(u"", U("\u00e5"))) == R"(["å"])");
    CHECK(describe(text_operation::diff(U("\u00e5\u00e4\u00f6"), u"")) == "[-3]");
    CHECK(describe(text_operation::diff(u"aaa", u"aa")) == "[2,-1]");
}

TEST_CASE("diff never cuts a surrogate pair", "[text_operation]") {
    SECTION("emoji sharing the high surrogate") {
        // U+1F600 = D83D DE00, U+1F601 = D83D DE01: the common prefix would end inside the pair.
        const auto op = text_operation::diff(U("a\U0001F600b"), U("a\U0001F601b"));
        CHECK(describe(op) == R"([1,"😁",-2,1])");
    }
    SECTION("emoji sharing the low surrogate") {
        // U+1F600 = D83D DE00, U+1FA00 = D83E DE00: the common suffix would start inside the pair.
        const auto from = U("x\U0001F600"), to = U("x\U0001FA00");
        const auto op = text_operation::diff(from, to);
        CHECK(S(op.apply(from)) == S(to));
        CHECK_FALSE(cuts_pair(op, from));
        CHECK(describe(op) == R"([1,")" + S(U("\U0001FA00")) + R"(",-2])");
    }
}

TEST_CASE("diff property: turns `from` into `to` without cutting a pair (random)", "[text_operation][random]") {
    random_source r(77);
    int failures = 0;
    for (int i = 0; i < 3000; ++i) {
        const std::u16string from = random_text(r, 10);
        const std::u16string to = r.percent(50) ? random_op(r, from).apply(from) : random_text(r, 10);
        const text_operation op = text_operation::diff(from, to);
        bool ok = op.base_length() == from.size() && is_canonical(op) && !cuts_pair(op, from) &&
                  op.components().size() <= 4 && op.apply(from) == to;
        for (const auto& c : op.components())
            if (c.k == K::insert) ok = ok && est::is_well_formed(c.text);
        if (!ok && ++failures <= 5) {
            INFO("from = " << S(from) << "\nto = " << S(to) << "\ndiff = " << describe(op));
            CHECK(ok);
        }
    }
    CHECK(failures == 0);
}

// ---------------------------------------------------------------------------------------------------
// JSON

TEST_CASE("to_json / from_json round trip", "[text_operation][json]") {
    text_operation op;
    op.retain(3).insert(U("h\u00e5\U0001F600")).remove(2).retain(1);
    const json j = op.to_json();
    CHECK(j == json::parse(R"([3, "hå😀", -2, 1])"));
    CHECK(text_operation::from_json(j, "ops") == op);
    CHECK(text_operation::from_json(json::parse(j.dump()), "ops") == op);
    CHECK(text_operation{}.to_json() == json::array());
    CHECK(text_operation::from_json(json::array(), "ops").is_noop());
}

TEST_CASE("from_json canonicalises", "[text_operation][json]") {
    const auto op = op_from(R"([1, 1, -1, "x", "y", -2])");
    CHECK(describe(op) == R"([2,"xy",-3])");
    CHECK(is_canonical(op));
}

TEST_CASE("from_json rejects malformed operations with bad_message", "[text_operation][json]") {
    auto code_of = [](const char* wire) {
        return fails([&] { text_operation::from_json(json::parse(wire), "ops"); }).code;
    };
    CHECK(code_of("[0]") == "bad_message");
    CHECK(code_of("[3, 0]") == "bad_message");
    CHECK(code_of("{}") == "bad_message");
    CHECK(code_of(R"({"retain": 3})") == "bad_message");
    CHECK(code_of(R"("hej")") == "bad_message");
    CHECK(code_of("3") == "bad_message");
    CHECK(code_of("null") == "bad_message");
    CHECK(code_of("[1.5]") == "bad_message");
    CHECK(code_of("[2.0]") == "bad_message");
    CHECK(code_of("[-1.0]") == "bad_message");
    CHECK(code_of("[true]") == "bad_message");
    CHECK(code_of("[null]") == "bad_message");
    CHECK(code_of("[[1]]") == "bad_message");
    CHECK(code_of(R"([{"insert": "x"}])") == "bad_message");
    CHECK(code_of(R"([""])") == "bad_message");

    SECTION("invalid UTF-8 in an insert") {
        json j = json::array({1, std::string("\xC3")});
        CHECK(fails([&] { text_operation::from_json(j, "ops"); }).code == "bad_message");
    }
    SECTION("the message names the component") {
        const auto f = fails([] { text_operation::from_json(json::parse(R"([1, "a", 2.5])"), "change.ops"); });
        CHECK(f.code == "bad_message");
        CHECK_THAT(f.message, Catch::Contains("change.ops[2]"));
    }
}

TEST_CASE("from_json rejects absurdly large counts", "[text_operation][json]") {
    auto rejected = [](const char* wire) {
        return fails([&] { text_operation::from_json(json::parse(wire), "ops"); }).code != "(no error)";
    };
    CHECK(rejected("[16777217]"));
    CHECK(rejected("[-16777217]"));
    CHECK(rejected("[9223372036854775807]"));
    CHECK(rejected("[-9223372036854775808]"));
    CHECK(rejected("[9223372036854775808]"));
    // 2^64 - 1 and 2^64 - 5 are valid JSON unsigned integers; they must not wrap into removes.
    CHECK(rejected("[18446744073709551615]"));
    CHECK(rejected("[18446744073709551611]"));
    // The largest allowed count still parses.
    CHECK(op_from("[16777216]").base_length() == 16777216);
}

// ---------------------------------------------------------------------------------------------------
// Shared vectors (also run by the TypeScript client)

namespace {
// Both vector files: the core's and the web client's (decomposed å, ZWJ emoji, flags, diff cases).
json load_vectors(const char* file) {
    std::ifstream in(std::string(EST_SOURCE_DIR "/tests/vectors/") + file, std::ios::binary);
    REQUIRE(in.good());
    std::stringstream ss;
    ss << in.rdbuf();
    return json::parse(ss.str());
}

// Parses a vector's op and checks the file holds it in canonical wire form.
text_operation vector_op(const json& c, const char* key) {
    INFO("field " << key);
    const json& j = c.at(key);
    text_operation op = text_operation::from_json(j, key);
    CHECK(op.to_json() == j);
    return op;
}
}  // namespace

TEST_CASE("vectors: transform", "[text_operation][vectors]") {
    const auto file = GENERATE("text_operations.json", "text_operations_web.json");
    INFO("file " << file);
    const json v = load_vectors(file);
    CHECK(v.at("unit") == "utf16");
    const json& cases = v.at("cases");
    CHECK(cases.size() >= 10);
    for (const json& c : cases) {
        const std::string name = c.at("name").get<std::string>();
        INFO("case: " << name);
        const std::u16string doc = U(c.at("doc").get<std::string>());
        const text_operation a = vector_op(c, "a");
        const text_operation b = vector_op(c, "b");
        const text_operation a_prime = vector_op(c, "a_prime");
        const text_operation b_prime = vector_op(c, "b_prime");
        const std::u16string sa = a.apply(doc), sb = b.apply(doc);
        CHECK(S(sa) == c.at("apply_a").get<std::string>());
        CHECK(S(sb) == c.at("apply_b").get<std::string>());
        const auto [a2, b2] = text_operation::transform(a, b);
        CHECK(a2.to_json() == c.at("a_prime"));
        CHECK(b2.to_json() == c.at("b_prime"));
        CHECK(a2 == a_prime);
        CHECK(b2 == b_prime);
        CHECK(S(b_prime.apply(sa)) == c.at("converged").get<std::string>());
        CHECK(S(a_prime.apply(sb)) == c.at("converged").get<std::string>());
    }
}

TEST_CASE("vectors: compose", "[text_operation][vectors]") {
    const auto file = GENERATE("text_operations.json", "text_operations_web.json");
    INFO("file " << file);
    const json v = load_vectors(file);
    const json& cases = v.at("compose");
    CHECK(cases.size() >= 4);
    for (const json& c : cases) {
        INFO("compose case: " << c.at("name").get<std::string>());
        const std::u16string doc = U(c.at("doc").get<std::string>());
        const text_operation a = vector_op(c, "a");
        const text_operation b = vector_op(c, "b");
        const text_operation composed = vector_op(c, "composed");
        const text_operation got = text_operation::compose(a, b);
        CHECK(got.to_json() == c.at("composed"));
        CHECK(got == composed);
        CHECK(S(b.apply(a.apply(doc))) == c.at("result").get<std::string>());
        CHECK(S(composed.apply(doc)) == c.at("result").get<std::string>());
    }
}

TEST_CASE("vectors: diff", "[text_operation][vectors]") {
    const json v = load_vectors("text_operations_web.json");
    const json& cases = v.at("diff");
    CHECK(cases.size() >= 5);
    for (const json& c : cases) {
        INFO("diff case: " << c.at("name").get<std::string>());
        const auto from = U(c.at("from").get<std::string>());
        const auto to = U(c.at("to").get<std::string>());
        const text_operation d = text_operation::diff(from, to);
        CHECK(d.to_json() == c.at("op"));
        CHECK(S(d.apply(from)) == c.at("to").get<std::string>());
    }
}
