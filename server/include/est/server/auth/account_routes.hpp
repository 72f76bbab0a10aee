#pragma once
// The REST routes of accounts (docs/protocol.md, "Accounts and access"): signing in and out, who am I,
// invitations and password resets, a group's members, the administrators' accounts and audit log. Pure like
// the router: request in, answer out. Calls that hash a password or wait for a commit block: the router runs
// them on the blocking pool (http_router::blocks).
#include <optional>
#include <string_view>
#include <vector>

#include "est/server/http_router.hpp"
#include "est/server/rate_limiter.hpp"

namespace est::server {
class catalog;
}

namespace est::server::auth {

class auth_service;
struct caller;

class account_routes {
public:
    // Creating invitations is limited per account (a token bucket: `invitations_per_minute`, up to `burst` at once;
    // 0 turns it off), as creating groups and meetings is per address.
    account_routes(auth_service& auth, catalog& cat, double invitations_per_minute = 20, double burst = 20);

    // nullopt when `parts` (of "/api/…", parts[0] == "api") is no route of accounts.
    std::optional<http_response> handle(const http_request& req, const std::vector<std::string_view>& parts,
                                        const caller& who) const;
    // Whether `req` is one of them that blocks (every write, and the audit log's reads).
    static bool blocks(const http_request& req, const std::vector<std::string_view>& parts);
    // Whether it hashes or checks a password: signing in, accepting an invitation, resetting a password.
    static bool hashes_password(const http_request& req, const std::vector<std::string_view>& parts);

    // `me`: the signed-in person, their groups and their session.
    nlohmann::json me(const caller& who) const;

private:
    std::optional<http_response> sessions(const http_request& req, const std::vector<std::string_view>& parts,
                                          const caller& who) const;
    std::optional<http_response> invitations(const http_request& req, const std::vector<std::string_view>& parts,
                                             const caller& who) const;
    std::optional<http_response> members(const http_request& req, const std::vector<std::string_view>& parts,
                                         const caller& who) const;
    std::optional<http_response> administration(const http_request& req, const std::vector<std::string_view>& parts,
                                                const caller& who) const;

    auth_service& auth_;
    catalog& catalog_;
    mutable rate_limiter invitations_made_;  // by account id
};

}  // namespace est::server::auth
