#include "est/redaction.hpp"

#include <nlohmann/json.hpp>

namespace est {

std::vector<secret_entry> secret_entries(const meeting_document& doc) {
    std::vector<secret_entry> out;
    for (const auto& t : doc.tmpl().topics) {
        const topic_state& ts = doc.topic(t.id);
        for (const auto& org : doc.organisations()) {
            const auto c = ts.cells.find(org);
            if (c == ts.cells.end()) continue;
            for (const auto& e : c->second.entries)
                if (!e.secrecy.empty()) out.push_back({t.id, org, e.id, e.secrecy});
        }
    }
    return out;
}

meeting_document redacted_copy(const meeting_document& doc) {
    nlohmann::json j = doc.to_json();
    for (auto& topic : j.at("topics"))
        for (auto& [org, cell] : topic.at("cells").items())
            for (auto& e : cell.at("entries")) {
                const auto s = e.find("secrecy");
                if (s == e.end() || s->at("osl").get_ref<const std::string&>().empty()) continue;
                for (auto& [id, value] : e.at("fields").items())
                    value = value.is_string() ? nlohmann::json("") : nlohmann::json{{"value", ""}, {"rev", std::uint64_t{0}}};
            }
    return meeting_document::from_json(doc.tmpl_ptr(), doc.organisations(), j);
}

}  // namespace est
