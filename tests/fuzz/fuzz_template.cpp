// Fuzzes template validation: any bytes as a template file. Either a clear bad_template error or a
// template that survives to_json → from_json unchanged.
#include <cstdlib>

#include <nlohmann/json.hpp>

#include "est/error.hpp"
#include "est/json_limits.hpp"
#include "est/meeting_template.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    nlohmann::json j;
    try {
        j = est::parse_json_bounded(std::string_view(reinterpret_cast<const char*>(data), size), 32);
    } catch (const est::domain_error&) {
        return 0;
    }
    try {
        const auto t = est::meeting_template::from_json(j, "fuzz.json");
        const auto again = est::meeting_template::from_json(t.to_json(), "again");
        if (again.to_json() != t.to_json()) std::abort();
    } catch (const est::domain_error& e) {
        if (e.code() != "bad_template") std::abort();
    }
    return 0;
}
