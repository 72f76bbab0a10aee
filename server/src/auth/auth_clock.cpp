#include "est/server/auth/auth_clock.hpp"

#include <cstdio>
#include <ctime>

namespace est::server::auth {

std::string iso_utc(time_point t) {
    const std::int64_t ms = to_millis(t);
    const std::time_t secs = static_cast<std::time_t>(ms >= 0 ? ms / 1000 : (ms - 999) / 1000);
    std::tm tm{};
    gmtime_r(&secs, &tm);
    char out[64];
    std::snprintf(out, sizeof out, "%04d-%02d-%02dT%02d:%02d:%02d.%03dZ", tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday,
                  tm.tm_hour, tm.tm_min, tm.tm_sec, static_cast<int>(((ms % 1000) + 1000) % 1000));
    return out;
}

}  // namespace est::server::auth
