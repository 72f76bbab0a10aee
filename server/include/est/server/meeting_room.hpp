#pragma once
// One live meeting: its state, its connected members and its commit pipeline, all on one thread (its
// shard's io_context, which exactly one thread runs: that serialises the room without a strand).
// Life of an edit: submit (transform, check, apply) → store (group commit) → on_committed → ack to the
// author and one serialised broadcast to everyone else, in revision order.
#include <atomic>
#include <cstdint>
#include <deque>
#include <functional>
#include <memory>
#include <string>
#include <unordered_map>
#include <unordered_set>

#include <boost/asio/any_io_executor.hpp>
#include <nlohmann/json.hpp>

#include "est/group.hpp"
#include "est/lifecycle.hpp"
#include "est/meeting_state.hpp"
#include "est/protocol.hpp"
#include "est/server/catalog.hpp"
#include "est/server/lifecycle_request.hpp"
#include "est/server/picture_report.hpp"
#include "est/server/room_member.hpp"

namespace est::server {

class store;
struct op_record;
namespace records {
class signing_keys;
}

class meeting_room : public std::enable_shared_from_this<meeting_room> {
public:
    // `keys` sign the signatures and closings (none: the meeting cannot be signed, `unavailable`); `cat` keeps the
    // meeting's state in its list and the group's chain of closed pictures.
    meeting_room(boost::asio::any_io_executor ex, const meeting_info& info, const group& grp, meeting_state state,
                 store& db, catalog* cat = nullptr, const records::signing_keys* keys = nullptr);

    // Refills the catch-up history from logged ops, oldest first (on load); call before the room is shared.
    // The changes of ops after revision `replayed_after` were parsed already, replayed onto the snapshot.
    void remember_logged(const std::vector<op_record>& ops, std::uint64_t replayed_after);
    // On load, before the room is shared: `current` is this load's epoch as the load recorded it, `previous` the
    // epoch of the load before (loaded_meeting::next_epoch and ::epoch). A join that saw revisions under
    // `previous` may catch up from one no later than this load's first (all of those were durable under it).
    void follow_epoch(std::string previous, std::string current);
    // 64 random bits (libsodium), 16 hex digits: an epoch (join_message::epoch).
    static std::string new_epoch();
    // How the room ends, set once before it is shared: `retire` runs once, on the room's thread, when a
    // commit failed or when retire_if_idle finds it idle; the registry forgets the room then. A join that
    // reaches a retired room is answered `join_result::retired`: open the meeting again (the registry
    // loads it afresh).
    void on_retire(std::function<void()> retire) { retire_ = std::move(retire); }
    // Compaction (docs/records.md): once the meeting's closing is durable, the room asks the store to replace its
    // op log by the picture at the closing. Set once before the room is shared.
    void compact_when_closed(bool on) noexcept { compact_when_closed_ = on; }
    // Thread-safe: retires the room if nobody has been in it for `idle` and everything it holds is
    // durable. A room just loaded counts as empty only 5 s after its load (its joiner is on the way).
    void retire_if_idle(std::chrono::milliseconds idle);

    // Entry points: thread-safe, each runs on the room's thread. `done(ok)` runs there too (not at all
    // when the member is gone by then). The room keeps members only weakly: a connection of another
    // shard must never outlive its io_context inside this room's queue.
    enum class join_result { joined, refused, retired };
    void join(std::weak_ptr<room_member> m, join_message msg, std::function<void(join_result)> done);
    void submit(std::weak_ptr<room_member> m, op_message msg);
    void focus(std::weak_ptr<room_member> m, focus_message msg);
    void leave(const room_member* m);
    // `done` gets a copy of the picture as it stands, on the room's thread, once every change in it is
    // durable (an export never shows a change that could still be lost). A room that is retired or has
    // failed answers error "retired": open the meeting again (the registry loads it afresh from disk).
    void read_picture(std::function<void(picture_result)> done);
    // The group's settings changed (e.g. its short names): later welcomes carry `grp` as it is now. Ignored unless
    // `grp` is this meeting's group. Thread-safe.
    void use_group(const group& grp);
    // A lifecycle move: checked, applied as the next revision, logged, broadcast to everyone as an `op`;
    // `done` runs once it is durable (or refused), on the room's thread.
    void act(lifecycle_request req, std::function<void(lifecycle_result)> done);
    // Thread-safe: the meeting's content is being deleted (retention): everyone in the room gets the error `code`
    // and is closed (4004), and the room retires, answering what waits with `code` too.
    void end(std::string code, std::string why);

    const std::string& id() const noexcept { return id_; }
    std::size_t member_count() const noexcept { return member_count_.load(std::memory_order_relaxed); }

private:
    struct member {
        std::uint64_t id;
        std::weak_ptr<room_member> conn;
        participant_info info;
        std::string client;
        std::string author_json;     // {"session","name","org"} as logged
        std::uint64_t start_after;   // broadcasts at or below this revision are in its welcome
        // Its messages waiting in pending_ (its welcome, its acks): while there are any, a new broadcast to it
        // waits there too, so that none overtakes them (on one connection revisions go up by one).
        std::uint32_t held = 0;
        // Joined with `applied` (join_message::applied): its own acks hold nothing back. Those still waiting for
        // their commit are listed here until something of a later revision is due to it; it then gets an
        // `applied` for each first (announce), and their acks follow as marks.
        bool takes_applied = false;
        struct unannounced {
            std::uint64_t seq;
            std::uint64_t rev;
            std::string flags;
        };
        std::vector<unannounced> unannounced;
    };
    // Messages held until a revision is durable, in revision order.
    struct pending {
        std::uint64_t rev;
        std::weak_ptr<room_member> to;                     // gets `direct`
        std::uint64_t to_id;
        std::shared_ptr<const std::string> direct;
        std::shared_ptr<const std::string> broadcast;      // to everyone else, if set
        bool welcome = false;                              // `direct` is a welcome (not capped by the queue)
        std::uint64_t unheld_seq = 0;                      // `direct` is the ack of this seq, not counted in `held`
    };

