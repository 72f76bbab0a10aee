#pragma once
// Someone who took part in a meeting (store migration 8, docs/protocol.md "Attendance"): what the store keeps and the
// record's "Närvaro" shows.
#include <string>

namespace est::server {

struct attendance_row {
    std::string meeting_id;
    std::string name;
    std::string org;       // organisation id; "" for a role that speaks for none
    std::string role;      // as est::to_string(role)
    std::string first_at;  // when they first joined while it counted, ISO 8601 UTC
};

}  // namespace est::server
