#include "est/server/records/correction_routes.hpp"

#include <memory>

#include <nlohmann/json.hpp>

#include "est/change.hpp"
#include "est/correction.hpp"
#include "est/error.hpp"
#include "est/json_limits.hpp"
#include "est/meeting_state.hpp"
#include "est/permission_table.hpp"
#include "est/server/auth/audit_log.hpp"
#include "est/server/auth/auth_service.hpp"
#include "est/server/auth/caller.hpp"
#include "est/server/catalog.hpp"
#include "est/server/http_reply.hpp"
#include "est/server/picture_report.hpp"
#include "est/server/records/lifecycle_routes.hpp"

namespace est::server::records {

using json = nlohmann::json;

namespace {

constexpr const char* route = "POST /api/meetings/{id}/correction";

// The correction's first state: the closed picture's copy at revision 0, and the closed lifecycle made open again
// with nothing locked, signed or closed (it keeps whatever else the closed one holds, such as the signers asked for).
std::string first_snapshot(const meeting_document& closed, const json& closed_lifecycle, const limits& bounds) {
    meeting_document copy = correction_copy(closed);
    json snapshot = meeting_state(copy, 0, {}, bounds).snapshot();
    json life = closed_lifecycle;
    life["phase"] = to_string(meeting_phase::open);
    life["locked_topics"] = json::array();
    life["signatures"] = json::array();
    life["closing"] = nullptr;
    snapshot["lifecycle"] = std::move(life);
    // What the room will load, checked now: a snapshot that does not load is never written.
    meeting_state::from_snapshot(copy.tmpl_ptr(), copy.organisations(), snapshot, bounds);
    return snapshot.dump();
}

}  // namespace

correction_routes::correction_routes(catalog& cat, auth::auth_service* auth, picture_source pictures, limits bounds,
                                     double per_minute, double burst)
    : catalog_(cat), auth_(auth), pictures_(std::move(pictures)), bounds_(bounds), corrections_(per_minute, burst) {}

bool correction_routes::is_correction_path(const std::vector<std::string_view>& parts) noexcept {
    return parts.size() == 4 && parts[0] == "api" && parts[1] == "meetings" && parts[3] == "correction";
}

bool correction_routes::defer(const http_request& req, const std::vector<std::string_view>& parts,
                              const auth::caller& who, std::function<void(http_response)> reply) const {
    if (!is_correction_path(parts)) return false;
    const std::string meeting_id(parts[2]);
    const auto no_meeting = [&] { return error_response(404, "not_found", "there is no meeting '" + meeting_id + "'"); };
    if (req.method != "POST")
        return reply(error_response(405, "method_not_allowed", req.method + " is not allowed on a meeting's correction")), true;
    const auto info = catalog_.find_meeting(meeting_id);
    const std::string group_id = info ? info->group_id : std::string("-");
    // Signed in and a member first: a stranger learns nothing, not even that the meeting exists.
    if (auth_)
        if (auto no = auth::refuse(who, action::join_meeting, group_id, route))
            return reply(no->status == 404 ? no_meeting() : std::move(*no)), true;
    if (!info) return reply(no_meeting()), true;
    if (const auto wait = corrections_.take(auth_ ? who.who().id : who.address); wait.count() > 0) {
        auto res = error_response(429, "rate_limited", "too many corrections in a short time; try again later");
        res.headers.emplace_back("Retry-After", std::to_string(wait.count()));
        return reply(std::move(res)), true;
    }
    // The body says nothing but, under --open-access, who acts: {} (or none) and "as".
    standing by;
    std::string account;
    try {
        const json body = req.body.empty() ? json::object() : parse_json_bounded(req.body, 8);
        json_read::object(body, "");
        if (auth_) {
            json_read::only_fields(body, "", {});
            by = who.in(group_id);
            account = who.who().id;
        } else {
            json_read::only_fields(body, "", {"as"});
            by.member_role = lifecycle_routes::acting_as(body).role;
        }
    } catch (const domain_error& e) {
        return reply(error_response(400, e.code(), e.what())), true;
    }
    const auto phase = meeting_phase_from_string(info->state).value_or(meeting_phase::open);
    if (const decision d = decide(by, action::correct_meeting, phase); !d) {
        if (d.why == refusal::phase) return reply(error_response(409, "wrong_phase", d.reason)), true;
        if (auth_) auth::log_security("forbidden", who, std::string(route) + ": correct_meeting");
        return reply(error_response(403, "forbidden", d.reason)), true;
    }
    try {
        catalog_.claim_correction(meeting_id);
    } catch (const domain_error& e) {
        return reply(error_response(409, e.code(), e.what())), true;
    }
    auto* audit = auth_ ? &auth_->audit() : nullptr;
    pictures_(meeting_id, [this, info = *info, reply, audit, account, address = who.address](picture_result r) {
        const auto fail = [&](const std::string& code, const std::string& message) {
            catalog_.release_correction(info.id);
            reply(domain_error_response(route, code, message));
        };
        if (!r.error.empty()) return fail(r.error, r.message);
        correction_link link;
        std::string snapshot;
        try {
            const json closing = r.lifecycle ? r.lifecycle->value("closing", json()) : json();
            if (!closing.is_object()) return fail("wrong_phase", "only a closed meeting is corrected");
            link = correction_of(closing.at("statement").get<std::string>());
            // The copy starts from the picture that was closed, and from nothing else.
            if (link.meeting != info.id || link.digest != picture_report::digest(*r.document))
                return fail("internal", "the closed picture of meeting " + info.id + " does not match its closing");
            snapshot = first_snapshot(*r.document, *r.lifecycle, bounds_);
        } catch (const std::exception& e) {
            return fail("internal", std::string("the correction could not be made: ") + e.what());
        }
        catalog_.create_correction(info, link, std::move(snapshot),
                                   [reply, audit, account, address, link](std::optional<meeting_info> m, const std::string& error) {
            if (!m) return reply(domain_error_response(route, "storage_failed", error));
            auto ok = std::make_shared<http_response>(json_response(201, m->to_json()));
            if (!audit) return reply(std::move(*ok));
            // Answered once its audit row is durable too; the meeting is durable already.
            audit->record(account, address, auth::audit_action::meeting_corrected, m->id,
                          {{"corrects", link.meeting}, {"digest", link.digest}, {"group", m->group_id}},
                          [reply, ok](const std::string&) { reply(std::move(*ok)); });
        });
    });
    return true;
}

}  // namespace est::server::records
