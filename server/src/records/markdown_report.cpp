#include "est/server/records/markdown_report.hpp"

#include <algorithm>

#include "est/meeting_document.hpp"
#include "est/redaction.hpp"

namespace est::server::records {

namespace {

constexpr std::string_view no_break_space = "\u00a0";

bool ascii_punctuation(char c) {
    return (c >= '!' && c <= '/') || (c >= ':' && c <= '@') || (c >= '[' && c <= '`') || (c >= '{' && c <= '~');
}

// One line (no line break in it) with every character that may start inline markup escaped: code spans,
// emphasis, links and images, raw HTML and comments, entities, autolinks, table cells, strikethrough, and the
// closing #s of a heading. CommonMark shows a backslash-escaped ASCII punctuation mark as the mark itself.
std::string escape_inline(std::string_view line) {
    std::string out;
    out.reserve(line.size() + line.size() / 8);
    for (const char c : line) {
        switch (c) {
        case '\\': case '`': case '*': case '_': case '[': case ']': case '<': case '>': case '&': case '|':
        case '~': case '#':
            out += '\\';
            out += c;
            break;
        default:
            out += c;
        }
    }
    return out;
}

// One line that stands at the start of a Markdown line: escaped as inline text, and unable to open a block of
// its own. Leading blanks become no-break spaces (no indented code, no lazy list item), a leading punctuation
// mark is escaped (no heading, quote, list, thematic break, setext underline, fence, table, HTML block), so is
// the mark after a leading number ("1." or "1)": no ordered list), and an empty line holds a no-break space
// (it stays a line of the paragraph rather than ending it).
std::string escape_line(std::string_view line) {
    std::string out;
    std::size_t i = 0;
    for (; i < line.size() && (line[i] == ' ' || line[i] == '\t'); ++i)
        for (int n = line[i] == '\t' ? 4 : 1; n > 0; --n) out += no_break_space;
    line.remove_prefix(i);
    if (line.empty()) return out.empty() ? std::string(no_break_space) : out;
    std::size_t digits = 0;
    while (digits < line.size() && line[digits] >= '0' && line[digits] <= '9') ++digits;
    if (digits > 0 && digits < line.size() && (line[digits] == '.' || line[digits] == ')')) {
        out += line.substr(0, digits);
        out += '\\';
        out += line[digits];
        return out + escape_inline(line.substr(digits + 1));
    }
    if (ascii_punctuation(line[0])) {
        const std::string rest = escape_inline(line);
        // escape_inline escaped it already when it is inline markup; otherwise escape it here.
        return out + (rest[0] == '\\' ? rest : "\\" + rest);
    }
    return out + escape_inline(line);
}

// Without control characters but tabs and line breaks (a NUL shows as U+FFFD, as CommonMark would): a control
// dropped later could leave blanks at a line's start, where they would let a block begin.
std::string cleaned(std::string_view text) {
    std::string out;
    out.reserve(text.size());
    for (const char c : text) {
        const auto u = static_cast<unsigned char>(c);
        if (c == '\0') out += "\uFFFD";
        else if ((u >= 0x20 && u != 0x7f) || c == '\t' || c == '\n' || c == '\r') out += c;
    }
    return out;
}

// Splits at every line break CommonMark knows: "\r\n", "\n" and "\r".
template <class F>
void for_each_line(std::string_view text, F&& f) {
    std::size_t start = 0;
    for (std::size_t i = 0; i <= text.size(); ++i) {
        if (i == text.size() || text[i] == '\n' || text[i] == '\r') {
            f(text.substr(start, i - start));
            if (i + 1 < text.size() && text[i] == '\r' && text[i + 1] == '\n') ++i;
            start = i + 1;
        }
    }
}

// "**Label:** value" on a line of its own (a list item's text).
std::string item(std::string_view label, std::string_view value) {
    return "- **" + markdown_report::inline_text(label) + ":** " + std::string(value) + "\n";
}

// A labelled value: the label, then the value on the same line (a one-line kind) or on lines of its own (text).
std::string labelled(std::string_view label, std::string_view value, bool one_line) {
    std::string out = "**" + markdown_report::inline_text(label) + ":**";
    if (value.empty()) return out + " *Inte ifylld*\n\n";
    if (one_line) return out + " " + markdown_report::inline_text(value) + "\n\n";
    return out + "\\\n" + markdown_report::block_text(value) + "\n\n";
}

// A field of the chair's or of an entry.
std::string field(const field_def& def, const field_value& v, const group& grp) {
    return labelled(def.label, picture_report::field_text(def, v, grp), def.kind != field_kind::text);
}

std::string item_title(const export_item& i) {
    return i.title.empty() ? std::string("*Utan rubrik*") : markdown_report::inline_text(i.title);
}

std::string code(std::string_view s) {
    // Digests are hex and key ids base64: no backtick can be in them, but make sure.
    if (s.empty()) return "–";
    if (s.find('`') != std::string_view::npos) return markdown_report::inline_text(s);
    return "`" + std::string(s) + "`";
}

}  // namespace

std::string markdown_report::inline_text(std::string_view text) {
    const std::string clean = cleaned(text);
    std::string out;
    for_each_line(clean, [&out](std::string_view line) {
        if (!out.empty()) out += ' ';
        out += escape_inline(line);
    });
    return out;
}

std::string markdown_report::block_text(std::string_view text) {
    const std::string clean = cleaned(text);
    std::string out;
    bool first = true;
    for_each_line(clean, [&](std::string_view line) {
        if (!first) out += "\\\n";
        first = false;
        out += escape_line(line);
    });
    return out;
}

std::string markdown_report::render(const picture_export& p, const export_sign_off& s, std::string_view record) {
    const meeting_template& t = p.document.tmpl();
    std::string md;
    md += "# Lägesbild – " + inline_text(p.meeting.title) + "\n\n";
    md += item("EST-grupp", inline_text(p.grp.name) + (p.grp.municipality.empty() ? "" : ", " + inline_text(p.grp.municipality)));
    md += item("Mötesdatum", inline_text(picture_report::long_date(p.meeting.date)));
    const std::string chair = picture_report::chair_names(p);
    md += item("Ordförande", chair.empty() ? std::string("*Inte känd*") : inline_text(chair));
    md += item("Närvarande", inline_text(picture_report::attendance_summary(p)));
    md += item("Mall", inline_text(t.name));
    md += item("Status", inline_text(s.state));
    // The meeting ids are plain ([a-z0-9_-]): safe as they are in a link target.
    if (s.corrected_by)
        md += item("Rättad", "[" + inline_text(export_sign_off::corrected_by_text(*s.corrected_by)) + "](/#/m/" +
                                 s.corrected_by->meeting + ") (möte " + code(s.corrected_by->meeting) + ")");
    if (s.corrects)
        md += item("Rättelse", "[" + inline_text(export_sign_off::corrects_text(*s.corrects)) + "](/#/m/" +
                                   s.corrects->meeting + ") (möte " + code(s.corrects->meeting) + ", kontrollsumma " +
                                   code(s.corrects->digest) + ")");
    md += item("Revision", std::to_string(p.rev));
    md += item("Exporterad", inline_text(p.exported_at));
    md += item("Kontrollsumma (SHA-256)", code(picture_report::digest(p.document)));
    if (p.is_public())
        md += item("Version", "Offentlig version: " + picture_report::withheld_text(secret_entries(p.document).size()) +
                                  ". Maskad version av den fullständiga lägesbilden med kontrollsumma " + code(p.redaction_of) + ".");
    const std::vector<std::string> labels = organisation_labels(p.grp.organisations);
    std::string orgs;
    for (const auto& l : labels) orgs += (orgs.empty() ? "" : "; ") + inline_text(l);
    md += item("Gruppens organisationer", orgs);

    const std::vector<export_item> items = picture_report::decision_items(p);
    const auto is_locked = [&s](const std::string& topic) {
        return std::find(s.locked_topics.begin(), s.locked_topics.end(), topic) != s.locked_topics.end();
    };

    // The overview: one row per topic with the chair's choices and the number of entries.
    md += "\n## Översikt\n\n| Ämne |";
    std::string rule = "\n|---|";
    for (const auto& f : t.topic_fields)
        if (f.kind == field_kind::choice) {
            md += " " + inline_text(f.label) + " |";
            rule += "---|";
        }
    md += " Händelser |" + rule + "---|\n";
    int number = 0;
    for (const auto& def : t.topics) {
        const topic_state& ts = p.document.topic(def.id);
        md += "| " + std::to_string(++number) + ". " + inline_text(def.title) + (is_locked(def.id) ? " (Låst)" : "") + " |";
        for (const auto& f : t.topic_fields) {
            if (f.kind != field_kind::choice) continue;
            const auto it = ts.fields.find(f.id);
            const std::string v = it == ts.fields.end() ? std::string() : it->second.choice;
            md += " " + (v.empty() ? std::string("*Ej angiven*") : inline_text(v)) + " |";
        }
        std::size_t entries = 0;
        for (const auto& [org, cell] : ts.cells) entries += cell.entries.size();
        md += " " + std::to_string(entries) + " |\n";
    }
    md += "\n";

    number = 0;
    for (const auto& def : t.topics) {
        const topic_state& ts = p.document.topic(def.id);
        md += "## " + std::to_string(++number) + ". " + inline_text(def.title) + (is_locked(def.id) ? " (Låst)" : "") + "\n\n";
        if (!def.description.empty()) md += "*" + inline_text(def.description) + "*\n\n";
        md += "### Ordförandens samlade bedömning\n\n";
        for (const auto& f : t.topic_fields) {
            const auto it = ts.fields.find(f.id);
            md += field(f, it == ts.fields.end() ? field_value{} : it->second, p.grp);
        }
        md += "### Rapporter från organisationerna\n\n";
        for (const auto& org : p.grp.organisations) {
            md += "#### " + inline_text(org.name) + "\n\n";
            const auto cit = ts.cells.find(org.id);
            if (cit == ts.cells.end() || cit->second.entries.empty()) {
                md += "*Inget rapporterat.*\n\n";
                continue;
            }
            int n = 0;
            for (const auto& e : cit->second.entries) {
                md += "##### Händelse " + std::to_string(++n) + "\n\n";
                if (!e.secrecy.empty() && p.is_public()) {
                    md += "*Uppgiften omfattas av sekretess enligt " + inline_text(e.secrecy) + ".*\n\n";
                    continue;
                }
                if (!e.secrecy.empty()) md += "**Sekretess enligt " + inline_text(e.secrecy) + "**\n\n";
                for (const auto& f : t.entry_fields) {
                    const auto fit = e.fields.find(f.id);
                    md += field(f, fit == e.fields.end() ? field_value{} : fit->second, p.grp);
                }
            }
        }
        bool heading = false;
        for (const auto& i : items) {
            if (i.topic_number != static_cast<std::size_t>(number)) continue;
            if (!heading) md += "### Beslutspunkter\n\n";
            heading = true;
            md += "#### Beslutspunkt " + std::to_string(i.number) + ": " + item_title(i) + (i.to_bra ? " (Till BRÅ)" : "") + "\n\n";
            for (const auto& [label, value] : i.fields) md += labelled(label, value, value.find('\n') == std::string::npos);
        }
    }

    if (!items.empty()) {
        md += "## Beslutspunkter till BRÅ\n\n";
        bool any = false;
        for (const auto& i : items) {
            if (!i.to_bra) continue;
            any = true;
            md += "- " + std::to_string(i.topic_number) + ". " + inline_text(i.topic_title) + ": " + item_title(i) + "\n";
        }
        md += any ? "\n" : "*Ordföranden har inte markerat någon beslutspunkt till BRÅ.*\n\n";
    }

    md += "## Närvaro\n\n";
    if (p.attendance.empty()) md += "*Ingen närvaro är registrerad för mötet.*\n\n";
    else {
        md += "| Namn | Organisation | Roll | Anslöt |\n|---|---|---|---|\n";
        for (const auto& a : p.attendance) {
            std::string org = a.org.empty() ? std::string("–") : a.org;
            for (std::size_t i = 0; i < p.grp.organisations.size(); ++i)
                if (p.grp.organisations[i].id == a.org) org = labels[i];
            md += "| " + inline_text(a.name) + " | " + inline_text(org) + " | " + picture_report::role_label(a.role) + " | " +
                  inline_text(picture_report::local_time_of(a.first_at)) + " |\n";
        }
        md += "\n";
    }

    md += "## Underskrifter\n\n";
    md += "**Status:** " + inline_text(s.state) + "\n\n";
    if (s.signatures.empty()) md += "*Ingen har skrivit under.*\n\n";
    number = 0;
    for (const auto& sig : s.signatures) {
        md += "### Underskrift " + std::to_string(++number) + "\n\n";
        md += item("Namn", inline_text(sig.name));
        md += item("Roll", inline_text(sig.role));
        md += item("Organisation", sig.organisation.empty() ? "–" : inline_text(sig.organisation));
        md += item("Tid", inline_text(sig.signed_at));
        md += item("Revision", std::to_string(sig.rev));
        md += item("Kontrollsumma (SHA-256)",
                   code(sig.digest) + (!sig.matches    ? " (en annan version än lägesbilden ovan)"
                                       : p.is_public() ? " (den fullständiga lägesbild som den här versionen maskar)"
                                                       : " (samma som lägesbilden ovan)"));
        md += item("Nyckel", code(sig.key_id));
        md += "\n";
    }
    if (s.closed) {
        const auto& c = *s.closed;
        md += "### Stängning\n\n";
        md += item("Stängd av", inline_text(c.name) + ", " + inline_text(c.role) +
                                    (c.organisation.empty() ? "" : ", " + inline_text(c.organisation)));
        md += item("Tid", inline_text(c.closed_at));
        md += item("Löpnummer i gruppens kedja", std::to_string(c.sequence));
        md += item("Föregående kontrollsumma", c.previous.empty() ? "– (den första i gruppens kedja)" : code(c.previous));
        md += item("Revision", std::to_string(c.rev));
        md += item("Kontrollsumma (SHA-256)", code(c.digest));
        md += item("Nyckel", code(c.key_id));
        md += "\n";
    } else if (!s.missing.empty()) {
        std::string missing;
        for (const auto& r : s.missing) missing += (missing.empty() ? "" : ", ") + inline_text(r);
        md += "**Underskrift saknas från:** " + missing + "\n\n";
    } else if (!s.signatures.empty()) {
        md += "Alla underskrifter finns. Mötet är inte stängt.\n\n";
    }

    md += "## Maskinläsbar kopia\n\n";
    md += "Exportens JSON-form, som verifieringen läser. Sista raden är serverns försegling av hela dokumentet.\n\n";
    md += "```json est-record\n";
    md += record;
    if (!record.empty() && record.back() != '\n') md += '\n';
    md += "```\n";
    return md;
}

}  // namespace est::server::records
