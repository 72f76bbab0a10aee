#include "est/json_limits.hpp"

#include "est/error.hpp"

namespace est {

nlohmann::json parse_json_bounded(std::string_view text, std::size_t max_depth) {
    const auto limit = static_cast<int>(max_depth);
    auto guard = [limit](int depth, nlohmann::json::parse_event_t event, nlohmann::json&) {
        if ((event == nlohmann::json::parse_event_t::object_start ||
             event == nlohmann::json::parse_event_t::array_start) &&
            depth >= limit)
            throw domain_error("too_deep", "JSON nested deeper than " + std::to_string(limit) + " levels");
        return true;
    };
    try {
        return nlohmann::json::parse(text.begin(), text.end(), guard);
    } catch (const nlohmann::json::exception& e) {
        throw domain_error("bad_json", std::string("message is not valid JSON: ") + e.what());
    }
}

}  // namespace est
