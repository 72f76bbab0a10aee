#pragma once
// Groups and meetings: the small, rarely-changing directory the REST API serves. Held in memory,
// written through to the store.
#include <map>
#include <memory>
#include <functional>
#include <mutex>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "est/correction.hpp"
#include "est/group.hpp"
#include "est/meeting_template.hpp"
#include "est/server/attendance_row.hpp"

namespace est::server {

class store;

// Another meeting as a meeting names it: what a reader needs to find and recognise it.
struct meeting_ref {
    std::string id;
    std::string title;
    std::string date;
    std::string state;

    nlohmann::json to_json() const;  // {"id","title","date","state"}
};

struct meeting_info {
    std::string id;
    std::string group_id;
    std::string title;
    std::string date;  // YYYY-MM-DD
    std::string state = "open";
    std::string created_at;
    std::shared_ptr<const meeting_template> tmpl;
    // A correction: the closed meeting it corrects (stored with the meeting, so part of it once it is closed).
    std::optional<correction_link> corrects;
    // Filled in when read from the catalog, never stored: the meeting `corrects` names, and the correction that
    // corrects this meeting, if any (a closed meeting never changes; its correction points at it).
    std::optional<meeting_ref> corrected_meeting;
    std::optional<meeting_ref> corrected_by;
    // When the meeting was purged under its group's retention (docs/records.md), "" while it is not: read from the
    // store's purges, never from the meeting's row (a closed meeting's row never changes).
    std::string purged_at;
    // When the chair archived the meeting (out of the group's list of meetings, still readable), "" while it is not:
    // read from the store's archived_meetings, never from the meeting's row.
    std::string archived_at;

    nlohmann::json meta_json() const;  // what the meetings table stores
    // What the API shows: the fields above, "corrects" as {"meeting","digest","closing","title"?,"date"?} and
    // "corrected_by" as a meeting_ref, "purged_at" and "archived_at", each only when there is one.
    nlohmann::json to_json() const;
};

class catalog {
public:
    catalog(store& db, std::shared_ptr<const meeting_template> default_template);

    // Reads every group and meeting from the store. Throws on damaged rows.
    void load();

    // One page of a list: at most the `limit` asked for, and whether more follow.
    template <class T>
    struct page {
        std::vector<T> items;
        bool more = false;
    };

    std::vector<group> groups() const;  // by id
    // Up to `limit` groups whose ids come after `after` (all from the first when empty), by id.
    page<group> groups_page(std::string_view after, std::size_t limit) const;
    std::optional<group> find_group(std::string_view id) const;
    std::vector<meeting_info> meetings_of(std::string_view group_id) const;  // newest first
    // Up to `limit` meetings of the group that come after meeting `after` in meetings_of's order (date, then
    // creation time, newest first; then id). Throws domain_error("bad_query") when `after` is no meeting of it.
    page<meeting_info> meetings_page(std::string_view group_id, std::string_view after, std::size_t limit) const;
    std::optional<meeting_info> find_meeting(std::string_view id) const;
    const std::shared_ptr<const meeting_template>& default_template() const noexcept { return default_template_; }

    // Validate, persist (blocking until durable), then publish. Throw domain_error:
    // bad_message for invalid input, conflict for a taken id, not_found for an unknown group.
    group create_group(const nlohmann::json& body);
    // A new meeting is a draft whose sign-off needs the group's `signers` as they are now. Its title is the body's,
    // or "EST-möte vecka NN" of its date (with " (2)", " (3)" … when the group has that title already); no two
    // meetings of a group share a title (est::meeting_title_key): a given title taken throws duplicate_title.
    meeting_info create_meeting(std::string_view group_id, const nlohmann::json& body);
    // Changes a meeting's title and/or date ({"title"?, "date"?}): validated, `check` run on the meeting as it is
    // under the catalog's lock (so no lifecycle move slips between the check and the change; it throws to refuse),
    // persisted (blocking until durable); returns the meeting as it is now. Throws domain_error: bad_message,
    // not_found, duplicate_title, or what `check` throws (nothing changes).
    meeting_info edit_meeting(std::string_view meeting_id, const nlohmann::json& body,
                              const std::function<void(const meeting_info&)>& check);
    // Archives the meeting (now, as `at`) or brings it back (`archived` false); blocking until durable. Throws
    // domain_error("not_found").
    meeting_info set_archived(std::string_view meeting_id, bool archived);
    // Who took part in the meeting (docs/protocol.md, "Attendance"), in the order noted; blocking (a read on the store's
    // thread, after every write queued before it): not on an I/O thread.
    std::vector<attendance_row> attendance(const std::string& meeting_id);

