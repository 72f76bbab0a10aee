#pragma once
#include <chrono>
#include <cstdint>
#include <filesystem>
#include <string>
#include <variant>
#include <vector>

#include "est/limits.hpp"
#include "est/server/auth/admin_command.hpp"

namespace est::server {

struct server_options {
    std::string bind = "127.0.0.1";
    std::uint16_t port = 8080;
    std::filesystem::path data_dir = "data";
    std::filesystem::path web_root;
    std::filesystem::path template_file = "templates/est-biweekly.json";
    std::filesystem::path export_template;  // HTML export's Mustache template; empty: the built-in one
    std::filesystem::path demo_file;  // seeds a demo group when the database has none
    unsigned threads = 2;
    bool full_sync = true;
    // Group commit: at most one commit per interval; what arrives meanwhile shares the next one.
    std::chrono::microseconds commit_interval{10000};
    std::size_t max_http_body = 64 * 1024;
    std::chrono::seconds http_timeout{30};
    std::chrono::seconds ws_idle_timeout{60};
    std::chrono::seconds room_idle{300};  // a room nobody is in is unloaded after this long
    std::chrono::seconds ws_message_timeout{10};  // from a message's first payload byte to its last
    std::chrono::seconds join_timeout{10};        // a WebSocket that has not joined by then is closed (4002)
    double max_messages_per_second = 100;         // per WebSocket connection, with a burst of twice that
    std::size_t max_connections_per_address = 256;
    // Open TCP connections in all; 0: derived from the descriptor limit (RLIMIT_NOFILE, raised to its hard
    // limit at start) less a reserve for SQLite, files and threads. Past it, the oldest connection that has not
    // yet sent a whole request is closed to make room.
    std::size_t max_connections = 0;
    double max_creations_per_minute = 20;  // groups and meetings created per client address (token bucket)
    double creation_burst = 20;            // ... at once
    double max_moves_per_minute = 60;      // lifecycle moves (lock, sign, close…) per account (token bucket)
    double move_burst = 30;                // ... at once
    unsigned bra_stale_weeks = 6;          // an approved item's follow-up older than this shows "inte uppdaterad"
    unsigned max_exports_per_address = 2;  // exports under way per client address
    std::size_t export_cache_bytes = 64u << 20;  // rendered exports kept for unchanged revisions
    // Compaction (docs/records.md): a closed meeting's op log is replaced by its picture at the closing, so text
    // typed and deleted during the meeting leaves the database. --no-compact-closed keeps op logs.
    bool compact_closed = true;
    // Tests only (hidden): the retention clock runs this many days ahead, so a purge can be tested without waiting.
    unsigned retention_clock_offset_days = 0;
    est::limits limits;

    // Access (docs/protocol.md, "Accounts and access").
    // No accounts: REST answers anyone and a join says who it is. For development, benchmarks and protocol tools;
    // only with a loopback --bind.
    bool open_access = false;
    std::vector<std::string> allowed_hosts;    // Host names besides IP addresses and localhost (DNS rebinding)
    std::vector<std::string> allowed_origins;  // Origins besides the server's own ("https://est.sala.se")
    std::vector<std::string> trusted_proxies;  // peers whose X-Forwarded-For names the client
    std::chrono::minutes session_lifetime{10 * 60};  // absolute
    std::chrono::minutes session_idle{2 * 60};
    std::chrono::hours invitation_lifetime{7 * 24};

    // TLS on the port itself (docs/deployment.md): both or neither. The server reads them at start.
    std::filesystem::path tls_cert;  // PEM certificate chain, the server's certificate first
    std::filesystem::path tls_key;   // PEM private key of that certificate
    bool tls() const noexcept { return !tls_cert.empty(); }
};

// Parses the command line. Returns the options, an administration command (`admin create-user`, `audit verify`, `keys`:
// run it with auth::run_admin_command instead of serving), or the exit code when --help was shown or the
// command line was wrong (the message is already printed).
std::variant<server_options, int, auth::admin_command> parse_server_options(int argc, const char* const* argv);

}  // namespace est::server
