#include "est/server/error_log.hpp"

#include <cstdio>

namespace est::server {

std::string log_quoted(std::string_view s) {
    std::string out = "\"";
    for (unsigned char c : s.substr(0, 2000)) {
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