    // Changes the group's settings ({"signers": [...]}, docs/protocol.md): validated, persisted (blocking until
    // durable), then published; returns the group as it is now. Meetings made before keep what they were made
    // with. Throws domain_error: bad_message (nothing changes), not_found.
    group change_settings(std::string_view group_id, const nlohmann::json& body);
    // Told of every group whose settings changed, once durable and published, on the changer's thread. Set once,
    // before the server serves.
    void on_group_changed(std::function<void(const group&)> observer) { group_changed_ = std::move(observer); }

    // Corrections (docs/records.md, "Corrections"). A closed meeting is corrected at most once: each version has at
    // most one successor, so "corrected in …" names one meeting. claim_correction reserves the right to correct
    // `meeting_id` and throws domain_error("conflict") naming the correction when one exists or is being made; the
    // claim ends with create_correction (either way) or release_correction.
    void claim_correction(std::string_view meeting_id);
    void release_correction(std::string_view meeting_id);
    // The correction of the claimed meeting `of`: a new, open meeting of its group titled "Rättelse: …", with its
    // date and template and `link` as its `corrects`. Writes `first_snapshot` (its state at revision 0) and its row
    // in one job, and publishes it once durable; `done(meeting, "")` or `done({}, error)` once, on the store's
    // thread.
    void create_correction(const meeting_info& of, const correction_link& link, std::string first_snapshot,
                           std::function<void(std::optional<meeting_info>, const std::string& error)> done);

    // The meeting's lifecycle phase as its list shows it ("open", "locked", "signed", "closed"): set in memory
    // at once and written through to the store (queued before the op that moved it, so a closing's trigger finds
    // the meeting's row final).
    void set_state(std::string_view meeting_id, std::string_view state);

    // Retention: marks the meeting purged in the list (its content is gone from the store, or about to go): from
    // then on it is shown with "purged_at" and rooms refuse to load it.
    void mark_purged(std::string_view meeting_id, std::string purged_at);

    // One link of a group's chain of closed pictures (sequence 1, 2, …; docs/records.md).
    struct closing_link {
        std::string meeting_id;
        std::uint64_t sequence = 0;
        nlohmann::json record;  // {"statement","sshsig","key_id"}
        std::string statement_digest;  // hex SHA-256 of record.statement: the next closing's `previous`
    };
    // Where the group's next closing goes: its sequence and the digest of the one before ("" for the first).
    struct chain_head {
        std::uint64_t sequence = 1;
        std::string previous;
    };
    chain_head next_closing(std::string_view group_id) const;
    // Adds the closing at `head` to the chain; false (nothing changed) when another closing took that place
    // since next_closing: build the statement again on the new head. `forget_closing` takes it back when its
    // commit failed.
    bool add_closing(std::string_view group_id, const chain_head& head, closing_link link);
    void forget_closing(std::string_view group_id, std::uint64_t sequence);
    std::vector<closing_link> chain_of(std::string_view group_id) const;

private:
    // With the lock held: `m` with corrected_meeting and corrected_by filled in; the meeting of that id.
    meeting_info linked(meeting_info m) const;
    const meeting_info* find_locked(std::string_view id) const;
    // Whether a meeting of the group other than `except` has a title with this meeting_title_key (mutex_ held).
    bool title_taken_locked(std::string_view group_id, const std::string& key, std::string_view except) const;

    store& db_;
    std::shared_ptr<const meeting_template> default_template_;
    std::function<void(const group&)> group_changed_;
    mutable std::mutex mutex_;
    std::mutex settings_mutex_;
    std::mutex titles_mutex_;  // one creation or change of a meeting's title at a time (titles are unique per group)  // one change of settings at a time: the store and memory see them in one order
    std::vector<group> groups_;  // sorted by id
    std::vector<meeting_info> meetings_;
    std::map<std::string, std::vector<closing_link>, std::less<>> chains_;  // by group, in sequence order
    std::map<std::string, std::string, std::less<>> corrected_by_;  // corrected meeting → its correction
    std::set<std::string, std::less<>> correcting_;                  // claimed, correction not yet durable
};

}  // namespace est::server
