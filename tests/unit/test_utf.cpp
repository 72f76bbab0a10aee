#include "est/utf.hpp"

#include <string>
#include <vector>

#include <catch2/catch.hpp>

using est::capitalise_first;
using est::is_well_formed;
using est::splits_surrogate_pair;
using est::utf16_to_utf8;
using est::utf8_to_utf16;

namespace {

// An independent UTF-8 encoder for the exhaustive round trip.
std::string encode_utf8(char32_t cp) {
    std::string out;
    if (cp < 0x80) {
        out += static_cast<char>(cp);
    } else if (cp < 0x800) {
        out += static_cast<char>(0xC0 | (cp >> 6));
        out += static_cast<char>(0x80 | (cp & 0x3F));
    } else if (cp < 0x10000) {
        out += static_cast<char>(0xE0 | (cp >> 12));
        out += static_cast<char>(0x80 | ((cp >> 6) & 0x3F));
        out += static_cast<char>(0x80 | (cp & 0x3F));
    } else {
        out += static_cast<char>(0xF0 | (cp >> 18));
        out += static_cast<char>(0x80 | ((cp >> 12) & 0x3F));
        out += static_cast<char>(0x80 | ((cp >> 6) & 0x3F));
        out += static_cast<char>(0x80 | (cp & 0x3F));
    }
    return out;
}

std::u16string units(std::initializer_list<unsigned> us) {
    std::u16string s;
    for (unsigned u : us) s.push_back(static_cast<char16_t>(u));
    return s;
}

}  // namespace

TEST_CASE("utf8_to_utf16 / utf16_to_utf8 round trip Swedish text and emoji", "[utf]") {
    const std::vector<std::string> samples = {
        "",
        "hej",
        "Hot och v\u00e5ld",
        "\u00e5\u00e4\u00f6\u00c5\u00c4\u00d6",
        "\u00d6vrigt: ordningsst\u00f6rning",
        "\U0001F600",
        "Polisen \U0001F693 rapporterar \U0001F44D\U0001F3FD \u00f6kning",
        std::string("nul\0byte", 8),
    };
    for (const auto& s : samples) {
        INFO(s);
        const auto u = utf8_to_utf16(s);
        REQUIRE(u.has_value());
        CHECK(utf16_to_utf8(*u) == s);
        CHECK(is_well_formed(*u));
    }
}

TEST_CASE("UTF-16 lengths: å ä ö are one unit, an emoji two", "[utf]") {
    CHECK(utf8_to_utf16("\u00e5\u00e4\u00f6")->size() == 3);
    const auto emoji = utf8_to_utf16("\U0001F600");
    REQUIRE(emoji);
    CHECK(*emoji == units({0xD83D, 0xDE00}));
    CHECK(utf16_to_utf8(units({0xD83D, 0xDE00})) == "\xF0\x9F\x98\x80");
    CHECK(utf8_to_utf16("a\U0001F693b")->size() == 4);
    CHECK(*utf8_to_utf16("\u00e5") == units({0xE5}));
}

TEST_CASE("every code point round trips", "[utf]") {
    std::size_t failures = 0, checked = 0;
    for (char32_t cp = 0; cp <= 0x10FFFF; ++cp) {
        if (cp >= 0xD800 && cp <= 0xDFFF) continue;
        const std::string utf8 = encode_utf8(cp);
        const auto u = utf8_to_utf16(utf8);
        ++checked;
        if (!u || u->size() != (cp >= 0x10000 ? 2u : 1u) || utf16_to_utf8(*u) != utf8 || !is_well_formed(*u)) {
            if (++failures <= 5) FAIL_CHECK("code point " << static_cast<unsigned>(cp) << " does not round trip");
        }
    }
    CHECK(checked == 0x110000 - 0x800);
    CHECK(failures == 0);
}

TEST_CASE("boundary code points are accepted", "[utf]") {
    for (const char* s : {"\x7F", "\xC2\x80", "\xDF\xBF", "\xE0\xA0\x80", "\xED\x9F\xBF", "\xEE\x80\x80", "\xEF\xBF\xBF",
                          "\xF0\x90\x80\x80", "\xF4\x8F\xBF\xBF"}) {
        INFO("bytes of " << s);
        CHECK(utf8_to_utf16(s).has_value());
        CHECK(est::is_utf8(s));
    }
}

