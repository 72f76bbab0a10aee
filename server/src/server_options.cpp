#include "est/server/server_options.hpp"

#include <iostream>

#include <CLI/CLI.hpp>

namespace est::server {

std::variant<server_options, int, auth::admin_command> parse_server_options(int argc, const char* const* argv) {
    server_options o;
    CLI::App app{"est-server: live shared EST meetings (lägesbild) over WebSocket, durable in SQLite"};
    app.option_defaults()->always_capture_default()->multi_option_policy(CLI::MultiOptionPolicy::TakeLast);
    app.add_option("--port", o.port, "TCP port for HTTP and WebSocket; 0 picks a free one");
    app.add_option("--bind", o.bind, "address to listen on");
    app.add_option("--data", o.data_dir, "folder for the SQLite database (created if missing)");
    app.add_option("--web-root", o.web_root, "folder of the web client to serve (client/web/dist)");
    app.add_option("--template", o.template_file, "meeting template for new meetings (JSON)")->check(CLI::ExistingFile);
    app.add_option("--export-template", o.export_template,
                   "Mustache template of a picture's HTML export (default: templates/export/lagesbild.html.mustache "
                   "as built in)")
        ->check(CLI::ExistingFile);
    app.add_option("--demo", o.demo_file, "seed file with a demo group and meeting, used when the database has no group")
        ->check(CLI::ExistingFile);
    app.add_option("--threads", o.threads, "I/O threads")->check(CLI::Range(1u, 64u));
    std::string sync = "full";
    app.add_option("--sync", sync, "SQLite synchronous mode: full (durable on power loss) or normal (durable on crash)")
        ->check(CLI::IsMember({"full", "normal"}));
    std::int64_t commit_us = o.commit_interval.count();
    app.add_option("--commit-interval-us", commit_us,
                   "least time between two commits, in microseconds: changes arriving meanwhile share one commit "
                   "(fewer fsyncs under load, at most this much added latency)")
        ->check(CLI::Range(std::int64_t{0}, std::int64_t{100000}));
    auto& l = o.limits;
    app.add_option("--max-message-bytes", l.max_message_bytes, "largest WebSocket message accepted");
    app.add_option("--max-field-length", l.max_field_length, "most characters (UTF-16 units) in one text field");
    app.add_option("--max-meeting-text", l.max_meeting_text, "most characters in all fields of one meeting");
    app.add_option("--max-meeting-bytes", l.max_meeting_bytes,
                   "most bytes one meeting may take encoded (its picture as JSON, removed entries, clients' sequence records)")
        ->check(CLI::Range(std::size_t{1024}, std::size_t{1} << 30));
    app.add_option("--max-entries-per-cell", l.max_entries_per_cell, "most entries in one cell");
    app.add_option("--max-items-per-topic", l.max_items_per_topic, "most decision items proposed from one topic");
    app.add_option("--max-participants", l.max_participants, "most connections in one meeting");
    app.add_option("--history-window", l.history_window, "operations kept in memory for merging and catch-up");
    app.add_option("--history-bytes", l.history_bytes,
                   "memory for those operations per meeting, for merging and for catch-up each (the older are dropped)");
    app.add_option("--snapshot-every", l.snapshot_every, "operations between snapshots of a meeting");
    app.add_option("--max-outgoing-messages", l.max_outgoing_messages, "messages queued for a slow connection before it is closed");
    app.add_option("--max-outgoing-bytes", l.max_outgoing_bytes, "bytes queued for a slow connection before it is closed");
    app.add_option("--max-http-body", o.max_http_body, "largest HTTP request body");
    app.add_option("--max-messages-per-second", o.max_messages_per_second,
                   "messages one WebSocket connection may send per second (bursts of twice that)")
        ->check(CLI::Range(1.0, 1e9));
    app.add_option("--max-connections-per-address", o.max_connections_per_address,
                   "open TCP connections from one IP address (behind a proxy all share one); 0 for no limit");
    app.add_option("--max-connections", o.max_connections,
                   "open TCP connections in all; 0 derives it from the open-file limit less a reserve. At the limit "
                   "the oldest connection that has not yet sent a whole request is closed to make room");
    app.add_option("--max-creations-per-minute", o.max_creations_per_minute,
                   "groups and meetings one IP address may create per minute (past the burst: 429 rate_limited); "
                   "0 for no limit")
        ->check(CLI::Range(0.0, 1e9));
    app.add_option("--creation-burst", o.creation_burst, "groups and meetings one IP address may create at once")
        ->check(CLI::Range(1.0, 1e9));
    app.add_option("--max-moves-per-minute", o.max_moves_per_minute,
                   "lifecycle moves (lock, unlock, sign, close) one account may make per minute (past the burst: "
                   "429 rate_limited); 0 for no limit")
        ->check(CLI::Range(0.0, 1e9));
    app.add_option("--bra-stale-weeks", o.bra_stale_weeks,
                   "weeks after which an approved BRÅ item without a follow-up shows as not updated (0: never)")
        ->check(CLI::Range(0u, 520u));
    app.add_option("--move-burst", o.move_burst, "lifecycle moves one account may make at once")
        ->check(CLI::Range(1.0, 1e9));
    app.add_option("--max-exports-per-address", o.max_exports_per_address,
                   "exports one IP address may have under way at once (past it: 429 busy); 0 for no limit");
    app.add_option("--export-cache-bytes", o.export_cache_bytes,
                   "memory for rendered exports, served again while their meeting is unchanged; 0 renders every "
                   "export anew");
    app.add_flag("--compact-closed,!--no-compact-closed", o.compact_closed,
                 "once a meeting is closed, replace its op log by the signed picture, so text typed and deleted during "
                 "the meeting is not left in the database (--no-compact-closed keeps the op log)");
    // Hidden (no group): for the retention tests, which cannot wait months. Documented in docs/records.md.
    app.add_option("--retention-clock-offset-days", o.retention_clock_offset_days,
                   "tests only: run the retention clock this many days ahead")
        ->check(CLI::Range(0u, 36500u))
        ->group("");
    int http_timeout = static_cast<int>(o.http_timeout.count()), idle = static_cast<int>(o.ws_idle_timeout.count());
    int message_timeout = static_cast<int>(o.ws_message_timeout.count());
    int join_timeout = static_cast<int>(o.join_timeout.count());
    app.add_option("--join-timeout", join_timeout, "seconds a WebSocket may stay open without joining a meeting (then closed, 4002)")
        ->check(CLI::Range(1, 3600));
    int room_idle = static_cast<int>(o.room_idle.count());
    app.add_option("--room-idle-seconds", room_idle,
                   "seconds a meeting nobody is in stays in memory; the next join loads it again from the database")
        ->check(CLI::Range(0, 86400));
    app.add_option("--ws-message-timeout", message_timeout, "seconds a WebSocket message may take to arrive once begun")
        ->check(CLI::Range(1, 3600));
    app.add_option("--http-timeout", http_timeout, "seconds to receive an HTTP request, and to answer one (an export included)")->check(CLI::Range(1, 3600));
    app.add_option("--ws-idle-timeout", idle, "seconds a WebSocket may receive nothing (not even a pong) before it is closed; it is pinged at half that")
        ->check(CLI::Range(1, 3600));
    app.add_flag("--open-access", o.open_access,
                 "no accounts: anyone who reaches the port may do anything, and a join says who it is. For development, "
                 "benchmarks and protocol tools only; refused unless --bind is a loopback address");
    app.add_option("--allowed-host", o.allowed_hosts,
                   "a DNS name this server answers to in the Host header, besides IP addresses and localhost (repeatable)")
        ->multi_option_policy(CLI::MultiOptionPolicy::TakeAll);
    app.add_option("--allowed-origin", o.allowed_origins,
                   "an origin besides the server's own whose pages may write and open WebSockets, e.g. "
                   "https://est.sala.se (repeatable)")
        ->multi_option_policy(CLI::MultiOptionPolicy::TakeAll);
    app.add_option("--trusted-proxy", o.trusted_proxies,
                   "IP address of a reverse proxy whose X-Forwarded-For names the client (repeatable)")
        ->multi_option_policy(CLI::MultiOptionPolicy::TakeAll);
    app.add_option("--tls-cert", o.tls_cert,
                   "PEM certificate chain (server certificate first): the port then speaks HTTPS and WSS only; with "
                   "--tls-key");
    app.add_option("--tls-key", o.tls_key, "PEM private key of --tls-cert");
    int session_minutes = static_cast<int>(o.session_lifetime.count()), idle_minutes = static_cast<int>(o.session_idle.count());
    int invitation_hours = static_cast<int>(o.invitation_lifetime.count());
    app.add_option("--session-minutes", session_minutes, "minutes a session lasts from sign-in")->check(CLI::Range(1, 7 * 24 * 60));
    app.add_option("--session-idle-minutes", idle_minutes,
                   "minutes a session lasts without a request (an open meeting connection counts as one)")
        ->check(CLI::Range(1, 7 * 24 * 60));
    app.add_option("--invitation-hours", invitation_hours, "hours an invitation or password-reset link stays valid")
        ->check(CLI::Range(1, 90 * 24));
    // Administration on the server's own machine (see auth/admin_command.hpp): never a password in argv.
    auth::admin_command admin_cmd;
    auto* admin = app.add_subcommand("admin", "manage accounts in --data's database (on the server's machine)");
    admin->require_subcommand(1);
    auto* create_user = admin->add_subcommand(
        "create-user", "create an account; the password is read from stdin, or prompted for twice on a terminal");
    create_user->add_option("--email", admin_cmd.email, "the account's e-mail address")->required();
    create_user->add_option("--name", admin_cmd.name, "the name shown for the account")->required();
    create_user->add_flag("--admin", admin_cmd.is_admin, "make the account an administrator");
    auto* create_user_data =
        create_user->add_option("--data", admin_cmd.data_dir, "folder of the SQLite database (created if missing)");
    auto* audit = app.add_subcommand("audit", "check the audit log");
    audit->require_subcommand(1);
    auto* audit_verify = audit->add_subcommand("verify", "walk the audit log's hash chain: exit 0 if intact, 1 naming "
                                                         "the first bad row");
    auto* audit_verify_data = audit_verify->add_option("--data", admin_cmd.data_dir, "folder of the SQLite database");
    auto* keys = app.add_subcommand("keys", "print the server's signing keys as allowed_signers lines for ssh-keygen -Y "
                                            "verify (docs/records.md); the first key is made if there is none");
    auto* keys_data = keys->add_option("--data", admin_cmd.data_dir, "folder of the keys (its keys/ subfolder)");
    keys->add_flag("--rotate", admin_cmd.rotate, "make a new current signing key first; the old ones stay for verifying");
    try {
        app.parse(argc, argv);
    } catch (const CLI::ParseError& e) {
        return app.exit(e) == 0 ? 0 : 2;
    }
    if (create_user->parsed() || audit_verify->parsed() || keys->parsed()) {
        admin_cmd.what = create_user->parsed()    ? auth::admin_command::kind::create_user
                         : audit_verify->parsed() ? auth::admin_command::kind::audit_verify
                                                  : auth::admin_command::kind::keys;
        // `est-server --data DIR admin ...` means the same folder as `est-server admin ... --data DIR`.
        if (create_user_data->count() == 0 && audit_verify_data->count() == 0 && keys_data->count() == 0)
            admin_cmd.data_dir = o.data_dir;
        return admin_cmd;
    }
    if (o.tls_cert.empty() != o.tls_key.empty()) {
        std::cerr << "est-server: --tls-cert and --tls-key go together: give both (TLS) or neither (plain HTTP, or TLS "
                     "ended by a proxy in front)\n";
        return 2;
    }
    o.full_sync = sync == "full";
    o.commit_interval = std::chrono::microseconds(commit_us);
    o.http_timeout = std::chrono::seconds(http_timeout);
    o.ws_idle_timeout = std::chrono::seconds(idle);
    o.ws_message_timeout = std::chrono::seconds(message_timeout);
    o.join_timeout = std::chrono::seconds(join_timeout);
    o.room_idle = std::chrono::seconds(room_idle);
    o.session_lifetime = std::chrono::minutes(session_minutes);
    o.session_idle = std::chrono::minutes(idle_minutes);
    o.invitation_lifetime = std::chrono::hours(invitation_hours);
    return o;
}

}  // namespace est::server
