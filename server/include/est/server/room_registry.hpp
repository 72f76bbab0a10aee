#pragma once
// Finds the live room of a meeting, loading it from the store (snapshot + ops after it) on first use.
#include <chrono>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include <boost/asio/io_context.hpp>
#include <boost/asio/steady_timer.hpp>

#include "est/group.hpp"
#include "est/limits.hpp"
#include "est/meeting_state.hpp"
#include "est/server/catalog.hpp"
#include "est/server/lifecycle_request.hpp"
#include "est/server/picture_report.hpp"

namespace est::server {

class meeting_room;
struct loaded_meeting;
class shard_set;
class store;
namespace records {
class signing_keys;
}

class room_registry {
public:
    // error_code empty on success; otherwise `room` is null and message says why.
    using open_handler = std::function<void(std::shared_ptr<meeting_room> room, const std::string& error_code,
                                            const std::string& message)>;

    // Each room is created on the shard its meeting id hashes to, and forgotten once nobody has been in it
    // for `room_idle` (its memory goes; the next join loads it again from the store).
    room_registry(shard_set& shards, store& db, catalog& cat, limits lim, std::chrono::milliseconds room_idle);

    // The keys rooms sign with (set before the first room loads; none: meetings cannot be signed).
    void use_signing_keys(const records::signing_keys* keys) noexcept { keys_ = keys; }
    // Whether rooms compact a meeting's op log once its closing is durable (--no-compact-closed turns it off).
    void compact_closed(bool on) noexcept { compact_closed_ = on; }
    // `done` may run on the caller's thread or the store's: post to your own thread.
    void open(const std::string& meeting_id, open_handler done);
    // The durable picture of a meeting (loading its room if need be), for an export. `done` runs once, on
    // the room's thread or the caller's; error "meeting_not_found" or "storage_failed" when there is none.
    void read_picture(const std::string& meeting_id, std::function<void(picture_result)> done);
    // A lifecycle move in the meeting's room (loading it if need be); `done` once, on the room's thread or the
    // caller's; error "meeting_not_found" or "storage_failed" when there is no room for it.
    void act(const std::string& meeting_id, lifecycle_request req, std::function<void(lifecycle_result)> done);
    // The meeting is being purged (retention): its room, if loaded, is forgotten and ends (its members get
    // `purged`). Loads refuse it from then on, as the catalog says it is purged.
    void drop(const std::string& meeting_id, const std::string& why);
    // A meeting's state as the store holds it: its snapshot and the ops after it replayed. Throws domain_error
    // ("bad_snapshot") on a damaged snapshot or a gap in the log.
    static meeting_state state_of(const meeting_info& info, const group& grp, const loaded_meeting& lm, const limits& lim);
    // The answer to opening a purged meeting: error `purged`, and this message.
    static std::string purged_message(const meeting_info& info);
    // The group's settings changed: every loaded room of it welcomes with the group as it is now.
    void group_changed(const group& grp);
    std::size_t loaded() const;
    // Members of the meeting's room if it is loaded, else 0. Thread-safe.
    std::size_t members_of(std::string_view meeting_id) const;
    // Forgets every room and stops looking for idle ones (at shutdown, once the I/O threads have stopped,
    // before the io_contexts go).
    void clear();

private:
    void build_room(const std::string& meeting_id, const meeting_info& info, const group& grp, const loaded_meeting& lm);
    boost::asio::io_context& home_of(std::string_view meeting_id) const;
    void sweep();  // asks every room to retire if idle, now and then
    void loaded_from_store(const std::string& id, std::shared_ptr<meeting_room> room, const std::string& code,
                           const std::string& message);

    shard_set& shards_;
    store& store_;
    catalog& catalog_;
    const records::signing_keys* keys_ = nullptr;
    bool compact_closed_ = false;
    limits limits_;
    std::chrono::milliseconds room_idle_;
    std::unique_ptr<boost::asio::steady_timer> sweep_timer_;  // on shard 0
    mutable std::mutex mutex_;
    std::map<std::string, std::shared_ptr<meeting_room>, std::less<>> rooms_;
    std::map<std::string, std::vector<open_handler>, std::less<>> loading_;
};

}  // namespace est::server
