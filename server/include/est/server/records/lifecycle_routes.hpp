#pragma once
// The REST routes of sign-off (docs/protocol.md, "Locking, signing and closing"): POST /api/meetings/{id}/lifecycle
// (open a draft, lock and unlock a topic or the picture, sign, close), GET /api/keys (the server's public keys) and
// GET /api/groups/{id}/chain (the group's chain of closed pictures). Request in, answer out; the moves
// themselves run in the meeting's room (meeting_room::act) and are answered once durable.
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json_fwd.hpp>

#include "est/identity.hpp"
#include "est/server/http_router.hpp"
#include "est/server/lifecycle_request.hpp"
#include "est/server/rate_limiter.hpp"

namespace est::server {
class catalog;
namespace auth {
class auth_service;
struct caller;
}  // namespace auth
}  // namespace est::server

namespace est::server::records {

class signing_keys;

class lifecycle_routes {
public:
    // Runs a move in the meeting's room; `done` once, on any thread.
    using act_fn = std::function<void(const std::string& meeting_id, lifecycle_request req,
                                      std::function<void(lifecycle_result)> done)>;
    // Checks a signer's password again (on the password pool: Argon2id); `done(error, message)` once, error ""
    // when it is right: "bad_password", "rate_limited" (with the wait in the message) or "password_too_long".
    using confirm_fn = std::function<void(std::string account_id, std::string password, std::string address,
                                          std::function<void(std::string error, std::string message)> done)>;

    // `auth` null: --open-access (the body names who acts, no password is asked). Moves are limited per account
    // (per address under --open-access): `moves_per_minute`, up to `burst` at once; each is a revision of the
    // meeting's log kept for ever, so a chair's script cannot grow it without end. 0 turns the limit off.
    lifecycle_routes(catalog& cat, auth::auth_service* auth, const signing_keys* keys, act_fn act, confirm_fn confirm,
                     double moves_per_minute = 60, double burst = 30);

    // GET /api/keys and GET /api/groups/{id}/chain; nullopt for any other path.
    std::optional<http_response> handle(const http_request& req, const std::vector<std::string_view>& parts,
                                        const auth::caller& who) const;
    // POST /api/meetings/{id}/lifecycle: false for any other path; otherwise `reply` runs exactly once.
    bool defer(const http_request& req, const std::vector<std::string_view>& parts, const auth::caller& who,
               std::function<void(http_response)> reply) const;
    static bool is_lifecycle_path(const std::vector<std::string_view>& parts) noexcept;
    // Under --open-access a move's body names who acts: its "as" {"name","role","org"?}. Throws
    // domain_error("bad_message") naming the field.
    static identity acting_as(const nlohmann::json& body);

private:
    catalog& catalog_;
    auth::auth_service* auth_;
    const signing_keys* keys_;
    act_fn act_;
    confirm_fn confirm_;
    mutable rate_limiter moves_;
};

}  // namespace est::server::records
