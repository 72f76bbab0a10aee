#pragma once
// The BRÅ queue (docs/protocol.md, "The BRÅ queue"): every decision item the chair sent to BRÅ ("till_bra": "ja")
// in a closed meeting, with what BRÅ and the owner organisation have done with it since (est::bra_record).
//
// The items' text is the closed pictures' and never changes, so the queue reads a group's closed meetings once,
// when someone first asks for the group's items, and keeps them. What happens to an item afterwards is an
// append-only list of events in the store (bra_events); an event is applied and shown only once durable, and two
// events made on the same version of an item cannot both be kept: the second is refused `conflict`.
//
// Open measures imported from a file (POST /api/bra/import) are items of no meeting: an import is one row of the
// store (bra_imports) with its items' fields and first event ("import"), read at start; its id (the batch,
// "imp-<16 hex>") stands where a meeting's id stands in its items' ids, "<batch>.<topic>.i<n>".
#include <cstdint>
#include <functional>
#include <map>
#include <mutex>
#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

#include "est/bra_import.hpp"
#include "est/bra_record.hpp"
#include "est/calendar_date.hpp"

namespace est {
class meeting_document;
}  // namespace est

namespace est::server {
class catalog;
class store;
struct picture_result;
}  // namespace est::server

namespace est::server::records {

// One item of the queue.
struct bra_item {
    std::string id;  // "<meeting>.<topic>.<item>" ('.' is in no id)
    std::string group_id;
    std::string meeting_id, meeting_title, meeting_date;
    std::string topic_id, topic_title;
    nlohmann::json fields;  // the item's fields as the closed picture holds them (signed): {"rubrik": "…", …}
    bra_record record;

    // {"id","group","meeting":{"id","title","date"},"topic":{"id","title"},"fields","status","version",…,
    //  "flags":{"overdue","stale","back_on_agenda"}} and, when asked, "history".
    nlohmann::json to_json(calendar_date today, unsigned stale_weeks, bool with_history) const;
};

class bra_queue {
public:
    using picture_source = std::function<void(const std::string& meeting_id, std::function<void(picture_result)> done)>;

    bra_queue(catalog& cat, store& db, picture_source pictures);

    // The municipality's calendar: due dates and deferrals are days where the server runs.
    static calendar_date today();
    // What a watching connection receives for a changed item: {"type":"queue_item","item":{…, "history_length"}}
    // (the history itself is read with GET /api/bra/items/{id}: it can be long).
    static std::string item_message(const bra_item& item, unsigned stale_weeks);

    // Reads every stored event, and the items kept of purged meetings (at start, blocking). Throws when a stored
    // event does not read.
    void load();
    // Reads the closed meetings of these groups that the queue has not read yet, then calls `done` once (on any
    // thread). A meeting that cannot be read now is tried again at the next call.
    void index(const std::vector<std::string>& group_ids, std::function<void()> done);
    // The decision items of a closed picture that went to BRÅ, as the queue shows their text:
    // [{"topic","item","fields"}]. What a purge keeps of a meeting (retention), so its items stay in the queue.
    static nlohmann::json sent_to_bra(const meeting_document& doc);
    // A meeting purged under retention: the queue keeps its items from `sent` (sent_to_bra's answer), read now
    // unless it has read the meeting before; index() never reads a purged meeting's picture.
    void keep_purged(const std::string& meeting_id, const nlohmann::json& sent);
    // The items of these groups, newest meeting first, then in the picture's topic order.
    std::vector<bra_item> items(const std::set<std::string, std::less<>>& group_ids) const;
    std::optional<bra_item> find(std::string_view id) const;
    // The group of an import batch (the first part of an imported item's id); nullopt for anything else.
    std::optional<std::string> group_of_import(std::string_view batch) const;

    // Imported items a group may hold in all: each is kept for ever.
    static constexpr std::size_t max_imported_per_group = 5000;
    struct import_result {
        std::string error;  // "" on success; else limit_reached or storage_failed, and `message`
        std::string message;
        std::string batch;
        std::vector<bra_item> items;  // as they are now (each with its import event)
    };
    // Stores `items` as one import into `group_id` (all or none), then shows them in the queue and to the
    // group's watchers; `done` once, on any thread, after the store made them durable.
    void import(const std::string& group_id, std::vector<bra_import_item> items, bra_author by, std::string at,
                std::function<void(import_result)> done);

    struct act_result {
        std::string error;  // "" on success; else a domain code (docs/protocol.md) and `message`
        std::string message;
        std::optional<bra_item> item;  // as it is now: after the event, or (conflict) what the other did
    };
    // Checks the request (est::bra_record::check) and, when it holds, writes the event and applies it once
    // durable; `done` once, on any thread. `id` must be indexed (find), else not_found.
    void act(const std::string& id, const bra_request& r, const standing& who, const std::string& who_org,
             bra_author by, std::string at, calendar_date today, std::function<void(act_result)> done);

    // Live updates: `w` runs with each item as it is after every durable event on it, for items of `group_ids`
    // only; on the store's thread, never under the queue's lock. Returns the handle to unwatch with.
    using watcher = std::function<void(const bra_item&)>;
    std::uint64_t watch(std::set<std::string, std::less<>> group_ids, watcher w);
    void unwatch(std::uint64_t handle);

private:
    // With the lock held: the items of a closed meeting, from sent_to_bra's answer, and their stored events.
    void index_meeting(const std::string& meeting_id, const nlohmann::json& sent);
    // With the lock held: applies the stored events of an item being read (from stored_, which lets them go).
    void replay_stored(bra_item& item);
    // With the lock held: the items of a stored import (at start, or once durable) and their later events.
    std::vector<bra_item> add_import(const std::string& batch, const std::string& group_id, const std::string& at,
                                     const nlohmann::json& data);

    catalog& catalog_;
    store& db_;
    picture_source pictures_;
    mutable std::mutex mutex_;
    std::map<std::string, bra_item, std::less<>> items_;                    // by id
    std::set<std::string, std::less<>> indexed_;                            // meetings read
    std::set<std::string, std::less<>> reading_;                            // meetings being read
    std::map<std::string, std::vector<bra_event>, std::less<>> stored_;     // events of items not read yet
    std::set<std::string, std::less<>> in_flight_;                          // items with an event being written
    std::map<std::string, std::string, std::less<>> imports_;               // batch → group
    std::map<std::string, std::size_t, std::less<>> imported_;              // group → items imported or being so
    struct watch_entry {
        std::set<std::string, std::less<>> groups;
        watcher w;
    };
    std::map<std::uint64_t, watch_entry> watchers_;
    std::uint64_t next_watch_ = 1;
};

}  // namespace est::server::records
