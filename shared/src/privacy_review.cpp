#include "est/privacy_review.hpp"

#include <algorithm>

#include <nlohmann/json.hpp>

#include "est/error.hpp"
#include "est/meeting_document.hpp"
#include "est/sshsig.hpp"

namespace est {

using json = nlohmann::json;

namespace {
// The ten digits YYMMDDNNNC of a match: its last ten digits, whatever separator or line break is between them.
std::u16string ten_digits(std::u16string_view text, const personal_number_match& m) {
    std::u16string digits;
    for (std::size_t i = m.begin; i < m.end; ++i)
        if (text[i] >= u'0' && text[i] <= u'9') digits += text[i];
    return digits.size() > 10 ? digits.substr(digits.size() - 10) : digits;
}

std::string hash_of(const std::u16string& digits) {
    return sshsig::sha256_hex(std::string(digits.begin(), digits.end()));  // ASCII digits only
}

// {"target":…,"numbers":[…]} and an acknowledgement as encoded, roughly.
std::size_t field_bytes(const std::string& key) { return key.size() + 60; }
constexpr std::size_t number_bytes = 64 + 40;
std::size_t ack_bytes(const acknowledgement& a) {
    return a.target.key().size() + 60 + a.number.size() + a.reason.size() + a.by.size() + a.at.size() + 60;
}
}  // namespace

std::string personal_number_id(std::u16string_view text, const personal_number_match& m) {
    return hash_of(ten_digits(text, m));
}

privacy_review::field_scan privacy_review::scan(std::u16string_view text) {
    field_scan out;
    for (const auto& m : find_personal_numbers(text)) {
        auto d = ten_digits(text, m);
        if (std::find(out.digits.begin(), out.digits.end(), d) != out.digits.end()) continue;
        out.digits.push_back(std::move(d));
        out.kinds.push_back(m.kind);
    }
    return out;
}

bool privacy_review::rescan(const field_ref& ref, std::u16string_view text) { return update(ref, scan(text)); }

std::size_t privacy_review::count_in(const field_ref& ref) const {
    auto it = flags_.find(ref.key());
    return it == flags_.end() ? 0 : it->second.numbers.size();
}

bool privacy_review::update(const field_ref& ref, field_scan found) {
    std::string key = ref.key();
    auto it = flags_.find(key);
    if (found.digits.empty()) {
        if (it == flags_.end()) return false;
        erase(it);
        return true;
    }
    if (it != flags_.end() && it->second.digits == found.digits) return false;  // typing around the numbers
    // Built whole before anything changes: a throw leaves the flags as they were.
    field_flags next{ref, std::move(found.digits), {}};
    for (std::size_t i = 0; i < next.digits.size(); ++i) next.numbers.push_back({hash_of(next.digits[i]), found.kinds[i]});
    const std::size_t cost = field_bytes(key) + next.numbers.size() * number_bytes;
    if (it == flags_.end()) it = flags_.emplace(std::move(key), field_flags{}).first;
    else flag_bytes_ -= field_bytes(it->first) + it->second.numbers.size() * number_bytes;
    it->second = std::move(next);
    flag_bytes_ += cost;
    return true;
}

void privacy_review::erase(std::map<std::string, field_flags, std::less<>>::iterator it) {
    flag_bytes_ -= field_bytes(it->first) + it->second.numbers.size() * number_bytes;
    flags_.erase(it);
}

bool privacy_review::forget(std::string_view key_prefix) {
    bool any = false;
    for (auto it = flags_.lower_bound(key_prefix); it != flags_.end() && it->first.starts_with(key_prefix);) {
        auto next = std::next(it);
        erase(it);
        it = next;
        any = true;
    }
    return any;
}

void privacy_review::rebuild(const meeting_document& doc) {
    flags_.clear();
    flag_bytes_ = 0;
    const meeting_template& tmpl = doc.tmpl();
    auto scan = [this](const std::vector<field_def>& defs, const id_map<field_value>& values, field_ref ref) {
        for (const auto& def : defs) {
            if (def.kind != field_kind::text) continue;
            auto v = values.find(def.id);
            if (v == values.end() || v->second.text.empty()) continue;
            ref.field = def.id;
            rescan(ref, v->second.text);
        }
    };
    for (const auto& t : tmpl.topics) {
        const topic_state& ts = doc.topic(t.id);
        scan(tmpl.topic_fields, ts.fields, {t.id, "", "", ""});
        for (const auto& [org, cl] : ts.cells)
            for (const auto& e : cl.entries) scan(tmpl.entry_fields, e.fields, {t.id, org, e.id, ""});
        for (const auto& item : ts.items) scan(tmpl.decision_item_fields, item.fields, {t.id, "", "", "", item.id});
    }
}

bool privacy_review::is_flagged(std::string_view key, std::string_view number) const {
    auto it = flags_.find(key);
    return it != flags_.end() && std::any_of(it->second.numbers.begin(), it->second.numbers.end(),
                                             [&](const number_flag& f) { return f.number == number; });
}

bool privacy_review::is_acknowledged(std::string_view key, std::string_view number) const {
    return std::any_of(acknowledged_.begin(), acknowledged_.end(), [&](const acknowledgement& a) {
        return a.number == number && a.target.compare_key(key) == 0;
    });
}

void privacy_review::check_acknowledge(const acknowledge_change& a) const {
    const std::string key = a.target.key();
    if (!is_flagged(key, a.number))
        throw domain_error("not_found", "that personal identity number is not flagged in " + key +
                                            " now: it may have been edited away");
    if (is_acknowledged(key, a.number))
        throw domain_error("conflict", "that personal identity number in " + key + " was acknowledged already");
}

std::size_t privacy_review::cost_of(const acknowledge_change& a) {
    return ack_bytes({a.target, a.number, a.reason, a.by, a.at, 0});
}

void privacy_review::acknowledge(const acknowledge_change& a, std::uint64_t rev) {
    acknowledgement ack{a.target, a.number, a.reason, a.by, a.at, rev};
    ack_bytes_ += ack_bytes(ack);
    acknowledged_.push_back(std::move(ack));
}

std::vector<std::pair<std::string, std::string>> privacy_review::unresolved() const {
    std::vector<std::pair<std::string, std::string>> out;
    for (const auto& [key, f] : flags_)
        for (const auto& n : f.numbers)
            if (!is_acknowledged(key, n.number)) out.emplace_back(key, n.number);
    return out;
}

json privacy_review::field_json(const field_ref& ref) const {
    json numbers = json::array();
    if (auto it = flags_.find(ref.key()); it != flags_.end())
        for (const auto& n : it->second.numbers) numbers.push_back({{"number", n.number}, {"kind", to_string(n.kind)}});
    return {{"target", ref.to_json()}, {"numbers", std::move(numbers)}};
}

json privacy_review::flags_json() const {
    json out = json::array();
    for (const auto& [key, f] : flags_) out.push_back(field_json(f.target));
    return out;
}

json privacy_review::acknowledged_json(bool only_flagged) const {
    json out = json::array();
    for (const auto& a : acknowledged_)
        if (!only_flagged || is_flagged(a.target.key(), a.number))
            out.push_back({{"target", a.target.to_json()}, {"number", a.number}, {"reason", a.reason}, {"by", a.by},
                       {"at", a.at}, {"rev", a.rev}});
    return out;
}

void privacy_review::acknowledged_from_json(const json& j) {
    if (!j.is_array()) throw domain_error("bad_snapshot", "'privacy.acknowledged' must be an array");
    std::vector<acknowledgement> acks;
    std::size_t bytes = 0;
    try {
        for (const auto& a : j) {
            acknowledgement ack{field_ref::from_json(a.at("target"), "privacy.acknowledged.target"),
                                a.at("number").get<std::string>(),
                                a.at("reason").get<std::string>(),
                                a.at("by").get<std::string>(),
                                a.at("at").get<std::string>(),
                                snapshot_count(a.at("rev"), "an acknowledgement's rev")};
            bytes += ack_bytes(ack);
            acks.push_back(std::move(ack));
        }
    } catch (const json::exception& e) {
        throw domain_error("bad_snapshot", std::string("an acknowledgement is damaged: ") + e.what());
    } catch (const domain_error& e) {
        throw domain_error("bad_snapshot", std::string("an acknowledgement is damaged: ") + e.what());
    }
    acknowledged_ = std::move(acks);
    ack_bytes_ = bytes;
}

}  // namespace est