    void do_join(std::shared_ptr<room_member> m, join_message msg, std::function<void(join_result)> done);
    void do_retire_if_idle(std::chrono::milliseconds idle);
    void do_submit(const std::shared_ptr<room_member>& m, op_message msg);
    void do_focus(const std::shared_ptr<room_member>& m, focus_message msg);
    void do_leave(const room_member* m);
    void do_read_picture(std::function<void(picture_result)> done);
    void do_act(lifecycle_request req, std::function<void(lifecycle_result)> done);
    void do_end(const std::string& code, const std::string& why);
    // The signed record of a signature or closing, for `req` on the picture as it is now.
    signed_record sign_record(const lifecycle_request& req, const std::string& digest);
    void on_durable(std::uint64_t rev, const std::string& error);  // on the store's thread
    void on_committed(std::uint64_t rev, const std::string& error);
    // Delivers `p` once its revision is durable and everything queued before it has gone out; `to` is the
    // member that gets p.direct.
    void after_durable(member& to, pending p);
    void deliver(const pending& p);
    // Tells `mem` of its changes applied and not yet durable (member::unannounced), before a later revision.
    static void announce(member& mem, room_member& to);
    // `in_order`: a broadcast from pending_ itself, already behind everything each member waits for.
    void send_to_others(std::uint64_t except_id, const std::shared_ptr<const std::string>& msg, std::uint64_t rev,
                        bool in_order = false);
    void fail(const std::string& why);
    // Notes `who` in the meeting's attendance when the phase counts (est::counts_attendance), once per room.
    void note_attendance(const identity& who);
    void remember_wire(std::uint64_t rev, std::shared_ptr<const std::string> msg);
    static void reply(const std::shared_ptr<room_member>& to, std::shared_ptr<const std::string> msg);

    boost::asio::any_io_executor executor_;  // the shard's io_context
    std::string id_;
    group group_;
    nlohmann::json meeting_json_;  // for welcomes: metadata, group, template
    meeting_state state_;
    store& store_;
    std::uint64_t committed_rev_;
    // Names this load of the meeting, for `join.since` (protocol.hpp, join_message::epoch): random, so a restart
    // or a reload after a failed commit never repeats one.
    std::string epoch_;
    // The epoch of the load before and the revision this one started from (follow_epoch); empty if unknown.
    std::string previous_epoch_;
    std::uint64_t loaded_rev_ = 0;
    // The newest revision whose broadcast waits in pending_ for durability (a lifecycle move): later changes
    // queue behind it instead of overtaking it.
    std::uint64_t held_broadcast_rev_ = 0;
    std::uint64_t last_snapshot_rev_;
    std::uint64_t next_member_id_ = 1;
    std::unordered_map<const room_member*, member> members_;
    std::unordered_set<std::string> attended_;  // "name\norg\nrole" noted in the attendance since the room loaded
    std::atomic<std::size_t> member_count_{0};
    std::deque<pending> pending_;
    // Copies of the picture waiting for their revision to be durable, in revision order.
    std::deque<std::pair<picture_result, std::function<void(picture_result)>>> picture_readers_;
    // Lifecycle moves waiting for their revision to be durable, in revision order.
    std::deque<std::pair<lifecycle_result, std::function<void(lifecycle_result)>>> acts_waiting_;
    catalog* catalog_;
    const records::signing_keys* keys_;
    std::shared_ptr<const nlohmann::json> lifecycle_json_;  // state_.lifecycle() as JSON, at its revision
    std::uint64_t closing_sequence_ = 0;  // the group chain's place of this meeting's closing, once closed
    std::optional<correction_link> corrects_;  // a correction: what its signatures and closing name
    std::deque<std::pair<std::uint64_t, std::shared_ptr<const std::string>>> wire_history_;
    std::uint64_t wire_floor_;  // catch-up can start at any revision >= this
    std::size_t wire_bytes_ = 0;
    // The document's JSON at revision state_json_rev_, for the welcomes of joins without a catch-up.
    std::shared_ptr<const std::string> state_json_;
    std::uint64_t state_json_rev_ = 0;
    // The privacy flags and acknowledgements at privacy_json_rev_, for every welcome.
    std::shared_ptr<const std::string> privacy_json_;
    std::uint64_t privacy_json_rev_ = 0;
    bool failed_ = false;
    bool retired_ = false;
    bool compact_when_closed_ = false;
    std::function<void()> retire_;
    // Since when nobody has been in the room (on its thread). A room holds no I/O object: it may be
    // destroyed after its io_context, e.g. by a handler of another shard or of the store.
    std::chrono::steady_clock::time_point empty_since_;
    // Written by the store's thread: the newest durable revision, and whether a hop to the room's thread to
    // release up to it is already on its way (one hop per commit, however many ops it held).
    std::atomic<std::uint64_t> durable_rev_{0};
    std::atomic<bool> durable_posted_{false};
};

}  // namespace est::server
