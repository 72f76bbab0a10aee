#pragma once
// Who may change what. Checked on the server for every change; clients use the same rules only to
// decide which fields to offer for editing.
#include "est/change.hpp"
#include "est/identity.hpp"
#include "est/meeting_template.hpp"

namespace est {

// May this person write the cell (topic × organisation)? Only their own organisation's, and only
// roles that take part in the meeting (participant, chair, cosigner).
bool may_write_cell(const identity& who, std::string_view org) noexcept;
// May this person write the topic field? Chair-only fields (samlad bedömning) only the chair.
bool may_write_topic_field(const identity& who, const field_def& def) noexcept;

// Throws domain_error("forbidden") saying why, when `who` may not make the change.
void check_may_apply(const identity& who, const change& c, const meeting_template& tmpl);

}  // namespace est
