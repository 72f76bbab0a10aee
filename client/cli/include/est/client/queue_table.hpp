#pragma once
// `est-cli queue`: the BRÅ queue (GET /api/bra/items, docs/protocol.md "The BRÅ queue") as a table a person reads in
// a terminal: one line per item with its id, status, topic, title (rubrik), owner organisation, due date and flags.
// Pure (no network), so it is tested alone.
#include <string>

#include <nlohmann/json_fwd.hpp>

namespace est::client {

// `list`: the answer of GET /api/bra/items ({"today","items":[…]}). Columns are padded to their widest cell
// (counted in characters, not bytes: å, ä, ö are one each); a title longer than `max_title` characters is cut
// with "…". Flags: "försenad" (overdue), "inte uppdaterad" (stale), "åter på dagordningen" (back on the agenda).
// No items: a line saying so.
std::string queue_table(const nlohmann::json& list, std::size_t max_title = 48);

}  // namespace est::client
