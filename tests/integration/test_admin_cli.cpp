// est-server's administration commands, run as the real binary: create-user with the password on stdin, then
// audit verify passes; a row changed through SQLite makes it fail, naming the row.
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include <fcntl.h>
#include <sys/wait.h>
#include <unistd.h>

#include <SQLiteCpp/SQLiteCpp.h>
#include <catch2/catch.hpp>

namespace {

struct run_result {
    int exit_code = -1;
    std::string out;
    std::string err;
};

std::string slurp(const std::filesystem::path& p) {
    std::ifstream in(p);
    std::stringstream s;
    s << in.rdbuf();
    return s.str();
}

// Runs est-server with `args`, `input` on its standard input (a pipe, so not a terminal).
run_result run_server(const std::vector<std::string>& args, const std::string& input, const std::filesystem::path& scratch) {
    const auto out_file = scratch / "stdout", err_file = scratch / "stderr";
    int in_pipe[2];
    REQUIRE(::pipe(in_pipe) == 0);
    const pid_t pid = ::fork();
    REQUIRE(pid >= 0);
    if (pid == 0) {
        ::dup2(in_pipe[0], STDIN_FILENO);
        ::close(in_pipe[0]);
        ::close(in_pipe[1]);
        const int o = ::open(out_file.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0600);
        const int e = ::open(err_file.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0600);
        ::dup2(o, STDOUT_FILENO);
        ::dup2(e, STDERR_FILENO);
        std::vector<char*> argv{const_cast<char*>(EST_SERVER_BIN)};
        for (const auto& a : args) argv.push_back(const_cast<char*>(a.c_str()));
        argv.push_back(nullptr);
        ::execv(EST_SERVER_BIN, argv.data());
        ::_exit(127);
    }
    ::close(in_pipe[0]);
    std::size_t written = 0;
    while (written < input.size()) {
        const auto n = ::write(in_pipe[1], input.data() + written, input.size() - written);
        if (n <= 0) break;
        written += static_cast<std::size_t>(n);
    }
    ::close(in_pipe[1]);
    int status = 0;
    REQUIRE(::waitpid(pid, &status, 0) == pid);
    run_result r;
    r.exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
    r.out = slurp(out_file);
    r.err = slurp(err_file);
    return r;
}

struct scratch_dir {
    std::filesystem::path dir;
    scratch_dir() {
        char tmpl[] = "/tmp/est-admin-cli-XXXXXX";
        REQUIRE(::mkdtemp(tmpl) != nullptr);
        dir = tmpl;
    }
    ~scratch_dir() { std::filesystem::remove_all(dir); }
};

}  // namespace

TEST_CASE("est-server admin create-user reads the password from stdin, audit verify passes, then fails on a changed row") {
    scratch_dir s;
    const std::string data = (s.dir / "data").string();
    const std::string secret = "ett långt hemligt lösen";

    auto created = run_server({"admin", "create-user", "--email", "Admin@Fagersta.se", "--name", "Ada Admin", "--admin",
                               "--data", data},
                              secret + "\n", s.dir);
    INFO(created.err);
    REQUIRE(created.exit_code == 0);
    CHECK(created.out.find("administrator a-") != std::string::npos);
    CHECK(created.out.find("admin@fagersta.se") != std::string::npos);
    CHECK(created.out.find(secret) == std::string::npos);
    CHECK(created.err.find(secret) == std::string::npos);

    // The same address again is refused; a weak password too; neither adds an account.
    CHECK(run_server({"admin", "create-user", "--email", "admin@fagersta.se", "--name", "X", "--data", data}, secret + "\n",
                     s.dir)
              .exit_code == 2);
    const auto weak = run_server({"admin", "create-user", "--email", "b@fagersta.se", "--name", "B", "--data", data},
                                 "sommar2024\n", s.dir);
    CHECK(weak.exit_code == 2);
    CHECK(weak.err.find("12") != std::string::npos);
    CHECK(weak.err.find("sommar2024") == std::string::npos);
    const auto created_c = run_server({"admin", "create-user", "--email", "c@fagersta.se", "--name", "C", "--data", data},
                                      "ett annat långt lösen\n", s.dir);
    CHECK(created_c.exit_code == 0);

    const auto ok = run_server({"audit", "verify", "--data", data}, "", s.dir);
    INFO(ok.err);
    CHECK(ok.exit_code == 0);
    // The last row's hash, which the command that wrote the row also put in its log: a copy outside the database.
    const auto last = ok.out.substr(std::string("ok, 2 rows, last hash ").size(), 64);
    CHECK(ok.out == "ok, 2 rows, last hash " + last + "\n");
    CHECK(last.size() == 64);
    CHECK(created_c.err.find("est-server: audit seq=\"2\" action=\"account.create\" hash=\"" + last + "\"") != std::string::npos);

    {
        SQLite::Database raw(data + "/est.sqlite3", SQLite::OPEN_READWRITE);
        CHECK(raw.execAndGet("SELECT password_hash FROM accounts WHERE email = 'admin@fagersta.se'").getString().rfind(
                  "$argon2id$", 0) == 0);
        CHECK(raw.execAndGet("SELECT count(*) FROM accounts").getInt() == 2);
        // An UPDATE is refused by the database; someone with the file drops the guard first.
        CHECK_THROWS(raw.exec("UPDATE audit_log SET actor = 'a-0' WHERE seq = 1"));
        raw.exec("DROP TRIGGER audit_log_no_update");
        raw.exec("UPDATE audit_log SET address = '10.9.9.9' WHERE seq = 1");
    }
    const auto bad = run_server({"audit", "verify", "--data", data}, "", s.dir);
    CHECK(bad.exit_code == 1);
    CHECK(bad.out.find("bad row 1") != std::string::npos);
}

TEST_CASE("est-server admin create-user never takes a password from argv, and audit verify needs a database") {
    scratch_dir s;
    const std::string data = (s.dir / "data").string();
    CHECK(run_server({"admin", "create-user", "--email", "a@x.se", "--name", "A", "--password", "ett långt hemligt lösen",
                      "--data", data},
                     "", s.dir)
              .exit_code == 2);
    const auto none = run_server({"admin", "create-user", "--email", "a@x.se", "--name", "A", "--data", data}, "", s.dir);
    CHECK(none.exit_code == 2);  // empty stdin: no password
    CHECK(run_server({"audit", "verify", "--data", (s.dir / "nothing").string()}, "", s.dir).exit_code == 1);
}
