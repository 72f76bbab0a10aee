#include "est/json_limits.hpp"

#include "est/error.hpp"

namespace est {

namespace {

// Whether no point of the text lies inside more than max_depth arrays and objects, counting brackets outside
// strings. Up to the first syntax error this is the depth the parser would reach, so text that passes cannot make
// the parser go deeper.
bool nesting_within(std::string_view text, std::size_t max_depth) {
    std::size_t depth = 0;
    bool in_string = false;
    for (std::size_t i = 0; i < text.size(); ++i) {
        const char c = text[i];
        if (in_string) {
            if (c == '\\') ++i;
            else if (c == '"') in_string = false;
        } else if (c == '"') {
            in_string = true;
        } else if (c == '[' || c == '{') {
            if (++depth > max_depth) return false;
        } else if ((c == ']' || c == '}') && depth > 0) {
            --depth;
        }
    }
    return true;
}

}  // namespace

nlohmann::json parse_json_bounded(std::string_view text, std::size_t max_depth) {
    try {
        // The common case: a scan shows the text is shallow enough, and the plain parser (no callback per value)
        // builds it.
        if (nesting_within(text, max_depth)) return nlohmann::json::parse(text.begin(), text.end());
        // Too deep somewhere: the callback parser finds which comes first, a syntax error or the depth, and stops
        // there before it builds anything deep.
        const auto limit = static_cast<int>(max_depth);
        auto guard = [limit](int depth, nlohmann::json::parse_event_t event, nlohmann::json&) {
            if ((event == nlohmann::json::parse_event_t::object_start ||
                 event == nlohmann::json::parse_event_t::array_start) &&
                depth >= limit)
                throw domain_error("too_deep", "JSON nested deeper than " + std::to_string(limit) + " levels");
            return true;
        };
        return nlohmann::json::parse(text.begin(), text.end(), guard);
    } catch (const nlohmann::json::exception& e) {
        throw domain_error("bad_json", std::string("message is not valid JSON: ") + e.what());
    }
}

}  // namespace est
