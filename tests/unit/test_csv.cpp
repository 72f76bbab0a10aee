// RFC 4180 reading and writing (shared/src/csv.cpp), hostile input included: every file is read whole or refused
// with its row.
#include "est/csv.hpp"

#include <catch2/catch.hpp>

#include "fixtures.hpp"

namespace {

using namespace est;
using rows = std::vector<std::vector<std::string>>;
using est::test::fails;

}  // namespace

TEST_CASE("csv reads CRLF, LF and CR records, quoted cells, a byte order mark and a last line without a break",
          "[csv]") {
    CHECK(csv::read("a,b\r\nc,d\r\n") == rows{{"a", "b"}, {"c", "d"}});
    CHECK(csv::read("a,b\nc,d") == rows{{"a", "b"}, {"c", "d"}});
    CHECK(csv::read("a,b\rc,d\r") == rows{{"a", "b"}, {"c", "d"}});
    CHECK(csv::read("\xEF\xBB\xBFid,x\r\n") == rows{{"id", "x"}});
    CHECK(csv::read("\"a,b\",\"sa \"\"hej\"\"\",\"rad 1\r\nrad 2\"\r\n") ==
          rows{{"a,b", "sa \"hej\"", "rad 1\r\nrad 2"}});
    CHECK(csv::read("a,,\r\n,\r\n") == rows{{"a", "", ""}, {"", ""}});
    CHECK(csv::read("a\r\n\r\nb") == rows{{"a"}, {""}, {"b"}});
    CHECK(csv::read("\"\"") == rows{{""}});
    CHECK(csv::read("").empty());
    CHECK(csv::read("a;b\r\n", ';') == rows{{"a", "b"}});
}

TEST_CASE("csv refuses unterminated quotes, stray quotes, NUL bytes, bad UTF-8 and cells past the limits, naming "
          "the row",
          "[csv]") {
    CHECK(fails([] { csv::read("a,b\r\n\"open,c\r\nd,e\r\n"); }).message == "row 2, column 1: a quoted cell that never ends (a '\"' is missing)");
    CHECK(fails([] { csv::read("a,\"b\"c\r\n"); }).message == "row 1, column 2: text after a quoted cell's closing '\"'");
    CHECK(fails([] { csv::read("a\r\nb\"c\r\n"); }).message ==
          "row 2, column 1: a '\"' in a cell that is not quoted (quote the cell and double it)");
    CHECK(fails([] { csv::read(std::string("a\r\nb,c\0d\r\n", 10)); }).message == "row 2, column 2: a NUL byte");
    CHECK(fails([] { csv::read("ok\r\nKrokoms kommun \xE5r\r\n"); }).message ==
          "row 2, column 1: the text is not UTF-8 (save the file as \"CSV UTF-8\")");
    csv::read_limits lim;
    lim.max_cell_bytes = 8;
    lim.max_columns = 3;
    lim.max_rows = 2;
    CHECK(fails([&] { csv::read("123456789", ',', lim); }).message == "row 1, column 1: a cell longer than 8 bytes");
    CHECK(fails([&] { csv::read("\"123456789\"", ',', lim); }).code == "bad_message");
    CHECK(fails([&] { csv::read("a,b,c,d", ',', lim); }).message == "row 1: more than 3 cells");
    CHECK(fails([&] { csv::read("a\nb\nc\n", ',', lim); }).message == "row 3: more than 2 rows");
    // A huge file of one unending quoted cell stops at the cell's limit, not at the end of the file.
    CHECK(fails([&] { csv::read("\"" + std::string(1 << 20, 'x'), ',', lim); }).message ==
          "row 1, column 1: a cell longer than 8 bytes");
}

TEST_CASE("csv writes what it reads back, and guards against formulas only where the guard is undone", "[csv]") {
    const std::vector<std::string> cells = {"=SUM(A1)", "+46", "-", "@x", "\tx", "a,b", "sa \"hej\"", "rad\nrad",
                                            "'vanlig", "", "åäö", "'=x", "''-"};
    const std::string line = csv::row(cells);
    CHECK(line == "'=SUM(A1),'+46,'-,'@x,'\tx,\"a,b\",\"sa \"\"hej\"\"\",\"rad\nrad\",'vanlig,,åäö,''=x,'''-\r\n");
    const auto back = csv::read(line);
    REQUIRE(back.size() == 1);
    std::vector<std::string> unguarded;
    for (const auto& c : back[0]) unguarded.emplace_back(csv::unguarded(c));
    CHECK(unguarded == cells);
    CHECK(csv::unguarded("'hej") == "'hej");
    CHECK(csv::unguarded("'") == "'");
}

TEST_CASE("csv takes a semicolon as the separator of a file whose first line has one and no comma", "[csv]") {
    CHECK(csv::separator_of("id;topic;status\r\n1;andt;awaiting") == ';');
    CHECK(csv::separator_of("id,topic,status\r\n1;2") == ',');
    CHECK(csv::separator_of("id\r\n;") == ',');
    CHECK(csv::separator_of("") == ',');
}
