#pragma once
// Ends the live connections of sessions that end: at once when a session is signed out, rotated, reset or its
// account disabled (the session table's and the account directory's events), and every `every` for sessions
// that expire. An open connection counts as activity: each check touches its session's idle clock.
// Closes with 4003 and a reason of `signed_out`, `expired`, `account_disabled` or `access_changed`.
#include <chrono>
#include <cstddef>
#include <memory>

#include <boost/asio/io_context.hpp>
#include <boost/asio/steady_timer.hpp>

namespace est::server {
class connection_tracker;
}

namespace est::server::auth {

class auth_service;

class session_watch {
public:
    session_watch(auth_service& auth, connection_tracker& connections, boost::asio::io_context& io,
                  std::chrono::seconds every = std::chrono::seconds(60));
    ~session_watch();
    session_watch(const session_watch&) = delete;
    session_watch& operator=(const session_watch&) = delete;

    void start();
    void stop();
    // One round: sweeps expired sessions and closes connections whose session is no longer live.
    void check_now();

private:
    void arm();

    auth_service& auth_;
    connection_tracker& connections_;
    boost::asio::steady_timer timer_;
    std::chrono::seconds every_;
    std::size_t session_listener_ = 0;
    std::size_t account_listener_ = 0;
    bool running_ = false;
};

}  // namespace est::server::auth
