#include "est/server/records/monthly_report.hpp"

#include <algorithm>
#include <set>

#include <kainjow/mustache.hpp>

#include "est/error.hpp"
#include "est/server/picture_report.hpp"
#include "est/server/records/level_chart.hpp"
#include "est/server/records/markdown_report.hpp"
#include "est/server/records/signing_keys.hpp"
#include "est/sshsig.hpp"
#include "est/utf.hpp"

namespace est::server::records {

namespace mustache = kainjow::mustache;
using json = nlohmann::json;

struct monthly_report::compiled {
    mustache::mustache tmpl;
};

namespace {

// Items that come back to the next meetings: BRÅ has not decided them, approved them or put them off.
bool running(std::string_view status) { return status == "awaiting" || status == "approved" || status == "deferred"; }

std::string text_of(const json& j, const char* key) {
    const auto it = j.find(key);
    return it != j.end() && it->is_string() ? it->get<std::string>() : std::string();
}

// The template's level: its first choice field among the topic fields (the biweekly template's "nivå").
const field_def* level_field(const meeting_template& t) {
    for (const auto& f : t.topic_fields)
        if (f.kind == field_kind::choice) return &f;
    return nullptr;
}

std::string value_of(const meeting_document& doc, const std::string& topic, const field_def& f) {
    if (!doc.tmpl().find_topic(topic)) return {};
    const auto& ts = doc.topic(topic);
    const auto it = ts.fields.find(f.id);
    if (it == ts.fields.end()) return {};
    return f.kind == field_kind::text ? utf16_to_utf8(it->second.text) : it->second.choice;
}

json meeting_json(const report_meeting& m) {
    const meeting_document& doc = *m.document;
    const meeting_template& t = doc.tmpl();
    json topics = json::array();
    for (const auto& def : t.topics) {
        json fields = json::array();
        for (const auto& f : t.topic_fields)
            fields.push_back({{"id", f.id}, {"label", f.label}, {"kind", f.kind == field_kind::text ? "text" : "choice"},
                              {"value", value_of(doc, def.id, f)}});
        const field_def* level = level_field(t);
        topics.push_back({{"id", def.id}, {"title", def.title}, {"level", level ? value_of(doc, def.id, *level) : ""},
                          {"fields", std::move(fields)}});
    }
    json j = {{"id", m.meeting.id},         {"title", m.meeting.title},
              {"date", m.meeting.date},     {"closed_on", m.closed.closed_on},
              {"sequence", m.closed.sequence}, {"rev", m.rev},
              {"digest", picture_report::digest(doc)}, {"closing", m.closing},
              {"topics", std::move(topics)}};
    if (m.meeting.corrects) j["corrects"] = m.meeting.corrects->meeting;
    return j;
}

// Per topic of the newest chart meeting's template, its level at each chart meeting.
json charts_json(const std::vector<report_meeting>& chart) {
    json out = json::array();
    if (chart.empty()) return out;
    const meeting_template& t = chart.back().document->tmpl();
    const field_def* level = level_field(t);
    if (!level) return out;
    for (const auto& def : t.topics) {
        json points = json::array();
        for (const auto& m : chart)
            points.push_back({{"meeting", m.meeting.id}, {"date", m.meeting.date}, {"closed_on", m.closed.closed_on},
                              {"level", value_of(*m.document, def.id, *level)}});
        out.push_back({{"topic", {{"id", def.id}, {"title", def.title}}},
                       {"field", {{"id", level->id}, {"label", level->label}}},
                       {"levels", level->choices},
                       {"points", std::move(points)}});
    }
    return out;
}

// A chart's points as level_chart draws them: the level's place among the choices.
std::vector<level_chart::point> chart_points(const json& chart, std::vector<std::string>& levels) {
    levels = chart.at("levels").get<std::vector<std::string>>();
    std::vector<level_chart::point> out;
    for (const auto& p : chart.at("points")) {
        const std::string level = text_of(p, "level");
        const auto it = std::find(levels.begin(), levels.end(), level);
        out.push_back({text_of(p, "date"), it == levels.end() ? std::nullopt
                                                              : std::optional<std::size_t>(static_cast<std::size_t>(it - levels.begin()))});
    }
    return out;
}

std::string chart_title(const json& chart) {
    return chart.at("field").value("label", "") + " – " + chart.at("topic").value("title", "");
}

std::string organisation_name(const json& grp, const std::string& id) {
    for (const auto& o : grp.value("organisations", json::array()))
        if (o.value("id", "") == id) return o.value("name", id);
    return id;
}

// What a report shows of an item, in Swedish, for both forms.
struct item_view {
    std::string title, topic, meeting, type, status, owner, due, progress;
};

item_view view_of(const json& item, const json& grp) {
    const json& f = item.value("fields", json::object());
    item_view v;
    v.title = text_of(f, "rubrik");
    if (v.title.empty()) v.title = item.value("id", "");
    v.topic = item.at("topic").value("title", "");
    v.meeting = item.at("meeting").value("title", "") + ", " + item.at("meeting").value("date", "");
    v.type = text_of(f, "typ");
    v.status = monthly_report::status_label(text_of(item, "status"));
    const json flags = item.value("flags", json::object());
    if (flags.value("overdue", false)) v.status += " (försenad)";
    if (flags.value("stale", false)) v.status += " (inte uppdaterad)";
    if (flags.value("back_on_agenda", false)) v.status += " (åter på dagordningen)";
    const std::string owner = text_of(item, "owner_org").empty() ? text_of(f, "agare") : text_of(item, "owner_org");
    v.owner = owner.empty() ? "" : organisation_name(grp, owner);
    v.due = text_of(item, "due").empty() ? text_of(f, "klart_senast") : text_of(item, "due");
    v.progress = monthly_report::progress_label(text_of(item, "progress"));
    return v;
}

// The record as the text of <script type="application/json">: every '<' as \u003c (it stands only inside JSON
// strings, where the escape reads back as the same text), so nothing in it can end the element or open a comment.
std::string script_json(const json& j) {
    const std::string text = j.dump();
    std::string out;
    out.reserve(text.size() + 64);
    for (const char c : text) {
        if (c == '<') out += "\\u003c";
        else out += c;
    }
    return out;
}

mustache::data list() { return mustache::data{mustache::data::type::list}; }

std::string plural(std::size_t n, const char* one, const char* many) {
    return std::to_string(n) + " " + (n == 1 ? one : many);
}

}  // namespace

monthly_report::monthly_report(std::string_view html_template, const std::string& source)
    : html_(std::make_unique<compiled>(compiled{mustache::mustache(std::string(html_template))})) {
    if (!html_->tmpl.is_valid()) throw domain_error("bad_template", source + ": " + html_->tmpl.error_message());
}

monthly_report::~monthly_report() = default;

std::string monthly_report::status_label(std::string_view status) {
    if (status == "awaiting") return "inkommen";
    if (status == "approved") return "bifall";
    if (status == "rejected") return "avslag";
    if (status == "deferred") return "bordlagd";
    if (status == "done") return "klar";
    return std::string(status);
}

std::string monthly_report::progress_label(std::string_view progress) {
    if (progress == "green") return "grön";
    if (progress == "yellow") return "gul";
    if (progress == "red") return "röd";
    if (progress == "done") return "klar";
    return std::string(progress);
}

json monthly_report::record(const report_input& in, const signing_keys* keys) {
    json groups = json::array();
    for (const auto& g : in.groups) {
        json meetings = json::array();
        std::set<std::string, std::less<>> month_ids;
        for (const auto& m : g.in_month) {
            month_ids.insert(m.meeting.id);
            meetings.push_back(meeting_json(m));
        }
        // The month's items first (what the meetings sent), then those of earlier meetings still running.
        json items = json::array(), earlier = json::array();
        for (const auto& item : g.items) {
            json j = item.to_json(in.today, in.stale_weeks, false);
            const bool of_month = month_ids.count(item.meeting_id) > 0;
            if (!of_month && !running(text_of(j, "status"))) continue;
            j["in_month"] = of_month;
            (of_month ? items : earlier).push_back(std::move(j));
        }
        for (auto& j : earlier) items.push_back(std::move(j));
        json grp = g.grp.to_json();
        groups.push_back({{"id", g.grp.id},
                          {"name", g.grp.name},
                          {"municipality", g.grp.municipality},
                          {"organisations", grp.value("organisations", json::array())},
                          {"meetings", std::move(meetings)},
                          {"items", std::move(items)},
                          {"charts", charts_json(g.chart)}});
    }
    // The key that seals the report, then every other key a closing in it was signed with (older ones after a
    // rotation): a check needs no server to know them all.
    std::vector<std::string> key_ids;
    if (keys) key_ids.push_back(keys->current_key_id());
    for (const auto& g : groups)
        for (const auto& m : g["meetings"]) {
            const std::string id = text_of(m.value("closing", json::object()), "key_id");
            if (!id.empty() && std::find(key_ids.begin(), key_ids.end(), id) == key_ids.end()) key_ids.push_back(id);
        }
    json key_list = json::array();
    if (keys)
        for (const auto& id : key_ids)
            if (const auto k = keys->find(id))
                key_list.push_back({{"key_id", k->key_id}, {"public_key", k->public_key}, {"created_at", k->created_at},
                                    {"current", k->current}});
    return {{"type", "est-live/monthly-report"},
            {"version", 1},
            {"month", in.month.to_string()},
            {"month_label", in.month.label()},
            {"generated_at", in.generated_at},
            {"today", in.today.to_string()},
            {"groups", std::move(groups)},
            {"keys", std::move(key_list)}};
}

std::string monthly_report::seal(std::string body, const signing_keys* keys) {
    if (!keys) return body;
    if (body.empty() || body.back() != '\n') body += '\n';
    const auto sig = keys->sign_blob(seal_namespace, body);
    return body + "<!-- est-seal key=" + sig.key_id + " sig=" + sshsig::base64_encode(sig.sshsig) + " -->\n";
}

std::string monthly_report::html(const json& r, const signing_keys* keys) const {
    mustache::data d;
    d.set("month", text_of(r, "month"));
    d.set("month_label", text_of(r, "month_label"));
    d.set("generated_at", text_of(r, "generated_at"));
    mustache::data groups = list();
    std::string names;
    for (const auto& g : r.at("groups")) {
        names += (names.empty() ? "" : ", ") + text_of(g, "name");
        mustache::data gd;
        gd.set("id", text_of(g, "id"));
        gd.set("name", text_of(g, "name"));
        gd.set("municipality", text_of(g, "municipality"));
        gd.set("has_municipality", !text_of(g, "municipality").empty());
        mustache::data meetings = list();
        for (const auto& m : g.at("meetings")) {
            mustache::data md;
            for (const char* k : {"id", "title", "date", "closed_on", "digest"}) md.set(k, text_of(m, k));
            md.set("sequence", std::to_string(m.value("sequence", 0)));
            md.set("corrects", text_of(m, "corrects"));
            md.set("is_correction", !text_of(m, "corrects").empty());
            mustache::data columns = list(), topics = list();
            bool first = true;
            for (const auto& t : m.at("topics")) {
                mustache::data values = list();
                for (const auto& f : t.at("fields")) {
                    if (first) columns.push_back(mustache::data("label", text_of(f, "label")));
                    mustache::data v;
                    v.set("value", text_of(f, "value"));
                    v.set("empty", text_of(f, "value").empty());
                    values.push_back(v);
                }
                first = false;
                mustache::data td;
                td.set("title", text_of(t, "title"));
                td.set("values", values);
                topics.push_back(td);
            }
            md.set("columns", columns);
            md.set("topics", topics);
            meetings.push_back(md);
        }
        gd.set("has_meetings", !g.at("meetings").empty());
        gd.set("meetings", meetings);
        mustache::data month_items = list(), earlier_items = list();
        for (const auto& item : g.at("items")) {
            const item_view v = view_of(item, g);
            mustache::data id;
            for (const auto& [k, val] : {std::pair{"title", v.title}, {"topic", v.topic}, {"meeting", v.meeting},
                                         {"type", v.type}, {"status", v.status}, {"owner", v.owner}, {"due", v.due},
                                         {"progress", v.progress}})
                id.set(k, val);
            id.set("id", text_of(item, "id"));
            (item.value("in_month", false) ? month_items : earlier_items).push_back(id);
        }
        gd.set("has_month_items", !month_items.is_empty_list());
        gd.set("month_items", month_items);
        gd.set("has_earlier_items", !earlier_items.is_empty_list());
        gd.set("earlier_items", earlier_items);
        mustache::data charts = list();
        for (const auto& c : g.at("charts")) {
            std::vector<std::string> levels;
            const auto points = chart_points(c, levels);
            mustache::data cd;
            cd.set("title", chart_title(c));
            cd.set("field", c.at("field").value("label", ""));
            cd.set("svg", level_chart::svg(chart_title(c), levels, points));
            mustache::data rows = list();
            for (const auto& p : c.at("points")) {
                mustache::data row;
                row.set("date", text_of(p, "date"));
                row.set("meeting", text_of(p, "meeting"));
                row.set("level", text_of(p, "level").empty() ? std::string(level_chart::unset_label) : text_of(p, "level"));
                rows.push_back(row);
            }
            cd.set("points", rows);
            charts.push_back(cd);
        }
        gd.set("has_charts", !g.at("charts").empty());
        gd.set("charts", charts);
        groups.push_back(gd);
    }
    d.set("groups", groups);
    d.set("group_names", names);
    d.set("record", script_json(r));
    std::string body;
    {
        std::lock_guard lock(render_mutex_);
        body = html_->tmpl.render(d);
    }
    return seal(std::move(body), keys);
}

std::string monthly_report::markdown(const json& r, const signing_keys* keys) {
    const auto esc = [](const std::string& s) { return markdown_report::inline_text(s); };
    const auto cell = [&esc](const std::string& s) { return s.empty() ? std::string("–") : esc(s); };
    std::string out = "# Månadsrapport " + esc(text_of(r, "month_label")) + "\n\n";
    out += "Till BRÅ och Länsstyrelsen. Skapad " + esc(text_of(r, "generated_at")) + ".\n";
    for (const auto& g : r.at("groups")) {
        out += "\n## " + esc(text_of(g, "name")) +
               (text_of(g, "municipality").empty() ? "" : ", " + esc(text_of(g, "municipality"))) + "\n";
        out += "\n### Stängda lägesbilder (" + plural(g.at("meetings").size(), "möte", "möten") + ")\n";
        if (g.at("meetings").empty()) out += "\nInga lägesbilder stängdes i månaden.\n";
        for (const auto& m : g.at("meetings")) {
            out += "\n#### " + esc(text_of(m, "title")) + ", " + esc(text_of(m, "date")) + "\n\n";
            out += "Stängd " + esc(text_of(m, "closed_on")) + ", nummer " + std::to_string(m.value("sequence", 0)) +
                   " i gruppens kedja. Kontrollsumma (SHA-256): `" + text_of(m, "digest") + "`";
            if (!text_of(m, "corrects").empty()) out += ". Rättelse av möte " + esc(text_of(m, "corrects"));
            out += "\n\n| Område |";
            const auto& topics = m.at("topics");
            std::string rule = "|---|";
            if (!topics.empty())
                for (const auto& f : topics.front().at("fields")) {
                    out += " " + esc(text_of(f, "label")) + " |";
                    rule += "---|";
                }
            out += "\n" + rule + "\n";
            for (const auto& t : topics) {
                out += "| " + esc(text_of(t, "title")) + " |";
                for (const auto& f : t.at("fields")) out += " " + cell(text_of(f, "value")) + " |";
                out += "\n";
            }
        }
        out += "\n### Beslutspunkter till BRÅ\n";
        bool any = false;
        for (const bool of_month : {true, false}) {
            std::string rows;
            for (const auto& item : g.at("items")) {
                if (item.value("in_month", false) != of_month) continue;
                const item_view v = view_of(item, g);
                rows += "| " + cell(v.title) + " | " + cell(v.topic) + " | " + cell(v.meeting) + " | " + cell(v.type) +
                        " | " + cell(v.status) + " | " + cell(v.owner) + " | " + cell(v.due) + " | " + cell(v.progress) +
                        " |\n";
            }
            if (rows.empty()) continue;
            any = true;
            out += std::string("\n") + (of_month ? "Från månadens möten:" : "Pågående från tidigare möten:") + "\n\n";
            out += "| Ärende | Område | Möte | Typ | Status | Ägare | Klart senast | Uppföljning |\n"
                   "|---|---|---|---|---|---|---|---|\n" + rows;
        }
        if (!any) out += "\nInga beslutspunkter.\n";
        out += "\n### Nivå över de senaste mötena\n";
        if (g.at("charts").empty()) out += "\nInga stängda möten att visa.\n";
        for (const auto& c : g.at("charts")) {
            out += "\n#### " + esc(chart_title(c)) + "\n\n| Möte | " + esc(c.at("field").value("label", "")) + " |\n|---|---|\n";
            for (const auto& p : c.at("points"))
                out += "| " + esc(text_of(p, "date")) + " | " +
                       esc(text_of(p, "level").empty() ? std::string(level_chart::unset_label) : text_of(p, "level")) + " |\n";
        }
    }
    // The record: no line of it starts with ``` (dump(2) starts every line with a blank, '{', '}' or ']').
    out += "\n```json est-record\n" + r.dump(2) + "\n```\n";
    return seal(std::move(out), keys);
}

}  // namespace est::server::records
