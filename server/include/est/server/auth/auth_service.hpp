#pragma once
// The identity core the network layer calls: sign-in (throttled, timing-equal for unknown e-mails), sessions,
// invitations, password resets, accounts and roles — each writing its audit row. Every call that changes
// something blocks until durable (and one that hashes a password takes ~0.1 s of CPU): call from the blocking
// pool (server_context::blocking), never from an I/O thread. Whether the *actor* may do a thing (an invitation, a
// role change) is the permission table's question, asked by the caller before calling; this class checks the
// data (the group exists, the organisation suits the role, the password is acceptable).
#include <chrono>
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "est/error.hpp"
#include "est/group.hpp"
#include "est/identity.hpp"
#include "est/server/auth/account_directory.hpp"
#include "est/server/auth/audit_log.hpp"
#include "est/server/auth/auth_clock.hpp"
#include "est/server/auth/invitation_book.hpp"
#include "est/server/auth/password_hasher.hpp"
#include "est/server/auth/password_policy.hpp"
#include "est/server/auth/repeat_limiter.hpp"
#include "est/server/auth/session_table.hpp"
#include "est/server/auth/sign_in_throttle.hpp"

namespace est::server {
class store;
}

namespace est::server::auth {

struct auth_options {
    session_options sessions;
    invitation_options invitations;
    throttle_options throttle;
    password_hasher::options hashing;
    // Failed sign-ins for unknown e-mails write one audit row (and security log line) per client address per
    // this window; the next row counts the ones left out ("suppressed"). Throttled attempts write one per
    // e-mail and address per back-off window, the same way.
    std::chrono::milliseconds quiet_window{std::chrono::minutes(1)};
    // Pending invitations a group may have at once; past it, invite() throws too_many_invitations.
    std::size_t max_pending_invitations = 200;
};

// An invitation waiting to be accepted, as the group's page lists it.
struct pending_invitation {
    invitation info;
    std::string created_by_name;  // the inviter's display name; "" for the command line or a removed account
};

// Who does something and from where, for the audit log.
struct actor {
    std::string account_id;  // empty: the command line, or nobody signed in
    std::string address;     // client address; "local" for the command line
};

struct sign_in_result {
    enum class status : std::uint8_t { ok, invalid, throttled };
    status outcome = status::invalid;
    std::optional<new_session> session;        // ok
    std::chrono::milliseconds retry_after{0};  // throttled
    bool reported = true;  // invalid, throttled: whether this one was audited (and should be logged)
};

// A password attempt refused unchecked because the e-mail or the address is in back-off.
class throttled_error : public est::domain_error {
public:
    explicit throttled_error(std::chrono::milliseconds retry_after, bool reported = true)
        : domain_error("throttled", "too many failed sign-ins; wait before trying again"),
          retry_after_(retry_after),
          reported_(reported) {}
    std::chrono::milliseconds retry_after() const noexcept { return retry_after_; }
    bool reported() const noexcept { return reported_; }  // the first of its back-off window: log it

private:
    std::chrono::milliseconds retry_after_;
    bool reported_;
};

// A valid session and its (enabled) account.
struct signed_in {
    session_info session;
    account who;
};

class auth_service {
public:
    using group_lookup = std::function<std::optional<est::group>(std::string_view id)>;

    // `groups` finds a group by id (the catalog's find_group).
    auth_service(store& db, group_lookup groups, clock_fn now = system_clock_fn(), auth_options o = {});

    void load();  // accounts, memberships, sessions, invitations

    // Never says whether the e-mail exists: unknown, disabled, without a password or a wrong password all answer
    // `invalid`, after the same Argon2id work. `previous_token` (the browser's old cookie, if any) is ended:
    // the session is rotated. Audited: sign_in, sign_in.failed, sign_in.throttled (the last, and failures for
    // unknown e-mails, at most once per window: auth_options::quiet_window). A password over
    // password_policy::max_bytes throws password_too_long before anything is looked up or hashed.
    sign_in_result sign_in(std::string_view email, std::string_view password, std::string_view address,
                           std::string_view previous_token = {});
    // The live session of `token` with its account; nullopt when the session is not live or the account disabled
    // (then the session ends).
    std::optional<signed_in> authenticate(std::string_view token);
    // Asks a signed-in person's password again before an act that must be their own (signing a picture):
    // throttled and counted like a sign-in (throws throttled_error past it), a wrong one audited. False when
    // the password is wrong or the account is gone or disabled.
    bool confirm_password(std::string_view account_id, std::string_view password, std::string_view address);
    void sign_out(std::string_view token, std::string_view address);             // Logga ut
    std::size_t sign_out_everywhere(std::string_view token, std::string_view address);  // Logga ut överallt

