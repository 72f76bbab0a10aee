#pragma once
// Who may change what in the picture: the changes of a meeting (WebSocket `op`) checked against the permission
// table (permission_table.hpp). Checked on the server for every change; clients use the same rules only to
// decide which fields to offer for editing.
#include <span>
#include <string>
#include <string_view>

#include "est/change.hpp"
#include "est/identity.hpp"
#include "est/meeting_phase.hpp"
#include "est/meeting_template.hpp"
#include "est/permission_table.hpp"

namespace est {

// What of a meeting's present condition the rules read.
struct meeting_status {
    meeting_phase phase = meeting_phase::open;
    std::span<const std::string> locked_topics;  // ids of the topics the chair has locked

    bool topic_locked(std::string_view topic) const noexcept;
};

// The code a refused edit of the picture gets in this phase: `locked` while the topic or the picture is locked,
// `closed` once the meeting is closed, `forbidden` otherwise (the role, the organisation, a draft).
std::string_view refusal_code(refusal why, meeting_phase phase) noexcept;

// The action a change is for `who`: writing a field, adding or removing an entry of their own organisation's
// cell or another's, writing a topic field, or a decision item's: proposing, writing or removing one
// (propose_decision_item), or setting its BRÅ mark `till_bra` (select_decision_item, the chair's).
action action_of(const identity& who, const change& c) noexcept;

// May this person write the cell (topic × organisation) of an open meeting's unlocked topic? Only their own
// organisation's, and only roles that take part in the meeting (participant, chair, cosigner).
bool may_write_cell(const identity& who, std::string_view org) noexcept;
// May this person write the topic field of an open meeting? The chair alone, whatever the template's `editor`.
bool may_write_topic_field(const identity& who, const field_def& def) noexcept;

// Throws domain_error("forbidden") saying why, when `who` may not make the change now. Without a status: an
// open meeting with no topic locked (every meeting, until the lifecycle lands).
void check_may_apply(const identity& who, const change& c, const meeting_template& tmpl);
void check_may_apply(const identity& who, const change& c, const meeting_template& tmpl, const meeting_status& now);

}  // namespace est
