#pragma once
// The situation picture (lägesbild) of one meeting: topics × organisations, each cell a list of entries,
// each topic with the chair's fields. Plain data with validated changes; no rules about who may write
// (see permissions.hpp) and no history (see meeting_state.hpp).
#include <cstdint>
#include <map>
#include <memory>
#include <set>
#include <string>
#include <vector>

#include <boost/container/flat_map.hpp>
#include <nlohmann/json_fwd.hpp>

#include "est/change.hpp"
#include "est/limits.hpp"
#include "est/meeting_template.hpp"

namespace est {

// A few entries keyed by short ids (most fit in std::string's inline buffer), kept sorted in one contiguous
// array: a lookup touches a cache line or two instead of a tree of nodes. Inserting moves elements, so no
// reference into one is kept across an insert.
template <class V>
using id_map = boost::container::flat_map<std::string, V, std::less<>>;

struct field_value {
    std::u16string text;   // text fields
    std::string choice;    // choice fields ("" when unset)
    std::uint64_t rev = 0; // revision of the last set (choice fields): the register's version
    bool operator==(const field_value&) const = default;
};

struct entry {
    std::string id;
    id_map<field_value> fields;
    // Sekretess (DESIGN.md §6), for an entry in a cell: the OSL reference it is secret under ("" when it is not)
    // and the revision of its last marking (a register, like a choice field; 0 when never marked).
    std::string secrecy = {};
    std::uint64_t secrecy_rev = 0;
    bool operator==(const entry&) const = default;
};

struct cell {
    std::vector<entry> entries;
    bool operator==(const cell&) const = default;
};

struct topic_state {
    id_map<field_value> fields;
    id_map<cell> cells;  // by organisation id
    // Decision items proposed from this topic, in the order they were added: entries with the template's
    // decision item fields, owned by no organisation.
    std::vector<entry> items;
    bool operator==(const topic_state&) const = default;
};

// Reads a revision or sequence number from a snapshot; throws domain_error("bad_snapshot") past 2^53 - 1.
std::uint64_t snapshot_count(const nlohmann::json& v, const std::string& what);

class meeting_document {
public:
    meeting_document(std::shared_ptr<const meeting_template> tmpl, std::vector<std::string> organisations);

    const meeting_template& tmpl() const noexcept { return *tmpl_; }
    const std::shared_ptr<const meeting_template>& tmpl_ptr() const noexcept { return tmpl_; }
    const std::vector<std::string>& organisations() const noexcept { return organisations_; }
    const topic_state& topic(std::string_view id) const;  // throws not_found
    const field_value& field(const field_ref& ref) const;  // throws not_found
    const field_def& definition(const field_ref& ref) const;  // throws not_found
    const entry& entry_at(std::string_view topic, std::string_view org, std::string_view id) const;  // throws not_found
    std::size_t total_text() const noexcept { return total_text_; }
    // What the picture costs encoded, in bytes: its text as JSON-escaped UTF-8, its entries and choices,
    // and the ids of removed entries — about the size of to_json().dump(), which goes into every full
    // welcome and snapshot. Bounded by limits::max_meeting_bytes for new changes.
    std::size_t encoded_bytes() const noexcept { return encoded_bytes_; }
    // The newest revision stamped on any choice field: never past the picture's own revision.
    std::uint64_t newest_register_rev() const noexcept;

    // Checks the change fits the picture, then applies it (an acknowledge_change is not the picture's: it changes
    // nothing); on any error (domain_error) nothing changed.
    // `rev` is the revision the change receives (stamped on registers). A change that would make
    // encoded_bytes() grow past `byte_budget` is refused (text_too_long for text, limit_reached otherwise);
    // replaying what was applied before passes no budget.
    void apply(const change& c, std::uint64_t rev, const limits& lim,
               std::size_t byte_budget = static_cast<std::size_t>(-1));

    nlohmann::json to_json() const;
    // to_json().dump(), byte for byte, written straight into one string without building the JSON tree: what
    // every full welcome carries (a 100-entry picture: about a fifth of the time).
    std::string json_text() const;
    // Throws domain_error("bad_snapshot") when the JSON does not fit the template.
    static meeting_document from_json(std::shared_ptr<const meeting_template> tmpl,
                                      std::vector<std::string> organisations, const nlohmann::json& j);

    bool operator==(const meeting_document& o) const {
        return topics_ == o.topics_ && retired_entries_ == o.retired_entries_ && retired_items_ == o.retired_items_;
    }

private:
    topic_state& topic_mut(std::string_view id);
    cell& cell_mut(std::string_view topic, std::string_view org);
    // field() without the template check, for callers that already hold the field's definition.
    const field_value& value_of(const field_ref& ref) const;
    field_value& value_mut(const field_ref& ref);
    entry make_entry(std::string id) const;
    entry make_item(std::string id) const;
    std::size_t bytes_of(const entry& e) const;
    std::size_t item_bytes(const entry& item) const;
    // Checks a register's new value against its field's kind: a choice, a date or an organisation.
    void check_register_value(const field_def& def, const std::string& value) const;
    std::size_t count_bytes() const;  // encoded_bytes() from scratch

    std::shared_ptr<const meeting_template> tmpl_;
    std::vector<std::string> organisations_;
    id_map<topic_state> topics_;
    // "topic/org/entry" of removed entries: an id is never reused, so a late edit meant for a removed
    // entry can never land in a new one.
    std::set<std::string, std::less<>> retired_entries_;
    // "topic/item" of removed decision items, for the same reason.
    std::set<std::string, std::less<>> retired_items_;
    std::size_t total_text_ = 0;
    std::size_t encoded_bytes_ = 0;
};

}  // namespace est
