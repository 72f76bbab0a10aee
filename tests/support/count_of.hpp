#pragma once
// Shared by the unit and integration tests.
#include <cstddef>
#include <string>

namespace est::test {

// How often `needle` occurs in `hay`, overlaps counted: for checking that typed text arrived exactly once.
inline std::size_t count_of(const std::string& hay, const std::string& needle) {
    std::size_t n = 0;
    for (auto p = hay.find(needle); p != std::string::npos; p = hay.find(needle, p + 1)) ++n;
    return n;
}

}  // namespace est::test
