#pragma once
// est-server's administration on the server's own machine: `admin create-user`, `audit verify` and `keys`
// (records/keys_command.hpp). The first two open the database in --data directly (the store; a running server may
// have it open too: SQLite's locks keep them apart, and the running server sees a new account after a restart).
#include <cstdint>
#include <filesystem>
#include <functional>
#include <iosfwd>
#include <optional>
#include <string>

namespace est::server::auth {

struct admin_command {
    enum class kind : std::uint8_t { create_user, audit_verify, keys };
    kind what = kind::create_user;
    std::filesystem::path data_dir = "data";
    std::string email;  // create_user
    std::string name;
    bool is_admin = false;
    bool rotate = false;  // keys: make a new current signing key first
};

// Reads a new password: from `in` (one line) when standard input is not a terminal, else prompting twice on the
// terminal with echo off. nullopt when none came (end of input, or the two differ).
using password_reader = std::function<std::optional<std::string>(std::ostream& err)>;
password_reader stdin_password_reader();

// Runs the command; returns the process's exit code (0 done; 1 failed, e.g. a bad audit chain; 2 bad input).
// `out` gets the one-line result, `err` the problem.
int run_admin_command(const admin_command& c, std::ostream& out, std::ostream& err,
                      const password_reader& read_password = stdin_password_reader());

}  // namespace est::server::auth
