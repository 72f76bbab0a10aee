// The personal identity number detector (shared/src/personal_number.cpp) against tests/vectors/personal_numbers.json,
// which the web client's tests read too, and the properties the vectors cannot show one by one.
#include "est/personal_number.hpp"

#include <fstream>
#include <sstream>

#include <catch2/catch.hpp>
#include <nlohmann/json.hpp>

#include "est/utf.hpp"

using est::find_personal_numbers;
using est::personal_number_kind;
using json = nlohmann::json;

namespace {

const json& vectors() {
    static const json v = [] {
        std::ifstream in(std::string(EST_SOURCE_DIR) + "/tests/vectors/personal_numbers.json");
        std::stringstream ss;
        ss << in.rdbuf();
        return json::parse(ss.str());
    }();
    return v;
}

std::u16string u16(const std::string& s) { return *est::utf8_to_utf16(s); }

}  // namespace

TEST_CASE("every flagged vector is found exactly where the vectors say, with its kind", "[personal_number]") {
    REQUIRE(vectors().at("flagged").size() >= 10);
    for (const auto& v : vectors().at("flagged")) {
        const std::string text = v.at("text");
        INFO("text: " << text);
        std::vector<est::personal_number_match> want;
        for (const auto& m : v.at("matches"))
            want.push_back({m.at(0).get<std::size_t>(), m.at(1).get<std::size_t>(),
                            m.at(2) == "samordningsnummer" ? personal_number_kind::samordningsnummer
                                                           : personal_number_kind::personnummer});
        CHECK(find_personal_numbers(u16(text)) == want);
    }
}

TEST_CASE("no look-alike vector is flagged", "[personal_number]") {
    REQUIRE(vectors().at("not_flagged").size() >= 10);
    for (const auto& v : vectors().at("not_flagged")) {
        const std::string text = v.at("text");
        INFO("text: " << text << " (" << v.at("why").get<std::string>() << ")");
        CHECK(find_personal_numbers(u16(text)).empty());
    }
}

TEST_CASE("a number is found wherever it stands in ordinary text, and only when it stands alone", "[personal_number]") {
    for (const std::string before : {"", "Anmälan om ", "x", "-", "\n", "nr:"})
        for (const std::string after : {"", " i centrum", ".", "x", "\n"}) {
            const std::u16string text = u16(before + "811218-9876" + after);
            INFO("text: " << before << "811218-9876" << after);
            const auto found = find_personal_numbers(text);
            REQUIRE(found.size() == 1);
            CHECK(found[0].begin == u16(before).size());
            CHECK(found[0].end == found[0].begin + 11);
        }
    CHECK(find_personal_numbers(u"1811218-9876").empty());
    CHECK(find_personal_numbers(u"811218-98761").empty());
}

TEST_CASE("every one of a day's ten check digits but one is refused", "[personal_number]") {
    int found = 0;
    for (char c = '0'; c <= '9'; ++c) found += static_cast<int>(find_personal_numbers(u16(std::string("811218-987") + c)).size());
    CHECK(found == 1);
}

TEST_CASE("the kind names are stable", "[personal_number]") {
    CHECK(est::to_string(personal_number_kind::personnummer) == "personnummer");
    CHECK(est::to_string(personal_number_kind::samordningsnummer) == "samordningsnummer");
}
