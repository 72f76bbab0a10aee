#include "server_process.hpp"

#include <cerrno>
#include <csignal>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <functional>
#include <stdexcept>

#include <fcntl.h>
#include <poll.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>

#include <nlohmann/json.hpp>

#include "est/client/http_get.hpp"

namespace est::test {

temp_dir::temp_dir() {
    std::string tmpl = (std::filesystem::temp_directory_path() / "est-test-XXXXXX").string();
    if (!mkdtemp(tmpl.data())) throw std::runtime_error("mkdtemp failed");
    path_ = tmpl;
}

temp_dir::~temp_dir() {
    std::error_code ec;
    std::filesystem::remove_all(path_, ec);
}

server_process::server_process(const std::string& data_dir, std::vector<std::string> extra, process_setup setup) {
    int out[2];
    if (pipe(out) != 0) throw std::runtime_error("pipe failed");
    // EST_SERVER_BIN in the environment runs another build (e.g. an older one, to see a regression test fail).
    const char* bin = std::getenv("EST_SERVER_BIN");
    std::vector<std::string> args = {bin && *bin ? bin : EST_SERVER_BIN, "--port", "0", "--data", data_dir, "--template",
                                     std::string(EST_SOURCE_DIR) + "/templates/est-biweekly.json"};
    // Tests of the live protocol join as whoever they say; tests of accounts ask for them.
    if (!setup.accounts) args.push_back("--open-access");
    // A later --port wins (CLI11 keeps the last), so tests may ask for a fixed one to restart on.
    args.insert(args.end(), extra.begin(), extra.end());
    pid_ = fork();
    if (pid_ == 0) {
        // If the test process dies (a crash, an abort), the server goes with it.
        prctl(PR_SET_PDEATHSIG, SIGKILL);
        dup2(out[1], STDOUT_FILENO);
        close(out[0]);
        close(out[1]);
        if (!setup.stderr_file.empty()) {
            const int err = open(setup.stderr_file.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
            if (err < 0 || dup2(err, STDERR_FILENO) < 0) _exit(125);
            close(err);
        }
        if (setup.open_files) {
            const rlimit lim{setup.open_files, setup.open_files};
            if (setrlimit(RLIMIT_NOFILE, &lim) != 0) _exit(126);
        }
        std::vector<char*> argv;
        for (auto& a : args) argv.push_back(a.data());
        argv.push_back(nullptr);
        execv(argv[0], argv.data());
        _exit(127);
    }
    close(out[1]);
    // Wait for the ready line (a signal, not a sleep); give up after 20 s.
    std::string line;
    pollfd p{out[0], POLLIN, 0};
    while (line.find('\n') == std::string::npos) {
        if (poll(&p, 1, 20000) <= 0) break;
        char buf[256];
        const auto n = read(out[0], buf, sizeof buf);
        if (n <= 0) break;
        line.append(buf, static_cast<std::size_t>(n));
    }
    close(out[0]);
    const std::string prefix = "listening on http";  // http:// or, with --tls-cert, https://
    if (line.rfind(prefix, 0) != 0) {
        kill9();
        throw std::runtime_error("est-server did not start: '" + line + "'");
    }
    const auto colon = line.rfind(':');
    port_ = line.substr(colon + 1, line.find('\n') - colon - 1);
}

server_process::~server_process() {
    if (pid_ > 0) terminate();
}

int server_process::terminate() {
    if (pid_ <= 0) return -1;
    ::kill(pid_, SIGTERM);
    int status = 0;
    waitpid(pid_, &status, 0);
    pid_ = -1;
    return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
}

void server_process::kill9() {
    if (pid_ <= 0) return;
    ::kill(pid_, SIGKILL);
    int status = 0;
    waitpid(pid_, &status, 0);
    pid_ = -1;
}

std::size_t server_process::rss_bytes() const {
    std::ifstream in("/proc/" + std::to_string(pid_) + "/status");
    std::string key;
    while (in >> key) {
        if (key == "VmRSS:") {
            std::size_t kib = 0;
            in >> kib;
            return kib * 1024;
        }
        std::getline(in, key);
    }
    return 0;
}

std::string create_meeting(const server_process& s, const std::vector<std::string>& orgs) {
    nlohmann::json g = {{"name", "EST-gruppen Test"}, {"organisations", nlohmann::json::array()}};
    for (const auto& o : orgs) g["organisations"].push_back({{"id", o}, {"name", "Org " + o}});
    auto r = client::http_call(s.host(), s.port(), "POST", "/api/groups", g.dump());
    if (r.status != 201) throw std::runtime_error("create group: " + r.body);
    const auto gid = nlohmann::json::parse(r.body).at("id").get<std::string>();
    r = client::http_call(s.host(), s.port(), "POST", "/api/groups/" + gid + "/meetings", R"({"title":"EST-möte vecka 47"})");
    if (r.status != 201) throw std::runtime_error("create meeting: " + r.body);
    const auto id = nlohmann::json::parse(r.body).at("id").get<std::string>();
    // A new meeting is a draft: its chair opens it (under --open-access the body says who acts).
    r = client::http_call(s.host(), s.port(), "POST", "/api/meetings/" + id + "/lifecycle",
                          R"({"action":"open","as":{"name":"Ordförande","role":"chair"}})");
    if (r.status != 200) throw std::runtime_error("open meeting: " + r.body);
    return id;
}

client::meeting_client::options client_options(const server_process& s, const std::string& meeting, identity who,
                                               bool reconnect) {
    client::meeting_client::options o;
    o.host = s.host();
    o.port = s.port();
    o.meeting = meeting;
    o.who = std::move(who);
    o.reconnect = reconnect;
    return o;
}

std::string ws_path_on_other_thread(const std::string& meeting, std::size_t threads) {
    const auto shard = [&](const std::string& id) { return std::hash<std::string_view>{}(id) % threads; };
    for (int i = 0;; ++i)
        if (const auto id = "elsewhere-" + std::to_string(i); shard(id) != shard(meeting)) return "/ws?meeting=" + id;
}

}  // namespace est::test
