#pragma once
// A correction of a closed meeting (issue 13: "a signed or closed picture is never unlocked: a correction is a
// new version that links to the old digest"). The closed meeting never changes; the correction is a new meeting
// of the same group whose picture starts as a copy of the closed one and whose signatures and closing name what
// they correct. Pure: the server supplies the closed picture and its closing statement.
#include <cstddef>
#include <string>
#include <string_view>

#include <nlohmann/json_fwd.hpp>

namespace est {

class meeting_document;

// What a correction corrects: the closed meeting, its picture's digest as signed and closed, and the SHA-256 (hex)
// of its closing statement's text. Part of every statement of the correction (docs/records.md).
struct correction_link {
    std::string meeting;
    std::string digest;
    std::string closing;

    nlohmann::json to_json() const;  // {"closing","digest","meeting"}
    // Throws domain_error(`code`) naming the field when `j` is not such an object.
    static correction_link from_json(const nlohmann::json& j, const std::string& where,
                                     const std::string& code = "bad_message");
    bool operator==(const correction_link&) const = default;
};

// The link to a closed meeting, read from its closing statement: the statement's meeting and digest, and the
// text's own SHA-256. Throws domain_error("bad_snapshot") when the text is not a closing statement.
correction_link correction_of(std::string_view closing_statement);

// The correction's title, in Swedish: "Rättelse: <title>", cut to at most `max_bytes` bytes of UTF-8 without
// splitting a character.
std::string correction_title(std::string_view title, std::size_t max_bytes = 200);

// The picture a correction starts from: every entry and topic field of `closed` (same template, organisations,
// ids and text), its choice fields' revisions reset to 0 (the correction's log starts afresh) and no record of
// removed entries. Its size is that of `closed`, which was within the meeting limits when it was written.
meeting_document correction_copy(const meeting_document& closed);

}  // namespace est
