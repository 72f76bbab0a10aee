#pragma once
// A client's copy of one meeting: the server-confirmed document plus the client's own changes not yet
// acknowledged. Text fields follow the classic OT client: per field at most one change in flight
// (`outstanding`) and the typing since then composed into `buffer`. Survives reconnects: it resends
// what the server has not applied and recognises its own changes in a catch-up. It joins with `applied`: a
// change the server confirms before it is durable is kept (`unsaved_`) until its ack, and sent again if a crash
// lost it.
//
// Pure logic: the caller moves the messages. Every method returns the messages to send, in order.
#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include <nlohmann/json_fwd.hpp>

#include "est/change.hpp"
#include "est/identity.hpp"
#include "est/limits.hpp"
#include "est/meeting_document.hpp"

namespace est {

struct remote_op;
class server_message;

class client_replica {
public:
    client_replica(std::string client_id, std::string meeting_id, identity who);

    // The join message to send on every (re)connect: with `since` and the welcome's `epoch` once the replica
    // has state. Without `say_who` it names nobody (under accounts the server knows who joins). `applied`: the
    // replica takes `applied` (others' changes need not wait behind its ack for the commit); it handles one either way.
    std::string join_message(bool say_who = true, bool applied = true) const;
    // Marks the connection lost: nothing is sent until the next welcome.
    void disconnected() noexcept { connected_ = false; }

    // Handles one server message (welcome, ack, op, error, presence...). Throws domain_error when the
    // message does not fit the replica (a protocol bug): the caller should reconnect.
    std::vector<std::string> on_message(const server_message& msg);
    // The same for a message parsed by the caller.
    std::vector<std::string> on_message(const nlohmann::json& msg);

    // A local edit of a text field, against the text the user sees.
    std::vector<std::string> edit_text(const field_ref& target, const text_operation& op);
    // A local change of another kind (set, add_entry, remove_entry): sent as is, applied on its ack.
    std::vector<std::string> submit(change c);

    bool has_state() const noexcept { return doc_ != nullptr; }
    bool connected() const noexcept { return connected_; }
    // Nothing sent that is not yet acknowledged, and nothing waiting to be sent.
    bool idle() const noexcept;
    std::uint64_t rev() const noexcept { return rev_; }
    const meeting_document& confirmed() const { return *doc_; }
    std::u16string visible_text(const field_ref& target) const;
    const std::string& client_id() const noexcept { return client_id_; }
    const std::vector<std::string>& errors() const noexcept { return errors_; }  // codes received, in order
    // True once after the server refused a change only for now (rate_limited, stale_revision,
    // storage_failed): the change is kept, and the caller should reconnect so it is resent after a
    // catch-up.
    bool take_resync() noexcept { return std::exchange(resync_, false); }
    std::uint64_t remote_changes() const noexcept { return remote_changes_; }

private:
    struct pending_text {
        field_ref target;
        std::optional<text_operation> outstanding;
        std::uint64_t outstanding_seq = 0;  // 0: not at the server (refused for now); resent with a new seq
        std::optional<text_operation> buffer;
    };

    // Orders pending fields by key, and finds one by its field_ref without building the key (a lookup
    // for every remote change). The order itself matters: a reconnect renumbers fields in it.
    struct key_less {
        using is_transparent = void;
        bool operator()(const std::string& a, const std::string& b) const noexcept { return a < b; }
        bool operator()(const std::string& a, const field_ref& b) const noexcept { return b.compare_key(a) > 0; }
        bool operator()(const field_ref& a, const std::string& b) const noexcept { return a.compare_key(b) < 0; }
    };

    void on_welcome(const nlohmann::json& msg, std::vector<std::string>& out);
    void on_remote(const remote_op& op);
    // `applied`: the message was an `applied` (confirmed, not yet durable): the change is kept in unsaved_.
    void on_ack(std::uint64_t seq, std::uint64_t rev, std::vector<std::string>& out, bool applied = false);
    // Carries the undos of the field's unsaved changes over a text change just applied to its confirmed text.
    void carry_undos(const field_ref& target, const text_operation& op);
    void on_error(const nlohmann::json& msg);
    void rebase_after_reset(const meeting_document& old_doc, std::uint64_t last_seq);
    void send_outstanding(pending_text& p, std::vector<std::string>& out);
    std::string op_message(std::uint64_t seq, const change& c) const;

    std::string client_id_;
    // The public id the server shows for this client in `op.client` (welcome.you.client); the secret
    // client_id_ is never broadcast.
    std::string public_id_;
    std::string meeting_id_;
    identity who_;
    limits limits_;  // replicas accept whatever the server accepted
    std::unique_ptr<meeting_document> doc_;
    std::uint64_t rev_ = 0;
    std::string epoch_;  // of the welcome that gave rev_'s state
    std::uint64_t next_seq_ = 1;
    bool connected_ = false;
    std::map<std::string, pending_text, key_less> texts_;  // by field key
    std::map<std::uint64_t, change> other_pending_; // by seq
    std::vector<change> other_unsent_;              // refused for now; resent with new seqs
    // Our changes the server announced with `applied` and has not yet acknowledged as durable, by seq. A text
    // change keeps its field and an undo: an operation on the field's confirmed text now that takes it out.
    struct unsaved {
        std::optional<change> other;
        std::optional<field_ref> target;
        std::optional<text_operation> undo;
    };
    std::map<std::uint64_t, unsaved> unsaved_;
    bool resync_ = false;
    std::vector<std::string> errors_;
    std::uint64_t remote_changes_ = 0;
};

}  // namespace est
