// Fuzzes the BRÅ queue's import (shared/src/csv.cpp, bra_csv.cpp, bra_import.cpp): any bytes as a CSV file and, when
// they parse as bounded JSON, as a JSON import, over the real template and the demo group's organisations. Either
// bad_message (and nothing else) or items that the export writes and the import reads back to the same items.
#include <nlohmann/json.hpp>

#include "est/bra_csv.hpp"
#include "est/json_limits.hpp"
#include "fuzz_support.hpp"

namespace {

using est::fuzz::fail;
using json = nlohmann::json;

void expect_bad_message(const est::domain_error& e, const char* what) {
    if (e.code() != "bad_message") fail(std::string(what) + " threw " + e.code() + " instead of bad_message: " + e.what());
    // The message is sent as JSON: it must dump.
    (void)json(e.what()).dump();
}

// The items as the list would show them, written as the export writes them and read again: the same.
void round_trip(const std::vector<est::bra_import_item>& items) {
    const auto& tmpl = *est::fuzz::est_template();
    std::vector<json> listed;
    for (const auto& it : items) listed.push_back(it.to_json());
    std::vector<est::bra_import_item> again;
    try {
        again = est::read_bra_csv(est::write_bra_csv(listed, tmpl), tmpl, est::fuzz::fagersta_orgs());
    } catch (const est::domain_error& e) {
        fail(std::string("the export of imported items does not import: ") + e.what());
    }
    if (again.size() != items.size()) fail("the export of imported items imports another number of items");
    for (std::size_t i = 0; i < items.size(); ++i)
        if (again[i].to_json() != listed[i]) fail("an imported item exported and imported again differs");
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    const std::string_view text(reinterpret_cast<const char*>(data), size);
    const auto& tmpl = *est::fuzz::est_template();
    const auto& orgs = est::fuzz::fagersta_orgs();
    try {
        round_trip(est::read_bra_csv(text, tmpl, orgs));
    } catch (const est::domain_error& e) {
        expect_bad_message(e, "read_bra_csv");
    }
    json j;
    try {
        j = est::parse_json_bounded(text, 8);
    } catch (const est::domain_error&) {
        return 0;
    }
    try {
        round_trip(est::read_bra_import_json(j, tmpl, orgs));
    } catch (const est::domain_error& e) {
        expect_bad_message(e, "read_bra_import_json");
    }
    return 0;
}
