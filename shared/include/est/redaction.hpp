#pragma once
// The public version of a picture (DESIGN.md §6): what a request for public records gets. Every entry marked
// sekretess keeps its place, its id and its OSL reference, and loses the text of every field. Pure.
#include <string>
#include <vector>

#include "est/meeting_document.hpp"

namespace est {

// An entry the public version withholds.
struct secret_entry {
    std::string topic;
    std::string org;
    std::string entry;
    std::string osl;  // the reference it is withheld under
};

// Every entry marked sekretess (a non-empty OSL reference), in the picture's order: topic by topic in the
// template's order, organisation by organisation as the meeting lists them, entries in their cell's order.
std::vector<secret_entry> secret_entries(const meeting_document& doc);

// `doc` with every field of each secret entry emptied (text "", registers unset at revision 0): none of their text
// is left in the copy or its JSON.
meeting_document redacted_copy(const meeting_document& doc);

}  // namespace est