    // Throws domain_error: bad_message, conflict (e-mail taken), password_* (policy), storage_failed.
    account create_account(const actor& by, std::string_view email, std::string_view display_name,
                           std::string_view password, bool is_admin);
    // Throws domain_error: bad_message (e-mail, role/org), not_found (group), too_many_invitations (the group has
    // auth_options::max_pending_invitations pending), storage_failed.
    issued_invitation invite(const actor& by, std::string_view email, std::string_view group_id, est::role r,
                             std::string_view org);
    // Accepting creates the account (with `password` and `display_name`) or, when the e-mail has one, joins it:
    // an account with a password must give that password (an invitation never takes over an account); one
    // without a password is refused (invalid_credentials: it needs an administrator's reset link, an invitation
    // never sets one). The invitation counts only while its inviter may still issue it (not disabled, and an
    // administrator of the server or holding invitation_action(role) in the group); else invalid_token. Then the
    // membership is set, `previous_token` (the browser's old cookie) ends and a session begins. Throws
    // domain_error: password_too_long (first, nothing looked up), invalid_token, password_* (checked before the
    // token is used up), invalid_credentials, account_disabled, not_found (the group is gone), storage_failed;
    // throttled_error: giving an existing account's password is a sign-in attempt, throttled like one (else an
    // invitation to a victim's address would guess their password unthrottled).
    new_session accept_invitation(std::string_view token, std::string_view password, std::string_view display_name,
                                  std::string_view address, std::string_view previous_token = {});
    // The group's invitations waiting to be accepted, oldest first.
    std::vector<pending_invitation> pending_invitations(std::string_view group_id) const;
    // Revokes a pending invitation of the group by its id, audited (invitation.revoke). Throws not_found.
    invitation revoke_invitation(const actor& by, std::string_view group_id, std::string_view invitation_id);
    // Cancels the account's older reset links. Throws domain_error not_found, storage_failed.
    issued_invitation issue_password_reset(const actor& by, std::string_view account_id);
    // Sets the new password, cancels the account's other reset links and ends every session of the account.
    // Throws password_too_long (first), invalid_token, account_disabled, password_*.
    void reset_password(std::string_view token, std::string_view new_password, std::string_view address);

    // Disabling ends every session of the account at once, and revokes its reset links and the invitations it
    // issued. Changing or removing a membership revokes the invitations the account issued into that group.
    account set_disabled(const actor& by, std::string_view account_id, bool disabled);
    account set_membership(const actor& by, std::string_view account_id, std::string_view group_id, est::role r,
                           std::string_view org);
    account remove_membership(const actor& by, std::string_view account_id, std::string_view group_id);

    account_directory& accounts() noexcept { return accounts_; }
    session_table& sessions() noexcept { return sessions_; }
    invitation_book& invitations() noexcept { return invitations_; }
    sign_in_throttle& throttle() noexcept { return throttle_; }
    audit_log& audit() noexcept { return audit_; }
    const password_hasher& hasher() const noexcept { return hasher_; }

private:
    est::group require_group(std::string_view id) const;
    // Whether the inviter of `inv` may still issue it.
    bool inviter_may_still_invite(const invitation& inv) const;
    // Revokes what `which` picks, with one audit row (if any) naming `subject` and `why`.
    std::size_t revoke(const actor& by, const std::function<bool(const invitation&)>& which, const std::string& subject,
                       nlohmann::json detail);

    group_lookup groups_;
    clock_fn now_;
    password_hasher hasher_;
    account_directory accounts_;
    session_table sessions_;
    invitation_book invitations_;
    sign_in_throttle throttle_;
    audit_log audit_;
    std::chrono::milliseconds quiet_window_;
    std::size_t max_pending_invitations_;
    repeat_limiter quiet_;
};

}  // namespace est::server::auth
