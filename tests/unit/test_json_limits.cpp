#include "est/json_limits.hpp"

#include <string>

#include <catch2/catch.hpp>

#include "est/error.hpp"

namespace {
std::string error_code(const std::string& text, std::size_t depth) {
    try {
        est::parse_json_bounded(text, depth);
    } catch (const est::domain_error& e) {
        return e.code();
    }
    return "(no error)";
}
std::string nested_arrays(std::size_t n) { return std::string(n, '[') + std::string(n, ']'); }
std::string nested_objects(std::size_t n) {
    std::string s;
    for (std::size_t i = 0; i < n; ++i) s += "{\"a\":";
    s += "1";
    s += std::string(n, '}');
    return s;
}
}  // namespace

TEST_CASE("parse_json_bounded parses ordinary JSON", "[json_limits]") {
    const auto j = est::parse_json_bounded(R"({"type": "op", "change": {"ops": [1, "hå", -1]}})", 16);
    CHECK(j.at("change").at("ops").size() == 3);
    CHECK(j.at("change").at("ops")[1] == "hå");
}

TEST_CASE("parse_json_bounded limits nesting", "[json_limits]") {
    CHECK(error_code(nested_arrays(16), 16) == "(no error)");
    CHECK(error_code(nested_arrays(17), 16) == "too_deep");
    CHECK(error_code(nested_objects(16), 16) == "(no error)");
    CHECK(error_code(nested_objects(17), 16) == "too_deep");
    CHECK(error_code("[]", 1) == "(no error)");
    CHECK(error_code("[[]]", 1) == "too_deep");
    CHECK(error_code("5", 0) == "(no error)");
    // Far too deep for the recursive parser's stack: refused early, not a crash.
    CHECK(error_code(nested_arrays(200000), 16) == "too_deep");
}

TEST_CASE("parse_json_bounded counts only the brackets outside strings", "[json_limits]") {
    // Brackets inside strings, and after escaped quotes, do not nest.
    CHECK(error_code(R"({"a":"[[[[{{{{"})", 1) == "(no error)");
    CHECK(error_code(R"({"a":"\"[[[[\\","b":["x]]]]"]})", 2) == "(no error)");
    CHECK(error_code(R"({"a":"\"[[[[\\","b":[["x]]]]"]]})", 2) == "too_deep");
    // An escaped quote does not end a string: what follows it is still inside. A scan that took it for the end
    // would find the rest in a string, pass text nested 20 deep, and let the parser build it unbounded.
    CHECK(error_code(R"(["\"]",)" + nested_arrays(20) + "]", 16) == "too_deep");
    CHECK(error_code(R"(["\\",)" + nested_arrays(20) + "]", 16) == "too_deep");
}

TEST_CASE("parse_json_bounded reports what comes first, a syntax error or the depth", "[json_limits]") {
    CHECK(error_code("[x," + nested_arrays(20) + "]", 16) == "bad_json");
    CHECK(error_code("[" + nested_arrays(20) + ",x]", 16) == "too_deep");
    CHECK(error_code(nested_arrays(17) + "x", 16) == "too_deep");
}

TEST_CASE("parse_json_bounded rejects malformed JSON as bad_json", "[json_limits]") {
    for (const char* bad : {"", "{", "[1,]", "{\"a\" 1}", "{} x", "'single'", "[1, 2", "nul", "{\"a\": \"\xC3\"}"}) {
        INFO(bad);
        CHECK(error_code(bad, 16) == "bad_json");
    }
}
