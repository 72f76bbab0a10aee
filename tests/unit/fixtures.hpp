#pragma once
// Helpers shared by the core's unit tests: the real biweekly template and UTF-8 ⇄ UTF-16 shorthands.
#include <memory>
#include <stdexcept>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "est/error.hpp"
#include "est/meeting_template.hpp"
#include "est/utf.hpp"

namespace est::test {

inline std::shared_ptr<const meeting_template> biweekly() {
    static const auto t = std::make_shared<const meeting_template>(
        meeting_template::load_file(EST_SOURCE_DIR "/templates/est-biweekly.json"));
    return t;
}

inline const std::vector<std::string> test_orgs = {"polis", "kommun", "skola"};

inline std::u16string U(std::string_view utf8) {
    auto u = utf8_to_utf16(utf8);
    if (!u) throw std::invalid_argument("test input is not valid UTF-8");
    return *u;
}

inline std::string S(std::u16string_view utf16) { return utf16_to_utf8(utf16); }

// The code and message of the domain_error `f` throws, or "(no error)".
struct failure {
    std::string code;
    std::string message;
};
template <class F>
failure fails(F&& f) {
    try {
        f();
    } catch (const domain_error& e) {
        return {e.code(), e.what()};
    }
    return {"(no error)", ""};
}

// The code of the domain_error `f` throws, or "(allowed)" when it throws none: for tables of what is refused.
template <class F>
std::string code_of(F&& f) {
    std::string code = fails(std::forward<F>(f)).code;
    return code == "(no error)" ? "(allowed)" : code;
}

}  // namespace est::test
