#pragma once
// What the server keeps of a closed meeting, and for how long (docs/records.md, "Compaction and retention").
//
// Compaction: once a meeting's closing is durable its room asks the store to replace the op log by the picture at
// the closing (meeting_room::compact_when_closed); compact_closed_before does the same at start for meetings closed
// before this version, or while --no-compact-closed was given.
//
// Retention (gallring): a closed meeting whose closing is older than its group's `retention_months` is purged: its
// snapshot and op log are deleted, its row and signed closing stay (so the group's chain still verifies), the
// decision items it sent to the BRÅ queue stay in the queue, and an audit row (`meeting.purged`, actor "server")
// says so. sweep() runs before the server listens and then every hour.
#include <chrono>
#include <cstddef>
#include <memory>
#include <string>
#include <string_view>

#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/steady_timer.hpp>

#include "est/limits.hpp"
#include "est/server/auth/audit_log.hpp"

namespace est::server {

class catalog;
class room_registry;
class store;
struct meeting_info;
namespace records {
class bra_queue;
}

class retention {
public:
    struct options {
        bool compact_closed = true;
        // For tests only (--retention-clock-offset-days): how far ahead of the system clock the retention clock
        // runs, so that months can pass without waiting for them.
        std::chrono::system_clock::duration clock_offset{};
        std::chrono::milliseconds sweep_every = std::chrono::hours(1);
    };

    retention(store& db, catalog& cat, room_registry& rooms, records::bra_queue& queue, limits lim, options o);
    ~retention();
    retention(const retention&) = delete;
    retention& operator=(const retention&) = delete;

    // Compacts every closed meeting that still has its op log (when compaction is on), then, if there was any,
    // rebuilds the file (VACUUM). Blocking: at start, before the server listens. Returns how many it compacted.
    std::size_t compact_closed_before();
    // Purges every closed meeting whose group's retention ended by `now`. Blocking: never on an I/O thread. A
    // meeting that cannot be purged now is logged and tried again at the next sweep. Returns how many it purged.
    std::size_t sweep(std::chrono::system_clock::time_point now);
    std::size_t sweep();  // at the retention clock's now
    // Sweeps every sweep_every: the timer on `timers`, the work posted to `work` (the REST writes' pool).
    void start(boost::asio::io_context& timers, boost::asio::any_io_executor work);
    void stop();  // before `timers` goes

    // Whether a meeting closed at `closed_at` (ISO 8601 UTC, "2026-12-04T10:15:00Z") is past `months` calendar
    // months at `now` (a day past the end of the later month counts as its last day). False when `months` is 0 or
    // `closed_at` does not read.
    static bool expired(std::string_view closed_at, unsigned months, std::chrono::system_clock::time_point now);

private:
    bool purge(const meeting_info& info, unsigned months, std::uint64_t sequence, const std::string& closed_at);
    void arm();

    store& db_;
    catalog& catalog_;
    room_registry& rooms_;
    records::bra_queue& queue_;
    limits limits_;
    options opts_;
    auth::audit_log audit_;
    std::unique_ptr<boost::asio::steady_timer> timer_;
    boost::asio::any_io_executor work_;
};

}  // namespace est::server
