#pragma once
// A meeting's lifecycle (DESIGN.md §4): its phase, the topics the chair has locked, the signatures on the locked
// picture and the closing. Every move is a change in the meeting's op log, like an edit: checked here against the
// permission table, applied here on submit and on replay, so a restart restores exactly what was acknowledged.
// Pure: the caller supplies the picture's digest, the time and the server's signatures.
#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json_fwd.hpp>

#include "est/correction.hpp"
#include "est/identity.hpp"
#include "est/meeting_phase.hpp"
#include "est/meeting_template.hpp"
#include "est/permissions.hpp"

namespace est {

// A statement the server signed: the exact text (canonical JSON) and its SSHSIG signature over it.
struct signed_record {
    std::string statement;
    std::string sshsig;  // armored
    std::string key_id;  // "SHA256:…" of the server key that signed

    nlohmann::json to_json() const;  // {"statement","sshsig","key_id"}
    static signed_record from_json(const nlohmann::json& j, const std::string& where);
    bool operator==(const signed_record&) const = default;
};

// The SSHSIG namespaces of the server's statements.
inline constexpr std::string_view signature_namespace = "est-live-signature";
inline constexpr std::string_view closing_namespace = "est-live-closing";

enum class lifecycle_kind : unsigned char { open, lock_topic, unlock_topic, lock_picture, unlock_picture, sign, close };
std::string_view to_string(lifecycle_kind k) noexcept;
std::optional<lifecycle_kind> lifecycle_kind_from_string(std::string_view s) noexcept;
// The permission table's action for a move.
action action_of(lifecycle_kind k) noexcept;

// One move, as logged and broadcast in an `op`'s `change`: {"kind":"open"}, {"kind":"lock_topic","topic":"andt"},
// {"kind":"sign","signature":{…}}, {"kind":"close","closing":{…}}, {"kind":"lock_picture"}…
struct lifecycle_change {
    lifecycle_kind kind = lifecycle_kind::lock_picture;
    std::string topic;                    // lock_topic, unlock_topic
    std::optional<signed_record> record;  // sign: the signature; close: the closing
};
nlohmann::json to_json(const lifecycle_change& c);
// Throws domain_error("bad_message") naming the field.
lifecycle_change lifecycle_change_from_json(const nlohmann::json& j, const std::string& where);
// Is this change JSON (an op's `change`) a lifecycle move rather than an edit of the picture?
bool is_lifecycle_change(const nlohmann::json& change) noexcept;

// Who signs or closes: the account (empty under --open-access) and the person in the meeting.
struct signer {
    std::string account;
    identity who;
};

// What a signature statement says, read back from its text.
struct signature_facts {
    std::string meeting;
    std::string group;
    std::uint64_t rev = 0;
    std::string digest;
    std::string signed_at;
    std::string account;
    identity who;
};

// The canonical texts the server signs (docs/records.md): nlohmann::json::dump() of the object, keys sorted.
// `corrects`: set when the meeting is a correction of a closed one; then the statement names it ("corrects"),
// otherwise the text is exactly what it was before corrections existed.
std::string signature_statement(std::string_view meeting, std::string_view group, std::uint64_t rev,
                                std::string_view digest, std::string_view signed_at, const signer& by,
                                const std::optional<correction_link>& corrects = std::nullopt);
// `signature_digests`: the SHA-256 (hex) of each signature statement, in signing order; `previous`: that of the
// group's previous closing statement ("" for the first), `sequence` its place in the group's chain (1, 2, …).
std::string closing_statement(std::string_view meeting, std::string_view group, std::uint64_t rev,
                              std::string_view digest, std::string_view closed_at, const signer& by,
                              std::span<const std::string> signature_digests, std::string_view previous,
                              std::uint64_t sequence, const std::optional<correction_link>& corrects = std::nullopt);
// Throws domain_error("bad_snapshot") when the text is not a signature statement.
signature_facts read_signature_statement(std::string_view text);

class meeting_lifecycle {
public:
    // Open, nothing locked, chair and co-signer to sign: what a meeting made before drafts existed loads as (its
    // snapshot, if any, holds no lifecycle, and its log no move).
    meeting_lifecycle();
    // A new meeting: a draft the chair prepares, needing the signatures of `required` (the group's setting at
    // creation, checked by check_signers; fixed here so a later change of the setting never changes it).
    static meeting_lifecycle draft(std::vector<role> required);

    meeting_phase phase() const noexcept { return phase_; }
    const std::vector<std::string>& locked_topics() const noexcept { return locked_topics_; }
    const std::vector<signed_record>& signatures() const noexcept { return signatures_; }
    const std::optional<signed_record>& closing() const noexcept { return closing_; }
    // The roles whose signatures make the picture signed (the group's setting; chair and co-signer by default).
    const std::vector<role>& required() const noexcept { return required_; }
    // Required roles that have not signed yet, in the order of required(): each signature fills one place of its
    // role (["chair","cosigner","cosigner"] with one co-signer's signature leaves ["chair","cosigner"]).
    std::vector<role> missing_signers() const;
    // What the permission checks of an edit read.
    meeting_status status() const noexcept { return {phase_, locked_topics_}; }

    // Throws domain_error when `who` may not make the move now (codes: forbidden, wrong_phase, closed, locked,
    // conflict, not_found; docs/protocol.md). Does not apply it.
    void check(const identity& who, lifecycle_kind k, std::string_view topic, const meeting_template& tmpl) const;
    // For a signature, besides check(): `by` has not signed yet, is not the same person as an earlier signer, the
    // role still has a place to fill (already_signed), and signs the picture as it is now: its digest
    // (stale_revision).
    void check_sign(const signer& by, std::uint64_t rev, std::string_view digest, std::uint64_t current_rev,
                    std::string_view current_digest) const;

    // Applies a move: checked before, or replayed from the log (throws bad_snapshot when a logged move does not
    // fit, e.g. a signature statement that cannot be read).
    void apply(const lifecycle_change& c);
    // An edit of the picture was accepted: every signature on it is void. True when any was.
    bool picture_changed();

    nlohmann::json to_json() const;  // {"phase","locked_topics","required","signatures","closing"}
    static meeting_lifecycle from_json(const nlohmann::json& j);  // throws domain_error("bad_snapshot")
    bool operator==(const meeting_lifecycle&) const = default;

private:
    meeting_phase phase_ = meeting_phase::open;
    std::vector<std::string> locked_topics_;  // in the order they were locked
    std::vector<signed_record> signatures_;   // in signing order
    std::optional<signed_record> closing_;
    std::vector<role> required_;
};

}  // namespace est
