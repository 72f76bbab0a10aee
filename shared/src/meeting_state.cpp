#include "est/meeting_state.hpp"

#include <algorithm>
#include <cstdio>

#include <nlohmann/json.hpp>

#include "est/error.hpp"
#include "est/permissions.hpp"
#include "est/personal_number.hpp"
#include "est/utf.hpp"

namespace est {

namespace {
// "client":seq, in a snapshot's last_seq object.
std::size_t seq_record_bytes(std::string_view client) { return client.size() + 24; }

// The largest seq a JavaScript client can hold exactly (2^53 - 1).
constexpr std::uint64_t max_safe_seq = (std::uint64_t{1} << 53) - 1;

// An acknowledgement's reason and a sekretess marking's OSL reference are the server's records of a decision
// about personal data: they may not hold a personal identity number themselves, where no flag would find it.
void check_label(std::string_view text, const char* what) {
    const auto wide = utf8_to_utf16(text);
    if (wide && find_personal_numbers(*wide).empty()) return;
    throw domain_error("bad_value", std::string(what) + " may not hold a personal identity number");
}

void check_text(const change& c) {
    if (const auto* a = std::get_if<acknowledge_change>(&c)) return check_label(a->reason, "the reason");
    if (const auto* m = std::get_if<secrecy_change>(&c)) return check_label(m->osl, "an OSL reference");
    // Ids are the client's choice and end up in the picture, its exports and the server's messages.
    if (const auto* e = std::get_if<add_entry_change>(&c)) return check_label(e->entry, "an entry's id");
    if (const auto* i = std::get_if<add_item_change>(&c)) return check_label(i->item, "a decision item's id");
    const auto* t = std::get_if<text_change>(&c);
    if (!t) return;
    for (const auto& comp : t->op.components()) {
        if (comp.k != text_operation::kind::insert) continue;
        for (char16_t ch : comp.text) {
            if (!is_forbidden_in_text(ch)) continue;
            char hex[8];
            std::snprintf(hex, sizeof hex, "%04X", static_cast<unsigned>(ch));
            throw domain_error("bad_text", std::string("the text holds the control character U+") + hex +
                                               ", which a field may not hold (only tab and line feed are allowed)");
        }
    }
}
}  // namespace

meeting_state::meeting_state(meeting_document doc, std::uint64_t rev,
                             std::map<std::string, std::uint64_t, std::less<>> last_seq, limits lim,
                             meeting_lifecycle life)
    : doc_(std::move(doc)),
      rev_(rev),
      floor_(rev),
      last_seq_(std::move(last_seq)),
      limits_(lim),
      lifecycle_(std::move(life)) {
    for (const auto& [client, seq] : last_seq_) seq_bytes_ += seq_record_bytes(client);
}

std::uint64_t meeting_state::last_seq(std::string_view client) const {
    auto it = last_seq_.find(client);
    return it == last_seq_.end() ? 0 : it->second;
}

std::optional<change> meeting_state::submit(const std::string& client, std::uint64_t seq, std::uint64_t base_rev,
                                            change c, const identity& who) {
    if (seq == 0) throw domain_error("bad_message", "'seq' must be 1 or more");
    const std::uint64_t last = last_seq(client);
    if (seq <= last) return std::nullopt;
    if (seq > max_safe_seq)
        throw domain_error("bad_message", "'seq' must be at most 2^53-1 (9007199254740991)");
    if (seq - last > limits_.max_seq_ahead)
        throw domain_error("bad_message", "'seq' " + std::to_string(seq) + " is more than " +
                                              std::to_string(limits_.max_seq_ahead) + " past this client's last applied " +
                                              std::to_string(last));
    check_text(c);
    flags_changed_ = false;
    if (base_rev > rev_)
        throw domain_error("stale_revision", "base revision " + std::to_string(base_rev) +
                                                 " is ahead of the meeting's revision " + std::to_string(rev_));
    check_may_apply(who, c, doc_.tmpl(), lifecycle_.status());
    if (const auto* t = std::get_if<current_topic_change>(&c)) {
        // Not the picture's either: no signature is voided. A topic id is at most 64 bytes, far inside any budget.
        if (!t->topic.empty() && !doc_.tmpl().find_topic(t->topic))
            throw domain_error("bad_value", "there is no topic '" + t->topic + "' in this meeting");
        ++rev_;
        if (!last_seq_.count(client)) seq_bytes_ += seq_record_bytes(client);
        last_seq_[client] = seq;
        current_topic_ = t->topic;
        remember_revision();
        return c;
    }
    if (const auto* a = std::get_if<acknowledge_change>(&c)) {
        // Not the picture's: no signature is voided, and the picture's budget does not change.
        privacy().check_acknowledge(*a);
        const std::size_t new_record = last == 0 && !last_seq_.count(client) ? seq_record_bytes(client) : 0;
        if (encoded_bytes() + new_record + privacy_review::cost_of(*a) > limits_.max_meeting_bytes)
            throw domain_error("limit_reached", "the meeting has reached its size limit of " +
                                                    std::to_string(limits_.max_meeting_bytes) + " bytes encoded");
        ++rev_;
        last_seq_[client] = seq;
        seq_bytes_ += new_record;
        privacy_.acknowledge(*a, rev_);
        remember_revision();
        return c;
    }
    if (auto* t = std::get_if<text_change>(&c)) {
        if (base_rev < floor_)
            throw domain_error("stale_revision", "base revision " + std::to_string(base_rev) +
                                                     " is too old to merge (the oldest is " + std::to_string(floor_) +
                                                     "); join again to catch up");
        const std::string key = t->target.key();
        // History is in revision order: start at the first change after the base, not at the front.
        auto first = std::partition_point(history_.begin(), history_.end(),
                                          [base_rev](const past_text_op& p) { return p.rev <= base_rev; });
        for (auto it = first; it != history_.end(); ++it) {
            const auto& past = *it;
            if (past.key != key) continue;
            if (past.op.base_length() != t->op.base_length())
                throw domain_error("out_of_range", "the operation does not fit " + key + " at revision " +
                                                       std::to_string(base_rev));
            t->op = text_operation::transform(past.op, t->op).second;
        }
    } else if (auto* s = std::get_if<set_change>(&c)) {
        const field_value& current = doc_.field(s->target);
        if (current.rev > base_rev)
            throw domain_error("conflict", s->target.key() + " was changed to '" + current.choice + "' at revision " +
                                               std::to_string(current.rev) + ", after your revision " +
                                               std::to_string(base_rev));
    } else if (auto* m = std::get_if<secrecy_change>(&c)) {
        const entry& current = doc_.entry_at(m->topic, m->org, m->entry);
        if (current.secrecy_rev > base_rev)
            throw domain_error("conflict", "the sekretess marking of " + m->topic + "/" + m->org + "/" + m->entry +
                                               " was changed at revision " + std::to_string(current.secrecy_rev) +
                                               ", after your revision " + std::to_string(base_rev));
    }
    // The numbers a text change leaves in its field, seen before anything changes: a field may hold only so many.
    std::optional<privacy_review::field_scan> scanned;
    if (const auto* t = std::get_if<text_change>(&c)) scanned = scan_after(*t);
    // A first change of a client adds its sequence record, which snapshots carry: it counts too. So do the flags.
    const std::size_t new_record = last == 0 && !last_seq_.count(client) ? seq_record_bytes(client) : 0;
    const std::size_t used = seq_bytes_ + new_record + privacy().encoded_bytes();
    if (used >= limits_.max_meeting_bytes)
        throw domain_error("limit_reached", "the meeting has reached its size limit of " +
                                                std::to_string(limits_.max_meeting_bytes) + " bytes encoded");
    doc_.apply(c, rev_ + 1, limits_, limits_.max_meeting_bytes - used);
    ++rev_;
    last_seq_[client] = seq;
    seq_bytes_ += new_record;
    lifecycle_.picture_changed();  // a signature is on the picture as it was: any change voids it
    if (scanned) flags_changed_ = privacy_.update(std::get<text_change>(c).target, std::move(*scanned));
    else flags_changed_ = update_flags(c);
    remember(c);
    return c;
}

std::optional<privacy_review::field_scan> meeting_state::scan_after(const text_change& t) const {
    const field_value& now = doc_.field(t.target);
    if (t.op.base_length() != now.text.size()) return std::nullopt;  // the picture refuses it (out_of_range)
    std::u16string after = now.text;
    t.op.apply_in_place(after);
    auto found = privacy_review::scan(after);
    const std::size_t before = privacy().count_in(t.target);
    if (found.digits.size() > max_numbers_per_field && found.digits.size() > before)
        throw domain_error("limit_reached", t.target.key() + " would hold " + std::to_string(found.digits.size()) +
                                                " personal identity numbers; a field may hold at most " +
                                                std::to_string(max_numbers_per_field));
    return found;
}

bool meeting_state::update_flags(const change& c) {
    if (privacy_stale_) return false;  // worked out from the whole picture on first use
    if (const auto* r = std::get_if<remove_entry_change>(&c)) return privacy_.forget(r->topic + "/" + r->org + "/" + r->entry + "/");
    if (const auto* r = std::get_if<remove_item_change>(&c)) return privacy_.forget(r->topic + "/*" + r->item + "/");
    return false;
}

const privacy_review& meeting_state::privacy() const {
    if (privacy_stale_) {
        privacy_.rebuild(doc_);
        privacy_stale_ = false;
    }
    return privacy_;
}

void meeting_state::check_personal_data_resolved() const {
    const auto open = privacy().unresolved();
    if (open.empty()) return;
    std::string where;
    for (std::size_t i = 0; i < open.size() && i < 5; ++i) where += (i ? ", " : "") + open[i].first;
    if (open.size() > 5) where += ", …";
    throw domain_error("personal_data", std::to_string(open.size()) +
                                            (open.size() == 1 ? " personal identity number is" : " personal identity numbers are") +
                                            " flagged and neither edited away nor acknowledged by the chair (" + where +
                                            "): the picture cannot be signed yet");
}

void meeting_state::apply_lifecycle(const lifecycle_change& c) {
    lifecycle_.apply(c);
    ++rev_;
    remember_revision();
}

void meeting_state::replay(const std::string& client, std::uint64_t seq, const nlohmann::json& logged) {
    if (is_lifecycle_change(logged)) return apply_lifecycle(lifecycle_change_from_json(logged, "change"));
    replay(client, seq, change_from_json(logged, "change"));
}

void meeting_state::replay(const std::string& client, std::uint64_t seq, const change& c) {
    if (const auto* a = std::get_if<acknowledge_change>(&c)) {
        privacy_.acknowledge(*a, rev_ + 1);
    } else if (const auto* t = std::get_if<current_topic_change>(&c)) {
        current_topic_ = t->topic;
    } else {
        doc_.apply(c, rev_ + 1, limits_);
        lifecycle_.picture_changed();
        // One scan of the whole picture on first use is cheaper than one per replayed keystroke.
        privacy_stale_ = true;
    }
    ++rev_;
    if (!last_seq_.count(client)) seq_bytes_ += seq_record_bytes(client);
    if (seq > last_seq(client)) last_seq_[client] = seq;
    remember(c);
}

namespace {
std::size_t memory_of(const std::string& key, const text_operation& op) {
    std::size_t bytes = 64 + key.capacity() + op.components().capacity() * sizeof(text_operation::component);
    for (const auto& c : op.components()) bytes += c.text.capacity() * sizeof(char16_t);
    return bytes;
}
}  // namespace

void meeting_state::remember(const change& c) {
    if (const auto* t = std::get_if<text_change>(&c)) {
        std::string key = t->target.key();
        const std::size_t bytes = memory_of(key, t->op);
        history_.push_back({rev_, std::move(key), t->op, bytes});
        history_bytes_ += bytes;
    }
    remember_revision();
}

void meeting_state::remember_revision() {
    if (rev_ > floor_ + limits_.history_window) floor_ = rev_ - limits_.history_window;
    // Past the byte bound, forget the oldest operations too: a change based before them is then too old.
    while (!history_.empty() && history_bytes_ > limits_.history_bytes) floor_ = std::max(floor_, drop_oldest());
    while (!history_.empty() && history_.front().rev <= floor_) drop_oldest();
}

std::uint64_t meeting_state::drop_oldest() {
    const std::uint64_t rev = history_.front().rev;
    history_bytes_ -= history_.front().bytes;
    history_.pop_front();
    return rev;
}

nlohmann::json meeting_state::snapshot() const {
    nlohmann::json snap = {{"rev", rev_}, {"document", doc_.to_json()}, {"last_seq", last_seq_}, {"lifecycle", lifecycle_.to_json()}};
    // A closed meeting keeps only the acknowledgements of numbers in its picture: the hash of a number edited away
    // is not kept either (docs/privacy.md).
    const bool closed = lifecycle_.phase() == meeting_phase::closed;
    if (!privacy_.acknowledged().empty()) {
        nlohmann::json acks = closed ? privacy().acknowledged_json(true) : privacy_.acknowledged_json();
        if (!acks.empty()) snap["privacy"] = {{"acknowledged", std::move(acks)}};
    }
    if (!current_topic_.empty() && !closed) snap["current_topic"] = current_topic_;
    return snap;
}

meeting_state meeting_state::from_snapshot(std::shared_ptr<const meeting_template> tmpl, std::vector<std::string> orgs,
                                           const nlohmann::json& snap, limits lim) {
    try {
        auto doc = meeting_document::from_json(std::move(tmpl), std::move(orgs), snap.at("document"));
        const std::uint64_t rev = snapshot_count(snap.at("rev"), "'rev'");
        if (doc.newest_register_rev() > rev)
            throw domain_error("bad_snapshot", "a choice field was set at a revision after the snapshot's own");
        std::map<std::string, std::uint64_t, std::less<>> last_seq;
        const auto& seqs = snap.at("last_seq");
        if (!seqs.is_object()) throw domain_error("bad_snapshot", "'last_seq' must be an object");
        for (const auto& [client, seq] : seqs.items()) last_seq.emplace(client, snapshot_count(seq, "a client's last seq"));
        meeting_state state(std::move(doc), rev, std::move(last_seq), lim);
        // Snapshots from before the lifecycle have none: an open meeting with nothing locked.
        if (auto l = snap.find("lifecycle"); l != snap.end()) state.lifecycle_ = meeting_lifecycle::from_json(*l);
        if (auto p = snap.find("privacy"); p != snap.end()) state.privacy_.acknowledged_from_json(p->at("acknowledged"));
        if (auto t = snap.find("current_topic"); t != snap.end()) {
            auto topic = t->get<std::string>();
            if (!state.doc_.tmpl().find_topic(topic)) throw domain_error("bad_snapshot", "the current topic is not one of the meeting's");
            state.current_topic_ = std::move(topic);
        }
        return state;
    } catch (const nlohmann::json::exception& e) {
        throw domain_error("bad_snapshot", std::string("snapshot is damaged: ") + e.what());
    }
}

}  // namespace est
