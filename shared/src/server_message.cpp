#include "est/server_message.hpp"

#include <array>
#include <cstring>

#include <nlohmann/json.hpp>

#include "est/error.hpp"
#include "est/ids.hpp"
#include "est/lifecycle.hpp"
#include "est/utf.hpp"

namespace est {

using json = nlohmann::json;

namespace {

std::string string_or_empty(const json& obj, const char* key) {
    auto it = obj.find(key);
    return it != obj.end() && it->is_string() ? it->get<std::string>() : std::string();
}

void append_code_point(std::string& out, char32_t cp) { append_utf8(out, cp); }
void append_code_point(std::u16string& out, char32_t cp) { append_utf16(out, cp); }

// A strict reader of exactly what nlohmann::json::parse accepts, for the few value types op and ack hold.
// Every method returns false on anything it does not accept; the caller then gives up and the DOM decides
// (it reports the error, or reads a shape the scanner does not know). Nothing is accepted that the DOM
// would refuse or read differently.
class scanner {
public:
    explicit scanner(std::string_view text) : p_(text.data()), end_(text.data() + text.size()) {}

    bool at_end() {
        skip_ws();
        return p_ == end_;
    }

    // The next non-whitespace character is `c`: consumes it.
    bool take(char c) {
        skip_ws();
        if (p_ == end_ || *p_ != c) return false;
        ++p_;
        return true;
    }

    // A member name and its colon. Names with escapes are left to the DOM (the server sends none).
    bool key(std::string_view& k) { return string_view(k) && take(':'); }

    // A non-negative integer without fraction or exponent that fits 64 bits.
    bool uint(std::uint64_t& v) {
        skip_ws();
        if (p_ == end_ || *p_ < '0' || *p_ > '9') return false;
        if (*p_ == '0') {
            ++p_;
            v = 0;
            return number_ends();
        }
        std::uint64_t n = 0;
        while (p_ != end_ && *p_ >= '0' && *p_ <= '9') {
            const auto d = static_cast<std::uint64_t>(*p_ - '0');
            if (n > (UINT64_MAX - d) / 10) return false;  // nlohmann reads it as a float
            n = n * 10 + d;
            ++p_;
        }
        v = n;
        return number_ends();
    }

    // An integer of at most `max` in magnitude, without fraction or exponent.
    bool bounded_int(std::int64_t& v, std::int64_t max) {
        skip_ws();
        const bool negative = p_ != end_ && *p_ == '-';
        if (negative) ++p_;
        if (p_ == end_ || *p_ < '0' || *p_ > '9') return false;
        if (*p_ == '0' && p_ + 1 != end_ && p_[1] >= '0' && p_[1] <= '9') return false;  // a leading zero
        std::int64_t n = 0;
        while (p_ != end_ && *p_ >= '0' && *p_ <= '9') {
            n = n * 10 + (*p_ - '0');
            if (n > max) return false;
            ++p_;
        }
        v = negative ? -n : n;
        return number_ends();
    }

    bool boolean(bool& v) {
        skip_ws();
        if (literal("true")) v = true;
        else if (literal("false")) v = false;
        else return false;
        return true;
    }

    // A string value, decoded: escapes (\uXXXX with surrogate pairs) and UTF-8 checked as nlohmann does.
    template <class String>
    bool string(String& out) {
        if (!take('"')) return false;
        out.clear();
        while (p_ != end_) {
            const char* run = p_;  // plain ASCII, appended at once
            while (p_ != end_ && plain(*p_)) ++p_;
            if (p_ != run) out.append(run, p_);
            if (p_ == end_) break;
            const auto c = static_cast<unsigned char>(*p_);
            if (c == '"') {
                ++p_;
                return true;
            }
            if (c < 0x20) return false;
            if (c == '\\') {
                if (!escape(out)) return false;
            } else {
                char32_t cp = 0;
                if (!utf8_sequence(cp)) return false;
                append_code_point(out, cp);
            }
        }
        return false;
    }

    // A string without escapes or non-ASCII characters, as a view into the text (for a message's
    // `type`); anything else is left to the DOM.
    bool string_view(std::string_view& out) {
        if (!take('"')) return false;
        const char* start = p_;
        while (p_ != end_ && plain(*p_)) ++p_;
        if (p_ == end_ || *p_ != '"') return false;
        out = std::string_view(start, static_cast<std::size_t>(p_ - start));
        ++p_;
        return true;
    }

