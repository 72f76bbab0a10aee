#include "est/client/queue_table.hpp"

#include <array>
#include <vector>

#include <nlohmann/json.hpp>

namespace est::client {

namespace {

// Characters of UTF-8 text: every byte that does not continue a sequence.
std::size_t width_of(const std::string& s) {
    std::size_t n = 0;
    for (unsigned char c : s) n += (c & 0xC0) != 0x80;
    return n;
}

// At most `max` characters of `s`, the last one "…" when cut; line breaks become spaces.
std::string clipped(std::string s, std::size_t max) {
    for (char& c : s)
        if (c == '\n' || c == '\r' || c == '\t') c = ' ';
    if (width_of(s) <= max) return s;
    std::size_t chars = 0, i = 0;
    for (; i < s.size(); ++i)
        if ((static_cast<unsigned char>(s[i]) & 0xC0) != 0x80 && chars++ == max - 1) break;
    return s.substr(0, i) + "…";
}

std::string string_at(const nlohmann::json& j, const char* key) {
    const auto it = j.find(key);
    return it != j.end() && it->is_string() ? it->get<std::string>() : std::string();
}

}  // namespace

std::string queue_table(const nlohmann::json& list, std::size_t max_title) {
    const auto items = list.find("items");
    if (items == list.end() || !items->is_array() || items->empty()) return "BRÅ-kön är tom / the BRÅ queue is empty\n";
    constexpr std::size_t columns = 7;
    std::vector<std::array<std::string, columns>> rows;
    rows.push_back({"id", "status", "ämne/topic", "rubrik/title", "ägare/owner", "klart/due", "flaggor/flags"});
    for (const auto& item : *items) {
        std::string flags;
        const auto f = item.value("flags", nlohmann::json::object());
        for (const auto& [key, label] : {std::pair{"overdue", "försenad"}, {"stale", "inte uppdaterad"},
                                         {"back_on_agenda", "åter på dagordningen"}})
            if (f.value(key, false)) flags += (flags.empty() ? "" : ", ") + std::string(label);
        const auto topic = item.value("topic", nlohmann::json::object());
        const auto fields = item.value("fields", nlohmann::json::object());
        rows.push_back({string_at(item, "id"), string_at(item, "status"), string_at(topic, "id"),
                        clipped(string_at(fields, "rubrik"), max_title), string_at(item, "owner_org"),
                        string_at(item, "due"), flags});
    }
    std::array<std::size_t, columns> widths{};
    for (const auto& r : rows)
        for (std::size_t c = 0; c < columns; ++c) widths[c] = std::max(widths[c], width_of(r[c]));
    std::string out;
    for (const auto& r : rows) {
        std::string line;
        for (std::size_t c = 0; c < columns; ++c) {
            line += r[c];
            if (c + 1 < columns) line += std::string(widths[c] - width_of(r[c]) + 2, ' ');
        }
        while (!line.empty() && line.back() == ' ') line.pop_back();
        out += line + '\n';
    }
    return out;
}

}  // namespace est::client
