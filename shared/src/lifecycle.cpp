#include "est/lifecycle.hpp"

#include <algorithm>

#include <nlohmann/json.hpp>

#include "est/change.hpp"
#include "est/error.hpp"

namespace est {

using json = nlohmann::json;

namespace {

constexpr std::string_view kind_names[] = {"open", "lock_topic", "unlock_topic", "lock_picture", "unlock_picture", "sign", "close"};

// The statements' cap: a signature statement is a few hundred bytes; names and ids are bounded far below this.
constexpr std::size_t max_statement_bytes = 4096;
constexpr std::size_t max_sshsig_bytes = 1024;

json signer_json(const signer& by) {
    return {{"account", by.account}, {"name", by.who.name}, {"org", by.who.org}, {"role", to_string(by.who.role)}};
}

bool same_person(const signature_facts& a, const signer& b) {
    if (!a.account.empty() || !b.account.empty()) return a.account == b.account;
    // Under --open-access there are no accounts: the name and organisation stand for the person.
    return a.who.name == b.who.name && a.who.org == b.who.org;
}

std::string_view role_label(role r) {
    switch (r) {
        case role::chair: return "the chair";
        case role::cosigner: return "the co-signer";
        default: return to_string(r);
    }
}

}  // namespace

json signed_record::to_json() const { return {{"statement", statement}, {"sshsig", sshsig}, {"key_id", key_id}}; }

signed_record signed_record::from_json(const json& j, const std::string& where) {
    json_read::object(j, where);
    json_read::only_fields(j, where, {"statement", "sshsig", "key_id"});
    return {json_read::string(j, where, "statement", max_statement_bytes),
            json_read::string(j, where, "sshsig", max_sshsig_bytes), json_read::string(j, where, "key_id", 100)};
}

std::string_view to_string(lifecycle_kind k) noexcept { return kind_names[static_cast<std::size_t>(k)]; }

std::optional<lifecycle_kind> lifecycle_kind_from_string(std::string_view s) noexcept {
    for (std::size_t i = 0; i < std::size(kind_names); ++i)
        if (kind_names[i] == s) return static_cast<lifecycle_kind>(i);
    return std::nullopt;
}

action action_of(lifecycle_kind k) noexcept {
    switch (k) {
        case lifecycle_kind::open: return action::open_meeting;
        case lifecycle_kind::lock_topic: return action::lock_topic;
        case lifecycle_kind::unlock_topic: return action::unlock_topic;
        case lifecycle_kind::lock_picture: return action::lock_picture;
        case lifecycle_kind::unlock_picture: return action::unlock_picture;
        case lifecycle_kind::sign: return action::sign_picture;
        case lifecycle_kind::close: return action::close_meeting;
    }
    return action::close_meeting;
}

json to_json(const lifecycle_change& c) {
    json j = {{"kind", to_string(c.kind)}};
    if (c.kind == lifecycle_kind::lock_topic || c.kind == lifecycle_kind::unlock_topic) j["topic"] = c.topic;
    if (c.record) j[c.kind == lifecycle_kind::sign ? "signature" : "closing"] = c.record->to_json();
    return j;
}

lifecycle_change lifecycle_change_from_json(const json& j, const std::string& where) {
    json_read::object(j, where);
    const auto name = json_read::string(j, where, "kind", 32);
    const auto kind = lifecycle_kind_from_string(name);
    if (!kind) throw domain_error("bad_message", "'" + where + ".kind' is not a lifecycle move: '" + name + "'");
    lifecycle_change c{*kind, {}, std::nullopt};
    switch (*kind) {
        case lifecycle_kind::lock_topic:
        case lifecycle_kind::unlock_topic:
            json_read::only_fields(j, where, {"kind", "topic"});
            c.topic = json_read::id(j, where, "topic");
            break;
        case lifecycle_kind::sign:
            json_read::only_fields(j, where, {"kind", "signature"});
            c.record = signed_record::from_json(json_read::required(j, where, "signature"), where + ".signature");
            break;
        case lifecycle_kind::close:
            json_read::only_fields(j, where, {"kind", "closing"});
            c.record = signed_record::from_json(json_read::required(j, where, "closing"), where + ".closing");
            break;
        default: json_read::only_fields(j, where, {"kind"});
    }
    return c;
}

bool is_lifecycle_change(const json& logged) noexcept {
    if (!logged.is_object()) return false;
    auto k = logged.find("kind");
    return k != logged.end() && k->is_string() && lifecycle_kind_from_string(k->get_ref<const std::string&>());
}

std::string signature_statement(std::string_view meeting, std::string_view group, std::uint64_t rev,
                                std::string_view digest, std::string_view signed_at, const signer& by,
                                const std::optional<correction_link>& corrects) {
    json j = {{"type", "est-live/signature"}, {"version", 1},      {"meeting", meeting},
              {"group", group},               {"rev", rev},        {"digest", digest},
              {"signed_at", signed_at},       {"signer", signer_json(by)}};
    if (corrects) j["corrects"] = corrects->to_json();
    return j.dump();
}

std::string closing_statement(std::string_view meeting, std::string_view group, std::uint64_t rev,
                              std::string_view digest, std::string_view closed_at, const signer& by,
                              std::span<const std::string> signature_digests, std::string_view previous,
                              std::uint64_t sequence, const std::optional<correction_link>& corrects) {
    json sigs = json::array();
    for (const auto& d : signature_digests) sigs.push_back(d);
    json j = {{"type", "est-live/closing"},
              {"version", 1},
              {"meeting", meeting},
              {"group", group},
              {"rev", rev},
              {"digest", digest},
              {"closed_at", closed_at},
              {"closed_by", signer_json(by)},
              {"signatures", std::move(sigs)},
              {"previous", previous},
              {"sequence", sequence}};
    if (corrects) j["corrects"] = corrects->to_json();
    return j.dump();
}

signature_facts read_signature_statement(std::string_view text) {
    try {
        const json j = json::parse(text);
        if (j.at("type") != "est-live/signature" || j.at("version") != 1)
            throw domain_error("bad_snapshot", "not a version 1 signature statement");
        const json& s = j.at("signer");
        const auto r = role_from_string(s.at("role").get<std::string>());
        if (!r) throw domain_error("bad_snapshot", "a signature statement names an unknown role");
        return {j.at("meeting").get<std::string>(),
                j.at("group").get<std::string>(),
                j.at("rev").get<std::uint64_t>(),
                j.at("digest").get<std::string>(),
                j.at("signed_at").get<std::string>(),
                s.at("account").get<std::string>(),
                {s.at("name").get<std::string>(), s.at("org").get<std::string>(), *r}};
    } catch (const json::exception& e) {
        throw domain_error("bad_snapshot", std::string("a signature statement is damaged: ") + e.what());
    }
}

meeting_lifecycle::meeting_lifecycle() : required_{role::chair, role::cosigner} {}

meeting_lifecycle meeting_lifecycle::draft(std::vector<role> required) {
    meeting_lifecycle l;
    l.phase_ = meeting_phase::draft;
    l.required_ = std::move(required);
    return l;
}

std::vector<role> meeting_lifecycle::missing_signers() const {
    std::vector<role> missing = required_;
    for (const auto& s : signatures_) {
        const role r = read_signature_statement(s.statement).who.role;
        if (auto it = std::find(missing.begin(), missing.end(), r); it != missing.end()) missing.erase(it);
    }
    return missing;
}

void meeting_lifecycle::check(const identity& who, lifecycle_kind k, std::string_view topic,
                              const meeting_template& tmpl) const {
    const bool touches_topic = k == lifecycle_kind::lock_topic || k == lifecycle_kind::unlock_topic;
    if (touches_topic && !tmpl.find_topic(topic))
        throw domain_error("not_found", "the template has no topic '" + std::string(topic) + "'");
    const bool locked = touches_topic && status().topic_locked(topic);
    const decision d = decide(as_actor(who.role), action_of(k), phase_, locked);
    switch (d.why) {
        case refusal::none: return;
        case refusal::phase:
            throw domain_error(phase_ == meeting_phase::closed ? "closed" : "wrong_phase", std::string(d.reason));
        case refusal::topic_lock: throw domain_error("conflict", std::string(d.reason));
        default: throw domain_error("forbidden", std::string(d.reason));
    }
}

void meeting_lifecycle::check_sign(const signer& by, std::uint64_t rev, std::string_view digest,
                                   std::uint64_t current_rev, std::string_view current_digest) const {
    const auto missing = missing_signers();
    const bool place_left = std::find(missing.begin(), missing.end(), by.who.role) != missing.end();
    for (const auto& s : signatures_) {
        const signature_facts f = read_signature_statement(s.statement);
        if (same_person(f, by)) throw domain_error("already_signed", "you have signed this picture already");
        // A role asked for more than once (two co-signers) takes as many different people.
        if (f.who.role == by.who.role && !place_left)
            throw domain_error("already_signed", std::string(role_label(by.who.role)) + " (" + f.who.name +
                                                     ") has signed this picture already");
    }
    if (!place_left)
        throw domain_error("forbidden", "the group's sign-off does not ask for a signature of the role " +
                                            std::string(to_string(by.who.role)));
    // Signatures and locks move the revision without changing the picture: the digest decides.
    if (rev > current_rev || digest != current_digest)
        throw domain_error("stale_revision", "the picture is not the one you read at revision " + std::to_string(rev) +
                                                 ": it is now revision " + std::to_string(current_rev) +
                                                 "; read it again and sign that");
}

void meeting_lifecycle::apply(const lifecycle_change& c) {
    switch (c.kind) {
        case lifecycle_kind::open: phase_ = meeting_phase::open; return;
        case lifecycle_kind::lock_topic:
            if (!status().topic_locked(c.topic)) locked_topics_.push_back(c.topic);
            return;
        case lifecycle_kind::unlock_topic:
            locked_topics_.erase(std::remove(locked_topics_.begin(), locked_topics_.end(), c.topic),
                                 locked_topics_.end());
            return;
        case lifecycle_kind::lock_picture: phase_ = meeting_phase::locked; return;
        case lifecycle_kind::unlock_picture:
            phase_ = meeting_phase::open;
            signatures_.clear();
            return;
        case lifecycle_kind::sign:
            if (!c.record) throw domain_error("bad_snapshot", "a signature without its record");
            read_signature_statement(c.record->statement);  // must be readable: missing_signers reads it
            signatures_.push_back(*c.record);
            if (missing_signers().empty()) phase_ = meeting_phase::signed_off;
            return;
        case lifecycle_kind::close:
            if (!c.record) throw domain_error("bad_snapshot", "a closing without its record");
            closing_ = c.record;
            phase_ = meeting_phase::closed;
            return;
    }
}

bool meeting_lifecycle::picture_changed() {
    if (signatures_.empty()) return false;
    signatures_.clear();
    if (phase_ == meeting_phase::signed_off) phase_ = meeting_phase::locked;
    return true;
}

json meeting_lifecycle::to_json() const {
    json sigs = json::array();
    for (const auto& s : signatures_) sigs.push_back(s.to_json());
    json req = json::array();
    for (role r : required_) req.push_back(to_string(r));
    return {{"phase", to_string(phase_)},
            {"locked_topics", locked_topics_},
            {"required", std::move(req)},
            {"signatures", std::move(sigs)},
            {"closing", closing_ ? closing_->to_json() : json(nullptr)}};
}

meeting_lifecycle meeting_lifecycle::from_json(const json& j) {
    try {
        meeting_lifecycle l;
        const auto phase = meeting_phase_from_string(j.at("phase").get<std::string>());
        if (!phase) throw domain_error("bad_snapshot", "the lifecycle names an unknown phase");
        l.phase_ = *phase;
        l.locked_topics_ = j.at("locked_topics").get<std::vector<std::string>>();
        l.required_.clear();
        for (const auto& r : j.at("required")) {
            const auto role = role_from_string(r.get<std::string>());
            if (!role) throw domain_error("bad_snapshot", "the lifecycle names an unknown role");
            l.required_.push_back(*role);
        }
        for (const auto& s : j.at("signatures")) {
            l.signatures_.push_back(signed_record::from_json(s, "signature"));
            read_signature_statement(l.signatures_.back().statement);
        }
        if (!j.at("closing").is_null()) l.closing_ = signed_record::from_json(j.at("closing"), "closing");
        return l;
    } catch (const json::exception& e) {
        throw domain_error("bad_snapshot", std::string("the lifecycle is damaged: ") + e.what());
    } catch (const domain_error& e) {
        if (e.code() == "bad_snapshot") throw;
        throw domain_error("bad_snapshot", std::string("the lifecycle is damaged: ") + e.what());
    }
}

}  // namespace est
