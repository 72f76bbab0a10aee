#pragma once
// CSV as RFC 4180 has it, for the files people move between EST Live and their spreadsheets (the BRÅ queue's export
// and import, est/bra_csv.hpp). Reading is strict and bounded: a file is read whole or refused with the row (as a
// spreadsheet counts them: the first row is 1) and, where it helps, the column.
#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

namespace est::csv {

struct read_limits {
    std::size_t max_rows = 1000;           // records, blank ones included
    std::size_t max_columns = 100;         // cells in one record
    std::size_t max_cell_bytes = 16 * 1024;
};

// Reads `text`: records end with CRLF, LF or CR; a cell that starts with '"' is quoted (separators and line
// breaks in it are text, '""' is one '"') and must end with '"' before the next separator or line end. A UTF-8
// byte order mark at the start is skipped; a line break at the very end ends the last record (it starts none).
// A blank line is a record of one empty cell. Throws domain_error("bad_message", "row N[, column C]: …") for a NUL
// byte, text that is not UTF-8, a '"' inside an unquoted cell or after a closing one, a quoted cell that never
// ends, and anything past the limits.
std::vector<std::vector<std::string>> read(std::string_view text, char separator = ',', const read_limits& lim = {});

// The separator a file uses: ',' unless its first line holds ';' and no ',' (a spreadsheet set up for Swedish
// saves with ';', the comma being the decimal sign).
char separator_of(std::string_view text) noexcept;

// One cell to write: a value a spreadsheet would run as a formula (it starts with '=', '+', '-', '@', tab or CR)
// gets a leading "'" (OWASP, CSV injection), and so does one that starts so after apostrophes (so that the guard
// can be undone: "'=x" is written "''=x"); a value with ',', '"', CR or LF is quoted, '"' doubled.
std::string cell(std::string_view v);
// The value a cell written by cell() held: without the "'" it added.
std::string_view unguarded(std::string_view v) noexcept;
// A record: the cells, written with cell(), joined by ',' and ended with CRLF.
std::string row(const std::vector<std::string>& cells);

}  // namespace est::csv
