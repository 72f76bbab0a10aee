#pragma once
// The server's log of faults a client hears of only as a code (an exception's text, SQLite's words, a path):
// one structured line on stderr each, `est-server: error key="value" …`, written in one call so the lines of
// several threads do not interleave. Values are quoted and cut at 2,000 bytes; never field text of a meeting.
#include <initializer_list>
#include <string>
#include <string_view>
#include <utility>

namespace est::server {

// `s` as one double-quoted value of a log line: no line break, no quote that would end it early; every byte
// outside printable ASCII as \xNN, so no bidi override or C1 control reaches whoever reads the log. Whatever
// looks like a personal identity number is masked ('*' for its digits), and a JSON parse error's quote of what
// it last read is cut: a damaged row's text does not reach the log.
std::string log_quoted(std::string_view s);

void log_error(std::initializer_list<std::pair<std::string_view, std::string_view>> fields);
// The same line for another kind of event: `est-server: <kind> key="value" …` ("security": sign-ins, refusals).
void log_event(std::string_view kind, std::initializer_list<std::pair<std::string_view, std::string_view>> fields);

}  // namespace est::server
