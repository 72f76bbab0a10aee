#pragma once
// Signed-in sessions. The token (256 random bits) goes to the browser once; only its SHA-256 is kept, in memory
// and in the store. A session ends at its absolute expiry, after `idle` without use, when signed out (here or
// everywhere), when its account is disabled or its password reset, and when replaced at sign-in (rotation).
// Whoever holds connections of a session learns of its end through subscribe() (or by watching generation()).
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <map>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "est/server/auth/auth_clock.hpp"

namespace est::server {
class store;
}

namespace est::server::auth {

struct session_options {
    std::chrono::seconds absolute{std::chrono::hours(10)};  // a working day
    std::chrono::seconds idle{std::chrono::hours(2)};
    // last_seen is written to the store at most this often per session (a restart may end a session up to this
    // much early, never late).
    std::chrono::seconds touch_every{std::chrono::minutes(5)};
};

enum class session_end : std::uint8_t {
    signed_out,             // Logga ut
    signed_out_everywhere,  // Logga ut överallt
    expired,                // absolute or idle expiry
    rotated,                // replaced by a new sign-in from the same browser
    account_disabled,
    password_reset,
    revoked,                // ended by an administrator
};
std::string_view to_string(session_end why) noexcept;

struct session_info {
    std::string id;  // public handle ("s-" + 16 hex digits): lists, logs, ending one from elsewhere
    std::string account_id;
    time_point created_at;
    time_point last_seen;
    time_point expires_at;  // absolute
};

struct new_session {
    std::string token;  // for the cookie; never stored
    session_info info;
};

class session_table {
public:
    using ended_listener = std::function<void(const session_info&, session_end)>;

    session_table(store& db, clock_fn now, session_options o = {});

    void load();  // the sessions in the store that have not expired

    // A new session for the account; blocks until durable. Throws domain_error("storage_failed").
    new_session create(std::string_view account_id);
    // The session of `token` if it is live: its idle timer restarts. nullopt for a malformed, unknown or expired
    // token (an expired one ends, and listeners hear it).
    std::optional<session_info> validate(std::string_view token);
    std::optional<std::string> account_of(std::string_view token);  // validate(), the account id only

    // End sessions: blocks until the store has forgotten them; listeners are told first (at once).
    bool end(std::string_view token, session_end why);
    bool end_by_id(std::string_view id, session_end why);
    std::size_t end_all_of(std::string_view account_id, session_end why);
    // Ends every expired session (listeners hear each); the store forgets them asynchronously. For a timer.
    std::size_t sweep();

    std::vector<session_info> sessions_of(std::string_view account_id) const;
    std::size_t size() const;
    // Rises by one for every session that ends: a cheap "has anything ended since" check.
    std::uint64_t generation() const;

    // `l` runs on the thread that ended the session, outside the table's lock: post to your own.
    std::size_t subscribe(ended_listener l);
    void unsubscribe(std::size_t token);

    const session_options& options() const noexcept { return o_; }

private:
    struct entry {
        session_info info;
        time_point persisted_seen;  // last_seen as the store has it
    };
    bool expired(const entry& e, time_point now) const;
    void announce(const std::vector<session_info>& ended, session_end why);

    store& db_;
    clock_fn now_;
    session_options o_;
    mutable std::mutex mutex_;
    std::map<std::string, entry, std::less<>> by_hash_;
    std::map<std::size_t, ended_listener> listeners_;
    std::size_t next_listener_ = 1;
    std::uint64_t generation_ = 0;
};

}  // namespace est::server::auth
