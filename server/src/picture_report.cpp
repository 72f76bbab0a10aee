#include "est/server/picture_report.hpp"

#include <array>
#include <ctime>
#include <fstream>
#include <sstream>

#include <kainjow/mustache.hpp>
#include <nlohmann/json.hpp>
#include <openssl/evp.h>

#include "est/error.hpp"
#include "est/utf.hpp"

namespace est::server {

namespace mustache = kainjow::mustache;

struct picture_report::compiled {
    mustache::mustache tmpl;
};

namespace {

// What a field shows: its text, or its choice; empty fields say so.
mustache::data field_data(const field_def& def, const field_value& v) {
    std::string value = def.kind == field_kind::text ? utf16_to_utf8(v.text) : v.choice;
    mustache::data d;
    d.set("label", def.label);
    d.set("empty", value.empty());
    d.set("value", std::move(value));
    return d;
}

std::string meeting_state_label(std::string_view state) {
    if (state == "open") return "Öppen – lägesbilden kan fortfarande ändras";
    return "Stängd";
}

}  // namespace

picture_report::picture_report(std::string_view html_template, const std::string& source)
    : html_(std::make_unique<compiled>(compiled{mustache::mustache(std::string(html_template))})) {
    if (!html_->tmpl.is_valid()) throw domain_error("bad_template", source + ": " + html_->tmpl.error_message());
}

std::string picture_report::read_template(const std::filesystem::path& file) {
    std::ifstream in(file, std::ios::binary);
    std::ostringstream ss;
    if (!in || !(ss << in.rdbuf())) throw domain_error("bad_template", file.string() + ": cannot be read");
    return ss.str();
}

picture_report::~picture_report() = default;

std::string picture_report::html(const picture_export& p) const {
    const meeting_template& t = p.document.tmpl();
    mustache::data d;
    d.set("title", p.meeting.title);
    d.set("date", p.meeting.date);
    d.set("group", p.grp.name);
    d.set("municipality", p.grp.municipality);
    d.set("has_municipality", !p.grp.municipality.empty());
    d.set("state", meeting_state_label(p.meeting.state));
    d.set("template", t.name);
    d.set("rev", std::to_string(p.rev));
    d.set("digest", digest(p.document));
    d.set("exported_at", p.exported_at);

    std::string orgs;
    for (const auto& o : p.grp.organisations) orgs += (orgs.empty() ? "" : ", ") + o.name;
    d.set("organisations", orgs);

    // The overview: one row per topic with its chair's choices (the level) and how many entries it holds.
    mustache::data columns{mustache::data::type::list};
    for (const auto& f : t.topic_fields)
        if (f.kind == field_kind::choice) columns.push_back(mustache::data("label", f.label));
    d.set("overview_columns", columns);

    mustache::data overview{mustache::data::type::list}, topics{mustache::data::type::list};
    int number = 0;
    for (const auto& def : t.topics) {
        const topic_state& ts = p.document.topic(def.id);
        ++number;
        mustache::data chair{mustache::data::type::list}, choices{mustache::data::type::list};
        for (const auto& f : t.topic_fields) {
            const auto it = ts.fields.find(f.id);
            auto fd = field_data(f, it == ts.fields.end() ? field_value{} : it->second);
            if (f.kind == field_kind::choice) choices.push_back(fd);
            chair.push_back(std::move(fd));
        }
        mustache::data cells{mustache::data::type::list};
        std::size_t entry_count = 0;
        for (const auto& org : p.grp.organisations) {
            const auto cit = ts.cells.find(org.id);
            mustache::data entries{mustache::data::type::list};
            int n = 0;
            if (cit != ts.cells.end()) {
                for (const auto& e : cit->second.entries) {
                    mustache::data fields{mustache::data::type::list};
                    for (const auto& f : t.entry_fields) {
                        const auto fit = e.fields.find(f.id);
                        fields.push_back(field_data(f, fit == e.fields.end() ? field_value{} : fit->second));
                    }
                    ++n;
                    entries.push_back(mustache::data("fields", fields));
                }
            }
            entry_count += static_cast<std::size_t>(n);
            mustache::data cell;
            cell.set("org", org.name);
            cell.set("has_entries", n > 0);
            cell.set("entries", entries);
            cells.push_back(cell);
        }
        const std::string anchor = "omrade-" + std::to_string(number);
        mustache::data row;
        row.set("number", std::to_string(number));
        row.set("title", def.title);
        row.set("anchor", anchor);
        row.set("choices", choices);
        row.set("entry_count", std::to_string(entry_count));
        overview.push_back(row);

        mustache::data topic;
        topic.set("number", std::to_string(number));
        topic.set("title", def.title);
        topic.set("anchor", anchor);
        topic.set("description", def.description);
        topic.set("has_description", !def.description.empty());
        topic.set("chair_fields", chair);
        topic.set("cells", cells);
        topics.push_back(topic);
    }
    d.set("overview", overview);
    d.set("topics", topics);

    std::lock_guard lock(render_mutex_);
    return html_->tmpl.render(d);
}

nlohmann::json picture_report::json(const picture_export& p) const {
    auto picture = p.document.to_json();  // built once: it is both the digest's input and the body
    const std::string d = sha256_hex(canonical_json(picture));
    return {{"meeting", p.meeting.to_json()},
            {"group", p.grp.to_json()},
            {"rev", p.rev},
            {"digest", d},
            {"exported_at", p.exported_at},
            {"picture", std::move(picture)}};
}

std::string picture_report::canonical_json(const nlohmann::json& picture) {
    // nlohmann::json keeps object keys in a std::map (sorted); dump() adds no whitespace and leaves UTF-8 as is.
    return picture.dump();
}

std::string picture_report::canonical_json(const meeting_document& doc) { return canonical_json(doc.to_json()); }

std::string picture_report::digest(const meeting_document& doc) { return sha256_hex(canonical_json(doc)); }

std::string picture_report::sha256_hex(std::string_view text) {
    std::array<unsigned char, EVP_MAX_MD_SIZE> md{};
    unsigned int len = 0;
    if (EVP_Digest(text.data(), text.size(), md.data(), &len, EVP_sha256(), nullptr) != 1)
        throw std::runtime_error("SHA-256 failed");
    static constexpr char hex[] = "0123456789abcdef";
    std::string out;
    out.reserve(2 * len);
    for (unsigned int i = 0; i < len; ++i) {
        out.push_back(hex[md[i] >> 4]);
        out.push_back(hex[md[i] & 0xf]);
    }
    return out;
}

std::string picture_report::local_time_now() {
    const std::time_t t = std::time(nullptr);
    std::tm tm{};
    localtime_r(&t, &tm);
    char when[32], zone[8];
    std::strftime(when, sizeof when, "%Y-%m-%d %H:%M", &tm);
    std::strftime(zone, sizeof zone, "%z", &tm);  // "+0100"
    const std::string z(zone);
    return std::string(when) + " (" + (z.size() == 5 ? z.substr(0, 3) + ":" + z.substr(3) : z) + ")";
}

}  // namespace est::server
