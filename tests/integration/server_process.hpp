#pragma once
// Starts the real est-server on port 0 in a fresh data folder and waits for its "listening on" line.
#include <string>
#include <vector>

#include <sys/resource.h>
#include <sys/types.h>

#include "est/client/meeting_client.hpp"

namespace est::test {

class temp_dir {
public:
    temp_dir();
    ~temp_dir();
    const std::string& path() const { return path_; }

private:
    std::string path_;
};

// How the server's process is set up besides its arguments.
struct process_setup {
    rlim_t open_files = 0;  // RLIMIT_NOFILE, soft and hard, of the server; 0 leaves it as the test's
    bool accounts = false;  // false: --open-access (no accounts; a join says who it is)
    // When set, the server's standard error goes to this file (created or emptied): what it printed before its
    // ready line is there once the constructor returns.
    std::string stderr_file;
};

class server_process {
public:
    // Starts est-server with --data `data_dir` plus `extra` arguments; blocks until it is listening.
    explicit server_process(const std::string& data_dir, std::vector<std::string> extra = {}, process_setup setup = {});
    ~server_process();
    server_process(const server_process&) = delete;
    server_process& operator=(const server_process&) = delete;

    const std::string& host() const { return host_; }
    const std::string& port() const { return port_; }
    // SIGTERM and wait; returns the exit status.
    int terminate();
    // SIGKILL and wait: a crash.
    void kill9();
    bool running() const { return pid_ > 0; }
    pid_t pid() const { return pid_; }
    // Resident memory of the server process, from /proc.
    std::size_t rss_bytes() const;

private:
    pid_t pid_ = -1;
    std::string host_ = "127.0.0.1";
    std::string port_;
};

// Creates a group with the given organisations and one meeting in it, opened by its chair (--open-access);
// returns the meeting id.
std::string create_meeting(const server_process& s, const std::vector<std::string>& orgs);

// Options for a meeting_client of this server.
client::meeting_client::options client_options(const server_process& s, const std::string& meeting, identity who,
                                               bool reconnect = true);

// A WebSocket path whose meeting hint puts the connection on another I/O thread than `meeting`'s room
// (the server shards by std::hash of the id, modulo --threads).
std::string ws_path_on_other_thread(const std::string& meeting, std::size_t threads);

}  // namespace est::test
