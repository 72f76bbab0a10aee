#pragma once
// Runs a program as a child process (posix_spawn: no shell, so nothing is quoted), feeds it standard input and
// waits for it to exit: no clock involved, the child's end is the signal.
#include <string>
#include <vector>

namespace est::test {

struct program_result {
    int exit_code = -1;  // -1 when it did not exit normally (a signal)
    std::string output;  // standard output and standard error, interleaved as written
};

// `args[0]` is the program's path. `input` (a few lines: it is written before the output is read) goes to its
// standard input, which is then closed. `env` are NAME=VALUE entries set in the child's environment on top of this
// process's (a NAME given replaces the inherited one); `unset` names variables the child must not inherit. Throws
// when the program cannot be started.
program_result run_program(const std::vector<std::string>& args, const std::string& input = {},
                           const std::vector<std::string>& env = {}, const std::vector<std::string>& unset = {});

}  // namespace est::test
