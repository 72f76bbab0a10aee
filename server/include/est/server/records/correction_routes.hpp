#pragma once
// POST /api/meetings/{id}/correction (docs/protocol.md, "Corrections"): the chair starts a correction of a closed
// meeting. The closed meeting never changes; the correction is a new, open meeting of the same group whose picture
// starts as a copy of the closed one and whose statements name the meeting and digest it corrects. Request in,
// answer out: answered once the new meeting and the audit row are durable.
#include <functional>
#include <string>
#include <string_view>
#include <vector>

#include "est/limits.hpp"
#include "est/server/http_router.hpp"
#include "est/server/rate_limiter.hpp"

namespace est::server {
class catalog;
namespace auth {
class auth_service;
struct caller;
}  // namespace auth
}  // namespace est::server

namespace est::server::records {

class correction_routes {
public:
    // `auth` null: --open-access (the body names who acts, as for a lifecycle move). `pictures` reads the closed
    // meeting's durable picture; `bounds` are the meetings' limits the copy is checked against. Corrections are
    // limited per account (per address under --open-access) like lifecycle moves; 0 turns the limit off.
    correction_routes(catalog& cat, auth::auth_service* auth, picture_source pictures, limits bounds,
                      double per_minute = 60, double burst = 30);

    // POST /api/meetings/{id}/correction: false for any other path; otherwise `reply` runs exactly once.
    bool defer(const http_request& req, const std::vector<std::string_view>& parts, const auth::caller& who,
               std::function<void(http_response)> reply) const;
    static bool is_correction_path(const std::vector<std::string_view>& parts) noexcept;

private:
    catalog& catalog_;
    auth::auth_service* auth_;
    picture_source pictures_;
    limits bounds_;
    mutable rate_limiter corrections_;
};

}  // namespace est::server::records
