#pragma once
// Who wrote what (docs/protocol.md, "Entry history"): each entry of a meeting's picture with who added it, who wrote
// in it, when it last changed, its latest events, and — for a removed entry — who removed it and what it held then,
// so its organisation can restore it. Built from the meeting's op log as the store keeps it; pure.
#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include <nlohmann/json_fwd.hpp>

namespace est::server::records {

// One op of the log, as the store reads it.
struct logged_op {
    std::uint64_t rev = 0;
    std::string at;      // ISO 8601 UTC, when it was stored
    std::string author;  // JSON {"session","name","org"?}
    std::string change;  // JSON of the change as applied
};

class entry_history {
public:
    // At most this many events are kept per entry (the latest), and this many authors.
    static constexpr std::size_t max_events = 50;
    static constexpr std::size_t max_authors = 20;

    // Feeds the log in revision order. `complete`: the log starts at revision 1 (nothing compacted away).
    explicit entry_history(bool complete) : complete_(complete) {}
    void add(const logged_op& op);

    // {"complete", "entries":[{"topic","org","entry","added":{"rev","at","by"}|null,"changed":{"rev","at","by"},
    //  "authors":[…],"events":[{"rev","at","by","what","field"?}],"removed":{"rev","at","by"}?,
    //  "content":{"fields":{field: text or value},"secrecy":osl}?}]} — content only for removed entries whose whole
    // history is in the log.
    nlohmann::json to_json() const;

private:
    struct event {
        std::uint64_t rev;
        std::string at;
        std::string by;
        std::string what;
        std::string field;
    };
    struct entry {
        std::string topic, org, id;
        std::vector<event> events;  // the latest max_events
        std::vector<std::string> authors;
        std::optional<event> added, changed, removed;
        std::vector<std::pair<std::string, std::u16string>> texts;  // per text field, as it stands
        std::vector<std::pair<std::string, std::string>> values;    // per choice field
        std::string secrecy;
        bool whole = false;  // added in the log (its content is known from the start)
    };
    entry& at(const std::string& topic, const std::string& org, const std::string& id);

    bool complete_;
    std::vector<entry> entries_;  // in the order they first appear
    std::map<std::string, std::size_t, std::less<>> index_;  // "topic/org/entry" → entries_
};

}  // namespace est::server::records
