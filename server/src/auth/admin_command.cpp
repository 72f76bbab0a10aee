#include "est/server/auth/admin_command.hpp"

#include <iostream>
#include <system_error>

#include <termios.h>
#include <unistd.h>

#include "est/error.hpp"
#include "est/server/auth/audit_log.hpp"
#include "est/server/auth/auth_service.hpp"
#include "est/server/records/keys_command.hpp"
#include "est/server/store.hpp"

namespace est::server::auth {

namespace {
std::optional<std::string> read_line(std::istream& in) {
    std::string line;
    if (!std::getline(in, line) && line.empty()) return std::nullopt;
    if (!line.empty() && line.back() == '\r') line.pop_back();
    return line;
}

// One line from the terminal with echo off (restored however the read ends).
std::optional<std::string> prompt_hidden(const char* prompt, std::ostream& err) {
    err << prompt << std::flush;
    termios old {};
    const bool tty = ::tcgetattr(STDIN_FILENO, &old) == 0;
    if (tty) {
        termios quiet = old;
        quiet.c_lflag &= ~static_cast<tcflag_t>(ECHO);
        quiet.c_lflag |= ECHONL;
        ::tcsetattr(STDIN_FILENO, TCSAFLUSH, &quiet);
    }
    auto line = read_line(std::cin);
    if (tty) ::tcsetattr(STDIN_FILENO, TCSAFLUSH, &old);
    return line;
}

std::filesystem::path database_in(const std::filesystem::path& dir) { return dir / "est.sqlite3"; }

// As the server makes it: created if missing, readable by the server's user only.
void make_private_folder(const std::filesystem::path& dir) {
    std::filesystem::create_directories(dir);
    std::filesystem::permissions(dir, std::filesystem::perms::owner_all, std::filesystem::perm_options::replace);
}

int create_user(const admin_command& c, std::ostream& out, std::ostream& err, const password_reader& read_password) {
    // Checked before asking for a password, so a typo costs no typing.
    std::string email;
    try {
        email = account_directory::normalise_email(c.email);
        account_directory::normalise_name(c.name);
    } catch (const domain_error& e) {
        err << "est-server: " << e.what() << '\n';
        return 2;
    }
    make_private_folder(c.data_dir);
    store db(database_in(c.data_dir), true);
    auth_service auth(db, {});
    auth.load();
    if (auth.accounts().find_by_email(email)) {
        err << "est-server: an account with the e-mail address " << email << " exists\n";
        return 2;
    }
    auto password = read_password(err);
    if (!password) {
        err << "est-server: no password given (or the two did not match)\n";
        return 2;
    }
    try {
        const auto a = auth.create_account({"", "local"}, email, c.name, *password, c.is_admin);
        out << "created " << (a.is_admin ? "administrator " : "account ") << a.id << " <" << a.email << ">\n";
        return 0;
    } catch (const domain_error& e) {
        err << "est-server: " << e.what() << (e.code() == "storage_failed" ? "" : " (" + e.code() + ")") << '\n';
        return e.code() == "storage_failed" ? 1 : 2;
    }
}

int audit_verify(const admin_command& c, std::ostream& out, std::ostream& err) {
    const auto file = database_in(c.data_dir);
    std::error_code ec;
    if (!std::filesystem::is_regular_file(file, ec)) {
        err << "est-server: there is no database at " << file.string() << '\n';
        return 1;
    }
    store db(file, true);
    const auto v = audit_log(db, system_clock_fn()).verify();
    if (v.ok) {
        out << "ok, " << v.rows << " rows";
        if (!v.last_hash.empty()) out << ", last hash " << v.last_hash;
        out << '\n';
        return 0;
    }
    out << "bad row " << v.first_bad << ": " << v.problem << '\n';
    return 1;
}
}  // namespace

password_reader stdin_password_reader() {
    return [](std::ostream& err) -> std::optional<std::string> {
        if (!::isatty(STDIN_FILENO)) return read_line(std::cin);
        auto first = prompt_hidden("Lösenord (minst 12 tecken): ", err);
        if (!first) return std::nullopt;
        auto second = prompt_hidden("Upprepa lösenordet: ", err);
        if (!second || *second != *first) return std::nullopt;
        return first;
    };
}

int run_admin_command(const admin_command& c, std::ostream& out, std::ostream& err, const password_reader& read_password) {
    try {
        switch (c.what) {
        case admin_command::kind::create_user: return create_user(c, out, err, read_password);
        case admin_command::kind::audit_verify: return audit_verify(c, out, err);
        case admin_command::kind::keys: return records::run_keys_command(c.data_dir, c.rotate, out, err);
        }
    } catch (const std::exception& e) {
        err << "est-server: " << e.what() << '\n';
    }
    return 1;
}

}  // namespace est::server::auth
