#include "est/server/records/report_routes.hpp"

#include <algorithm>
#include <map>
#include <memory>
#include <mutex>

#include <nlohmann/json.hpp>

#include "est/permission_table.hpp"
#include "est/server/auth/auth_service.hpp"
#include "est/server/auth/caller.hpp"
#include "est/server/catalog.hpp"
#include "est/server/error_log.hpp"
#include "est/server/http_reply.hpp"
#include "est/server/picture_report.hpp"
#include "est/server/records/bra_queue.hpp"
#include "est/server/records/monthly_report.hpp"
#include "est/server/records/report_month.hpp"

namespace est::server::records {

using json = nlohmann::json;

namespace {
constexpr const char* route = "GET /api/bra/report";
}  // namespace

// One report being put together: what was asked, the closings it shows, and the pictures as they come in.
struct report_routes::job {
    struct plan {
        group grp;
        report_month::selection chosen;
        std::map<std::string, json, std::less<>> closings;  // meeting → its closing record
        std::vector<bra_item> items;
    };
    job(const report_month& m, std::atomic<unsigned>& count) : month(m), in_flight(count) {}
    ~job() { --in_flight; }  // the last copy of the answer's callbacks is gone
    job(const job&) = delete;
    job& operator=(const job&) = delete;

    report_month month;
    std::string format;
    std::string file;  // the attachment's name, without extension
    std::string key;   // of the rendered report in the cache
    std::vector<plan> plans;
    std::function<void(http_response)> reply;
    std::atomic<unsigned>& in_flight;

