#include "est/server/meeting_room.hpp"

#include <algorithm>
#include <ctime>

#include <boost/asio/post.hpp>

#include "est/client_key.hpp"
#include "est/error.hpp"
#include "est/server/auth/secret_token.hpp"
#include "est/server/error_log.hpp"
#include "est/server/records/signing_keys.hpp"
#include "est/server/store.hpp"

namespace est::server {

using json = nlohmann::json;

namespace {
std::shared_ptr<const std::string> shared(std::string s) { return std::make_shared<const std::string>(std::move(s)); }
constexpr std::uint16_t close_internal_error = 1011;
constexpr std::uint16_t close_replaced = 4001;  // application range: this client connected again elsewhere
constexpr std::uint16_t close_purged = 4004;    // the meeting was purged under its group's retention

// "2026-12-04T10:15:00Z": when a signature or closing was made, as its statement says.
std::string utc_now() {
    const std::time_t t = std::time(nullptr);
    std::tm tm{};
    gmtime_r(&t, &tm);
    char buf[32];
    std::strftime(buf, sizeof buf, "%Y-%m-%dT%H:%M:%SZ", &tm);
    return buf;
}
}  // namespace

std::string meeting_room::new_epoch() { return auth::secret_token::random_id(""); }

meeting_room::meeting_room(boost::asio::any_io_executor ex, const meeting_info& info, const group& grp,
                           meeting_state state, store& db, catalog* cat, const records::signing_keys* keys)
    : executor_(std::move(ex)),
      id_(info.id),
      group_(grp),
      meeting_json_(info.to_json()),
      state_(std::move(state)),
      store_(db),
      committed_rev_(state_.rev()),
      epoch_(new_epoch()),
      last_snapshot_rev_(state_.rev()),
      catalog_(cat),
      keys_(keys),
      lifecycle_json_(std::make_shared<const json>(state_.lifecycle().to_json())),
      wire_floor_(state_.rev()),
      empty_since_(std::chrono::steady_clock::now() + std::chrono::seconds(5)) {
    meeting_json_["group"] = group_.to_json();
    meeting_json_["template"] = info.tmpl->to_json();
    meeting_json_["state"] = to_string(state_.lifecycle().phase());
    corrects_ = info.corrects;
    // The list's state follows the op log: a crash between the two writes is mended on the next load.
    if (catalog_ && info.state != to_string(state_.lifecycle().phase()))
        catalog_->set_state(id_, to_string(state_.lifecycle().phase()));
}

void meeting_room::retire_if_idle(std::chrono::milliseconds idle) {
    boost::asio::post(executor_, [self = shared_from_this(), idle] { self->do_retire_if_idle(idle); });
}

void meeting_room::do_retire_if_idle(std::chrono::milliseconds idle) {
    if (failed_ || retired_ || !members_.empty() || std::chrono::steady_clock::now() - empty_since_ < idle) return;
    if (!pending_.empty() || !picture_readers_.empty()) return;  // acks and exports wait for their commit
    // Retired on this thread, where joins run: a join either came first (and the room is not idle) or
    // finds the room retired and goes back to the registry, which no longer hands this room out.
    retired_ = true;
    if (retire_) retire_();
}

void meeting_room::follow_epoch(std::string previous, std::string current) {
    previous_epoch_ = std::move(previous);
    if (!current.empty()) epoch_ = std::move(current);
    loaded_rev_ = state_.rev();
}

void meeting_room::remember_logged(const std::vector<op_record>& ops, std::uint64_t replayed_after) {
    // The log holds the author and the change as they were serialised for the broadcast. They go out as they
    // are, so a damaged row must fail the load rather than reach every client that catches up. Checking is most
    // of what the history costs a first join: a change the replay parsed is not checked again, nor an author
    // just checked.
    const std::string* author_checked = nullptr;
    for (const auto& op : ops) {
        const bool author_ok = (author_checked && *author_checked == op.author) || json::accept(op.author);
        if (!author_ok || (op.rev <= replayed_after && !json::accept(op.change)))
            throw domain_error("bad_snapshot", "the op log of meeting " + id_ + " holds a damaged row at revision " +
                                                   std::to_string(op.rev));
        author_checked = &op.author;
        if (wire_history_.empty()) wire_floor_ = op.rev - 1;
        remember_wire(op.rev, shared(encode::op(op.rev, op.client, op.seq, op.author, op.change)));
    }
}

void meeting_room::remember_wire(std::uint64_t rev, std::shared_ptr<const std::string> msg) {
    wire_bytes_ += msg->size();
    wire_history_.emplace_back(rev, std::move(msg));
    // Bounded by count and by bytes; a client behind the floor gets the whole state instead of a catch-up.
    const auto& lim = state_.bounds();
    while (wire_history_.size() > lim.history_window || (wire_bytes_ > lim.history_bytes && wire_history_.size() > 1)) {
        wire_floor_ = wire_history_.front().first;
        wire_bytes_ -= wire_history_.front().second->size();
        wire_history_.pop_front();
    }
}

void meeting_room::reply(const std::shared_ptr<room_member>& to, std::shared_ptr<const std::string> msg) {
    if (to) to->deliver(std::move(msg));
}

// ---- entry points: hop onto the room's thread ----

void meeting_room::join(std::weak_ptr<room_member> m, join_message msg, std::function<void(join_result)> done) {
    boost::asio::post(executor_, [self = shared_from_this(), m = std::move(m), msg = std::move(msg), done = std::move(done)]() mutable {
        if (auto conn = m.lock()) self->do_join(std::move(conn), std::move(msg), std::move(done));
    });
}

void meeting_room::submit(std::weak_ptr<room_member> m, op_message msg) {
    boost::asio::post(executor_, [self = shared_from_this(), m = std::move(m), msg = std::move(msg)]() mutable {
        if (auto conn = m.lock()) self->do_submit(conn, std::move(msg));
    });
}

void meeting_room::focus(std::weak_ptr<room_member> m, focus_message msg) {
    boost::asio::post(executor_, [self = shared_from_this(), m = std::move(m), msg = std::move(msg)]() mutable {
        if (auto conn = m.lock()) self->do_focus(conn, std::move(msg));
    });
}

void meeting_room::leave(const room_member* m) {
    boost::asio::post(executor_, [self = shared_from_this(), m] { self->do_leave(m); });
}

void meeting_room::act(lifecycle_request req, std::function<void(lifecycle_result)> done) {
    boost::asio::post(executor_, [self = shared_from_this(), req = std::move(req), done = std::move(done)]() mutable {
        self->do_act(std::move(req), std::move(done));
    });
}

void meeting_room::read_picture(std::function<void(picture_result)> done) {
    boost::asio::post(executor_, [self = shared_from_this(), done = std::move(done)]() mutable {
        self->do_read_picture(std::move(done));
    });
}

void meeting_room::use_group(const group& grp) {
    boost::asio::post(executor_, [self = shared_from_this(), grp] {
        if (grp.id != self->group_.id) return;
        self->group_ = grp;
        self->meeting_json_["group"] = self->group_.to_json();
    });
}

// ---- on the room's thread ----

signed_record meeting_room::sign_record(const lifecycle_request& req, const std::string& digest) {
    if (!keys_) throw domain_error("unavailable", "this server has no signing key: the picture cannot be signed");
    const meeting_lifecycle& life = state_.lifecycle();
    if (req.kind == lifecycle_kind::sign) {
        const std::string statement = signature_statement(id_, group_.id, state_.rev(), digest, utc_now(), req.by, corrects_);
        auto sig = keys_->sign(signature_namespace, statement);
        return {statement, std::move(sig.sshsig), std::move(sig.key_id)};
    }
    std::vector<std::string> signature_digests;
    for (const auto& s : life.signatures()) signature_digests.push_back(picture_report::sha256_hex(s.statement));
    // The group's chain: another room may close a meeting of the same group at the same time, so the link is
    // claimed only if the head is still the one the statement names.
    for (int attempt = 0; attempt < 8; ++attempt) {
        const auto head = catalog_ ? catalog_->next_closing(group_.id) : catalog::chain_head{};
        const std::string statement = closing_statement(id_, group_.id, state_.rev(), digest, utc_now(), req.by,
                                                        signature_digests, head.previous, head.sequence, corrects_);
        auto sig = keys_->sign(closing_namespace, statement);
        signed_record record{statement, std::move(sig.sshsig), std::move(sig.key_id)};
        if (!catalog_ || catalog_->add_closing(group_.id, head,
                                               {id_, head.sequence, record.to_json(), picture_report::sha256_hex(statement)}))
            return record;
    }
    throw domain_error("busy", "the group's chain of closed pictures kept moving; try again");
}

void meeting_room::do_act(lifecycle_request req, std::function<void(lifecycle_result)> done) {
    auto refuse = [&](const std::string& code, const std::string& why) { done({code, why, 0, {}}); };
    if (failed_) return refuse("storage_failed", "the meeting could not be saved; try again");
    if (retired_) return refuse("retired", "the meeting was unloaded; open it again");
    lifecycle_change c{req.kind, req.topic, std::nullopt};
    try {
        const meeting_lifecycle& life = state_.lifecycle();
        life.check(req.by.who, req.kind, req.topic, state_.document().tmpl());
        if (req.kind == lifecycle_kind::sign || req.kind == lifecycle_kind::close) {
            const std::string digest = picture_report::digest(state_.document());
            if (req.kind == lifecycle_kind::sign) {
                state_.check_personal_data_resolved();
                life.check_sign(req.by, req.rev, req.digest, state_.rev(), digest);
            }
            c.record = sign_record(req, digest);
        }
    } catch (const domain_error& e) {
        return refuse(e.code(), e.what());
    }
    const meeting_phase before = state_.lifecycle().phase();
    state_.apply_lifecycle(c);
    const std::uint64_t rev = state_.rev();
    const meeting_phase after = state_.lifecycle().phase();
    lifecycle_json_ = std::make_shared<const json>(state_.lifecycle().to_json());
    if (after != before) {
        meeting_json_["state"] = to_string(after);
        if (catalog_) catalog_->set_state(id_, to_string(after));  // queued before the op: see set_state
        // Those in the room when the chair opens the meeting take part in it.
        for (const auto& [ptr, mem] : members_) note_attendance(mem.info.who);
    }
    const std::string author = encode::author_json(participant_info{"-", req.by.who, std::nullopt});
    std::string change_json = to_json(c).dump();
    auto broadcast = shared(encode::op(rev, "", 0, author, change_json));
    remember_wire(rev, broadcast);
    state_json_.reset();
    // Unlike an edit's, a lifecycle move's broadcast waits until it is durable: a signature or a closing is never
    // shown and then lost. Edits after it queue behind it.
    pending_.push_back({rev, {}, 0, nullptr, std::move(broadcast)});
    held_broadcast_rev_ = rev;
    acts_waiting_.emplace_back(lifecycle_result{{}, {}, rev, *lifecycle_json_}, std::move(done));
    if (req.kind == lifecycle_kind::close) closing_sequence_ = c.record ? json::parse(c.record->statement).value("sequence", 0) : 0;
    // Compaction: the picture at the closing, to replace the op log once the closing is durable. Queued from the
    // store's thread before the closing is answered, so a server stopped right after the answer still compacts.
    std::string compacted = req.kind == lifecycle_kind::close && compact_when_closed_ ? state_.snapshot().dump() : "";
    store_.append_op({id_, rev, "", 0, author, std::move(change_json)},
                     [self = shared_from_this(), rev, compacted = std::move(compacted)](const std::string& error) {
                         if (error.empty() && !compacted.empty())
                             self->store_.compact_closed(self->id_, rev, compacted, [id = self->id_](const std::string& e) {
                                 if (!e.empty()) log_error({{"where", "compact"}, {"meeting", id}, {"detail", e}});
                             });
                         self->on_durable(rev, error);
                     });
}

void meeting_room::end(std::string code, std::string why) {
    boost::asio::post(executor_, [self = shared_from_this(), code = std::move(code), why = std::move(why)] {
        self->do_end(code, why);
    });
}

void meeting_room::do_end(const std::string& code, const std::string& why) {
    if (retired_) return;
    retired_ = true;
    auto msg = shared(encode::error(code, why));
    for (auto& [ptr, mem] : members_) {
        if (auto c = mem.conn.lock()) {
            c->deliver(msg);
            c->close_with(close_purged, code);
        }
    }
    members_.clear();
    member_count_.store(0, std::memory_order_relaxed);
    pending_.clear();
    auto readers = std::move(picture_readers_);
    picture_readers_.clear();
    for (auto& [copy, done] : readers) done({nullptr, 0, code, why});
    auto acts = std::move(acts_waiting_);
    acts_waiting_.clear();
    for (auto& [result, done] : acts) done({code, why, 0, {}});
    if (retire_) retire_();
}

void meeting_room::do_read_picture(std::function<void(picture_result)> done) {
    if (failed_ || retired_) return done({nullptr, 0, "retired", "the meeting was unloaded; open it again"});
    // Readers of one revision share one copy: a picture may hold megabytes of text.
    auto document = !picture_readers_.empty() && picture_readers_.back().first.rev == state_.rev()
                        ? picture_readers_.back().first.document
                        : std::make_shared<const meeting_document>(state_.document());
    picture_result copy{std::move(document), state_.rev(), {}, {}, lifecycle_json_};
    if (copy.rev <= committed_rev_) return done(std::move(copy));
    picture_readers_.emplace_back(std::move(copy), std::move(done));
}

void meeting_room::do_join(std::shared_ptr<room_member> m, join_message msg, std::function<void(join_result)> done) {
    auto refuse = [&](std::string_view code, const std::string& why) {
        reply(m, shared(encode::error(code, why)));
        done(join_result::refused);
    };
    if (failed_) return refuse("storage_failed", "the meeting could not be saved; join again");
    if (retired_) return done(join_result::retired);
    if (members_.count(m.get())) return refuse("already_joined", "this connection has already joined the meeting");
    if (members_.size() >= state_.bounds().max_participants)
        return refuse("meeting_full", "the meeting has " + std::to_string(members_.size()) + " participants, the most allowed");
    // Set by the connection: from the account, or (open access) as the join said.
    if (!msg.who) return refuse("bad_message", "the join names nobody");
    const identity& who = *msg.who;
    // A role that speaks for no organisation may name none; one that is named must be of the group.
    if ((speaks_for_organisation(who.role) || !who.org.empty()) && !group_.has_organisation(who.org))
        return refuse("unknown_org", "organisation '" + who.org + "' is not part of the group '" + group_.name + "'");
    // Everything but this join knows the client by its public id: only the holder of the secret can act as it.
    const std::string client = public_client_id(id_, msg.client);
    // The same client on a new connection means the old one is dead but not yet timed out
    // (a reconnect after a network change): replace it, so presence shows one person once.
    for (auto it = members_.begin(); it != members_.end(); ++it) {
        if (it->second.client != client) continue;
        if (auto old = it->second.conn.lock()) old->close_with(close_replaced, "replaced by a newer connection of the same client");
        const std::uint64_t old_id = it->second.id;
        auto left = shared(encode::presence_left(it->second.info.session));
        members_.erase(it);
        send_to_others(old_id, left, 0);
        break;
    }

    member mem;
    mem.id = next_member_id_++;
    mem.conn = m;
    mem.info = {"p" + std::to_string(mem.id), who, std::nullopt};
    mem.client = client;
    mem.author_json = encode::author_json(mem.info);
    const std::uint64_t rev = state_.rev();
    mem.start_after = rev;
    mem.takes_applied = msg.applied;

    encode::welcome_parts w;
    w.meeting = &meeting_json_;
    w.you = mem.info;
    w.you_client = client;
    w.rev = rev;
    w.last_seq = state_.last_seq(client);
    w.epoch = epoch_;
    w.lifecycle = lifecycle_json_.get();
    w.current_topic = state_.current_topic();
    for (const auto& [ptr, other] : members_) w.participants.push_back(other.info);
    w.participants.push_back(mem.info);
    // A revision seen under another epoch may have been delivered and then lost (never durable): only one seen
    // under this load of the meeting, or under the load before up to where this one started, is known to be in
    // its history.
    const bool known = msg.since && (msg.epoch == epoch_ || (!previous_epoch_.empty() && msg.epoch == previous_epoch_ &&
                                                             *msg.since <= loaded_rev_));
    if (known && *msg.since <= rev && *msg.since >= wire_floor_) {
        for (const auto& [r, wire] : wire_history_)
            if (r > *msg.since) w.catch_up.push_back(wire.get());
    } else {
        // Serialised once per revision: joins at one revision (a room filling up, a reconnect wave) share it.
        if (!state_json_ || state_json_rev_ != rev) {
            state_json_ = shared(state_.document().json_text());
            state_json_rev_ = rev;
        }
        w.state = state_json_.get();
    }
    if (!privacy_json_ || privacy_json_rev_ != rev) {
        const privacy_review& p = state_.privacy();
        privacy_json_ = shared(json{{"flags", p.flags_json()}, {"acknowledged", p.acknowledged_json()}}.dump());
        privacy_json_rev_ = rev;
    }
    w.privacy = privacy_json_.get();
    auto welcome = shared(encode::welcome(w));
    const std::uint64_t mid = mem.id;
    const auto presence = shared(encode::presence(mem.info));
    members_.emplace(m.get(), std::move(mem));
    member_count_.store(members_.size(), std::memory_order_relaxed);
    send_to_others(mid, presence, 0);
    done(join_result::joined);
    note_attendance(who);
    // The welcome may show changes not yet durable, and its last_seq acknowledges the joiner's own: hold it
    // until they are durable.
    if (auto it = members_.find(m.get()); it != members_.end() && it->second.id == mid)
        after_durable(it->second, {rev, m, mid, std::move(welcome), nullptr, true});
}

void meeting_room::do_submit(const std::shared_ptr<room_member>& m, op_message msg) {
    auto it = members_.find(m.get());
    if (it == members_.end())
        return reply(m, shared(encode::error("not_joined", "join a meeting before sending changes", msg.seq)));
    member& mem = it->second;
    auto conn = mem.conn.lock();
    if (failed_) return reply(conn, shared(encode::error("storage_failed", "the meeting could not be saved; join again", msg.seq)));
    try {
        if (auto* a = std::get_if<acknowledge_change>(&msg.body)) {
            // Who and when are the server's to say.
            a->by = mem.info.who.name;
            a->at = utc_now();
        }
        auto applied = state_.submit(mem.client, msg.seq, msg.rev, std::move(msg.body), mem.info.who);
        if (!applied) {
            // A resend of a change applied before: say so once everything up to now is durable.
            after_durable(mem, {state_.rev(), conn, mem.id, shared(encode::ack(msg.seq, state_.rev(), true)), nullptr});
            return;
        }
        const std::uint64_t rev = state_.rev();
        state_json_.reset();  // a welcome's state for the revision before: no longer of use
        if (!lifecycle_json_->at("signatures").empty()) {
            // The edit voided the signatures (meeting_state::submit): everyone applies the same rule.
            lifecycle_json_ = std::make_shared<const json>(state_.lifecycle().to_json());
            meeting_json_["state"] = to_string(state_.lifecycle().phase());
            if (catalog_) catalog_->set_state(id_, to_string(state_.lifecycle().phase()));
        }
        // Serialised once: the broadcast and the log carry the same text.
        std::string change_json = change_json_text(*applied);
        // A text change that made a personal identity number appear or go carries the field's flags now.
        const auto* text = std::get_if<text_change>(&*applied);
        const std::string flags = text && state_.flags_changed() ? state_.privacy().field_json(text->target).dump() : "";
        auto broadcast = shared(encode::op(rev, mem.client, msg.seq, mem.author_json, change_json, flags));
        remember_wire(rev, broadcast);
        auto ack = shared(encode::ack(msg.seq, rev, false, flags));
        if (held_broadcast_rev_ > committed_rev_) {
            // Behind a lifecycle move that waits to be durable (do_act): goes out after it.
            held_broadcast_rev_ = rev;
            after_durable(mem, {rev, conn, mem.id, std::move(ack), std::move(broadcast)});
        } else {
            // The others see the change now; only the author's ack waits until it is durable. A change lost
            // before it is durable (a crash, a failed commit) was never acknowledged: its author still holds
            // and resends it, and the others' `since` is from an old epoch, so they get the whole state.
            send_to_others(mem.id, broadcast, rev);
            if (mem.takes_applied && mem.held == 0) {
                // Holds nothing back: if others' changes reach the author before this is durable, an `applied`
                // goes first (send_to_others) and the ack follows as a mark.
                mem.unannounced.push_back({msg.seq, rev, flags});
                pending_.push_back({rev, conn, mem.id, std::move(ack), nullptr, false, msg.seq});
            } else {
                after_durable(mem, {rev, conn, mem.id, std::move(ack), nullptr});
            }
        }
        store_.append_op({id_, rev, mem.client, msg.seq, mem.author_json, std::move(change_json)},
                         [self = shared_from_this(), rev](const std::string& error) { self->on_durable(rev, error); });
        if (state_.lifecycle().phase() != meeting_phase::closed &&
            rev - last_snapshot_rev_ >= state_.bounds().snapshot_every) {
            store_.save_snapshot(id_, rev, state_.snapshot().dump());
            last_snapshot_rev_ = rev;
        }
    } catch (const domain_error& e) {
        if (e.code() == "forbidden") {
            // A client offers only what the person may change: a refused change is worth the security log.
            const auto* o = conn ? conn->owner() : nullptr;
            log_event("security", {{"event", "forbidden_change"},
                                   {"address", o ? std::string_view(o->address) : std::string_view("-")},
                                   {"account", o ? std::string_view(o->account_id) : std::string_view("-")},
                                   {"meeting", id_},
                                   {"detail", e.what()}});
        }
        reply(conn, shared(encode::error(e.code(), e.what(), msg.seq)));
    } catch (const std::exception& e) {
        // The detail is for the operator's log, not for the client.
        log_error({{"where", "submit"}, {"meeting", id_}, {"detail", e.what()}});
        reply(conn, shared(encode::error("internal", "the change could not be handled; it was not applied", msg.seq)));
    }
}

void meeting_room::do_focus(const std::shared_ptr<room_member>& m, focus_message msg) {
    auto it = members_.find(m.get());
    if (it == members_.end()) return reply(m, shared(encode::error("not_joined", "join a meeting first")));
    if (msg.target) {
        try {
            state_.document().field(*msg.target);
        } catch (const domain_error& e) {
            return reply(it->second.conn.lock(), shared(encode::error(e.code(), e.what())));
        }
    }
    it->second.info.focus = std::move(msg.target);
    send_to_others(it->second.id, shared(encode::presence(it->second.info)), 0);
}

void meeting_room::do_leave(const room_member* m) {
    auto it = members_.find(m);
    if (it == members_.end()) return;
    const std::uint64_t mid = it->second.id;
    auto left = shared(encode::presence_left(it->second.info.session));
    members_.erase(it);
    member_count_.store(members_.size(), std::memory_order_relaxed);
    send_to_others(mid, left, 0);
    if (members_.empty()) empty_since_ = std::chrono::steady_clock::now();
}

void meeting_room::after_durable(member& to, pending p) {
    if (p.rev <= committed_rev_ && pending_.empty()) return deliver(p);
    ++to.held;
    pending_.push_back(std::move(p));
}

void meeting_room::on_durable(std::uint64_t rev, const std::string& error) {
    // The store reports a room's ops in revision order, from one thread.
    if (!error.empty())
        return boost::asio::post(executor_, [self = shared_from_this(), rev, error] { self->on_committed(rev, error); });
    durable_rev_.store(rev);
    if (durable_posted_.exchange(true)) return;  // the hop on its way will read the newer revision
    boost::asio::post(executor_, [self = shared_from_this()] {
        self->durable_posted_.store(false);
        self->on_committed(self->durable_rev_.load(), {});
    });
}

void meeting_room::on_committed(std::uint64_t rev, const std::string& error) {
    if (failed_) return;
    if (!error.empty()) return fail(error);
    committed_rev_ = rev;
    while (!pending_.empty() && pending_.front().rev <= committed_rev_) {
        deliver(pending_.front());
        pending_.pop_front();
    }
    while (!picture_readers_.empty() && picture_readers_.front().first.rev <= committed_rev_) {
        auto [copy, done] = std::move(picture_readers_.front());
        picture_readers_.pop_front();
        done(std::move(copy));
    }
    while (!acts_waiting_.empty() && acts_waiting_.front().first.rev <= committed_rev_) {
        auto [result, done] = std::move(acts_waiting_.front());
        acts_waiting_.pop_front();
        done(std::move(result));
    }
}

void meeting_room::deliver(const pending& p) {
    if (p.direct) {
        auto to = p.to.lock();
        if (to) {
            if (p.welcome) to->deliver_welcome(p.direct);
            else to->deliver(p.direct);
        }
        // Counted down even when the connection is gone before it left the room: what is queued for it must not
        // hold back what comes after (a presence queued behind a count never counted down stayed in pending_,
        // and every later welcome behind it).
        auto it = to ? members_.find(to.get()) : std::find_if(members_.begin(), members_.end(), [&](const auto& e) {
            return e.second.id == p.to_id;
        });
        if (it != members_.end() && it->second.id == p.to_id) {
            member& mem = it->second;
            if (p.unheld_seq == 0) {
                if (mem.held > 0) --mem.held;
            } else if (!mem.unannounced.empty() && mem.unannounced.front().seq == p.unheld_seq) {
                // Never announced: this ack is in its place in the revision order, as for any client.
                mem.unannounced.erase(mem.unannounced.begin());
            }
        }
    }
    if (p.broadcast) send_to_others(p.to_id, p.broadcast, p.rev, true);
}

void meeting_room::send_to_others(std::uint64_t except_id, const std::shared_ptr<const std::string>& msg, std::uint64_t rev,
                                  bool in_order) {
    for (auto& [ptr, mem] : members_) {
        if (mem.id == except_id) continue;
        if (rev != 0 && rev <= mem.start_after) continue;  // already part of their welcome
        if (!in_order && mem.held > 0) {
            // For someone whose welcome or ack still waits to be durable: queue it behind that (a presence updates
            // the welcome's participant list, a change follows the welcome's or the ack's revision).
            ++mem.held;
            pending_.push_back({state_.rev(), mem.conn, mem.id, msg, nullptr});
            continue;
        }
        if (auto c = mem.conn.lock()) {
            if (rev != 0 && !mem.unannounced.empty()) announce(mem, *c);
            c->deliver(msg);
        }
    }
}

void meeting_room::announce(member& mem, room_member& to) {
    for (const auto& u : mem.unannounced) to.deliver(shared(encode::applied(u.seq, u.rev, u.flags)));
    mem.unannounced.clear();
}

void meeting_room::note_attendance(const identity& who) {
    if (!counts_attendance(state_.lifecycle().phase()) || attended_.size() >= max_attendees) return;
    const std::string role_name(to_string(who.role));
    if (!attended_.insert(who.name + '\n' + who.org + '\n' + role_name).second) return;
    // Not waited for: the record notes it as soon as the store gets to it (INSERT OR IGNORE keeps the first time,
    // also across a reload of the room); a failing store fails the meeting's edits, which say so.
    store_.record_attendance({id_, who.name, who.org, role_name, utc_now()}, [](const std::string&) {});
}

void meeting_room::fail(const std::string& why) {
    // The in-memory state holds changes that are not durable: drop it all. Clients reconnect, the
    // registry loads the meeting again from what is on disk, and they resend what was not acknowledged.
    failed_ = true;
    log_error({{"where", "commit"}, {"meeting", id_}, {"detail", why}});
    auto msg = shared(encode::error("storage_failed", "the meeting could not be saved; reconnect to continue"));
    for (auto& [ptr, mem] : members_) {
        if (auto c = mem.conn.lock()) {
            c->deliver(msg);
            c->close_with(close_internal_error, "storage failed");
        }
    }
    members_.clear();
    member_count_.store(0, std::memory_order_relaxed);
    pending_.clear();
    auto readers = std::move(picture_readers_);
    picture_readers_.clear();
    for (auto& [copy, done] : readers)
        done({nullptr, 0, "storage_failed", "the meeting could not be saved; try again"});
    auto acts = std::move(acts_waiting_);
    acts_waiting_.clear();
    for (auto& [result, done] : acts) done({"storage_failed", "the meeting could not be saved; try again", 0, {}});
    // A closing that did not become durable leaves the group's chain.
    if (closing_sequence_ && catalog_ && state_.lifecycle().phase() == meeting_phase::closed)
        catalog_->forget_closing(group_.id, closing_sequence_);
    if (retire_) retire_();
}

}  // namespace est::server
