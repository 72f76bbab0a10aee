#pragma once
#include <cstddef>
#include <string_view>

#include <nlohmann/json.hpp>

namespace est {

// Parses JSON, refusing nesting deeper than max_depth before building it.
// Throws domain_error("bad_json") or domain_error("too_deep").
nlohmann::json parse_json_bounded(std::string_view text, std::size_t max_depth);

}  // namespace est
