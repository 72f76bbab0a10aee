#include "est/utf.hpp"

namespace est {
namespace {
bool is_high(char16_t c) { return c >= 0xD800 && c <= 0xDBFF; }
bool is_low(char16_t c) { return c >= 0xDC00 && c <= 0xDFFF; }
}  // namespace

std::size_t decode_utf8(std::string_view in, char32_t& cp) noexcept {
    if (in.empty()) return 0;
    const auto b0 = static_cast<unsigned char>(in[0]);
    std::size_t len = 0;
    if (b0 < 0x80) { cp = b0; return 1; }
    else if ((b0 & 0xE0) == 0xC0) { cp = b0 & 0x1Fu; len = 2; }
    else if ((b0 & 0xF0) == 0xE0) { cp = b0 & 0x0Fu; len = 3; }
    else if ((b0 & 0xF8) == 0xF0) { cp = b0 & 0x07u; len = 4; }
    else return 0;
    if (len > in.size()) return 0;
    for (std::size_t k = 1; k < len; ++k) {
        const auto b = static_cast<unsigned char>(in[k]);
        if ((b & 0xC0) != 0x80) return 0;
        cp = (cp << 6) | (b & 0x3Fu);
    }
    // Reject overlong forms, surrogates and values past U+10FFFF.
    if ((len == 2 && cp < 0x80) || (len == 3 && cp < 0x800) || (len == 4 && cp < 0x10000) ||
        (cp >= 0xD800 && cp <= 0xDFFF) || cp > 0x10FFFF)
        return 0;
    return len;
}

void append_utf16(std::u16string& out, char32_t cp) {
    if (cp >= 0x10000) {
        cp -= 0x10000;
        out.push_back(static_cast<char16_t>(0xD800 + (cp >> 10)));
        out.push_back(static_cast<char16_t>(0xDC00 + (cp & 0x3FF)));
    } else {
        out.push_back(static_cast<char16_t>(cp));
    }
}

bool is_utf8(std::string_view in) noexcept {
    for (std::size_t i = 0; i < in.size();) {
        if (static_cast<unsigned char>(in[i]) < 0x80) {
            ++i;
            continue;
        }
        char32_t cp = 0;
        const std::size_t len = decode_utf8(in.substr(i), cp);
        if (len == 0) return false;
        i += len;
    }
    return true;
}

std::optional<std::u16string> utf8_to_utf16(std::string_view in) {
    std::u16string out;
    out.reserve(in.size());
    for (std::size_t i = 0; i < in.size();) {
        char32_t cp = 0;
        const std::size_t len = decode_utf8(in.substr(i), cp);
        if (len == 0) return std::nullopt;
        append_utf16(out, cp);
        i += len;
    }
    return out;
}

std::string utf16_to_utf8(std::u16string_view in) {
    std::string out;
    out.reserve(in.size() + in.size() / 4);
    append_utf8(out, in);
    return out;
}

void append_utf8(std::string& out, std::u16string_view in) {
    for (std::size_t i = 0; i < in.size(); ++i) {
        char32_t cp = in[i];
        if (is_high(in[i]) && i + 1 < in.size() && is_low(in[i + 1])) {
            cp = 0x10000 + ((static_cast<char32_t>(in[i] - 0xD800) << 10) | (in[i + 1] - 0xDC00u));
            ++i;
        } else if (is_high(in[i]) || is_low(in[i])) {
            cp = 0xFFFD;
        }
        append_utf8(out, cp);
    }
}

std::string capitalise_first(std::string_view text) {
    char32_t cp = 0;
    const std::size_t n = decode_utf8(text, cp);
    const bool lower = (cp >= U'a' && cp <= U'z') || (cp >= U'\u00e0' && cp <= U'\u00fe' && cp != U'\u00f7');
    if (n == 0 || !lower) return std::string(text);
    std::string out;
    out.reserve(text.size());
    append_utf8(out, cp - 0x20);
    out.append(text.substr(n));
    return out;
}

void append_utf8(std::string& out, char32_t cp) {
    if (cp < 0x80) {
        out.push_back(static_cast<char>(cp));
    } else if (cp < 0x800) {
        out.push_back(static_cast<char>(0xC0 | (cp >> 6)));
        out.push_back(static_cast<char>(0x80 | (cp & 0x3F)));
    } else if (cp < 0x10000) {
        out.push_back(static_cast<char>(0xE0 | (cp >> 12)));
        out.push_back(static_cast<char>(0x80 | ((cp >> 6) & 0x3F)));
        out.push_back(static_cast<char>(0x80 | (cp & 0x3F)));
    } else {
        out.push_back(static_cast<char>(0xF0 | (cp >> 18)));
        out.push_back(static_cast<char>(0x80 | ((cp >> 12) & 0x3F)));
        out.push_back(static_cast<char>(0x80 | ((cp >> 6) & 0x3F)));
        out.push_back(static_cast<char>(0x80 | (cp & 0x3F)));
    }
}

bool splits_surrogate_pair(std::u16string_view text, std::size_t pos) noexcept {
    return pos > 0 && pos < text.size() && is_high(text[pos - 1]) && is_low(text[pos]);
}

bool is_well_formed(std::u16string_view text) noexcept {
    for (std::size_t i = 0; i < text.size(); ++i) {
        if (is_high(text[i])) {
            if (i + 1 >= text.size() || !is_low(text[i + 1])) return false;
            ++i;
        } else if (is_low(text[i])) {
            return false;
        }
    }
    return true;
}

}  // namespace est
