#include "child_process.hpp"

#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <csignal>
#include <stdexcept>

extern char** environ;

namespace est::test {

namespace {
std::string name_of(const std::string& entry) { return entry.substr(0, entry.find('=')); }
}  // namespace

program_result run_program(const std::vector<std::string>& args, const std::string& input, const std::vector<std::string>& env,
                           const std::vector<std::string>& unset) {
    if (args.empty()) throw std::invalid_argument("run_program: no program");
    std::vector<std::string> environment;
    for (char** e = environ; *e; ++e) {
        const std::string entry = *e, name = name_of(entry);
        bool dropped = false;
        for (const auto& u : unset) dropped = dropped || u == name;
        for (const auto& n : env) dropped = dropped || name_of(n) == name;
        if (!dropped) environment.push_back(entry);
    }
    environment.insert(environment.end(), env.begin(), env.end());
    std::vector<char*> argv, envp;
    for (const auto& a : args) argv.push_back(const_cast<char*>(a.c_str()));
    argv.push_back(nullptr);
    for (auto& e : environment) envp.push_back(e.data());
    envp.push_back(nullptr);

    int in[2], out[2];
    if (::pipe(in) != 0) throw std::runtime_error("pipe failed");
    if (::pipe(out) != 0) {
        ::close(in[0]), ::close(in[1]);
        throw std::runtime_error("pipe failed");
    }
    posix_spawn_file_actions_t actions;
    posix_spawn_file_actions_init(&actions);
    posix_spawn_file_actions_adddup2(&actions, in[0], STDIN_FILENO);
    posix_spawn_file_actions_adddup2(&actions, out[1], STDOUT_FILENO);
    posix_spawn_file_actions_adddup2(&actions, out[1], STDERR_FILENO);
    for (const int fd : {in[0], in[1], out[0], out[1]}) posix_spawn_file_actions_addclose(&actions, fd);
    pid_t pid = -1;
    const int failed = ::posix_spawn(&pid, argv[0], &actions, nullptr, argv.data(), envp.data());
    posix_spawn_file_actions_destroy(&actions);
    ::close(in[0]);
    ::close(out[1]);
    if (failed != 0) {
        ::close(in[1]), ::close(out[0]);
        throw std::runtime_error("cannot start " + args[0] + ": errno " + std::to_string(failed));
    }
    // A child that exits without reading its input must not kill us with SIGPIPE.
    struct sigaction ignore {}, before {};
    ignore.sa_handler = SIG_IGN;
    ::sigaction(SIGPIPE, &ignore, &before);
    for (std::size_t written = 0; written < input.size();) {
        const auto n = ::write(in[1], input.data() + written, input.size() - written);
        if (n < 0 && errno == EINTR) continue;
        if (n <= 0) break;
        written += static_cast<std::size_t>(n);
    }
    ::close(in[1]);
    ::sigaction(SIGPIPE, &before, nullptr);
    program_result r;
    char buf[4096];
    for (;;) {
        const auto n = ::read(out[0], buf, sizeof buf);
        if (n < 0 && errno == EINTR) continue;
        if (n <= 0) break;
        r.output.append(buf, static_cast<std::size_t>(n));
    }
    ::close(out[0]);
    int status = 0;
    while (::waitpid(pid, &status, 0) < 0 && errno == EINTR) {
    }
    r.exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
    return r;
}

}  // namespace est::test
