// The server's log lines: one value never ends its line early, nor rearranges how a reader sees it.
#include "est/server/error_log.hpp"

#include <catch2/catch.hpp>

using est::server::log_quoted;

TEST_CASE("log_quoted keeps a value on its line and inside its quotes") {
    CHECK(log_quoted("GET /api/groups") == "\"GET /api/groups\"");
    CHECK(log_quoted("a\"b\\c") == "\"a\\\"b\\\\c\"");
    CHECK(log_quoted("rad\nny=\"falsk\"") == "\"rad\\x0any=\\\"falsk\\\"\"");
    CHECK(log_quoted(std::string_view("\0\x7f", 2)) == "\"\\x00\\x7f\"");
}

TEST_CASE("log_quoted writes every byte past ASCII as an escape: no bidi override or C1 control reaches a reader") {
    CHECK(log_quoted("\u202E/api") == "\"\\xe2\\x80\\xae/api\"");  // RIGHT-TO-LEFT OVERRIDE
    CHECK(log_quoted("\u0085") == "\"\\xc2\\x85\"");               // NEXT LINE, a line break to some readers
    CHECK(log_quoted("\u2028") == "\"\\xe2\\x80\\xa8\"");          // LINE SEPARATOR
    CHECK(log_quoted("å") == "\"\\xc3\\xa5\"");
}

TEST_CASE("log_quoted cuts a value at 2,000 bytes") {
    const std::string long_value(5000, 'x');
    CHECK(log_quoted(long_value) == "\"" + std::string(2000, 'x') + "\"");
}

TEST_CASE("log_quoted masks what looks like a personal identity number and cuts a parse error's quote of the text") {
    CHECK(log_quoted("row 7: 19121212-1212 and 850709-9805") == "\"row 7: ********-**** and ******-****\"");
    CHECK(log_quoted("meeting m-1 at rev 1212121212") == "\"meeting m-1 at rev **********\"");  // 10 digits, valid: masked
    CHECK(log_quoted("rev 1234567890") == "\"rev 1234567890\"");  // not a date: kept
    const std::string parse_error =
        "[json.exception.parse_error.101] parse error at line 1, column 40: syntax error while parsing object - "
        "invalid literal; last read: '\"Anmälan gäller Kalle på Storgatan 5";
    const std::string logged = log_quoted(parse_error);
    CHECK(logged.find("Kalle") == std::string::npos);
    CHECK(logged.find("Storgatan") == std::string::npos);
    CHECK(logged.find("last read: (not logged)") != std::string::npos);
}

TEST_CASE("log_quoted leaves digits inside a hash or an id alone") {
    CHECK(log_quoted("hash=ab1212121212cd") == "\"hash=ab1212121212cd\"");
}

TEST_CASE("log_quoted masks a number next to a word, and one that straddles the cut at 2,000 bytes") {
    CHECK(log_quoted("pnr121212-1212") == "\"pnr******-****\"");
    const std::string value = std::string(1995, 'x') + " 121212-1212";
    CHECK(log_quoted(value) == "\"" + std::string(1995, 'x') + " ****\"");
}