    // Whether the next value is a string (without consuming it).
    bool string_follows() {
        skip_ws();
        return p_ != end_ && *p_ == '"';
    }

private:
    // Printable ASCII but '"' and '\\': what a string holds as it is.
    static bool plain(char c) noexcept {
        static constexpr auto table = [] {
            std::array<bool, 256> t{};
            for (int i = 0x20; i < 0x80; ++i) t[static_cast<std::size_t>(i)] = i != '"' && i != '\\';
            return t;
        }();
        return table[static_cast<unsigned char>(c)];
    }

    void skip_ws() {
        // The server sends no whitespace: one comparison in the common case.
        while (p_ != end_ && static_cast<unsigned char>(*p_) <= ' ' &&
               (*p_ == ' ' || *p_ == '\n' || *p_ == '\r' || *p_ == '\t'))
            ++p_;
    }

    bool literal(std::string_view word) {
        if (static_cast<std::size_t>(end_ - p_) < word.size() || std::string_view(p_, word.size()) != word) return false;
        p_ += word.size();
        return true;
    }

    // After a number: nothing that would continue it (a fraction, an exponent, more digits).
    bool number_ends() const {
        return p_ == end_ || !(*p_ == '.' || *p_ == 'e' || *p_ == 'E' || (*p_ >= '0' && *p_ <= '9'));
    }

    bool hex4(char32_t& v) {
        if (end_ - p_ < 4) return false;
        v = 0;
        for (int i = 0; i < 4; ++i, ++p_) {
            const char c = *p_;
            v <<= 4;
            if (c >= '0' && c <= '9') v |= static_cast<char32_t>(c - '0');
            else if (c >= 'a' && c <= 'f') v |= static_cast<char32_t>(c - 'a' + 10);
            else if (c >= 'A' && c <= 'F') v |= static_cast<char32_t>(c - 'A' + 10);
            else return false;
        }
        return true;
    }

    template <class String>
    bool escape(String& out) {
        ++p_;  // the backslash
        if (p_ == end_) return false;
        const char e = *p_++;
        char simple = 0;
        switch (e) {
            case '"': simple = '"'; break;
            case '\\': simple = '\\'; break;
            case '/': simple = '/'; break;
            case 'b': simple = '\b'; break;
            case 'f': simple = '\f'; break;
            case 'n': simple = '\n'; break;
            case 'r': simple = '\r'; break;
            case 't': simple = '\t'; break;
            case 'u': break;
            default: return false;
        }
        if (simple) {
            out.push_back(static_cast<typename String::value_type>(simple));
            return true;
        }
        char32_t cp = 0;
        if (!hex4(cp)) return false;
        if (cp >= 0xDC00 && cp <= 0xDFFF) return false;  // a low surrogate first
        if (cp >= 0xD800 && cp <= 0xDBFF) {
            // A high surrogate: a low one must follow, as another \u escape.
            char32_t low = 0;
            if (end_ - p_ < 2 || p_[0] != '\\' || p_[1] != 'u') return false;
            p_ += 2;
            if (!hex4(low) || low < 0xDC00 || low > 0xDFFF) return false;
            cp = 0x10000 + ((cp - 0xD800) << 10) + (low - 0xDC00);
        }
        append_code_point(out, cp);
        return true;
    }

    // One multi-byte UTF-8 character (RFC 3629: no overlong forms, no surrogates, at most U+10FFFF).
    bool utf8_sequence(char32_t& cp) {
        const std::size_t len = decode_utf8(std::string_view(p_, static_cast<std::size_t>(end_ - p_)), cp);
        if (len < 2) return false;  // not UTF-8, or a control character (plain ASCII never gets here)
        p_ += len;
        return true;
    }

