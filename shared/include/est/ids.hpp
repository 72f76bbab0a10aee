#pragma once
#include <string_view>

namespace est {

// Identifiers of topics, fields, organisations, groups, meetings and entries: 1–64 characters of
// a–z, 0–9, '-' and '_'. Keeps them safe in URLs, SQL keys and file names alike.
inline bool is_valid_id(std::string_view s) noexcept {
    if (s.empty() || s.size() > 64) return false;
    for (char c : s)
        if (!((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' || c == '_')) return false;
    return true;
}

}  // namespace est
