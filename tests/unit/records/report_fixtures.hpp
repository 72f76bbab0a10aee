#pragma once
// Shared by the tests of the monthly report and of est-cli verify's report check: a closed picture as the report
// reads it, and a group of the test organisations.
#include <cstdint>
#include <memory>
#include <string>

#include <nlohmann/json.hpp>

#include "../fixtures.hpp"
#include "est/change.hpp"
#include "est/limits.hpp"
#include "est/server/records/monthly_report.hpp"

namespace est::test {

// A closed picture of group `g` with `level` set on every topic (and "andt"'s assessment written).
inline server::records::report_meeting closed_meeting(const std::string& id, const std::string& g,
                                                     const std::string& date, std::uint64_t seq, const std::string& level,
                                                     const std::string& assessment = "Oro kring resecentrum") {
    auto doc = std::make_shared<meeting_document>(test::biweekly(), test::test_orgs);
    std::uint64_t rev = 0;
    for (const auto& t : test::biweekly()->topics)
        doc->apply(set_change{field_ref{t.id, "", "", "niva"}, level}, ++rev, est::limits{});
    doc->apply(text_change{field_ref{"andt", "", "", "bedomning"}, text_operation::diff(u"", test::U(assessment))}, ++rev,
               est::limits{});
    server::records::report_meeting m;
    m.meeting.id = id;
    m.meeting.group_id = g;
    m.meeting.title = "EST-möte " + date;
    m.meeting.date = date;
    m.meeting.state = "closed";
    m.closed = {id, seq, date};
    m.closing = {{"statement", "{}"}, {"sshsig", "-----BEGIN SSH SIGNATURE-----"}, {"key_id", "SHA256:x"}};
    m.document = std::move(doc);
    m.rev = rev;
    return m;
}

inline group make_group(const std::string& id, const std::string& name) {
    group g;
    g.id = id;
    g.name = name;
    g.municipality = "Sala";
    for (const auto& o : test::test_orgs) g.organisations.push_back({o, o == "polis" ? "Polisen" : o});
    return g;
}

}  // namespace est::test
