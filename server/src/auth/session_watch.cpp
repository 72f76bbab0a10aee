#include "est/server/auth/session_watch.hpp"

#include "est/server/auth/auth_service.hpp"
#include "est/server/server_context.hpp"

namespace est::server::auth {

namespace {
// What the client is told: whether signing in again helps, not the server's bookkeeping.
std::string reason_for(session_end why) {
    switch (why) {
        case session_end::expired: return "expired";
        case session_end::account_disabled: return "account_disabled";
        default: return "signed_out";
    }
}
}  // namespace

session_watch::session_watch(auth_service& auth, connection_tracker& connections, boost::asio::io_context& io,
                             std::chrono::seconds every)
    : auth_(auth), connections_(connections), timer_(io), every_(every) {}

session_watch::~session_watch() { stop(); }

void session_watch::start() {
    if (running_) return;
    running_ = true;
    session_listener_ = auth_.sessions().subscribe([this](const session_info& s, session_end why) {
        const std::string reason = reason_for(why);
        connections_.for_each([&](room_member& c) {
            if (const auto* o = c.owner(); o && o->session_id == s.id) c.close_with(close_session_ended, reason);
        });
    });
    account_listener_ = auth_.accounts().subscribe([this](const account& a) {
        connections_.for_each([&](room_member& c) {
            if (const auto* o = c.owner(); o && o->account_id == a.id) c.access_changed();
        });
    });
    arm();
}

void session_watch::stop() {
    if (!running_) return;
    running_ = false;
    auth_.sessions().unsubscribe(session_listener_);
    auth_.accounts().unsubscribe(account_listener_);
    timer_.cancel();
}

void session_watch::check_now() {
    auth_.sessions().sweep();
    // authenticate() touches a live session's idle clock, and ends one whose account is disabled.
    connections_.for_each([&](room_member& c) {
        const auto* o = c.owner();
        if (o && !auth_.authenticate(o->token)) c.close_with(close_session_ended, "expired");
    });
}

void session_watch::arm() {
    timer_.expires_after(every_);
    timer_.async_wait([this](boost::system::error_code ec) {
        if (ec || !running_) return;
        check_now();
        arm();
    });
}

}  // namespace est::server::auth
