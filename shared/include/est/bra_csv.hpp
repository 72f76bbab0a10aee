#pragma once
// The BRÅ queue as CSV, one schema for export and import (docs/protocol.md, "The queue as CSV and JSON: export and
// import"): a header row, then one row per item with the columns
//   id, group, meeting, meeting_date, topic, <the template's decision item field ids in order>,
//   status, verdict, owner_org, contact, due, reason, deferred_to, progress, overdue, stale, version
// written by GET /api/bra/items?format=csv and read back by POST /api/bra/import. Pure.
#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json_fwd.hpp>

#include "est/bra_import.hpp"

namespace est {

class meeting_template;

// The header: the columns above, in order.
std::vector<std::string> bra_csv_header(const meeting_template& tmpl);

// The export: the header, then one row per item given as the list answers it (GET /api/bra/items: "id", "group",
// "meeting":{"id","date"}, "topic":{"id"}, "fields", "status", …, "flags", "version"); booleans as ja/nej; cells
// written with csv::cell (RFC 4180, CRLF, the formula guard).
std::string write_bra_csv(const std::vector<nlohmann::json>& items, const meeting_template& tmpl);

// The import: a file as write_bra_csv writes it, or as a spreadsheet saves it again (',' or ';' between cells,
// CRLF or LF, a byte order mark, cells quoted or not, the columns in any order). The header must hold "topic",
// "status" and every decision item field of the template; the columns the server makes (id, group, meeting,
// meeting_date, overdue, stale, version) are read and ignored, and the status columns other than "status" may be
// left out. A row of empty cells is skipped. Refuses the whole file — domain_error("bad_message", "row N, column
// C: …"), rows counted as a spreadsheet counts them (the header is row 1) — for an unknown or repeated column, a
// missing one, a row with more or fewer cells than the header, and any item read_bra_import_item refuses; and
// for no items or more than `max_items`.
std::vector<bra_import_item> read_bra_csv(std::string_view text, const meeting_template& tmpl,
                                          const std::vector<std::string>& organisations,
                                          std::size_t max_items = max_bra_import_items);

}  // namespace est
