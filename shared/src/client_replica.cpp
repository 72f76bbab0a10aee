#include "est/client_replica.hpp"

#include <nlohmann/json.hpp>

#include "est/error.hpp"
#include "est/meeting_template.hpp"
#include "est/protocol.hpp"
#include "est/server_message.hpp"

namespace est {

using json = nlohmann::json;

client_replica::client_replica(std::string client_id, std::string meeting_id, identity who)
    : client_id_(std::move(client_id)), meeting_id_(std::move(meeting_id)), who_(std::move(who)) {
    limits_.max_field_length = limits_.max_meeting_text = SIZE_MAX;
    limits_.max_entries_per_cell = limits_.max_items_per_topic = SIZE_MAX;
}

std::string client_replica::join_message(bool say_who, bool applied) const {
    est::join_message m{meeting_id_, client_id_, say_who ? std::optional<identity>(who_) : std::nullopt, std::nullopt, {}, applied};
    if (doc_) {
        m.since = rev_;
        m.epoch = epoch_;
    }
    return encode_client_message(m);
}

bool client_replica::idle() const noexcept {
    if (!other_pending_.empty() || !other_unsent_.empty() || !unsaved_.empty()) return false;
    for (const auto& [k, p] : texts_)
        if (p.outstanding || p.buffer) return false;
    return true;
}

std::u16string client_replica::visible_text(const field_ref& target) const {
    std::u16string text = doc_->field(target).text;
    auto it = texts_.find(target);
    if (it != texts_.end()) {
        if (it->second.outstanding) text = it->second.outstanding->apply(text);
        if (it->second.buffer) text = it->second.buffer->apply(text);
    }
    return text;
}

std::string client_replica::op_message(std::uint64_t seq, const change& c) const {
    return encode_client_message(est::op_message{seq, rev_, c});
}

void client_replica::send_outstanding(pending_text& p, std::vector<std::string>& out) {
    if (connected_) out.push_back(op_message(p.outstanding_seq, text_change{p.target, *p.outstanding}));
}

std::vector<std::string> client_replica::edit_text(const field_ref& target, const text_operation& op) {
    if (!doc_) throw domain_error("not_joined", "no state yet");
    std::vector<std::string> out;
    if (op.is_noop()) return out;
    auto it = texts_.find(target);
    if (it == texts_.end()) {
        it = texts_.try_emplace(target.key()).first;
        it->second.target = target;
    }
    pending_text& p = it->second;
    if (p.outstanding) {
        p.buffer = p.buffer ? text_operation::compose(*p.buffer, op) : op;
    } else {
        p.outstanding = op;
        p.outstanding_seq = next_seq_++;
        send_outstanding(p, out);
    }
    return out;
}

std::vector<std::string> client_replica::submit(change c) {
    if (!doc_) throw domain_error("not_joined", "no state yet");
    std::vector<std::string> out;
    const std::uint64_t seq = next_seq_++;
    if (connected_) out.push_back(op_message(seq, c));
    other_pending_.emplace(seq, std::move(c));
    return out;
}

std::vector<std::string> client_replica::on_message(const server_message& msg) {
    std::vector<std::string> out;
    if (const auto* op = msg.op()) on_remote(*op);
    else if (const auto* ack = msg.ack()) {
        if (unsaved_.erase(ack->seq) == 0) on_ack(ack->seq, ack->rev, out);  // else: the mark after its `applied`
    } else return on_message(msg.json());
    return out;
}

std::vector<std::string> client_replica::on_message(const json& msg) {
    std::vector<std::string> out;
    const auto& type = msg.at("type").get_ref<const std::string&>();
    if (type == "welcome") on_welcome(msg, out);
    else if (type == "op") on_remote(remote_op_from_json(msg));
    else if (type == "ack") {
        const ack_message ack = ack_from_json(msg);
        if (unsaved_.erase(ack.seq) == 0) on_ack(ack.seq, ack.rev, out);
    } else if (type == "applied") {
        const ack_message applied = ack_from_json(msg);
        on_ack(applied.seq, applied.rev, out, true);
    }
    else if (type == "error") on_error(msg);
    return out;
}

void client_replica::on_remote(const remote_op& op) {
    if (op.client == (public_id_.empty() ? client_id_ : public_id_)) {
        // Our own change, met in a catch-up: the acknowledgement we missed.
        std::vector<std::string> ignored;  // nothing is sent during a catch-up
        on_ack(op.seq, op.rev, ignored);
        return;
    }
    if (op.rev != rev_ + 1)
        throw domain_error("out_of_order", "expected revision " + std::to_string(rev_ + 1) + ", got " + std::to_string(op.rev));
    if (op.lifecycle) {  // a lock, signature or closing: the picture is as it was
        rev_ = op.rev;
        return;
    }
    doc_->apply(op.body, op.rev, limits_);
    if (const auto* t = std::get_if<text_change>(&op.body)) carry_undos(t->target, t->op);
    rev_ = op.rev;
    ++remote_changes_;
    if (const auto* t = std::get_if<text_change>(&op.body)) {
        auto it = texts_.find(t->target);
        if (it == texts_.end()) return;
        pending_text& p = it->second;
        text_operation server_op = t->op;  // applied already: only the transforms need it now
        if (p.outstanding) {
            auto [s2, o2] = text_operation::transform(server_op, *p.outstanding);
            p.outstanding = std::move(o2);
            server_op = std::move(s2);
        }
        if (p.buffer) p.buffer = text_operation::transform(server_op, *p.buffer).second;
    } else if (const auto* r = std::get_if<remove_entry_change>(&op.body)) {
        // Edits of a removed entry can never land: drop them.
        for (auto it = texts_.begin(); it != texts_.end();) {
            const auto& t2 = it->second.target;
            if (t2.topic == r->topic && t2.org == r->org && t2.entry == r->entry) it = texts_.erase(it);
            else ++it;
        }
    } else if (const auto* ri = std::get_if<remove_item_change>(&op.body)) {
        for (auto it = texts_.begin(); it != texts_.end();) {
            const auto& t2 = it->second.target;
            if (t2.topic == ri->topic && t2.item == ri->item) it = texts_.erase(it);
            else ++it;
        }
    }
}

void client_replica::carry_undos(const field_ref& target, const text_operation& op) {
    for (auto& [seq, u] : unsaved_)
        if (u.undo && u.target == target) u.undo = text_operation::transform(*u.undo, op).first;
}

void client_replica::on_ack(std::uint64_t seq, std::uint64_t rev, std::vector<std::string>& out, bool applied) {
    if (rev != rev_ + 1 && rev > rev_)
        throw domain_error("out_of_order", "ack for revision " + std::to_string(rev) + " after " + std::to_string(rev_));
    for (auto& [key, p] : texts_) {
        if (!p.outstanding || p.outstanding_seq != seq) continue;
        if (rev > rev_) {
            std::u16string before = applied ? doc_->field(p.target).text : std::u16string();
            doc_->apply(text_change{p.target, *p.outstanding}, rev, limits_);
            carry_undos(p.target, *p.outstanding);
            if (applied) unsaved_[seq] = {std::nullopt, p.target, text_operation::diff(doc_->field(p.target).text, before)};
            rev_ = rev;
        }
        p.outstanding.reset();
        if (p.buffer) {
            p.outstanding = std::move(p.buffer);
            p.buffer.reset();
            p.outstanding_seq = next_seq_++;
            send_outstanding(p, out);
        }
        return;
    }
    if (auto it = other_pending_.find(seq); it != other_pending_.end()) {
        if (rev > rev_) {
            doc_->apply(it->second, rev, limits_);
            if (applied) unsaved_[seq] = {it->second, std::nullopt, std::nullopt};
            rev_ = rev;
        }
        other_pending_.erase(it);
    }
}

void client_replica::on_error(const json& msg) {
    const std::string code = msg.value("code", "unknown");
    errors_.push_back(code);
    auto seq_it = msg.find("seq");
    if (seq_it == msg.end()) return;
    const auto seq = seq_it->get<std::uint64_t>();
    if (code == "rate_limited" || code == "stale_revision" || code == "storage_failed") {
        // Refused for now, not for good: keep the change, and send it again (new seq) after a resync.
        // (An error for a seq we do not hold, e.g. a raw message, asks nothing of us.)
        for (auto& [key, p] : texts_) {
            if (p.outstanding && p.outstanding_seq == seq) {
                p.outstanding_seq = 0;
                resync_ = true;
            }
        }
        if (auto it = other_pending_.find(seq); it != other_pending_.end()) {
            other_unsent_.push_back(std::move(it->second));
            other_pending_.erase(it);
            resync_ = true;
        }
        return;
    }
    // A refused change is dropped; the field shows the confirmed text again.
    for (auto it = texts_.begin(); it != texts_.end(); ++it) {
        if (it->second.outstanding && it->second.outstanding_seq == seq) {
            texts_.erase(it);
            return;
        }
    }
    other_pending_.erase(seq);
}

void client_replica::on_welcome(const json& msg, std::vector<std::string>& out) {
    const auto rev = msg.at("rev").get<std::uint64_t>();
    const auto last_seq = msg.at("last_seq").get<std::uint64_t>();
    // Our own changes in the catch-up carry our public id (an older server showed the secret itself).
    if (auto you = msg.find("you"); you != msg.end() && you->is_object())
        if (auto id = you->find("client"); id != you->end() && id->is_string()) public_id_ = id->get<std::string>();
    // What `since` is valid under from now on (a server from before epochs sends none).
    auto epoch = msg.find("epoch");
    epoch_ = epoch != msg.end() && epoch->is_string() ? epoch->get<std::string>() : std::string();
    // New sequence numbers must pass what the server has seen of this client (e.g. after a restart).
    if (next_seq_ <= last_seq) next_seq_ = last_seq + 1;
    if (auto st = msg.find("state"); st != msg.end()) {
        const json& meeting = msg.at("meeting");
        auto tmpl = std::make_shared<const meeting_template>(meeting_template::from_json(meeting.at("template"), "welcome"));
        std::vector<std::string> orgs;
        for (const auto& o : meeting.at("group").at("organisations")) orgs.push_back(o.at("id").get<std::string>());
        auto fresh = std::make_unique<meeting_document>(meeting_document::from_json(tmpl, orgs, *st));
        std::unique_ptr<meeting_document> old = std::move(doc_);
        doc_ = std::move(fresh);
        rev_ = rev;
        if (old) rebase_after_reset(*old, last_seq);
        unsaved_.clear();
    } else {
        // A catch-up comes only from a load that has everything up to `since`, and the welcome only once all it
        // shows is durable: every change announced by `applied` is saved.
        unsaved_.clear();
        for (const auto& op : msg.at("catch_up")) on_remote(remote_op_from_json(op));
        if (rev_ != rev) throw domain_error("out_of_order", "catch-up ended at " + std::to_string(rev_) + ", not " + std::to_string(rev));
    }
    // Whatever is still pending with a seq the server has passed was refused while we were away.
    for (auto it = texts_.begin(); it != texts_.end();)
        it = (it->second.outstanding && it->second.outstanding_seq != 0 && it->second.outstanding_seq <= last_seq)
                 ? texts_.erase(it)
                 : std::next(it);
    for (auto it = other_pending_.begin(); it != other_pending_.end();)
        it = it->first <= last_seq ? other_pending_.erase(it) : std::next(it);

    connected_ = true;
    // Resend in sequence order: the server applies a client's changes in the order of their seq.
    std::map<std::uint64_t, std::string> resend;
    for (auto& [key, p] : texts_) {
        if (!p.outstanding && p.buffer) {
            p.outstanding = std::move(p.buffer);
            p.buffer.reset();
            p.outstanding_seq = next_seq_++;
        }
        if (p.outstanding && p.outstanding_seq == 0) p.outstanding_seq = next_seq_++;
        if (p.outstanding) resend.emplace(p.outstanding_seq, op_message(p.outstanding_seq, text_change{p.target, *p.outstanding}));
    }
    for (auto& c : other_unsent_) other_pending_.emplace(next_seq_++, std::move(c));
    other_unsent_.clear();
    for (const auto& [seq, c] : other_pending_) resend.emplace(seq, op_message(seq, c));
    for (auto& [seq, m] : resend) out.push_back(std::move(m));
}

void client_replica::rebase_after_reset(const meeting_document& old_doc, std::uint64_t last_seq) {
    // The server sent a whole new state (our catch-up was too far back). Changes it applied are in it;
    // the rest are moved onto it by transforming against the difference between old and new text.
    // Changes announced by `applied` that the restarted server lacks were lost in a crash: they go out again,
    // a text change in front of its field's next change, any other as it was.
    // The field's change takes the seq of its first lost one, so that everything goes out in the order it was made.
    std::map<std::string, std::pair<std::uint64_t, std::vector<text_operation>>> lost;  // by field key, in seq order
    for (auto& [seq, u] : unsaved_) {
        if (seq <= last_seq) continue;
        if (u.other) other_pending_.emplace(seq, std::move(*u.other));
        if (!u.target || !u.undo) continue;
        auto& [first, undos] = lost[u.target->key()];
        if (undos.empty()) first = seq;
        undos.push_back(std::move(*u.undo));
        auto [t, added] = texts_.try_emplace(u.target->key());
        if (added) t->second.target = *u.target;
    }
    // A field of an entry or item that a pending change adds (one lost in a crash, say) starts empty.
    auto added_on_the_way = [&](const field_ref& f) {
        for (const auto& [seq, c] : other_pending_) {
            if (seq <= last_seq) continue;
            if (const auto* e = std::get_if<add_entry_change>(&c); e && e->topic == f.topic && e->org == f.org && e->entry == f.entry)
                return true;
            if (const auto* i = std::get_if<add_item_change>(&c); i && !f.item.empty() && i->topic == f.topic && i->item == f.item)
                return true;
        }
        return false;
    };
    auto text_in = [&](const meeting_document& doc, const field_ref& f) {
        try {
            return doc.field(f).text;
        } catch (const domain_error&) {
            if (!added_on_the_way(f)) throw;
            return std::u16string();
        }
    };
    for (auto it = texts_.begin(); it != texts_.end();) {
        pending_text& p = it->second;
        try {
            std::u16string base = text_in(old_doc, p.target);
            std::optional<text_operation> mine;
            if (p.outstanding && p.outstanding_seq != 0 && p.outstanding_seq <= last_seq) {
                base = p.outstanding->apply(base);  // already in the new state
                mine = p.buffer;
            } else if (p.outstanding) {
                mine = p.buffer ? text_operation::compose(*p.outstanding, *p.buffer) : *p.outstanding;
            }
            std::uint64_t seq = p.outstanding_seq > last_seq ? p.outstanding_seq : 0;
            if (auto l = lost.find(it->first); l != lost.end()) {
                // The old text without the lost changes (each undo carried past those before it), and the change
                // that puts them back, ahead of what is pending.
                seq = l->second.first;
                std::u16string without = base;
                std::optional<text_operation> done;
                for (const auto& u : l->second.second) {
                    text_operation next = done ? text_operation::transform(u, *done).first : u;
                    without = next.apply(without);
                    done = done ? text_operation::compose(*done, next) : next;
                }
                text_operation redo = text_operation::diff(without, base);
                mine = mine ? text_operation::compose(redo, *mine) : redo;
                base = std::move(without);
            }
            const std::u16string now = text_in(*doc_, p.target);
            if (!mine) {
                it = texts_.erase(it);
                continue;
            }
            p.outstanding = text_operation::transform(text_operation::diff(base, now), *mine).second;
            p.outstanding_seq = seq != 0 ? seq : next_seq_++;
            p.buffer.reset();
            ++it;
        } catch (const domain_error&) {
            it = texts_.erase(it);  // the field is gone (entry removed)
        }
    }
}

}  // namespace est
