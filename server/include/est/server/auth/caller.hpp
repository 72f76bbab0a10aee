#pragma once
// Who sends a request: the signed-in person of its session cookie, or nobody. The router makes one per request
// (http_router::identify); routes read it and ask `refuse` before they act.
#include <optional>
#include <string>
#include <string_view>

#include "est/permission_table.hpp"
#include "est/server/auth/auth_service.hpp"
#include "est/server/http_router.hpp"

namespace est::server::auth {

struct caller {
    std::optional<signed_in> session;  // nullopt: anonymous (no cookie, or not a live session)
    std::string token;                 // the cookie's token, live or not ("" when none)
    std::string address;               // the client's address

    bool anonymous() const noexcept { return !session; }
    const account& who() const { return session->who; }
    // Their standing in `group_id` (empty: a server action).
    est::standing in(std::string_view group_id) const;
    // For the audit log.
    auth::actor as_actor() const { return {session ? session->who.id : std::string(), address}; }
};

// nullopt when `who` may take `what` on the group `group_id` (empty for a server action); otherwise the answer:
// 401 sign_in_required to an anonymous caller, 404 not_found to a non-member (as if the group did not exist),
// 403 forbidden with the table's reason to a member. Refusals go to the security log.
std::optional<http_response> refuse(const caller& who, est::action what, std::string_view group_id,
                                    std::string_view route);

// A security event as one log line: `est-server: security event=… address=… account=…` plus `fields`.
void log_security(std::string_view event, const caller& who, std::string_view detail = {});

}  // namespace est::server::auth
