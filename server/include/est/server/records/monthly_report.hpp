#pragma once
// The monthly report to BRÅ and Länsstyrelsen (docs/protocol.md, "The monthly report"): for each group, the
// month's closed pictures (per topic its level and joint assessment), the decision items of those meetings sent
// to BRÅ with their status in the queue and the group's items still running, and per topic an SVG chart of its
// level over the last closed meetings. One JSON record holds all of it; the HTML (templates/report/, printable
// on A4, no script) and Markdown forms are rendered from that record, embed it, and end with a seal line signed
// by the server's key in the namespace est-live-report (docs/records.md). Pure: no sockets, no database.
#include <cstdint>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

#include "est/calendar_date.hpp"
#include "est/group.hpp"
#include "est/meeting_document.hpp"
#include "est/server/catalog.hpp"
#include "est/server/records/bra_queue.hpp"
#include "est/server/records/report_month.hpp"

namespace est::server::records {

class signing_keys;

// One closed meeting as the report reads it.
struct report_meeting {
    meeting_info meeting;
    report_month::closed_meeting closed;
    nlohmann::json closing;  // its closing record {"statement","sshsig","key_id"}, as in the group's chain
    std::shared_ptr<const meeting_document> document;  // the closed picture
    std::uint64_t rev = 0;
};

struct report_group {
    group grp;
    std::vector<report_meeting> in_month;  // closed in the month, in closing order
    std::vector<report_meeting> chart;     // the chart's meetings, in closing order (in_month among them)
    std::vector<bra_item> items;           // the group's items in the BRÅ queue
};

struct report_input {
    report_month month;
    std::vector<report_group> groups;
    std::string generated_at;  // "2026-12-04 21:10 (+01:00)"
    calendar_date today;
    unsigned stale_weeks = 0;
};

class monthly_report {
public:
    // Checks the HTML template; throws domain_error("bad_template", "<source>: <problem>").
    monthly_report(std::string_view html_template, const std::string& source);
    ~monthly_report();
    // templates/report/manadsrapport.html.mustache as it was at build time.
    static std::string_view built_in_template() noexcept;

    // The report's JSON record: {"type":"est-live/monthly-report","version":1,"month","month_label",
    // "generated_at","today","groups":[{"id","name","municipality","meetings":[…],"items":[…],"charts":[…]}],
    // "keys"} (docs/protocol.md). `keys`, when given, names the key that seals the HTML and Markdown forms.
    static nlohmann::json record(const report_input& in, const signing_keys* keys);

    // Each rendered from a record and ending with the seal line when `keys` is set.
    std::string html(const nlohmann::json& record, const signing_keys* keys) const;
    static std::string markdown(const nlohmann::json& record, const signing_keys* keys);

    // `body` followed by "<!-- est-seal key=<key id> sig=<base64 SSHSIG blob> -->\n" over every byte before it,
    // in the namespace below (an export's seal line, another namespace: a report is never taken for an export).
    static std::string seal(std::string body, const signing_keys* keys);
    static constexpr std::string_view seal_namespace = "est-live-report";

    // The level charts' window: this many closed meetings up to the month's end (more when the month has more).
    static constexpr std::size_t chart_meetings = 8;
    // The queue's statuses and follow-ups in Swedish: "inkommen", "bifall", …; "grön", "gul", ….
    static std::string status_label(std::string_view status);
    static std::string progress_label(std::string_view progress);

private:
    struct compiled;
    std::unique_ptr<compiled> html_;
    mutable std::mutex render_mutex_;  // a Mustache template keeps per-render state inside it
};

}  // namespace est::server::records
