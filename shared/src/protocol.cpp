#include "est/protocol.hpp"

#include <algorithm>

#include <nlohmann/json.hpp>

#include "est/error.hpp"
#include "est/json_limits.hpp"
#include "est/utf.hpp"

namespace est {

using json = nlohmann::json;

client_message parse_client_message(std::string_view text, const limits& lim, std::optional<std::uint64_t>* seq) {
    if (text.size() > lim.max_message_bytes)
        throw domain_error("too_large", "message of " + std::to_string(text.size()) + " bytes; the limit is " +
                                            std::to_string(lim.max_message_bytes));
    const json j = parse_json_bounded(text, lim.max_json_depth);
    json_read::object(j, "message");
    const auto type = json_read::string(j, "", "type", 32);
    if (type == "op") {
        op_message m;
        m.seq = json_read::uint(j, "", "seq");
        if (seq) *seq = m.seq;
        json_read::only_fields(j, "", {"type", "seq", "rev", "change"});
        m.rev = json_read::uint(j, "", "rev");
        m.body = change_from_json(json_read::required(j, "", "change"), "change");
        return m;
    }
    if (type == "focus") {
        json_read::only_fields(j, "", {"type", "target"});
        focus_message m;
        const json& t = json_read::required(j, "", "target");
        if (!t.is_null()) m.target = field_ref::from_json(t, "target");
        return m;
    }
    if (type == "watch_queue") {
        json_read::only_fields(j, "", {"type"});
        return watch_queue_message{};
    }
    if (type == "join") {
        json_read::only_fields(j, "", {"type", "meeting", "client", "name", "org", "role", "since", "epoch", "applied"});
        join_message m;
        m.meeting = json_read::id(j, "", "meeting");
        m.client = json_read::id(j, "", "client");
        if (m.client.size() < min_client_secret)
            throw domain_error("bad_message", "'client' must be a random secret of at least " +
                                                  std::to_string(min_client_secret) + " characters");
        // Under accounts the identity comes from the account, and the join carries none; under open access it
        // carries all three. Part of it is neither.
        const bool any = j.contains("name") || j.contains("org") || j.contains("role");
        if (any && !(j.contains("name") && j.contains("org") && j.contains("role")))
            throw domain_error("bad_message", "'name', 'org' and 'role' come together or not at all");
        if (any) {
            identity who;
            // 100 characters as the browser counts them (UTF-16 units), not bytes: "Åström" is not longer than "Astrom".
            who.name = json_read::string(j, "", "name", 400);
            if (auto u = utf8_to_utf16(who.name)) {
                if (u->size() > 100) throw domain_error("bad_message", "'name' is longer than 100 characters");
                if (std::any_of(u->begin(), u->end(), [](char16_t c) { return is_forbidden_in_text(c); }))
                    throw domain_error("bad_message", "'name' may not hold control characters");
            }
            who.org = json_read::id(j, "", "org");
            const auto r = json_read::string(j, "", "role", 32);
            auto parsed = role_from_string(r);
            if (!parsed)
                throw domain_error("bad_message", "'role' must be participant, chair, cosigner, bra_member or admin, not '" + r + "'");
            who.role = *parsed;
            m.who = std::move(who);
        }
        if (j.contains("since")) m.since = json_read::uint(j, "", "since");
        if (j.contains("epoch")) m.epoch = json_read::string(j, "", "epoch", max_epoch_length);
        if (j.contains("applied")) {
            const json& a = j.at("applied");
            if (!a.is_boolean()) throw domain_error("bad_message", "'applied' must be true or false");
            m.applied = a.get<bool>();
        }
        return m;
    }
    throw domain_error("unknown_type", "unknown message type '" + type + "'; expected join, op, focus or watch_queue");
}

std::string encode_client_message(const client_message& m) {
    return std::visit(
        [](const auto& v) -> std::string {
            using T = std::decay_t<decltype(v)>;
            json j;
            if constexpr (std::is_same_v<T, join_message>) {
                j = {{"type", "join"}, {"meeting", v.meeting}, {"client", v.client}};
                if (v.who) {
                    j["name"] = v.who->name;
                    j["org"] = v.who->org;
                    j["role"] = to_string(v.who->role);
                }
                if (v.since) j["since"] = *v.since;
                if (!v.epoch.empty()) j["epoch"] = v.epoch;
                if (v.applied) j["applied"] = true;
            } else if constexpr (std::is_same_v<T, op_message>) {
                // Keys in dump()'s sorted order; the change as the writer gives it, no tree per keystroke.
                return R"({"change":)" + change_json_text(v.body) + R"(,"rev":)" + std::to_string(v.rev) +
                       R"(,"seq":)" + std::to_string(v.seq) + R"(,"type":"op"})";
            } else if constexpr (std::is_same_v<T, focus_message>) {
                j = {{"type", "focus"}, {"target", v.target ? v.target->to_json() : json(nullptr)}};
            } else {
                j = {{"type", "watch_queue"}};
            }
            return j.dump();
        },
        m);
}

json participant_to_json(const participant_info& p) {
    return {{"session", p.session},
            {"name", p.who.name},
            {"org", p.who.org},
            {"role", to_string(p.who.role)},
            {"focus", p.focus ? p.focus->to_json() : json(nullptr)}};
}

namespace encode {

std::string error(std::string_view code, std::string_view message, std::optional<std::uint64_t> seq) {
    json j = {{"type", "error"}, {"code", code}, {"message", message}};
    if (seq) j["seq"] = *seq;
    // Messages may quote client input; replace anything that is not valid UTF-8 instead of throwing.
    return j.dump(-1, ' ', false, json::error_handler_t::replace);
}

// ack and op are sent for every change: written directly, in the key order a json object dumps in
// (sorted), so they are the same bytes the DOM would give (tests/unit/test_protocol.cpp checks).
namespace {
std::string confirmation(std::uint64_t seq, std::uint64_t rev, bool duplicate, std::string_view flags_json,
                         std::string_view type) {
    std::string out = duplicate ? R"({"duplicate":true,)" : "{";
    if (!flags_json.empty()) {
        out += R"("flags":)";
        out += flags_json;
        out += ',';
    }
    out += R"("rev":)";
    out += std::to_string(rev);
    out += R"(,"seq":)";
    out += std::to_string(seq);
    out += R"(,"type":")";
    out += type;
    out += R"("})";
    return out;
}
}  // namespace

