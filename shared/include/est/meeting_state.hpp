#pragma once
// The server's truth for one meeting: the document, its revision, recent text operations (to transform
// late-based changes) and the last applied sequence number of every client (exactly-once). Plain C++:
// the room calls it on its own thread; unit tests call it directly.
#include <cstdint>
#include <deque>
#include <map>
#include <optional>
#include <string>

#include <nlohmann/json_fwd.hpp>

#include "est/change.hpp"
#include "est/identity.hpp"
#include "est/lifecycle.hpp"
#include "est/limits.hpp"
#include "est/meeting_document.hpp"
#include "est/privacy_review.hpp"

namespace est {

class meeting_state {
public:
    // `life`: open by default, as a meeting made before drafts; a new meeting starts as meeting_lifecycle::draft.
    meeting_state(meeting_document doc, std::uint64_t rev, std::map<std::string, std::uint64_t, std::less<>> last_seq,
                  limits lim, meeting_lifecycle life = {});

    // Brings a client's change from `base_rev` up to now (transforming text operations over those
    // applied since), checks `who` may make it and that it fits, and applies it as revision rev()+1.
    // Returns the change as applied, or nullopt when (client, seq) was applied before (a resend).
    // Throws domain_error; on a throw nothing changed.
    std::optional<change> submit(const std::string& client, std::uint64_t seq, std::uint64_t base_rev, change c,
                                 const identity& who);

    // Re-applies a change from the op log on restore: exactly as logged, as revision rev()+1.
    void replay(const std::string& client, std::uint64_t seq, const change& c);
    // Re-applies a logged op's `change` JSON: an edit of the picture or a lifecycle move.
    void replay(const std::string& client, std::uint64_t seq, const nlohmann::json& logged);

    // Applies a lifecycle move as revision rev()+1. The caller checked it (meeting_lifecycle::check and, for a
    // signature, check_sign) against lifecycle() as it is now.
    void apply_lifecycle(const lifecycle_change& c);
    const meeting_lifecycle& lifecycle() const noexcept { return lifecycle_; }

    // The flagged personal identity numbers and the chair's acknowledgements (DESIGN.md §6), up to date with the
    // picture. After a load or a replay the flags are worked out once, on first use (a cache: logically const).
    const privacy_review& privacy() const;
    // Did the last submit change the numbers flagged in the field it wrote? Then privacy().field_json(its target)
    // goes out with the change.
    bool flags_changed() const noexcept { return flags_changed_; }
    // Throws domain_error("personal_data") naming the fields while any flag is neither edited away nor
    // acknowledged: the picture may not be signed yet.
    void check_personal_data_resolved() const;

    std::uint64_t rev() const noexcept { return rev_; }
    const meeting_document& document() const noexcept { return doc_; }
    std::uint64_t last_seq(std::string_view client) const;
    // The picture's encoded bytes plus the sequence records and the privacy flags and acknowledgements: what
    // max_meeting_bytes bounds.
    std::size_t encoded_bytes() const {
        return doc_.encoded_bytes() + seq_bytes_ + privacy().encoded_bytes() + current_topic_.size();
    }
    // The topic the chair leads the meeting on now ("" = none): a register of the meeting, not of the picture (not
    // in its digest). Set by a current_topic change.
    const std::string& current_topic() const noexcept { return current_topic_; }
    // Text operations after this revision are remembered; a change based earlier is too old.
    std::uint64_t history_floor() const noexcept { return floor_; }
    const limits& bounds() const noexcept { return limits_; }

    // {"rev", "document", "last_seq", "lifecycle"} and, once the chair acknowledged a number,
    // {"privacy":{"acknowledged":[…]}}, and while the chair leads on a topic {"current_topic"}: what a snapshot stores. Flags are not stored: they follow from the text.
    nlohmann::json snapshot() const;
    static meeting_state from_snapshot(std::shared_ptr<const meeting_template> tmpl, std::vector<std::string> orgs,
                                       const nlohmann::json& snap, limits lim);

private:
    struct past_text_op {
        std::uint64_t rev;
        std::string key;
        text_operation op;
        std::size_t bytes;  // what it holds in memory, roughly
    };
    void remember(const change& c);
    // Keeps the flags up to date with an entry or item just removed; true when they changed.
    bool update_flags(const change& c);
    // What the field's numbers will be once `t` is applied (nullopt when it does not fit the field); throws
    // limit_reached when it would bring the field past max_numbers_per_field.
    std::optional<privacy_review::field_scan> scan_after(const text_change& t) const;
    void remember_revision();  // moves the merge floor on after a new revision
    std::uint64_t drop_oldest();  // returns the revision of the operation dropped

    meeting_document doc_;
    std::uint64_t rev_;
    std::uint64_t floor_;
    std::map<std::string, std::uint64_t, std::less<>> last_seq_;
    std::size_t seq_bytes_ = 0;  // last_seq_ as a snapshot encodes it
    std::deque<past_text_op> history_;
    std::size_t history_bytes_ = 0;
    limits limits_;
    meeting_lifecycle lifecycle_;
    mutable privacy_review privacy_;
    mutable bool privacy_stale_ = true;  // the flags are worked out from the whole picture on first use
    bool flags_changed_ = false;
    std::string current_topic_;
};

}  // namespace est