    const char* p_;
    const char* end_;
};

// k == name: the length first, then the bytes.
template <std::size_t N>
bool is(std::string_view k, const char (&name)[N]) noexcept {
    return k.size() == N - 1 && std::memcmp(k.data(), name, N - 1) == 0;
}

// Object members by name, each allowed once: a bit per name.
class member_set {
public:
    bool add(unsigned bit) {
        if (seen_ & (1u << bit)) return false;
        seen_ |= 1u << bit;
        return true;
    }
    template <unsigned... Bits>
    bool exactly() const noexcept {
        return seen_ == ((1u << Bits) | ...);
    }

private:
    unsigned seen_ = 0;
};

// An object: `member(name)` reads each member's value and returns false for a name it does not know.
template <class F>
bool scan_object(scanner& s, F&& member) {
    if (!s.take('{')) return false;
    if (s.take('}')) return true;
    do {
        std::string_view k;
        if (!s.key(k) || !member(k)) return false;
    } while (s.take(','));
    return s.take('}');
}

// An id-valued member (topic, org, entry, field), as json_read::id checks it.
bool scan_id(scanner& s, std::string& out) { return s.string(out) && is_valid_id(out); }

bool scan_target(scanner& s, field_ref& r) {
    enum : unsigned { topic, org, entry, field, item };
    member_set m;
    const bool ok = scan_object(s, [&](std::string_view k) {
        if (is(k, "topic")) return m.add(topic) && scan_id(s, r.topic);
        if (is(k, "org")) return m.add(org) && scan_id(s, r.org);
        if (is(k, "entry")) return m.add(entry) && scan_id(s, r.entry);
        if (is(k, "field")) return m.add(field) && scan_id(s, r.field);
        if (is(k, "item")) return m.add(item) && scan_id(s, r.item);
        return false;
    });
    return ok && (m.exactly<topic, field>() || m.exactly<topic, org, entry, field>() || m.exactly<topic, item, field>());
}

// `ops` as text_operation::from_json reads it, component by component through the same builders.
bool scan_ops(scanner& s, text_operation& op) {
    constexpr std::int64_t max = 1 << 24;
    if (!s.take('[')) return false;
    if (s.take(']')) return true;
    std::u16string text;
    do {
        if (s.string_follows()) {
            if (!s.string(text) || text.empty()) return false;
            op.insert(text);
        } else {
            std::int64_t n = 0;
            if (!s.bounded_int(n, max) || n == 0) return false;
            if (n > 0) op.retain(static_cast<std::size_t>(n));
            else op.remove(static_cast<std::size_t>(-n));
        }
    } while (s.take(','));
    return s.take(']');
}

// A change as change_from_json reads it.
bool scan_change(scanner& s, change& out) {
    enum : unsigned { kind, target, ops, value, topic, org, entry, item };
    member_set m;
    std::string_view kind_name;
    std::string value_text, topic_id, org_id, entry_id, item_id;
    field_ref where;
    text_operation op;
    const bool ok = scan_object(s, [&](std::string_view k) {
        if (is(k, "kind")) return m.add(kind) && s.string_view(kind_name);
        if (is(k, "target")) return m.add(target) && scan_target(s, where);
        if (is(k, "ops")) return m.add(ops) && scan_ops(s, op);
        if (is(k, "value")) return m.add(value) && s.string(value_text) && value_text.size() <= 200;
        if (is(k, "topic")) return m.add(topic) && scan_id(s, topic_id);
        if (is(k, "org")) return m.add(org) && scan_id(s, org_id);
        if (is(k, "entry")) return m.add(entry) && scan_id(s, entry_id);
        if (is(k, "item")) return m.add(item) && scan_id(s, item_id);
        return false;
    });
    if (!ok) return false;
    if (kind_name == "text" && m.exactly<kind, target, ops>()) {
        out = text_change{std::move(where), std::move(op)};
    } else if (kind_name == "set" && m.exactly<kind, target, value>()) {
        out = set_change{std::move(where), std::move(value_text)};
    } else if (kind_name == "add_entry" && m.exactly<kind, topic, org, entry>()) {
        out = add_entry_change{std::move(topic_id), std::move(org_id), std::move(entry_id)};
    } else if (kind_name == "remove_entry" && m.exactly<kind, topic, org, entry>()) {
        out = remove_entry_change{std::move(topic_id), std::move(org_id), std::move(entry_id)};
    } else if (kind_name == "add_item" && m.exactly<kind, topic, item>()) {
        out = add_item_change{std::move(topic_id), std::move(item_id)};
    } else if (kind_name == "remove_item" && m.exactly<kind, topic, item>()) {
        out = remove_item_change{std::move(topic_id), std::move(item_id)};
    } else {
        return false;
    }
    return true;
}

bool scan_author(scanner& s, op_author& by) {
    enum : unsigned { session, name, org };
    member_set m;
    const bool ok = scan_object(s, [&](std::string_view k) {
        if (is(k, "session")) return m.add(session) && s.string(by.session);
        if (is(k, "name")) return m.add(name) && s.string(by.name);
        if (is(k, "org")) return m.add(org) && s.string(by.org);
        return false;
    });
    return ok && m.exactly<session, name, org>();
}

}  // namespace

remote_op remote_op_from_json(const json& msg) {
    remote_op op;
    op.rev = msg.at("rev").get<std::uint64_t>();
    op.client = msg.at("client").get_ref<const std::string&>();
    op.seq = msg.at("seq").get<std::uint64_t>();
    if (auto by = msg.find("by"); by != msg.end() && by->is_object())
        op.by = {string_or_empty(*by, "session"), string_or_empty(*by, "name"), string_or_empty(*by, "org")};
    if (is_lifecycle_change(msg.at("change"))) op.lifecycle = true;
    else op.body = change_from_json(msg.at("change"), "change");
    return op;
}

ack_message ack_from_json(const json& msg) {
    ack_message a;
    a.seq = msg.at("seq").get<std::uint64_t>();
    a.rev = msg.at("rev").get<std::uint64_t>();
    auto d = msg.find("duplicate");
    a.duplicate = d != msg.end() && d->is_boolean() && d->get<bool>();
    return a;
}

namespace {

enum class scanned { neither, op, ack };

// The scanner's whole message, read into `op` (an op) or into `ack` (an ack, through op's fields).
scanned scan_message(std::string_view text, remote_op& op, ack_message& ack) {
    enum : unsigned { type, rev, seq, client, by, change_, duplicate };
    scanner s(text);
    member_set m;
    std::string_view type_name;
    bool dup = false;
    const bool ok = scan_object(s, [&](std::string_view k) {
        if (is(k, "type")) return m.add(type) && s.string_view(type_name);
        if (is(k, "rev")) return m.add(rev) && s.uint(op.rev);
        if (is(k, "seq")) return m.add(seq) && s.uint(op.seq);
        if (is(k, "client")) return m.add(client) && s.string(op.client);
        if (is(k, "by")) return m.add(by) && scan_author(s, op.by);
        if (is(k, "change")) return m.add(change_) && scan_change(s, op.body);
        if (is(k, "duplicate")) return m.add(duplicate) && s.boolean(dup);
        return false;  // e.g. the first member of any other type of message
    });
    if (!ok || !s.at_end()) return scanned::neither;
    if (type_name == "op" && m.exactly<type, rev, seq, client, by, change_>()) return scanned::op;
    if (type_name == "ack" && (m.exactly<type, seq, rev>() || m.exactly<type, seq, rev, duplicate>())) {
        ack = {op.seq, op.rev, dup};
        return scanned::ack;
    }
    return scanned::neither;
}

}  // namespace

std::optional<fast_message> scan_op_or_ack(std::string_view text) {
    remote_op op;
    ack_message ack;
    switch (scan_message(text, op, ack)) {
        case scanned::op: return fast_message{std::move(op)};
        case scanned::ack: return fast_message{ack};
        case scanned::neither: break;
    }
    return std::nullopt;
}

server_message::server_message(std::string_view text) : text_(text) {
    // Scanned in place: an op message's strings and operation are not moved again.
    ack_message ack;
    switch (scan_message(text, decoded_.emplace<remote_op>(), ack)) {
        case scanned::op: type_ = "op"; return;
        case scanned::ack: type_ = "ack"; decoded_ = ack; return;
        case scanned::neither: decoded_ = std::monostate{}; break;
    }
    json_ = std::make_unique<nlohmann::json>(nlohmann::json::parse(text));
    auto t = json_->find("type");
    if (t == json_->end() || !t->is_string()) return;
    type_ = t->get_ref<const std::string&>();
    try {
        if (type_ == "op") decoded_ = remote_op_from_json(*json_);
        else if (type_ == "ack") decoded_ = ack_from_json(*json_);
    } catch (const nlohmann::json::exception&) {
        // Malformed: op() and ack() stay empty, and the replica reports the error from json().
    } catch (const domain_error&) {
    }
}

server_message::~server_message() = default;
server_message::server_message(server_message&&) noexcept = default;
server_message& server_message::operator=(server_message&&) noexcept = default;

const json& server_message::json() const {
    if (!json_) json_ = std::make_unique<nlohmann::json>(nlohmann::json::parse(text_));
    return *json_;
}

}  // namespace est