TEST_CASE("utf8_to_utf16 and is_utf8 reject invalid UTF-8", "[utf]") {
    struct bad {
        const char* what;
        std::string bytes;
    };
    const std::vector<bad> cases = {
        {"overlong '/' in 2 bytes", "\xC0\xAF"},
        {"overlong NUL", "\xC0\x80"},
        {"overlong U+007F", "\xC1\xBF"},
        {"overlong '/' in 3 bytes", "\xE0\x80\xAF"},
        {"overlong U+07FF in 3 bytes", "\xE0\x9F\xBF"},
        {"overlong '/' in 4 bytes", "\xF0\x80\x80\xAF"},
        {"overlong U+FFFF in 4 bytes", "\xF0\x8F\xBF\xBF"},
        {"high surrogate U+D800 encoded", "\xED\xA0\x80"},
        {"low surrogate U+DFFF encoded", "\xED\xBF\xBF"},
        {"surrogate pair encoded as two 3-byte sequences (CESU-8)", "\xED\xA0\xBD\xED\xB8\x80"},
        {"beyond U+10FFFF", "\xF4\x90\x80\x80"},
        {"lead byte F5", "\xF5\x80\x80\x80"},
        {"5-byte form", "\xF8\x88\x80\x80\x80"},
        {"byte FE", "\xFE"},
        {"byte FF", "\xFF"},
        {"stray continuation byte", "\x80"},
        {"stray continuation byte after text", "hej\xBF"},
        {"truncated 2-byte sequence", "\xC3"},
        {"truncated 2-byte sequence after text", "v\xC3"},
        {"truncated 3-byte sequence", "\xE2\x82"},
        {"truncated 4-byte sequence (emoji)", "\xF0\x9F\x98"},
        {"truncated sequence followed by ASCII", "\xC3" "a"},
        {"truncated emoji followed by ASCII", "\xF0\x9F\x98" "a"},
        {"Latin-1 å", "v\xE5ld"},
    };
    for (const auto& c : cases) {
        INFO(c.what);
        CHECK_FALSE(utf8_to_utf16(c.bytes).has_value());
        CHECK_FALSE(est::is_utf8(c.bytes));
    }
    CHECK(est::is_utf8(""));
    CHECK(est::is_utf8("Åström 😀 hej"));
}

TEST_CASE("utf16_to_utf8 turns lone surrogates into U+FFFD", "[utf]") {
    const std::string replacement = "\xEF\xBF\xBD";
    CHECK(utf16_to_utf8(units({0xD800})) == replacement);
    CHECK(utf16_to_utf8(units({'a', 0xDC00, 'b'})) == "a" + replacement + "b");
    CHECK(utf16_to_utf8(units({0xDE00, 0xD83D})) == replacement + replacement);  // reversed pair
    CHECK(utf16_to_utf8(units({0xD83D, 'x'})) == replacement + "x");
    CHECK(utf16_to_utf8(units({0xD83D, 0xD83D, 0xDE00})) == replacement + "\xF0\x9F\x98\x80");
}

TEST_CASE("splits_surrogate_pair", "[utf]") {
    const auto text = *utf8_to_utf16("a\U0001F600b");  // a, D83D, DE00, b
    CHECK_FALSE(splits_surrogate_pair(text, 0));
    CHECK_FALSE(splits_surrogate_pair(text, 1));
    CHECK(splits_surrogate_pair(text, 2));
    CHECK_FALSE(splits_surrogate_pair(text, 3));
    CHECK_FALSE(splits_surrogate_pair(text, 4));
    CHECK_FALSE(splits_surrogate_pair(text, 5));
    CHECK_FALSE(splits_surrogate_pair(text, std::u16string::npos));
    CHECK_FALSE(splits_surrogate_pair(u"", 0));

    const auto two = *utf8_to_utf16("\U0001F600\U0001F693");
    CHECK_FALSE(splits_surrogate_pair(two, 0));
    CHECK(splits_surrogate_pair(two, 1));
    CHECK_FALSE(splits_surrogate_pair(two, 2));
    CHECK(splits_surrogate_pair(two, 3));
    CHECK_FALSE(splits_surrogate_pair(two, 4));

    // Swedish letters are single units: no position splits anything.
    const auto swedish = *utf8_to_utf16("\u00e5\u00e4\u00f6");
    for (std::size_t i = 0; i <= swedish.size(); ++i) CHECK_FALSE(splits_surrogate_pair(swedish, i));
}

TEST_CASE("is_well_formed", "[utf]") {
    CHECK(is_well_formed(u""));
    CHECK(is_well_formed(*utf8_to_utf16("a\U0001F600\u00e5")));
    CHECK_FALSE(is_well_formed(units({'a', 0xD83D})));
    CHECK_FALSE(is_well_formed(units({0xDE00, 'a'})));
    CHECK_FALSE(is_well_formed(units({0xDE00, 0xD83D})));
    CHECK_FALSE(is_well_formed(units({0xD83D, 0xD83D, 0xDE00})));
}

TEST_CASE("capitalise_first", "[utf]") {
    CHECK(capitalise_first("hög") == "Hög");
    CHECK(capitalise_first("\u00f6kar") == "\u00d6kar");
    CHECK(capitalise_first("\u00e5tg\u00e4rd/insats") == "\u00c5tg\u00e4rd/insats");
    CHECK(capitalise_first("\u00e4ldre") == "\u00c4ldre");
    CHECK(capitalise_first("Redan stor") == "Redan stor");
    CHECK(capitalise_first("") == "");
    CHECK(capitalise_first("3 fall") == "3 fall");
    CHECK(capitalise_first("\u00f7 delat") == "\u00f7 delat");    // the division sign has no upper case
    CHECK(capitalise_first("\U0001F600 glad") == "\U0001F600 glad");
    CHECK(capitalise_first("\xff\xfe") == "\xff\xfe");              // not UTF-8: left as it is
}
