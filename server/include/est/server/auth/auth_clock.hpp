#pragma once
// The time the identity code reads: injected, so tests can move it. Stored times are milliseconds since the
// Unix epoch (sessions, invitations) or ISO 8601 UTC text (accounts, the audit log).
#include <chrono>
#include <cstdint>
#include <functional>
#include <string>

namespace est::server::auth {

using time_point = std::chrono::system_clock::time_point;
using clock_fn = std::function<time_point()>;

inline clock_fn system_clock_fn() {
    return [] { return std::chrono::system_clock::now(); };
}

inline std::int64_t to_millis(time_point t) {
    return std::chrono::duration_cast<std::chrono::milliseconds>(t.time_since_epoch()).count();
}

inline time_point from_millis(std::int64_t ms) { return time_point(std::chrono::milliseconds(ms)); }

// "2026-11-17T08:30:00.123Z"
std::string iso_utc(time_point t);

}  // namespace est::server::auth
