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

#include "est/error.hpp"
#include "est/group.hpp"
#include "est/identity.hpp"
#include "est/server/auth/account_directory.hpp"
#include "est/server/auth/audit_log.hpp"
#include "est/server/auth/auth_clock.hpp"
#include "est/server/auth/invitation_book.hpp"
#include "est/server/auth/password_hasher.hpp"
#include "est/server/auth/password_policy.hpp"
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
};

// A password attempt refused unchecked because the e-mail or the address is in back-off.
class throttled_error : public est::domain_error {
public:
    explicit throttled_error(std::chrono::milliseconds retry_after)
        : domain_error("throttled", "too many failed sign-ins; wait before trying again"), retry_after_(retry_after) {}
    std::chrono::milliseconds retry_after() const noexcept { return retry_after_; }

private:
    std::chrono::milliseconds retry_after_;
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
    // the session is rotated. Audited: sign_in, sign_in.failed, sign_in.throttled.
    sign_in_result sign_in(std::string_view email, std::string_view password, std::string_view address,
                           std::string_view previous_token = {});
    // The live session of `token` with its account; nullopt when the session is not live or the account disabled
    // (then the session ends).
    std::optional<signed_in> authenticate(std::string_view token);
    void sign_out(std::string_view token, std::string_view address);             // Logga ut
    std::size_t sign_out_everywhere(std::string_view token, std::string_view address);  // Logga ut överallt

    // Throws domain_error: bad_message, conflict (e-mail taken), password_* (policy), storage_failed.
    account create_account(const actor& by, std::string_view email, std::string_view display_name,
                           std::string_view password, bool is_admin);
    // Throws domain_error: bad_message (e-mail, role/org), not_found (group), storage_failed.
    issued_invitation invite(const actor& by, std::string_view email, std::string_view group_id, est::role r,
                             std::string_view org);
    // Accepting creates the account (with `password` and `display_name`) or, when the e-mail has one, joins it:
    // an account with a password must give that password (an invitation never takes over an account), one
    // without gets `password`. Then the membership is set and a session begins. Throws domain_error:
    // invalid_token, password_* (checked before the token is used up), invalid_credentials, account_disabled,
    // not_found (the group is gone), storage_failed; throttled_error: giving an existing account's password is a
    // sign-in attempt, throttled like one (else an invitation to a victim's address would guess their password
    // unthrottled).
    new_session accept_invitation(std::string_view token, std::string_view password, std::string_view display_name,
                                  std::string_view address);
    // Throws domain_error not_found, storage_failed.
    issued_invitation issue_password_reset(const actor& by, std::string_view account_id);
    // Sets the new password and ends every session of the account. Throws invalid_token, password_*.
    void reset_password(std::string_view token, std::string_view new_password, std::string_view address);

    // Disabling ends every session of the account at once.
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

    group_lookup groups_;
    clock_fn now_;
    password_hasher hasher_;
    account_directory accounts_;
    session_table sessions_;
    invitation_book invitations_;
    sign_in_throttle throttle_;
    audit_log audit_;
};

}  // namespace est::server::auth
