#include "est/server/picture_report.hpp"

#include <algorithm>
#include <array>
#include <cctype>
#include <ctime>
#include <fstream>
#include <sstream>

#include <kainjow/mustache.hpp>
#include <nlohmann/json.hpp>

#include "est/error.hpp"
#include "est/lifecycle.hpp"
#include "est/redaction.hpp"
#include "est/server/records/markdown_report.hpp"
#include "est/server/records/signing_keys.hpp"
#include "est/sshsig.hpp"
#include "est/utf.hpp"

namespace est::server {

namespace mustache = kainjow::mustache;

struct picture_report::compiled {
    mustache::mustache tmpl;
};

namespace {

// A labelled value as the template shows it; an empty one says so.
mustache::data labelled_value(const std::string& label, std::string value) {
    mustache::data d;
    d.set("label", label);
    d.set("empty", value.empty());
    d.set("value", std::move(value));
    return d;
}

mustache::data item_data(const export_item& item) {
    mustache::data d;
    d.set("topic_number", std::to_string(item.topic_number));
    d.set("topic_title", item.topic_title);
    d.set("number", std::to_string(item.number));
    d.set("has_title", !item.title.empty());
    d.set("title", item.title);
    d.set("to_bra", item.to_bra);
    mustache::data fields{mustache::data::type::list};
    for (const auto& [label, value] : item.fields) fields.push_back(labelled_value(label, value));
    d.set("fields", fields);
    return d;
}

// The lifecycle an export shows: the room's, or an open meeting's with nothing locked.
nlohmann::json lifecycle_of(const picture_export& p) {
    return p.lifecycle && p.lifecycle->is_object() ? *p.lifecycle : meeting_lifecycle().to_json();
}

// A string field of a statement, "" when it is missing or not a string: an export shows what it can.
std::string text_of(const nlohmann::json& j, const char* key) {
    const auto it = j.find(key);
    return it != j.end() && it->is_string() ? it->get<std::string>() : std::string();
}

std::uint64_t number_of(const nlohmann::json& j, const char* key) {
    const auto it = j.find(key);
    return it != j.end() && it->is_number_unsigned() ? it->get<std::uint64_t>() : 0;
}

nlohmann::json object_of(const nlohmann::json& j, const char* key) {
    const auto it = j.find(key);
    return it != j.end() && it->is_object() ? *it : nlohmann::json::object();
}

// A statement's text read as JSON; an empty object when it is not (the export still shows the rest).
nlohmann::json statement_of(const nlohmann::json& record) {
    const auto parsed = nlohmann::json::parse(text_of(record, "statement"), nullptr, false);
    return parsed.is_object() ? parsed : nlohmann::json::object();
}

std::string organisation_name(const group& grp, std::string_view org) {
    for (const auto& o : grp.organisations)
        if (o.id == org) return o.name;
    return std::string(org);
}

// A moment as exports show every time: the server's local time, "2026-12-04 11:15 (+01:00)".
std::string local_time(std::time_t t) {
    std::tm tm{};
    localtime_r(&t, &tm);
    char when[32], zone[8];
    std::strftime(when, sizeof when, "%Y-%m-%d %H:%M", &tm);
    std::strftime(zone, sizeof zone, "%z", &tm);  // "+0100"
    const std::string z(zone);
    return std::string(when) + " (" + (z.size() == 5 ? z.substr(0, 3) + ":" + z.substr(3) : z) + ")";
}

// A statement's "2026-12-04T10:15:00Z" in local time, as the export time is shown; anything else as it is.
std::string statement_time(std::string t) {
    std::tm tm{};
    const char* end = t.size() == 20 ? ::strptime(t.c_str(), "%Y-%m-%dT%H:%M:%SZ", &tm) : nullptr;
    if (!end || *end != '\0') return t;
    return local_time(::timegm(&tm));
}

// A CSS string literal showing `text` literally inside <style>: quotes, backslashes, markup characters and
// controls as hex escapes, so no text can end the string, the rule or the style element.
std::string css_string(std::string_view text) {
    static constexpr char hex[] = "0123456789abcdef";
    std::string out = "\"";
    for (const char ch : text) {
        const auto c = static_cast<unsigned char>(ch);
        if (c < 0x20 || c == 0x7f || ch == '"' || ch == '\\' || ch == '<' || ch == '>' || ch == '&' || ch == '\'') {
            out += '\\';
            if (c >= 0x10) out += hex[c >> 4];
            out += hex[c & 0xf];
            out += ' ';
        } else {
            out += ch;
        }
    }
    return out + "\"";
}

bool starts_with_ascii_nocase(std::string_view text, std::size_t at, std::string_view lower) {
    if (text.size() - at < lower.size()) return false;
    for (std::size_t i = 0; i < lower.size(); ++i)
        if (std::tolower(static_cast<unsigned char>(text[at + i])) != lower[i]) return false;
    return true;
}

// The JSON export as the text of <script type="application/json">, as the HTML standard advises for a data block:
// "</" written "<\/" so nothing ends the element, "<!--" and "<script" written "\u003c!--" and "\u003cscript" so
// the parser's escaped script states never begin. Inside JSON strings, the only place "<" can be, both escapes
// read back as the same text.
std::string html_record(const nlohmann::json& j) {
    const std::string text = j.dump();
    std::string out;
    out.reserve(text.size() + 64);
    for (std::size_t i = 0; i < text.size(); ++i) {
        if (text[i] == '<' && (text.compare(i, 4, "<!--") == 0 || starts_with_ascii_nocase(text, i, "<script"))) {
            out += "\\u003c";
        } else if (text[i] == '<' && i + 1 < text.size() && text[i + 1] == '/') {
            out += "<\\";
        } else {
            out += text[i];
        }
    }
    return out;
}


std::string join(const std::vector<std::string>& parts, std::string_view sep) {
    std::string out;
    for (const auto& part : parts) out += (out.empty() ? "" : std::string(sep)) + part;
    return out;
}

}  // namespace

picture_report::picture_report(std::string_view html_template, const std::string& source,
                               const records::signing_keys* keys)
    : html_(std::make_unique<compiled>(compiled{mustache::mustache(std::string(html_template))})), keys_(keys) {
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
    const export_sign_off so = sign_off(p);
    d.set("phase", so.phase);
    d.set("state", so.state);
    d.set("page_header", css_string(p.meeting.title + " – " + p.grp.name + " – " + p.meeting.date + " – " + so.state));
    d.set("long_date", long_date(p.meeting.date));
    d.set("template", t.name);
    d.set("rev", std::to_string(p.rev));
    const std::string picture_digest = digest(p.document);
    d.set("digest", picture_digest);
    d.set("page_footer", css_string(digest_footer(picture_digest)));
    const std::string chair_of_meeting = chair_names(p);
    d.set("has_chair", !chair_of_meeting.empty());
    d.set("chair_names", chair_of_meeting);
    d.set("exported_at", p.exported_at);
    if (p.is_public()) {
        mustache::data v;
        v.set("redaction_of", p.redaction_of);
        v.set("withheld", withheld_text(secret_entries(p.document).size()));
        d.set("public", v);
    }
    if (so.corrects) {
        mustache::data c;
        c.set("text", export_sign_off::corrects_text(*so.corrects));
        c.set("meeting", so.corrects->meeting);
        c.set("digest", so.corrects->digest);
        d.set("corrects", c);
    }
    if (so.corrected_by) {
        mustache::data c;
        c.set("text", export_sign_off::corrected_by_text(*so.corrected_by));
        c.set("meeting", so.corrected_by->meeting);
        d.set("corrected_by", c);
    }

    // Organisations by their labels (est::organisation_labels): a list of full names, which hold commas themselves,
    // would not read as a list.
    const std::vector<std::string> labels = organisation_labels(p.grp.organisations);
    const auto list_of = [](const std::vector<std::string>& parts) {
        const bool commas = std::any_of(parts.begin(), parts.end(), [](const std::string& x) { return x.find(',') != std::string::npos; });
        return join(parts, commas ? "; " : ", ");
    };
    d.set("organisations", list_of(labels));

    // Attendance: who joined while the meeting was held, and which of the group's organisations nobody came from.
    mustache::data attendance{mustache::data::type::list};
    std::vector<std::string> absent;
    for (const auto& a : p.attendance) {
        mustache::data one;
        one.set("name", a.name);
        std::string org;
        for (std::size_t i = 0; i < p.grp.organisations.size(); ++i)
            if (p.grp.organisations[i].id == a.org) org = labels[i];
        one.set("organisation", org.empty() ? a.org : org);
        one.set("has_organisation", !a.org.empty());
        one.set("role", role_label(a.role));
        one.set("first_at", statement_time(a.first_at));
        attendance.push_back(one);
    }
    for (std::size_t i = 0; i < p.grp.organisations.size(); ++i)
        if (std::none_of(p.attendance.begin(), p.attendance.end(),
                         [&](const attendance_row& a) { return a.org == p.grp.organisations[i].id; }))
            absent.push_back(labels[i]);
    d.set("attendance", attendance);
    d.set("has_attendance", !p.attendance.empty());
    d.set("attendance_summary", attendance_summary(p));
    d.set("has_absent", !absent.empty());
    d.set("absent", list_of(absent));

    // The overview: one row per topic with its chair's choices (the level) and how many entries it holds.
    mustache::data columns{mustache::data::type::list};
    for (const auto& f : t.topic_fields)
        if (f.kind == field_kind::choice) columns.push_back(mustache::data("label", f.label));
    d.set("overview_columns", columns);

    const std::vector<export_item> items = decision_items(p);
    mustache::data overview{mustache::data::type::list}, topics{mustache::data::type::list};
    int number = 0;
    for (const auto& def : t.topics) {
        const topic_state& ts = p.document.topic(def.id);
        const bool locked = std::find(so.locked_topics.begin(), so.locked_topics.end(), def.id) != so.locked_topics.end();
        ++number;
        // The overview carries every choice (empty ones say so); the assessment only what the chair wrote: its
        // choices in the heading's line and its filled texts, so a topic with nothing written takes one line.
        mustache::data chair{mustache::data::type::list}, choices{mustache::data::type::list},
            chosen{mustache::data::type::list};
        bool has_assessment = false;
        for (const auto& f : t.topic_fields) {
            const auto it = ts.fields.find(f.id);
            std::string value = picture_report::field_text(f, it == ts.fields.end() ? field_value{} : it->second, p.grp);
            const bool filled = !value.empty();
            auto fd = labelled_value(f.label, std::move(value));
            if (f.kind == field_kind::choice) {
                if (filled) chosen.push_back(fd);
                choices.push_back(std::move(fd));
            } else if (filled) {
                has_assessment = true;
                chair.push_back(std::move(fd));
            }
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
                    mustache::data one;
                    if (!e.secrecy.empty()) {
                        one.set("secret", true);
                        one.set("osl", e.secrecy);
                    }
                    // The public version withholds a secret entry's every field: only the marker is shown.
                    if (!e.secrecy.empty() && p.is_public()) {
                        one.set("withheld", true);
                    } else {
                        // Only what was written: an entry's empty fields are not printed.
                        bool blank = true;
                        for (const auto& f : t.entry_fields) {
                            const auto fit = e.fields.find(f.id);
                            std::string value =
                                picture_report::field_text(f, fit == e.fields.end() ? field_value{} : fit->second, p.grp);
                            if (value.empty()) continue;
                            blank = false;
                            fields.push_back(labelled_value(f.label, std::move(value)));
                        }
                        one.set("blank", blank);
                    }
                    ++n;
                    one.set("fields", fields);
                    entries.push_back(std::move(one));
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
        row.set("locked", locked);
        row.set("choices", choices);
        row.set("entry_count", std::to_string(entry_count));
        overview.push_back(row);

        mustache::data topic;
        topic.set("number", std::to_string(number));
        topic.set("title", def.title);
        topic.set("anchor", anchor);
        topic.set("locked", locked);
        topic.set("description", def.description);
        topic.set("has_description", !def.description.empty());
        topic.set("chair_fields", chair);
        topic.set("has_assessment", has_assessment);
        topic.set("chosen", chosen);
        topic.set("cells", cells);
        topic.set("entry_text", entries_text(entry_count));
        mustache::data topic_items{mustache::data::type::list};
        bool has_items = false;
        for (const auto& item : items)
            if (item.topic_number == static_cast<std::size_t>(number)) {
                topic_items.push_back(item_data(item));
                has_items = true;
            }
        topic.set("has_items", has_items);
        topic.set("items", topic_items);
        topics.push_back(topic);
    }
    d.set("overview", overview);
    d.set("topics", topics);
    // What the meeting sends to BRÅ, all topics together: the list a reader of the record looks for first.
    mustache::data to_bra{mustache::data::type::list};
    const bool has_to_bra = std::any_of(items.begin(), items.end(), [](const export_item& i) { return i.to_bra; });
    for (const auto& item : items)
        if (item.to_bra) to_bra.push_back(item_data(item));
    d.set("has_items", !items.empty());
    d.set("has_to_bra", has_to_bra);
    d.set("to_bra", to_bra);

    // The sign-off: each signature, the closing, and who has yet to sign.
    mustache::data signatures{mustache::data::type::list};
    int signature_number = 0;
    for (const auto& sig : so.signatures) {
        mustache::data one;
        one.set("number", std::to_string(++signature_number));
        one.set("name", sig.name);
        one.set("role", sig.role);
        one.set("organisation", sig.organisation);
        one.set("has_organisation", !sig.organisation.empty());
        one.set("signed_at", sig.signed_at);
        one.set("rev", std::to_string(sig.rev));
        one.set("digest", sig.digest);
        one.set("matches", sig.matches);
        one.set("key_id", sig.key_id);
        signatures.push_back(one);
    }
    d.set("has_signatures", !so.signatures.empty());
    d.set("signatures", signatures);
    d.set("closed", so.closed.has_value());
    if (so.closed) {
        mustache::data c;
        c.set("name", so.closed->name);
        c.set("role", so.closed->role);
        c.set("organisation", so.closed->organisation);
        c.set("has_organisation", !so.closed->organisation.empty());
        c.set("closed_at", so.closed->closed_at);
        c.set("sequence", std::to_string(so.closed->sequence));
        c.set("previous", so.closed->previous);
        c.set("has_previous", !so.closed->previous.empty());
        c.set("rev", std::to_string(so.closed->rev));
        c.set("digest", so.closed->digest);
        c.set("key_id", so.closed->key_id);
        d.set("closing", c);
    }
    d.set("has_missing", !so.closed && !so.missing.empty());
    d.set("missing", join(so.missing, ", "));
    d.set("awaits_closing", !so.closed && so.missing.empty() && !so.signatures.empty());
    d.set("record", html_record(json(p)));

    std::string body;
    {
        std::lock_guard lock(render_mutex_);
        body = html_->tmpl.render(d);
    }
    return seal(std::move(body), p.keys, p.is_public() ? redaction_namespace : seal_namespace);
}

std::string picture_report::markdown(const picture_export& p) const {
    return seal(records::markdown_report::render(p, sign_off(p), json(p).dump(2)), p.keys,
                p.is_public() ? redaction_namespace : seal_namespace);
}

std::string export_sign_off::corrects_text(const version& v) {
    return "Rättelse av " + (v.title.empty() ? "möte " + v.meeting : v.title) + (v.date.empty() ? "" : ", " + v.date) +
           " (lägesbild " + v.digest.substr(0, 12) + "…)";
}

std::string export_sign_off::corrected_by_text(const version& v) {
    return "Rättad – se " + v.title + (v.closed ? "" : " (rättelsen är inte stängd än)");
}

std::string picture_report::field_text(const field_def& def, const field_value& v, const group& grp) {
    if (def.kind == field_kind::text) return utf16_to_utf8(v.text);
    if (def.kind == field_kind::organisation && !v.choice.empty()) return organisation_name(grp, v.choice);
    // As the app shows a choice: "Förhöjd", "Ökar".
    return capitalise_first(v.choice);
}

std::vector<export_item> picture_report::decision_items(const picture_export& p) {
    const meeting_template& t = p.document.tmpl();
    std::vector<export_item> out;
    // The title is the first text field (the template's "rubrik").
    const auto title = std::find_if(t.decision_item_fields.begin(), t.decision_item_fields.end(),
                                    [](const field_def& f) { return f.kind == field_kind::text; });
    std::size_t topic_number = 0;
    for (const auto& def : t.topics) {
        ++topic_number;
        std::size_t number = 0;
        for (const auto& e : p.document.topic(def.id).items) {
            export_item item;
            item.topic_number = topic_number;
            item.topic_title = def.title;
            item.number = ++number;
            for (const auto& f : t.decision_item_fields) {
                const auto it = e.fields.find(f.id);
                const std::string value = it == e.fields.end() ? std::string() : field_text(f, it->second, p.grp);
                // The stored choice, not its printed form ("Ja").
                if (f.id == to_bra_field) item.to_bra = it != e.fields.end() && it->second.choice == "ja";
                else if (title != t.decision_item_fields.end() && &f == &*title) item.title = value;
                else if (!value.empty()) item.fields.emplace_back(f.label, value);
            }
            out.push_back(std::move(item));
        }
    }
    return out;
}

export_sign_off picture_report::sign_off(const picture_export& p) {
    const nlohmann::json lc = lifecycle_of(p);
    // A public version's signatures sign the full picture it redacts: that is the one they should match.
    const std::string current_digest = p.is_public() ? p.redaction_of : digest(p.document);
    export_sign_off so;
    if (const auto& c = p.meeting.corrects) {
        const auto& ref = p.meeting.corrected_meeting;
        so.corrects = export_sign_off::version{c->meeting, ref ? ref->title : std::string(), ref ? ref->date : std::string(),
                                               c->digest, true};
    }
    if (const auto& by = p.meeting.corrected_by)
        so.corrected_by = export_sign_off::version{by->id, by->title, by->date, {}, by->state == "closed"};
    so.phase = text_of(lc, "phase");
    if (so.phase.empty()) so.phase = "open";
    so.state = state_label(so.phase);
    if (const auto it = lc.find("locked_topics"); it != lc.end() && it->is_array())
        for (const auto& t : *it)
            if (t.is_string()) so.locked_topics.push_back(t.get<std::string>());

    std::vector<std::string> signed_roles;
    if (const auto it = lc.find("signatures"); it != lc.end() && it->is_array()) {
        for (const auto& record : *it) {
            const auto st = statement_of(record);
            const auto signer = object_of(st, "signer");
            export_sign_off::signature sig;
            sig.name = text_of(signer, "name");
            signed_roles.push_back(text_of(signer, "role"));
            sig.role = role_label(signed_roles.back());
            sig.organisation = organisation_name(p.grp, text_of(signer, "org"));
            sig.signed_at = statement_time(text_of(st, "signed_at"));
            sig.rev = number_of(st, "rev");
            sig.digest = text_of(st, "digest");
            sig.matches = sig.digest == current_digest;
            sig.key_id = text_of(record, "key_id");
            so.signatures.push_back(std::move(sig));
        }
    }
    if (const auto it = lc.find("closing"); it != lc.end() && it->is_object()) {
        const auto st = statement_of(*it);
        const auto by = object_of(st, "closed_by");
        export_sign_off::closing c;
        c.name = text_of(by, "name");
        c.role = role_label(text_of(by, "role"));
        c.organisation = organisation_name(p.grp, text_of(by, "org"));
        c.closed_at = statement_time(text_of(st, "closed_at"));
        c.sequence = number_of(st, "sequence");
        c.previous = text_of(st, "previous");
        c.rev = number_of(st, "rev");
        c.digest = text_of(st, "digest");
        c.key_id = text_of(*it, "key_id");
        so.closed = std::move(c);
    }
    if (const auto it = lc.find("required"); it != lc.end() && it->is_array())
        for (const auto& r : *it)
            if (r.is_string() && std::find(signed_roles.begin(), signed_roles.end(), r.get<std::string>()) == signed_roles.end())
                so.missing.push_back(role_label(r.get<std::string>()));
    return so;
}

std::string picture_report::state_label(std::string_view phase) {
    if (phase == "draft") return "Utkast";
    if (phase == "open") return "Öppen – lägesbilden kan fortfarande ändras";
    if (phase == "locked") return "Låst – väntar på underskrifter";
    if (phase == "signed") return "Signerad";
    if (phase == "closed") return "Stängd och signerad";
    return std::string(phase);
}

std::string picture_report::role_label(std::string_view role) {
    if (role == "chair") return "ordförande";
    if (role == "cosigner") return "medundertecknare";
    if (role == "participant") return "deltagare";
    if (role == "bra_member") return "BRÅ-ledamot";
    if (role == "admin") return "administratör";
    return std::string(role);
}

std::string picture_report::long_date(std::string_view iso) {
    static constexpr const char* days[] = {"söndag", "måndag", "tisdag", "onsdag", "torsdag", "fredag", "lördag"};
    static constexpr const char* months[] = {"januari", "februari", "mars",     "april",   "maj",      "juni",
                                             "juli",    "augusti",  "september", "oktober", "november", "december"};
    std::tm tm{};
    const std::string text(iso);
    const char* end = text.size() == 10 ? ::strptime(text.c_str(), "%Y-%m-%d", &tm) : nullptr;
    if (!end || *end != '\0') return text;
    const std::time_t t = ::timegm(&tm);  // normalises, and gives the day of the week
    std::tm day{};
    gmtime_r(&t, &day);
    return std::string(days[day.tm_wday]) + " " + std::to_string(day.tm_mday) + " " + months[day.tm_mon] + " " +
           std::to_string(day.tm_year + 1900);
}

std::string picture_report::chair_names(const picture_export& p) {
    std::vector<std::string> names;
    const auto add = [&names](const std::string& n) {
        if (!n.empty() && std::find(names.begin(), names.end(), n) == names.end()) names.push_back(n);
    };
    for (const auto& a : p.attendance)
        if (a.role == "chair") add(a.name);
    if (names.empty())
        for (const auto& sig : sign_off(p).signatures)
            if (sig.role == role_label("chair")) add(sig.name);
    return join(names, ", ");
}

std::string picture_report::attendance_summary(const picture_export& p) {
    if (p.attendance.empty()) return "Ingen registrerad";
    std::vector<std::string> orgs;
    for (const auto& a : p.attendance)
        if (!a.org.empty() && std::find(orgs.begin(), orgs.end(), a.org) == orgs.end()) orgs.push_back(a.org);
    const std::size_t n = p.attendance.size();
    std::string out = std::to_string(n) + (n == 1 ? " person" : " personer");
    if (!orgs.empty()) out += " från " + std::to_string(orgs.size()) + (orgs.size() == 1 ? " organisation" : " organisationer");
    return out;
}

std::string picture_report::local_time_of(const std::string& iso_utc) { return statement_time(iso_utc); }

std::string picture_report::entries_text(std::size_t n) {
    if (n == 0) return "inga händelser";
    return std::to_string(n) + (n == 1 ? " händelse" : " händelser");
}

std::string picture_report::digest_footer(std::string_view digest) {
    std::string groups;
    for (std::size_t i = 0; i < 16 && i < digest.size(); i += 4) groups += (groups.empty() ? "" : " ") + std::string(digest.substr(i, 4));
    return "Kontrollsumma " + groups + " … (se Om dokumentet)";
}

std::string picture_report::withheld_text(std::size_t n) {
    return n == 1 ? "1 uppgift som omfattas av sekretess är maskad"
                  : std::to_string(n) + " uppgifter som omfattas av sekretess är maskade";
}

std::string picture_report::seal(std::string body, const records::signing_keys* keys, std::string_view ns) {
    if (!keys) return body;
    if (body.empty() || body.back() != '\n') body += '\n';
    const auto sig = keys->sign_blob(ns, body);
    body += "<!-- est-seal key=" + sig.key_id + " sig=" + sshsig::base64_encode(sig.sshsig) + " -->\n";
    return body;
}

nlohmann::json picture_report::json(const picture_export& p) const {
    auto picture = p.document.to_json();  // built once: it is both the digest's input and the body
    const std::string d = sha256_hex(canonical_json(picture));
    auto lifecycle = lifecycle_of(p);
    // The public keys of the signatures and the closing, each once, in the order first used.
    std::vector<std::string> used;
    const auto use = [&used](const nlohmann::json& record) {
        const std::string id = text_of(record, "key_id");
        if (!id.empty() && std::find(used.begin(), used.end(), id) == used.end()) used.push_back(id);
    };
    if (const auto it = lifecycle.find("signatures"); it != lifecycle.end() && it->is_array())
        for (const auto& record : *it) use(record);
    if (const auto it = lifecycle.find("closing"); it != lifecycle.end() && it->is_object()) use(*it);
    // And the key that seals the HTML and Markdown exports (seal() signs with the current key), so a check without
    // --key can name it from the record.
    if (p.keys) use({{"key_id", p.keys->current_key_id()}});
    auto keys = nlohmann::json::array();
    if (p.keys)
        for (const auto& id : used)
            if (const auto k = p.keys->find(id))
                keys.push_back({{"key_id", k->key_id}, {"public_key", k->public_key}, {"created_at", k->created_at},
                                {"current", k->current}});
    std::string state = text_of(lifecycle, "phase");
    nlohmann::json out = {{"meeting", p.meeting.to_json()},
                          {"group", p.grp.to_json()},
                          {"rev", p.rev},
                          {"digest", d},
                          {"exported_at", p.exported_at},
                          {"picture", std::move(picture)},
                          {"state", state.empty() ? std::string("open") : std::move(state)},
                          {"lifecycle", std::move(lifecycle)},
                          {"keys", std::move(keys)}};
    auto attendance = nlohmann::json::array();
    for (const auto& a : p.attendance)
        attendance.push_back({{"name", a.name}, {"org", a.org}, {"role", a.role}, {"first_at", a.first_at}});
    out["attendance"] = std::move(attendance);
    if (p.is_public()) {
        // The signatures and the closing sign the full picture (redaction_of); the redaction statement binds this
        // picture to it.
        out["version"] = "public";
        out["redaction_of"] = p.redaction_of;
        const std::string statement = redaction_statement(p, d);
        out["redacted"] = nlohmann::json::parse(statement).at("redacted");
        if (p.keys) {
            const auto sig = p.keys->sign(redaction_namespace, statement);
            out["redaction"] = {{"statement", statement}, {"sshsig", sig.sshsig}, {"key_id", sig.key_id}};
        }
    }
    return out;
}

std::string picture_report::redaction_statement(const picture_export& p, const std::string& digest) {
    nlohmann::json redacted = nlohmann::json::array();
    for (const auto& s : secret_entries(p.document))
        redacted.push_back({{"topic", s.topic}, {"org", s.org}, {"entry", s.entry}, {"osl", s.osl}});
    return nlohmann::json{{"type", "est-live/redaction"},
                          {"version", 1},
                          {"meeting", p.meeting.id},
                          {"group", p.grp.id},
                          {"rev", p.rev},
                          {"digest", digest},
                          {"redaction_of", p.redaction_of},
                          {"redacted", std::move(redacted)}}
        .dump();
}

std::string picture_report::canonical_json(const nlohmann::json& picture) {
    // nlohmann::json keeps object keys in a std::map (sorted); dump() adds no whitespace and leaves UTF-8 as is.
    return picture.dump();
}

std::string picture_report::canonical_json(const meeting_document& doc) { return canonical_json(doc.to_json()); }

std::string picture_report::digest(const meeting_document& doc) { return sha256_hex(canonical_json(doc)); }

std::string picture_report::sha256_hex(std::string_view text) { return sshsig::sha256_hex(text); }

std::string picture_report::local_time_now() { return local_time(std::time(nullptr)); }

}  // namespace est::server