    std::mutex mutex;  // the pictures' callbacks run on any thread
    std::map<std::string, picture_result, std::less<>> pictures;
    std::size_t left = 0;
    std::string error, message;
};

report_routes::report_routes(catalog& cat, bra_queue& queue, const monthly_report& report, const signing_keys* keys,
                             auth::auth_service* auth, picture_source pictures, options o)
    : catalog_(cat),
      queue_(queue),
      report_(report),
      keys_(keys),
      auth_(auth),
      pictures_(std::move(pictures)),
      options_(o),
      limiter_(o.per_minute, o.burst),
      rendered_(o.cache_bytes) {}

report_routes::~report_routes() = default;

bool report_routes::is_report_path(const std::vector<std::string_view>& parts) noexcept {
    return parts.size() == 3 && parts[0] == "api" && parts[1] == "bra" && parts[2] == "report";
}

std::set<std::string, std::less<>> report_routes::groups_of(const catalog& cat, const auth::account* a) {
    std::set<std::string, std::less<>> out;
    for (const auto& g : cat.groups())
        if (!a || est::decide(a->standing_in(g.id), action::read_bra_report)) out.insert(g.id);
    return out;
}

bool report_routes::defer(const http_request& req, const std::vector<std::string_view>& parts, const auth::caller& who,
                          std::function<void(http_response)> reply) const {
    if (!is_report_path(parts)) return false;
    if (req.method != "GET" && req.method != "HEAD")
        return reply(error_response(405, "method_not_allowed", req.method + " is not allowed on the monthly report")), true;
    if (auth_ && who.anonymous()) {
        auth::log_security("unauthenticated", who, route);
        return reply(error_response(401, "sign_in_required", "sign in first")), true;
    }
    const auto month = report_month::parse(query_value(req.target, "month").value_or(""));
    if (!month) return reply(error_response(400, "bad_message", "'month' must be a month, YYYY-MM (e.g. 2026-12)")), true;
    std::string format(query_value(req.target, "format").value_or("html"));
    if (format == "markdown") format = "md";
    if (format != "html" && format != "md" && format != "json")
        return reply(error_response(400, "bad_format", "format must be html, md or json")), true;

    auto groups = groups_of(catalog_, auth_ ? &who.who() : nullptr);
    std::string file = "manadsrapport-" + month->to_string();
    if (const auto g = query_value(req.target, "group")) {
        const auto wanted = percent_decoded(*g);
        if (!wanted || !groups.count(*wanted))
            return reply(error_response(404, "not_found", "there is no group '" + wanted.value_or("") + "'")), true;
        groups = {*wanted};
        file += "-" + *wanted;
    }
    if (const auto wait = limiter_.take(auth_ ? who.who().id : who.address); wait.count() > 0) {
        auto res = error_response(429, "rate_limited", "too many monthly reports in a short time; try again later");
        res.headers.emplace_back("Retry-After", std::to_string(wait.count()));
        return reply(std::move(res)), true;
    }
    if (in_flight_.fetch_add(1) >= options_.max_in_flight) {
        --in_flight_;
        auto res = error_response(503, "busy", "other monthly reports are being put together; try again in a moment");
        res.headers.emplace_back("Retry-After", "1");
        return reply(std::move(res)), true;
    }
    auto j = std::make_shared<job>(*month, in_flight_);
    j->format = format;
    j->file = std::move(file);
    j->reply = std::move(reply);

    // Which closed meetings: from the groups' chains of closings, without reading a picture.
    std::size_t meetings = 0;
    for (const auto& id : groups) {
        const auto grp = catalog_.find_group(id);
        if (!grp) continue;
        job::plan p{*grp, {}, {}, {}};
        std::vector<report_month::closed_meeting> closings;
        for (const auto& link : catalog_.chain_of(id)) {
            // A meeting purged under its group's retention has no picture left to read: reports leave it out.
            if (const auto m = catalog_.find_meeting(link.meeting_id); m && !m->purged_at.empty()) continue;
            const json statement = json::parse(link.record.value("statement", ""), nullptr, false);
            const std::string at = statement.is_object() ? statement.value("closed_at", "") : std::string();
            closings.push_back({link.meeting_id, link.sequence, report_month::local_day(at)});
            p.closings[link.meeting_id] = link.record;
        }
        p.chosen = month->select(std::move(closings), monthly_report::chart_meetings);
        meetings += p.chosen.chart.size();
        j->plans.push_back(std::move(p));
    }
    if (meetings > options_.max_meetings)
        return j->reply(error_response(400, "bad_query", "the report would read " + std::to_string(meetings) +
                                                             " closed meetings, more than " +
                                                             std::to_string(options_.max_meetings) +
                                                             ": ask for one group at a time (?group=)")),
               true;

    queue_.index({groups.begin(), groups.end()}, [this, j] {
        // The key says everything the report shows that can change: the chains, the items' versions, the day.
        const calendar_date today = bra_queue::today();
        std::string key = j->format + "|" + j->month.to_string() + "|" + today.to_string();
        std::string versions;
        for (auto& p : j->plans) {
            p.items = queue_.items({p.grp.id});
            key += "|" + p.grp.id + ":" + std::to_string(p.closings.size());
            for (const auto& m : p.chosen.chart) key += ":" + m.meeting_id;
            for (const auto& item : p.items) versions += item.id + ":" + std::to_string(item.record.version()) + ";";
        }
        key += "|" + picture_report::sha256_hex(versions);
        j->key = key;
        if (!rendered_.find_or_wait(key, [j](const export_cache::answer& out) { j->reply(*out); })) return;
        render(j);
    });
    return true;
}

void report_routes::render(std::shared_ptr<job> j) const {
    std::vector<std::string> ids;
    for (const auto& p : j->plans)
        for (const auto& m : p.chosen.chart) ids.push_back(m.meeting_id);
    auto finish = [this, j] {
        std::shared_ptr<const http_response> out;
        if (!j->error.empty()) {
            out = std::make_shared<const http_response>(domain_error_response(route, j->error, j->message));
        } else {
            try {
                report_input in{j->month, {}, picture_report::local_time_now(), bra_queue::today(), options_.stale_weeks};
                for (auto& p : j->plans) {
                    report_group g{p.grp, {}, {}, std::move(p.items)};
                    const auto meeting_of = [&](const report_month::closed_meeting& c) {
                        const auto& r = j->pictures.at(c.meeting_id);
                        auto info = catalog_.find_meeting(c.meeting_id);
                        if (!info) {
                            info.emplace();
                            info->id = c.meeting_id;
                            info->group_id = p.grp.id;
                            info->state = "closed";
                        }
                        return report_meeting{std::move(*info), c, p.closings[c.meeting_id], r.document, r.rev};
                    };
                    for (const auto& c : p.chosen.in_month) g.in_month.push_back(meeting_of(c));
                    for (const auto& c : p.chosen.chart) g.chart.push_back(meeting_of(c));
                    in.groups.push_back(std::move(g));
                }
                const json record = monthly_report::record(in, keys_);
                http_response res;
                if (j->format == "html") {
                    res = {200, "text/html; charset=utf-8", report_.html(record, keys_), {}};
                    res.headers.emplace_back("Content-Disposition", "inline; filename=\"" + j->file + ".html\"");
                    // No script at all: the charts are SVG in the page, the record a data block.
                    res.headers.emplace_back("Content-Security-Policy", "default-src 'none'; style-src 'unsafe-inline'");
                } else if (j->format == "md") {
                    res = {200, "text/markdown; charset=utf-8", monthly_report::markdown(record, keys_), {}};
                    res.headers.emplace_back("Content-Disposition", "attachment; filename=\"" + j->file + ".md\"");
                } else {
                    res = json_response(200, record);
                    res.headers.emplace_back("Content-Disposition", "attachment; filename=\"" + j->file + ".json\"");
                }
                res.headers.emplace_back("Cache-Control", "no-store");
                out = std::make_shared<const http_response>(std::move(res));
            } catch (const std::exception& e) {
                log_error(route, "internal", std::string("the monthly report failed: ") + e.what());
                out = std::make_shared<const http_response>(error_response(500, "internal", internal_message));
            }
        }
        rendered_.finish(j->key, out, out->status == 200);
        j->reply(*out);
    };
    if (ids.empty()) return finish();
    j->left = ids.size();
    for (const auto& id : ids)
        pictures_(id, [j, id, finish](picture_result r) {
            {
                std::lock_guard lock(j->mutex);
                // A closed picture that cannot be read now (storage): the report is not made without it.
                if ((!r.error.empty() || !r.document) && j->error.empty()) {
                    if (!r.error.empty()) log_error(route, r.error, id + ": " + r.message);
                    j->error = "storage_failed";
                    j->message = "a closed picture could not be read; try again later";
                }
                j->pictures.insert_or_assign(id, std::move(r));
                if (--j->left > 0) return;
            }
            finish();
        });
}

}  // namespace est::server::records
