#include "est/csv.hpp"

#include "est/error.hpp"
#include "est/utf.hpp"

namespace est::csv {

namespace {

bool starts_formula(std::string_view v) noexcept {
    return !v.empty() && (v.front() == '=' || v.front() == '+' || v.front() == '-' || v.front() == '@' ||
                          v.front() == '\t' || v.front() == '\r');
}

[[noreturn]] void refuse(std::size_t row, std::size_t column, const std::string& what) {
    throw domain_error("bad_message", "row " + std::to_string(row) +
                                          (column ? ", column " + std::to_string(column) : std::string()) + ": " + what);
}

// A formula, perhaps behind apostrophes: what cell() guards with one more apostrophe, so that unguarded() gives
// back exactly what was written (a value "'=x" is written "''=x").
bool guarded_when_written(std::string_view v) noexcept {
    while (!v.empty() && v.front() == '\'') v.remove_prefix(1);
    return starts_formula(v);
}

}  // namespace

std::vector<std::vector<std::string>> read(std::string_view text, char separator, const read_limits& lim) {
    if (text.starts_with("\xEF\xBB\xBF")) text.remove_prefix(3);
    std::vector<std::vector<std::string>> rows;
    if (text.empty()) return rows;
    std::vector<std::string> record;
    std::string cell_text;
    std::size_t i = 0;
    auto row_number = [&] { return rows.size() + 1; };
    auto column_number = [&] { return record.size() + 1; };
    auto end_cell = [&] {
        if (!is_utf8(cell_text))
            refuse(row_number(), column_number(), "the text is not UTF-8 (save the file as \"CSV UTF-8\")");
        if (record.size() >= lim.max_columns)
            refuse(row_number(), 0, "more than " + std::to_string(lim.max_columns) + " cells");
        record.push_back(std::move(cell_text));
        cell_text.clear();
    };
    auto end_record = [&] {
        end_cell();
        if (rows.size() >= lim.max_rows) refuse(row_number(), 0, "more than " + std::to_string(lim.max_rows) + " rows");
        rows.push_back(std::move(record));
        record.clear();
    };
    auto add = [&](char c) {
        if (c == '\0') refuse(row_number(), column_number(), "a NUL byte");
        if (cell_text.size() >= lim.max_cell_bytes)
            refuse(row_number(), column_number(), "a cell longer than " + std::to_string(lim.max_cell_bytes) + " bytes");
        cell_text.push_back(c);
    };
    // A line end at i (CRLF, LF or CR): its length, 0 for none.
    auto line_end = [&](std::size_t at) -> std::size_t {
        if (at >= text.size()) return 0;
        if (text[at] == '\r') return at + 1 < text.size() && text[at + 1] == '\n' ? 2 : 1;
        return text[at] == '\n' ? 1 : 0;
    };
    for (;;) {
        // At the start of a cell (perhaps an empty one at the end of the text).
        if (i < text.size() && text[i] == '"') {
            const std::size_t opened = row_number();
            ++i;
            for (;;) {
                if (i >= text.size())
                    refuse(opened, column_number(), "a quoted cell that never ends (a '\"' is missing)");
                if (text[i] == '"') {
                    if (i + 1 < text.size() && text[i + 1] == '"') {
                        add('"');
                        i += 2;
                        continue;
                    }
                    ++i;
                    break;
                }
                add(text[i++]);
            }
            if (i < text.size() && text[i] != separator && !line_end(i))
                refuse(row_number(), column_number(), "text after a quoted cell's closing '\"'");
        } else {
            while (i < text.size() && text[i] != separator && !line_end(i)) {
                if (text[i] == '"')
                    refuse(row_number(), column_number(), "a '\"' in a cell that is not quoted (quote the cell and double it)");
                add(text[i++]);
            }
        }
        if (i >= text.size()) {
            end_record();
            break;
        }
        if (text[i] == separator) {
            end_cell();
            ++i;
            continue;
        }
        i += line_end(i);
        end_record();
        if (i >= text.size()) break;  // the text's last line break ends the last record and starts none
    }
    return rows;
}

char separator_of(std::string_view text) noexcept {
    const std::string_view first = text.substr(0, text.find_first_of("\r\n"));
    return first.find(',') == std::string_view::npos && first.find(';') != std::string_view::npos ? ';' : ',';
}

std::string cell(std::string_view v) {
    std::string s;
    if (guarded_when_written(v)) s += '\'';
    s += v;
    if (s.find_first_of(",\"\r\n") == std::string::npos) return s;
    std::string quoted = "\"";
    for (char c : s) {
        if (c == '"') quoted += '"';
        quoted += c;
    }
    return quoted + '"';
}

std::string_view unguarded(std::string_view v) noexcept {
    if (v.size() >= 2 && v.front() == '\'' && guarded_when_written(v.substr(1))) v.remove_prefix(1);
    return v;
}

std::string row(const std::vector<std::string>& cells) {
    std::string out;
    for (std::size_t i = 0; i < cells.size(); ++i) out += (i ? "," : "") + cell(cells[i]);
    return out + "\r\n";
}

}  // namespace est::csv
