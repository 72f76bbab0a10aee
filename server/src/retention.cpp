#include "est/server/retention.hpp"

#include <algorithm>
#include <cstdio>
#include <ctime>
#include <future>
#include <optional>
#include <stdexcept>

#include <boost/asio/post.hpp>
#include <nlohmann/json.hpp>

#include "est/meeting_phase.hpp"
#include "est/server/catalog.hpp"
#include "est/server/error_log.hpp"
#include "est/server/records/bra_queue.hpp"
#include "est/server/room_registry.hpp"
#include "est/server/store.hpp"

namespace est::server {

using json = nlohmann::json;

namespace {
// A meeting as the store holds it: its snapshot and every op after it. Blocking; throws on a storage failure.
std::optional<loaded_meeting> load(store& db, const std::string& id) {
    std::promise<std::pair<std::optional<loaded_meeting>, std::string>> p;
    db.load_meeting(id, 0, 0, {}, [&](std::optional<loaded_meeting> lm, const std::string& error) {
        p.set_value({std::move(lm), error});
    });
    auto [lm, error] = p.get_future().get();
    if (!error.empty()) throw std::runtime_error(error);
    return std::move(lm);
}

// Waits for one write; throws with its error.
void wait_durable(const std::function<void(store::completion)>& write) {
    std::promise<std::string> p;
    write([&](const std::string& error) { p.set_value(error); });
    if (const std::string error = p.get_future().get(); !error.empty()) throw std::runtime_error(error);
}
}  // namespace

retention::retention(store& db, catalog& cat, room_registry& rooms, records::bra_queue& queue, limits lim, options o)
    : db_(db), catalog_(cat), rooms_(rooms), queue_(queue), limits_(lim), opts_(o), audit_(db, auth::system_clock_fn()) {}

retention::~retention() { stop(); }

std::size_t retention::compact_closed_before() {
    if (!opts_.compact_closed) return 0;
    std::size_t compacted = 0;
    for (const auto& id : db_.closed_with_ops()) {
        try {
            const auto info = catalog_.find_meeting(id);
            const auto grp = info ? catalog_.find_group(info->group_id) : std::nullopt;
            const auto lm = grp ? load(db_, id) : std::nullopt;
            if (!lm) throw std::runtime_error("the meeting is not in the catalog or the store");
            const meeting_state state = room_registry::state_of(*info, *grp, *lm, limits_);
            if (state.lifecycle().phase() != meeting_phase::closed) throw std::runtime_error("its op log does not end closed");
            wait_durable([&](store::completion done) { db_.compact_closed(id, state.rev(), state.snapshot().dump(), std::move(done)); });
            ++compacted;
        } catch (const std::exception& e) {
            // Left as it is (the triggers keep it closed) and tried again at the next start.
            log_error({{"where", "compact"}, {"meeting", id}, {"detail", e.what()}});
        }
    }
    // Those op logs were written, and pages freed, before secure_delete was on (an older version, or compaction off):
    // free space may still hold deleted text. Rebuilding the file leaves none.
    if (compacted) db_.vacuum();
    return compacted;
}

std::size_t retention::sweep() { return sweep(std::chrono::system_clock::now() + opts_.clock_offset); }

std::size_t retention::sweep(std::chrono::system_clock::time_point now) {
    std::size_t purged = 0;
    for (const auto& g : catalog_.groups()) {
        if (!g.retention_months) continue;
        for (const auto& link : catalog_.chain_of(g.id)) {
            const auto info = catalog_.find_meeting(link.meeting_id);
            if (!info || !info->purged_at.empty()) continue;
            const json statement = json::parse(link.record.value("statement", ""), nullptr, false);
            const std::string closed_at = statement.is_object() ? statement.value("closed_at", "") : std::string();
            if (expired(closed_at, g.retention_months, now) && purge(*info, g.retention_months, link.sequence, closed_at))
                ++purged;
        }
    }
    return purged;
}

bool retention::purge(const meeting_info& info, unsigned months, std::uint64_t sequence, const std::string& closed_at) {
    try {
        const auto grp = catalog_.find_group(info.group_id);
        const auto lm = grp ? load(db_, info.id) : std::nullopt;
        if (!lm) throw std::runtime_error("the meeting is not in the catalog or the store");
        if (lm->purged) return false;
        // What stays of it besides its row and closing: the decision items it sent to the BRÅ queue.
        const json sent = records::bra_queue::sent_to_bra(room_registry::state_of(info, *grp, *lm, limits_).document());
        meeting_info purged = info;
        purged.purged_at = auth::iso_utc(std::chrono::system_clock::now());
        // Listed as purged first, so no room loads it while its rows go; a room already loaded ends.
        catalog_.mark_purged(info.id, purged.purged_at);
        rooms_.drop(info.id, room_registry::purged_message(purged));
        try {
            const json kept = {{"bra_items", sent}};
            wait_durable([&](store::completion done) {
                db_.purge_meeting({info.id, purged.purged_at, kept.dump()}, std::move(done));
            });
        } catch (const std::exception&) {
            catalog_.mark_purged(info.id, {});
            throw;
        }
        queue_.keep_purged(info.id, sent);
        audit_.record_durable("server", "server", auth::audit_action::meeting_purged, info.id,
                              {{"group", info.group_id}, {"sequence", sequence}, {"closed_at", closed_at},
                               {"retention_months", months}, {"bra_items_kept", sent.size()}});
        return true;
    } catch (const std::exception& e) {
        log_error({{"where", "purge"}, {"meeting", info.id}, {"detail", e.what()}});
        return false;
    }
}

void retention::start(boost::asio::io_context& timers, boost::asio::any_io_executor work) {
    timer_ = std::make_unique<boost::asio::steady_timer>(timers);
    work_ = std::move(work);
    arm();
}

void retention::stop() { timer_.reset(); }

void retention::arm() {
    timer_->expires_after(opts_.sweep_every);
    timer_->async_wait([this, ex = timer_->get_executor()](boost::system::error_code ec) {
        if (ec) return;
        // The sweep blocks on the store: on the writes' pool, never on the I/O thread the timer runs on.
        boost::asio::post(work_, [this, ex] {
            sweep();
            boost::asio::post(ex, [this] {
                if (timer_) arm();
            });
        });
    });
}

bool retention::expired(std::string_view closed_at, unsigned months, std::chrono::system_clock::time_point now) {
    int y = 0, mo = 0, d = 0, h = 0, mi = 0, s = 0;
    if (months == 0 || std::sscanf(std::string(closed_at).c_str(), "%4d-%2d-%2dT%2d:%2d:%2d", &y, &mo, &d, &h, &mi, &s) != 6 ||
        mo < 1 || mo > 12 || d < 1 || d > 31)
        return false;
    const int month_index = mo - 1 + static_cast<int>(months);
    y += month_index / 12;
    mo = month_index % 12 + 1;
    static constexpr int days_in[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
    const bool leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
    d = std::min(d, days_in[mo - 1] + (mo == 2 && leap ? 1 : 0));
    std::tm until{};
    until.tm_year = y - 1900;
    until.tm_mon = mo - 1;
    until.tm_mday = d;
    until.tm_hour = h;
    until.tm_min = mi;
    until.tm_sec = s;
    return std::chrono::system_clock::to_time_t(now) >= ::timegm(&until);
}

}  // namespace est::server
