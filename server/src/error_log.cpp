#include "est/server/error_log.hpp"

#include <algorithm>
#include <cctype>
#include <cstdio>

#include "est/personal_number.hpp"

namespace est::server {

namespace {
// What a log line may not carry of a meeting's text (DESIGN.md §6): the tail of a JSON parse error, which quotes
// what it last read (a damaged row's text), and anything that looks like a personal identity number.
std::string without_personal_data(std::string_view s) {
    // Masked before the value is cut at 2,000 bytes, so no number is left half-masked at the cut.
    std::string out(s.substr(0, 2100));
    if (const auto tail = out.find("; last read: "); tail != std::string::npos) out.replace(tail, std::string::npos, "; last read: (not logged)");
    // The detector reads UTF-16; a byte per unit keeps its offsets those of `out` (digits, '-' and '+' are ASCII).
    // Digits inside a hex hash (a hex letter right before or after) are not a number someone typed; "pnr121212-1212"
    // still is.
    const auto hex_letter = [&](std::size_t i) { return std::isxdigit(static_cast<unsigned char>(out[i])) != 0; };
    const std::u16string wide(out.begin(), out.end());
    for (const auto& m : find_personal_numbers(wide)) {
        if ((m.begin > 0 && hex_letter(m.begin - 1)) || (m.end < out.size() && hex_letter(m.end))) continue;
        for (std::size_t i = m.begin; i < m.end; ++i)
            if (out[i] >= '0' && out[i] <= '9') out[i] = '*';
    }
    out.resize(std::min<std::size_t>(out.size(), 2000));
    return out;
}
}  // namespace

std::string log_quoted(std::string_view value) {
    const std::string s = without_personal_data(value);
    std::string out = "\"";
    for (unsigned char c : s) {
        if (c == '"' || c == '\\') {
            out += '\\';
            out += static_cast<char>(c);
        } else if (c < 0x20 || c >= 0x7f) {
            // Non-ASCII too: a bidi override or a C1 control from a request must not rearrange a log reader's line.
            char hex[8];
            std::snprintf(hex, sizeof hex, "\\x%02x", c);
            out += hex;
        } else {
            out += static_cast<char>(c);
        }
    }
    return out + '"';
}

void log_error(std::initializer_list<std::pair<std::string_view, std::string_view>> fields) { log_event("error", fields); }

void log_event(std::string_view kind, std::initializer_list<std::pair<std::string_view, std::string_view>> fields) {
    std::string line = "est-server: ";
    line += kind;
    for (const auto& [key, value] : fields) {
        line += ' ';
        line += key;
        line += '=';
        line += log_quoted(value);
    }
    line += '\n';
    std::fwrite(line.data(), 1, line.size(), stderr);
}

}  // namespace est::server
