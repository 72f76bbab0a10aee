#pragma once
// Open measures imported into the BRÅ queue (POST /api/bra/import; docs/protocol.md, "The queue as CSV and JSON:
// export and import"): a municipality moving from its spreadsheet brings its open measures along in the queue's own
// export format. An imported item has a topic of the template, the template's decision item fields (checked as a
// meeting checks them) and the state it had (est::bra_request::imported). Pure: the caller reads the body and gives
// the group's organisations.
#include <cstddef>
#include <functional>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

#include "est/bra_record.hpp"

namespace est {

class meeting_template;

inline constexpr std::size_t max_bra_import_items = 500;  // items in one import
// What an import batch's id begins with ("imp-<hex>": the first part of its items' ids, where a meeting's id is for
// a meeting's items). No meeting may have such an id, or its items would be taken for the batch's.
inline constexpr std::string_view bra_import_batch_prefix = "imp-";

struct bra_import_item {
    std::string topic_id;
    nlohmann::json fields;  // every decision item field of the template, as a string ("" when empty)
    bra_request state;      // kind import

    // The item as GET /api/bra/items would list it, of the members an import reads: "topic":{"id"}, "fields",
    // "status" and the status columns that are set. What the export writes of it reads back to this item.
    nlohmann::json to_json() const;
};

// One item from its columns: `value` gives a column's text ("" when absent), `where` names a column in an error
// ("row 3, column due"). Checks the topic (one of the template's), each field by its kind — a choice one of its
// choices, a date a real day, an organisation one of `organisations`, text clean UTF-8 (line breaks CRLF become LF)
// within its length — and the state (bra_request::imported). Throws domain_error("bad_message", "<where>: …").
bra_import_item read_bra_import_item(const std::function<std::string(std::string_view)>& value,
                                     const std::function<std::string(std::string_view)>& where,
                                     const meeting_template& tmpl, const std::vector<std::string>& organisations);

// The JSON import: {"items":[…]} as GET /api/bra/items answers (other members of the object are ignored). Each item
// reads the list's members — "topic" ({"id"} or the id), "fields", "status", "verdict", "owner_org", "contact",
// "due", "reason", "deferred_to", "progress" — and ignores the ones the server makes ("id", "group", "meeting",
// "version", "flags", "last_report_at", "history", "history_length"); any other member is refused. Errors name
// the item as a JSON path: "items[2].fields.typ". At most `max_items` items, and at least one.
std::vector<bra_import_item> read_bra_import_json(const nlohmann::json& body, const meeting_template& tmpl,
                                                  const std::vector<std::string>& organisations,
                                                  std::size_t max_items = max_bra_import_items);

}  // namespace est
