#pragma once
// Writes JSON text as nlohmann's dump() does, straight into one string, for the paths that would otherwise build
// a tree only to dump it (a welcome's picture, every change a meeting broadcasts and logs). No spaces, UTF-8 as it
// is, only '"', '\\' and controls escaped (the short forms where JSON has one, else \u00xx). Callers write an
// object's keys in std::map order, as a nlohmann object is sorted, so the bytes are the same as dump()'s; the
// unit tests and the fuzzers compare the two.
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

namespace est {

class json_writer {
public:
    explicit json_writer(std::size_t reserve = 0) { out_.reserve(reserve); }
    json_writer& raw(std::string_view s) {
        out_ += s;
        return *this;
    }
    json_writer& key(std::string_view k) {
        str(k);
        out_ += ':';
        return *this;
    }
    // Written as it is, escapes aside. Text that is not valid UTF-8 throws std::invalid_argument, as dump()
    // refuses it: nothing the parser or the server produced is, but the writer never emits invalid JSON.
    json_writer& str(std::string_view s);
    // Through UTF-8 as utf16_to_utf8 writes it (a lone surrogate becomes U+FFFD). No byte of a multi-byte UTF-8
    // sequence needs escaping, so escaping the converted bytes is escaping the text.
    json_writer& str(std::u16string_view s);
    json_writer& num(std::uint64_t n);
    json_writer& num(std::int64_t n);
    std::string take() { return std::move(out_); }

private:
    void escaped(std::string_view s);  // s is valid UTF-8
    void ascii_or_byte(char c);
    std::string out_;
    std::string utf8_;  // one text at a time, converted; its buffer is reused
};

}  // namespace est
