#include "est/server/auth/caller.hpp"

#include "est/server/error_log.hpp"
#include "est/server/http_reply.hpp"

namespace est::server::auth {

est::standing caller::in(std::string_view group_id) const {
    return session ? session->who.standing_in(group_id) : est::standing{};
}

void log_security(std::string_view event, const caller& who, std::string_view detail) {
    log_event("security", {{"event", event},
                           {"address", who.address},
                           {"account", who.session ? std::string_view(who.session->who.id) : std::string_view("-")},
                           {"detail", detail}});
}

std::optional<http_response> refuse(const caller& who, est::action what, std::string_view group_id,
                                    std::string_view route) {
    if (who.anonymous()) {
        log_security("unauthenticated", who, route);
        return error_response(401, "sign_in_required", "sign in first");
    }
    const auto d = est::decide(who.in(group_id), what);
    if (d) return std::nullopt;
    log_security("forbidden", who, std::string(route) + ": " + std::string(est::to_string(what)));
    if (d.why == est::refusal::not_member)
        return error_response(404, "not_found", "there is no group '" + std::string(group_id) + "'");
    return error_response(403, "forbidden", d.reason);
}

}  // namespace est::server::auth
