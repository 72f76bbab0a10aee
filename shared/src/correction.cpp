#include "est/correction.hpp"

#include <cstdint>

#include <nlohmann/json.hpp>

#include "est/change.hpp"
#include "est/error.hpp"
#include "est/meeting_document.hpp"
#include "est/sshsig.hpp"
#include "est/utf.hpp"

namespace est {

using json = nlohmann::json;

namespace {

bool is_hex_digest(const std::string& s) {
    if (s.size() != 64) return false;
    for (char c : s)
        if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'))) return false;
    return true;
}

// Every choice field ({"value","rev"}) anywhere in a picture's JSON (topics, entries, decision items) back to
// revision 0.
void reset_registers(json& j) {
    // A choice field's {"value","rev"}, or an entry's sekretess marking {"osl","rev"}.
    if (j.is_object() && j.size() == 2 && j.contains("rev") && (j.contains("value") || j.contains("osl"))) {
        j["rev"] = std::uint64_t{0};
        return;
    }
    if (j.is_structured())
        for (auto& child : j) reset_registers(child);
}

}  // namespace

json correction_link::to_json() const { return {{"meeting", meeting}, {"digest", digest}, {"closing", closing}}; }

correction_link correction_link::from_json(const json& j, const std::string& where, const std::string& code) {
    try {
        json_read::object(j, where);
        json_read::only_fields(j, where, {"meeting", "digest", "closing"});
        correction_link l{json_read::id(j, where, "meeting"), json_read::string(j, where, "digest", 64),
                          json_read::string(j, where, "closing", 64)};
        if (!is_hex_digest(l.digest) || !is_hex_digest(l.closing))
            throw domain_error(code, "'" + where + ".digest' and '" + where +
                                         ".closing' must be SHA-256 digests in lower-case hex");
        return l;
    } catch (const domain_error& e) {
        if (e.code() == code) throw;
        throw domain_error(code, e.what());
    }
}

correction_link correction_of(std::string_view closing_statement) {
    try {
        const json j = json::parse(closing_statement);
        if (j.at("type") != "est-live/closing" || j.at("version") != 1)
            throw domain_error("bad_snapshot", "not a version 1 closing statement");
        correction_link l{j.at("meeting").get<std::string>(), j.at("digest").get<std::string>(),
                          sshsig::sha256_hex(closing_statement)};
        if (!is_hex_digest(l.digest)) throw domain_error("bad_snapshot", "the closing statement's digest is not a digest");
        return l;
    } catch (const json::exception& e) {
        throw domain_error("bad_snapshot", std::string("a closing statement is damaged: ") + e.what());
    }
}

std::string correction_title(std::string_view title, std::size_t max_bytes) {
    std::string out = "Rättelse: ";
    for (std::size_t at = 0; at < title.size();) {
        char32_t cp = 0;
        const std::size_t n = decode_utf8(title.substr(at), cp);
        if (n == 0 || out.size() + n > max_bytes) break;
        out.append(title.substr(at, n));
        at += n;
    }
    return out;
}

meeting_document correction_copy(const meeting_document& closed) {
    json j = closed.to_json();
    // The ids of removed entries (and items) guard a live log against late edits: a new log has none.
    for (auto& [key, value] : j.items())
        if (key.starts_with("retired")) value = json::array();
    reset_registers(j.at("topics"));
    return meeting_document::from_json(closed.tmpl_ptr(), closed.organisations(), j);
}

}  // namespace est
