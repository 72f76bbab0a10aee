#include "est/server/room_registry.hpp"
#include "est/server/server_context.hpp"

#include <algorithm>

#include <boost/asio/post.hpp>
#include <nlohmann/json.hpp>

#include "est/error.hpp"
#include "est/server/error_log.hpp"
#include "est/meeting_state.hpp"
#include "est/server/catalog.hpp"
#include "est/server/meeting_room.hpp"
#include "est/server/store.hpp"

namespace est::server {

room_registry::room_registry(shard_set& shards, store& db, catalog& cat, limits lim,
                             std::chrono::milliseconds room_idle)
    : shards_(shards),
      store_(db),
      catalog_(cat),
      limits_(lim),
      room_idle_(room_idle),
      sweep_timer_(std::make_unique<boost::asio::steady_timer>(shards.context(0))) {
    sweep();
}

void room_registry::sweep() {
    // A quarter of the idle time between looks (at least 250 ms, at most 30 s): a room goes between
    // --room-idle-seconds and a quarter more after its last member left.
    const auto period = std::clamp<std::chrono::milliseconds>(room_idle_ / 4, std::chrono::milliseconds(250),
                                                              std::chrono::seconds(30));
    sweep_timer_->expires_after(period);
    sweep_timer_->async_wait([this](boost::system::error_code ec) {
        if (ec) return;
        std::vector<std::shared_ptr<meeting_room>> rooms;
        {
            std::lock_guard lock(mutex_);
            for (const auto& [id, room] : rooms_) rooms.push_back(room);
        }
        for (const auto& room : rooms) room->retire_if_idle(room_idle_);
        sweep();
    });
}

void room_registry::group_changed(const group& grp) {
    std::vector<std::shared_ptr<meeting_room>> rooms;
    {
        std::lock_guard lock(mutex_);
        for (const auto& [id, room] : rooms_) rooms.push_back(room);
    }
    for (const auto& room : rooms) room->use_group(grp);
}

std::size_t room_registry::loaded() const {
    std::lock_guard lock(mutex_);
    return rooms_.size();
}

std::size_t room_registry::members_of(std::string_view meeting_id) const {
    std::lock_guard lock(mutex_);
    const auto it = rooms_.find(meeting_id);
    return it == rooms_.end() ? 0 : it->second->member_count();
}

void room_registry::clear() {
    sweep_timer_.reset();
    std::map<std::string, std::shared_ptr<meeting_room>, std::less<>> rooms;
    {
        std::lock_guard lock(mutex_);
        rooms.swap(rooms_);
    }
}

void room_registry::open(const std::string& meeting_id, open_handler done) {
    std::shared_ptr<meeting_room> found;
    bool first = false;
    {
        std::lock_guard lock(mutex_);
        if (auto it = rooms_.find(meeting_id); it != rooms_.end()) {
            found = it->second;
        } else {
            auto [waiting, fresh] = loading_.try_emplace(meeting_id);
            waiting->second.push_back(std::move(done));
            first = fresh;
        }
    }
    if (found) return done(std::move(found), {}, {});
    if (!first) return;  // a load is under way; this caller is answered with the others
    auto info = catalog_.find_meeting(meeting_id);
    auto grp = info ? catalog_.find_group(info->group_id) : std::nullopt;
    if (!info || !grp) return loaded_from_store(meeting_id, nullptr, "meeting_not_found", "there is no meeting '" + meeting_id + "'");
    if (!info->purged_at.empty()) return loaded_from_store(meeting_id, nullptr, "purged", purged_message(*info));

    // The store thread only reads; replaying the ops and re-encoding the catch-up history (tens of
    // milliseconds for a long meeting) happens on the room's own thread, so other meetings' commits never
    // wait for a room to load.
    store_.load_meeting(meeting_id, limits_.history_window, limits_.history_bytes, meeting_room::new_epoch(),
                        [this, meeting_id, info = *info, grp = *grp](std::optional<loaded_meeting> lm, const std::string& error) mutable {
        if (!error.empty()) {
            log_error({{"where", "load"}, {"meeting", meeting_id}, {"detail", error}});
            return loaded_from_store(meeting_id, nullptr, "storage_failed", "the meeting could not be loaded; try again later");
        }
        if (!lm) return loaded_from_store(meeting_id, nullptr, "meeting_not_found", "there is no meeting '" + meeting_id + "'");
        if (lm->purged) return loaded_from_store(meeting_id, nullptr, "purged", purged_message(info));
        boost::asio::post(home_of(meeting_id), [this, meeting_id, info = std::move(info), grp = std::move(grp), lm = std::move(*lm)] {
            build_room(meeting_id, info, grp, lm);
        });
    });
}

void room_registry::read_picture(const std::string& meeting_id, std::function<void(picture_result)> done) {
    open(meeting_id, [this, meeting_id, done = std::move(done)](std::shared_ptr<meeting_room> room, const std::string& code,
                                                                const std::string& message) mutable {
        if (!room) return done({nullptr, 0, code, message});
        room->read_picture([this, meeting_id, done = std::move(done)](picture_result r) mutable {
            // Retired (idle or failed) between open and read: the registry no longer hands it out; load anew.
            if (r.error == "retired") return read_picture(meeting_id, std::move(done));
            done(std::move(r));
        });
    });
}

void room_registry::act(const std::string& meeting_id, lifecycle_request req, std::function<void(lifecycle_result)> done) {
    open(meeting_id, [this, meeting_id, req = std::move(req), done = std::move(done)](
                         std::shared_ptr<meeting_room> room, const std::string& code, const std::string& message) mutable {
        if (!room) return done({code, message, 0, {}});
        room->act(req, [this, meeting_id, req, done = std::move(done)](lifecycle_result r) mutable {
            // Retired between open and act: the registry no longer hands it out; load anew.
            if (r.error == "retired") return act(meeting_id, std::move(req), std::move(done));
            done(std::move(r));
        });
    });
}

meeting_state room_registry::state_of(const meeting_info& info, const group& grp, const loaded_meeting& lm,
                                     const limits& lim) {
    auto state = lm.snapshot
                     ? meeting_state::from_snapshot(info.tmpl, grp.organisation_ids(), nlohmann::json::parse(*lm.snapshot), lim)
                     : meeting_state(meeting_document(info.tmpl, grp.organisation_ids()), 0, {}, lim);
    for (const auto& op : lm.ops) {
        if (op.rev <= lm.snapshot_rev) continue;
        if (op.rev != state.rev() + 1)
            throw domain_error("bad_snapshot", "the op log of meeting " + info.id + " has a gap at revision " +
                                                   std::to_string(state.rev() + 1));
        state.replay(op.client, op.seq, nlohmann::json::parse(op.change));
    }
    return state;
}

std::string room_registry::purged_message(const meeting_info& info) {
    return "meeting '" + info.id + "' was purged (gallrad) under its group's retention on " + info.purged_at +
           ": its picture is deleted; its signed closing stays in the group's chain";
}

void room_registry::drop(const std::string& meeting_id, const std::string& why) {
    std::shared_ptr<meeting_room> room;
    {
        std::lock_guard lock(mutex_);
        if (auto it = rooms_.find(meeting_id); it != rooms_.end()) {
            room = std::move(it->second);
            rooms_.erase(it);
        }
    }
    if (room) room->end("purged", why);
}

void room_registry::build_room(const std::string& meeting_id, const meeting_info& info, const group& grp,
                               const loaded_meeting& lm) {
    try {
        // Purged while it loaded: the catalog says so before the store deletes anything.
        if (auto now = catalog_.find_meeting(meeting_id); now && !now->purged_at.empty())
            return loaded_from_store(meeting_id, nullptr, "purged", purged_message(*now));
        auto room = std::make_shared<meeting_room>(home_of(meeting_id).get_executor(), info, grp,
                                                   state_of(info, grp, lm, limits_), store_, &catalog_, keys_);
        room->compact_when_closed(compact_closed_);
        room->remember_logged(lm.ops, lm.snapshot_rev);
        room->follow_epoch(lm.epoch, lm.next_epoch);
        std::weak_ptr<meeting_room> weak = room;
        room->on_retire([this, meeting_id, weak] {
            std::lock_guard lock(mutex_);
            auto it = rooms_.find(meeting_id);
            if (it != rooms_.end() && it->second == weak.lock()) rooms_.erase(it);
        });
        loaded_from_store(meeting_id, std::move(room), {}, {});
    } catch (const std::exception& e) {
        // The detail (a damaged row, SQLite's words) is for the operator's log, not for whoever joined.
        log_error({{"where", "load"}, {"meeting", meeting_id}, {"detail", e.what()}});
        loaded_from_store(meeting_id, nullptr, "storage_failed", "the meeting could not be loaded; try again later");
    }
}

boost::asio::io_context& room_registry::home_of(std::string_view meeting_id) const {
    return shards_.context(shards_.index_for_meeting(meeting_id));
}

void room_registry::loaded_from_store(const std::string& id, std::shared_ptr<meeting_room> room, const std::string& code,
                                      const std::string& message) {
    std::vector<open_handler> waiting;
    {
        std::lock_guard lock(mutex_);
        if (room) rooms_[id] = room;
        waiting = std::move(loading_[id]);
        loading_.erase(id);
    }
    for (auto& h : waiting) h(room, code, message);
}

}  // namespace est::server
