#include "est/change.hpp"

#include <algorithm>
#include <array>

#include <nlohmann/json.hpp>

#include "est/error.hpp"
#include "est/ids.hpp"
#include "est/json_writer.hpp"

namespace est {

using json = nlohmann::json;

namespace json_read {

[[noreturn]] static void bad(const std::string& where, const std::string& problem) {
    throw domain_error("bad_message", "'" + where + "' " + problem);
}

// The path of `key` inside `where`, e.g. "change.target.topic". Built for errors only: the readers run
// for every message, and most paths are too long for a string without an allocation.
static std::string path(const std::string& where, const char* key) {
    return where.empty() ? key : where + "." + key;
}

const json& object(const json& j, const std::string& where) {
    if (!j.is_object()) bad(where, "must be an object");
    return j;
}

void only_fields(const json& obj, const std::string& where, std::initializer_list<std::string_view> allowed) {
    for (const auto& item : obj.items()) {
        bool ok = false;
        for (auto a : allowed) ok = ok || item.key() == a;
        if (!ok) bad(where.empty() ? item.key() : where + "." + item.key(), "is not a known field");
    }
}

const json& required(const json& obj, const std::string& where, const char* key) {
    auto it = obj.find(key);
    if (it == obj.end()) bad(path(where, key), "is missing");
    return *it;
}

std::string string(const json& obj, const std::string& where, const char* key, std::size_t max_len) {
    const json& v = required(obj, where, key);
    if (!v.is_string()) bad(path(where, key), "must be a string");
    const auto& s = v.get_ref<const std::string&>();
    if (s.empty()) bad(path(where, key), "must not be empty");
    if (s.size() > max_len) bad(path(where, key), "is longer than " + std::to_string(max_len) + " bytes");
    return s;
}

std::string id(const json& obj, const std::string& where, const char* key) {
    auto s = string(obj, where, key, 64);
    if (!is_valid_id(s)) bad(path(where, key), "must be an id of a-z, 0-9, '-' and '_'");
    return s;
}

std::string label(const json& obj, const std::string& where, const char* key, std::size_t max_len, bool may_be_empty) {
    const json& v = required(obj, where, key);
    if (!v.is_string()) bad(path(where, key), "must be a string");
    const auto& s = v.get_ref<const std::string&>();
    if (s.empty() && !may_be_empty) bad(path(where, key), "must not be empty");
    if (s.size() > max_len) bad(path(where, key), "is longer than " + std::to_string(max_len) + " bytes");
    for (const char ch : s)
        if (static_cast<unsigned char>(ch) < 0x20 || ch == 0x7f) bad(path(where, key), "must be one line without control characters");
    return s;
}

std::uint64_t uint(const json& obj, const std::string& where, const char* key) {
    const json& v = required(obj, where, key);
    if (!v.is_number_unsigned()) bad(path(where, key), "must be a whole number >= 0");
    return v.get<std::uint64_t>();
}

}  // namespace json_read

bool is_sha256_hex(std::string_view s) noexcept {
    return s.size() == 64 && std::all_of(s.begin(), s.end(), [](char c) { return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'); });
}

std::string field_ref::key() const {
    std::string k = topic;
    if (is_item_field()) {
        k += "/*";
        k += item;
    } else if (!is_topic_field()) {
        k += '/';
        k += org;
        k += '/';
        k += entry;
    }
    k += '/';
    k += field;
    return k;
}

int field_ref::compare_key(std::string_view other) const noexcept {
    // The parts key() joins, in its order; a topic field's key has the first three only.
    using parts = std::array<std::string_view, 7>;
    const parts joined = is_item_field()    ? parts{topic, "/*", item, "/", field}
                         : is_topic_field() ? parts{topic, "/", field}
                                            : parts{topic, "/", org, "/", entry, "/", field};
    std::size_t pos = 0;
    for (const std::string_view part : joined) {
        const std::size_t n = std::min(part.size(), other.size() - pos);
        if (const int c = part.substr(0, n).compare(other.substr(pos, n)); c != 0) return c;
        if (n < part.size()) return 1;  // `other` ends inside this part: key() is longer
        pos += n;
    }
    return pos < other.size() ? -1 : 0;
}

json field_ref::to_json() const {
    if (is_item_field()) return {{"topic", topic}, {"item", item}, {"field", field}};
    if (is_topic_field()) return {{"topic", topic}, {"field", field}};
    return {{"topic", topic}, {"org", org}, {"entry", entry}, {"field", field}};
}

field_ref field_ref::from_json(const json& j, const std::string& where) {
    json_read::object(j, where);
    json_read::only_fields(j, where, {"topic", "org", "entry", "field", "item"});
    field_ref r;
    r.topic = json_read::id(j, where, "topic");
    r.field = json_read::id(j, where, "field");
    const bool has_org = j.contains("org"), has_entry = j.contains("entry");
    if (j.contains("item")) {
        if (has_org || has_entry)
            throw domain_error("bad_message", "'" + where + "' addresses a decision item ('item') or an entry ('org' and 'entry'), not both");
        r.item = json_read::id(j, where, "item");
        return r;
    }
    if (has_org != has_entry)
        throw domain_error("bad_message", "'" + where + "' needs both 'org' and 'entry' for an entry field, or neither for a topic field");
    if (has_org) {
        r.org = json_read::id(j, where, "org");
        r.entry = json_read::id(j, where, "entry");
    }
    return r;
}

void field_ref::write_json(json_writer& w) const {
    // Keys in to_json()'s (sorted) order: entry, field, item, org, topic.
    w.raw("{");
    if (is_item_field()) {
        w.key("field").str(field).raw(",").key("item").str(item);
    } else if (is_topic_field()) {
        w.key("field").str(field);
    } else {
        w.key("entry").str(entry).raw(",").key("field").str(field).raw(",").key("org").str(org);
    }
    w.raw(",").key("topic").str(topic).raw("}");
}

std::string change_json_text(const change& c) {
    json_writer w(128);
    w.raw("{");
    std::visit(
        [&w](const auto& v) {
            using T = std::decay_t<decltype(v)>;
            // Each kind's keys in sorted order, as a nlohmann object dumps them.
            if constexpr (std::is_same_v<T, text_change>) {
                w.key("kind").str("text").raw(",").key("ops");
                v.op.write_json(w);
                w.raw(",").key("target");
                v.target.write_json(w);
            } else if constexpr (std::is_same_v<T, set_change>) {
                w.key("kind").str("set").raw(",").key("target");
                v.target.write_json(w);
                w.raw(",").key("value").str(v.value);
            } else if constexpr (std::is_same_v<T, add_entry_change> || std::is_same_v<T, remove_entry_change>) {
                w.key("entry").str(v.entry).raw(",").key("kind");
                w.str(std::is_same_v<T, add_entry_change> ? "add_entry" : "remove_entry");
                w.raw(",").key("org").str(v.org).raw(",").key("topic").str(v.topic);
            } else if constexpr (std::is_same_v<T, add_item_change> || std::is_same_v<T, remove_item_change>) {
                w.key("item").str(v.item).raw(",").key("kind");
                w.str(std::is_same_v<T, add_item_change> ? "add_item" : "remove_item");
                w.raw(",").key("topic").str(v.topic);
            } else if constexpr (std::is_same_v<T, secrecy_change>) {
                w.key("entry").str(v.entry).raw(",").key("kind").str("secrecy").raw(",").key("org").str(v.org);
                w.raw(",").key("osl").str(v.osl).raw(",").key("topic").str(v.topic);
            } else if constexpr (std::is_same_v<T, current_topic_change>) {
                w.key("kind").str("current_topic").raw(",").key("topic").str(v.topic);
            } else {
                static_assert(std::is_same_v<T, acknowledge_change>);
                if (!v.at.empty()) w.key("at").str(v.at).raw(",");
                if (!v.by.empty()) w.key("by").str(v.by).raw(",");
                w.key("kind").str("acknowledge").raw(",").key("number").str(v.number);
                w.raw(",").key("reason").str(v.reason).raw(",").key("target");
                v.target.write_json(w);
            }
        },
        c);
    w.raw("}");
    return w.take();
}

json change_to_json(const change& c) { return json::parse(change_json_text(c)); }

change change_from_json(const json& j, const std::string& where) {
    json_read::object(j, where);
    const auto kind = json_read::string(j, where, "kind", 32);
    if (kind == "text") {
        json_read::only_fields(j, where, {"kind", "target", "ops"});
        return text_change{field_ref::from_json(json_read::required(j, where, "target"), where + ".target"),
                           text_operation::from_json(json_read::required(j, where, "ops"), where + ".ops")};
    }
    if (kind == "set") {
        json_read::only_fields(j, where, {"kind", "target", "value"});
        const json& v = json_read::required(j, where, "value");
        if (!v.is_string() || v.get_ref<const std::string&>().size() > 200)
            throw domain_error("bad_message", "'" + where + ".value' must be a string of at most 200 bytes");
        return set_change{field_ref::from_json(json_read::required(j, where, "target"), where + ".target"),
                          v.get<std::string>()};
    }
    if (kind == "add_entry" || kind == "remove_entry") {
        json_read::only_fields(j, where, {"kind", "topic", "org", "entry"});
        auto topic = json_read::id(j, where, "topic");
        auto org = json_read::id(j, where, "org");
        auto entry = json_read::id(j, where, "entry");
        if (kind == "add_entry") return add_entry_change{std::move(topic), std::move(org), std::move(entry)};
        return remove_entry_change{std::move(topic), std::move(org), std::move(entry)};
    }
    if (kind == "add_item" || kind == "remove_item") {
        json_read::only_fields(j, where, {"kind", "topic", "item"});
        auto topic = json_read::id(j, where, "topic");
        auto item = json_read::id(j, where, "item");
        if (kind == "add_item") return add_item_change{std::move(topic), std::move(item)};
        return remove_item_change{std::move(topic), std::move(item)};
    }
    if (kind == "secrecy") {
        json_read::only_fields(j, where, {"kind", "topic", "org", "entry", "osl"});
        auto topic = json_read::id(j, where, "topic");
        auto org = json_read::id(j, where, "org");
        auto entry = json_read::id(j, where, "entry");
        return secrecy_change{std::move(topic), std::move(org), std::move(entry),
                              json_read::label(j, where, "osl", max_osl_bytes, true)};
    }
    if (kind == "acknowledge") {
        json_read::only_fields(j, where, {"kind", "target", "number", "reason", "by", "at"});
        acknowledge_change a{field_ref::from_json(json_read::required(j, where, "target"), where + ".target"),
                             json_read::string(j, where, "number", 64), json_read::label(j, where, "reason", max_reason_bytes, false)};
        if (!is_sha256_hex(a.number)) throw domain_error("bad_message", "'" + where + ".number' must be a SHA-256 in hex (64 of 0-9, a-f)");
        // The server's stamp (a client's is replaced): read back from the log as the server wrote it, whatever
        // name the meeting knew the chair by.
        if (j.contains("by")) a.by = json_read::string(j, where, "by", 4096);
        if (j.contains("at")) a.at = json_read::string(j, where, "at", 64);
        return a;
    }
    if (kind == "current_topic") {
        json_read::only_fields(j, where, {"kind", "topic"});
        const json& t = json_read::required(j, where, "topic");
        // "" is no topic; otherwise a topic's id.
        if (t.is_string() && t.get_ref<const std::string&>().empty()) return current_topic_change{};
        return current_topic_change{json_read::id(j, where, "topic")};
    }
    throw domain_error("bad_message", "'" + where +
                                          ".kind' must be text, set, add_entry, remove_entry, add_item, remove_item, secrecy, "
                                          "acknowledge or current_topic, not '" + kind + "'");
}

}  // namespace est