std::string ack(std::uint64_t seq, std::uint64_t rev, bool duplicate, std::string_view flags_json) {
    return confirmation(seq, rev, duplicate, flags_json, "ack");
}

std::string applied(std::uint64_t seq, std::uint64_t rev, std::string_view flags_json) {
    return confirmation(seq, rev, false, flags_json, "applied");
}

std::string author_json(const participant_info& by) {
    return json{{"session", by.session}, {"name", by.who.name}, {"org", by.who.org}}.dump();
}

std::string op(std::uint64_t rev, std::string_view client, std::uint64_t seq, std::string_view by_json,
               std::string_view change_json, std::string_view flags_json) {
    const std::string client_json = json(client).dump();
    std::string out;
    out.reserve(by_json.size() + change_json.size() + client_json.size() + flags_json.size() + 82);
    out += R"({"by":)";
    out += by_json;
    out += R"(,"change":)";
    out += change_json;
    out += R"(,"client":)";
    out += client_json;
    if (!flags_json.empty()) {
        out += R"(,"flags":)";
        out += flags_json;
    }
    out += R"(,"rev":)";
    out += std::to_string(rev);
    out += R"(,"seq":)";
    out += std::to_string(seq);
    out += R"(,"type":"op"})";
    return out;
}

std::string op(std::uint64_t rev, std::string_view client, std::uint64_t seq, const participant_info& by,
               const change& c) {
    return op(rev, client, seq, author_json(by), change_json_text(c));
}

std::string presence(const participant_info& p) {
    return json{{"type", "presence"}, {"participant", participant_to_json(p)}}.dump();
}

std::string presence_left(std::string_view session) {
    return json{{"type", "presence_left"}, {"session", session}}.dump();
}

std::string welcome(const welcome_parts& w) {
    json you = participant_to_json(w.you);
    you["client"] = w.you_client;
    json j = {{"type", "welcome"}, {"meeting", *w.meeting}, {"you", std::move(you)},
              {"rev", w.rev},       {"last_seq", w.last_seq}};
    if (!w.epoch.empty()) j["epoch"] = w.epoch;
    json ps = json::array();
    for (const auto& p : w.participants) ps.push_back(participant_to_json(p));
    j["participants"] = std::move(ps);
    if (w.lifecycle) j["lifecycle"] = *w.lifecycle;
    j["current_topic"] = w.current_topic;
    // Splice the already-serialised state or op messages in rather than parsing them back.
    std::string out = j.dump();
    out.pop_back();  // the closing brace
    if (w.privacy) {
        out += ",\"privacy\":";
        out += *w.privacy;
    }
    if (w.state) {
        out.reserve(out.size() + w.state->size() + 12);
        out += ",\"state\":";
        out += *w.state;
        out += '}';
        return out;
    }
    out += ",\"catch_up\":[";
    for (std::size_t i = 0; i < w.catch_up.size(); ++i) {
        if (i) out += ',';
        out += *w.catch_up[i];
    }
    out += "]}";
    return out;
}

}  // namespace encode
}  // namespace est
