#pragma once
// The Markdown form of a picture export: the same content as the HTML export, readable as plain text and in any
// Markdown viewer, ending with the JSON export as a fenced "json est-record" block. Whatever participants wrote
// is escaped so it shows literally and cannot make a line of structure: no heading, list, fence, HTML comment
// or table of its own, and never a line that starts with ``` or <!--. Pure; the seal is picture_report's.
#include <string>
#include <string_view>

#include "est/server/picture_report.hpp"

namespace est::server::records {

class markdown_report {
public:
    // The document without its seal line; `record` is the JSON export's text (no line of it starts with ```).
    static std::string render(const picture_export& p, const export_sign_off& s, std::string_view record);

    // Text shown inside a line (a heading, a table cell, after a label): escaped, line breaks made spaces.
    static std::string inline_text(std::string_view text);
    // Text of several lines, each line escaped as inline_text and made unable to start a block (leading spaces
    // become no-break spaces, a leading punctuation mark or list number is escaped, an empty line holds a
    // no-break space); lines joined with hard breaks ("\\" at the end of a line).
    static std::string block_text(std::string_view text);
};

}  // namespace est::server::records
