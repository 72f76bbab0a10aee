#pragma once
// Invitations and password-reset links: single-use tokens (256 bits) handed to the inviter once (there is no mail
// server); only their SHA-256 is kept. An invitation carries e-mail, group, role and organisation; a reset link
// names the account. An invitation expires after 7 days, a reset link after 60 minutes (by default). Revoking one
// marks it used, so it never works again, here or in another process on the same database.
#include <chrono>
#include <functional>
#include <map>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "est/identity.hpp"
#include "est/server/auth/auth_clock.hpp"

namespace est::server {
class store;
}

namespace est::server::auth {

struct invitation_options {
    std::chrono::seconds invitation_lifetime{std::chrono::hours(24 * 7)};
    std::chrono::seconds reset_lifetime{std::chrono::minutes(60)};
};

enum class invitation_kind : std::uint8_t { invite, reset };

struct invitation {
    std::string id;  // public handle ("i-" + 16 hex digits of a hash of the token's hash): lists, revoking
    invitation_kind kind = invitation_kind::invite;
    std::string email;
    std::string group_id;  // invite
    est::role role = est::role::participant;
    std::string org;
    std::string account_id;  // reset
    std::string created_by;  // account id; empty for the command line
    time_point created_at;
    time_point expires_at;
};

struct issued_invitation {
    std::string token;  // for the link; never stored
    invitation info;
};

class invitation_book {
public:
    invitation_book(store& db, clock_fn now, invitation_options o = {});

    void load();  // the unused, unexpired ones

    // Both block until durable (domain_error("storage_failed")). The caller validates e-mail, group, role and org.
    issued_invitation invite(std::string email, std::string group_id, est::role r, std::string org, std::string created_by);
    issued_invitation reset(std::string account_id, std::string email, std::string created_by);

    // The invitation of `token` if it is unused and unexpired (to show what accepting it will do).
    std::optional<invitation> find(std::string_view token) const;
    // Uses the invitation up, durably, before returning it: the same token never works twice, even raced.
    // Throws domain_error("invalid_token") for a malformed, unknown, used or expired one (the same answer for
    // each), storage_failed.
    invitation redeem(std::string_view token);
    // Unused, unexpired invitations (kind invite) into `group_id`, oldest first.
    std::vector<invitation> pending_of(std::string_view group_id) const;
    // Revokes (durably: marks used) every unused one for which `which` is true; returns them. Throws storage_failed
    // (those not yet written stay).
    std::vector<invitation> revoke_if(const std::function<bool(const invitation&)>& which);
    std::size_t sweep();  // forgets expired ones (the rows stay, marked by their expiry)
    std::size_t size() const;

private:
    issued_invitation issue(invitation inv);

    store& db_;
    clock_fn now_;
    invitation_options o_;
    mutable std::mutex mutex_;
    std::map<std::string, invitation, std::less<>> by_hash_;
};

}  // namespace est::server::auth
