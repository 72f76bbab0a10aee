#include "est/json_writer.hpp"

#include <stdexcept>

#include "est/utf.hpp"

namespace est {

json_writer& json_writer::str(std::string_view s) {
    if (!is_utf8(s)) throw std::invalid_argument("json_writer: text is not valid UTF-8");
    escaped(s);
    return *this;
}

json_writer& json_writer::str(std::u16string_view s) {
    utf8_.clear();
    append_utf8(utf8_, s);  // valid UTF-8 by construction
    escaped(utf8_);
    return *this;
}

void json_writer::escaped(std::string_view s) {
    out_ += '"';
    for (char c : s) ascii_or_byte(c);
    out_ += '"';
}

json_writer& json_writer::num(std::uint64_t n) {
    out_ += std::to_string(n);
    return *this;
}

json_writer& json_writer::num(std::int64_t n) {
    out_ += std::to_string(n);
    return *this;
}

void json_writer::ascii_or_byte(char c) {
    switch (c) {
        case '"': out_ += "\\\""; return;
        case '\\': out_ += "\\\\"; return;
        case '\b': out_ += "\\b"; return;
        case '\f': out_ += "\\f"; return;
        case '\n': out_ += "\\n"; return;
        case '\r': out_ += "\\r"; return;
        case '\t': out_ += "\\t"; return;
        default: break;
    }
    if (static_cast<unsigned char>(c) < 0x20) {
        static constexpr char hex[] = "0123456789abcdef";
        out_ += "\\u00";
        out_ += hex[(c >> 4) & 0xF];
        out_ += hex[c & 0xF];
        return;
    }
    out_ += c;
}

}  // namespace est
