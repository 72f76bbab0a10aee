// Fuzzes export rendering (picture_report, with the built-in template) over pictures built two ways:
// first byte even: a meeting title, a group name and a run of changes submitted to a live meeting_state;
// odd: the rest as a stored picture (meeting_document::from_json). Checks, for every picture:
// - json(): "picture" is the document's to_json() and "digest" the SHA-256 of its canonical JSON;
// - html(): valid UTF-8, carries the same digest and the revision, every '<' opens one of the template's
//   own tags (user text never becomes markup), and every non-empty text, choice, title and name appears
//   in it escaped exactly as Mustache escapes.
#include <string>
#include <unordered_set>

#include <nlohmann/json.hpp>

#include "est/json_limits.hpp"
#include "est/server/picture_report.hpp"
#include "fuzz_support.hpp"

namespace {

using est::fuzz::fail;

const est::server::picture_report& report() {
    static const est::server::picture_report r(est::server::picture_report::built_in_template(), "built-in");
    return r;
}

std::string escaped(std::string_view s) {
    std::string out;
    for (char c : s) {
        switch (c) {
            case '&': out += "&amp;"; break;
            case '<': out += "&lt;"; break;
            case '>': out += "&gt;"; break;
            case '"': out += "&quot;"; break;
            case '\'': out += "&apos;"; break;
            default: out += c;
        }
    }
    return out;
}

bool valid_utf8(std::string_view s) {
    while (!s.empty()) {
        char32_t cp;
        const std::size_t n = est::decode_utf8(s, cp);
        if (n == 0) return false;
        s.remove_prefix(n);
    }
    return true;
}

// Every tag the export template writes; user text must never add one.
void check_tags(const std::string& html) {
    static const std::unordered_set<std::string> allowed = {
        "!DOCTYPE", "html", "head", "meta", "title", "style", "body", "header", "h1", "h2", "h3", "h4",
        "dl", "dt", "dd", "main", "table", "caption", "thead", "tbody", "tr", "th", "td", "a", "span",
        "section", "p", "div", "ol", "li", "footer", "strong"};
    // The embedded record (the JSON export as a data block) is the one script element: its text holds no "</",
    // "<!--" or "<script" (they are escaped), so it ends at the first "</script>".
    const std::string record_open = "<script type=\"application/json\" id=\"est-record\">";
    const std::size_t record = html.find(record_open);
    if (record == std::string::npos || html.find(record_open, record + 1) != std::string::npos)
        fail("the HTML export must embed its record exactly once");
    const std::size_t record_end = html.find("</script>", record);
    if (record_end == std::string::npos) fail("the HTML export's record is not closed");
    const std::string record_text = html.substr(record + record_open.size(), record_end - record - record_open.size());
    if (record_text.find("</") != std::string::npos || record_text.find("<!--") != std::string::npos ||
        record_text.find("<script") != std::string::npos)
        fail("the HTML export's record holds markup that could end it early");
    // The seal is the last line and the one comment.
    const std::size_t seal = html.rfind("<!-- est-seal ");
    const std::size_t scan_end = seal == std::string::npos ? html.size() : seal;
    for (std::size_t at = html.find('<'); at != std::string::npos && at < scan_end; at = html.find('<', at + 1)) {
        if (at == record) {
            at = record_end + 1;  // the closing </script> is the template's own
            continue;
        }
        std::size_t b = at + 1;
        if (b < html.size() && html[b] == '/') ++b;
        std::size_t e = b;
        while (e < html.size() && (std::isalnum(static_cast<unsigned char>(html[e])) || html[e] == '!')) ++e;
        const std::string name = html.substr(b, e - b);
        if (!allowed.count(name)) fail("the HTML export has a tag the template does not write: <" + html.substr(b, 24));
    }
}

void must_show(const std::string& html, std::string_view value, const char* what) {
    if (value.empty()) return;
    if (html.find(escaped(value)) == std::string::npos)
        fail(std::string("the HTML export does not show ") + what + " '" + std::string(value) + "' escaped");
}

void check_export(const est::meeting_document& doc, std::uint64_t rev, const est::server::meeting_info& info,
                  const est::group& grp) {
    const est::server::picture_export p{info, grp, doc, rev, "2026-11-24 15:02 (+01:00)"};
    const nlohmann::json j = report().json(p);
    const nlohmann::json picture = doc.to_json();
    if (j.at("picture") != picture) fail("json(): the picture is not the document's JSON");
    const std::string digest = est::server::picture_report::sha256_hex(picture.dump());
    if (j.at("digest") != digest || est::server::picture_report::digest(doc) != digest) fail("json(): wrong digest");
    if (j.at("rev") != rev) fail("json(): wrong revision");
    (void)j.dump();  // must not throw: every string in it is UTF-8

    const std::string html = report().html(p);
    if (!valid_utf8(html)) fail("html() is not valid UTF-8");
    if (html.find(digest) == std::string::npos) fail("html() lacks the digest");
    if (html.find("<dd>" + std::to_string(rev) + "</dd>") == std::string::npos) fail("html() lacks the revision");
    check_tags(html);
    must_show(html, info.title, "the title");
    must_show(html, grp.name, "the group's name");
    must_show(html, grp.municipality, "the municipality");
    for (const auto& o : grp.organisations) must_show(html, o.name, "an organisation's name");
    const auto& t = doc.tmpl();
    for (const auto& td : t.topics) {
        const auto& ts = doc.topic(td.id);
        for (const auto& f : t.topic_fields) {
            const auto& v = ts.fields.find(f.id)->second;
            must_show(html, f.kind == est::field_kind::text ? est::utf16_to_utf8(v.text) : v.choice, "a topic field");
        }
        for (const auto& o : grp.organisations) {
            const auto c = ts.cells.find(o.id);
            if (c == ts.cells.end()) continue;
            for (const auto& e : c->second.entries)
                for (const auto& f : t.entry_fields) {
                    const auto& v = e.fields.find(f.id)->second;
                    must_show(html, f.kind == est::field_kind::text ? est::utf16_to_utf8(v.text) : v.choice, "an entry field");
                }
        }
        for (const auto& e : ts.items)
            for (const auto& f : t.decision_item_fields) {
                const auto v = e.fields.find(f.id);
                if (v == e.fields.end() || f.id == est::to_bra_field) continue;
                must_show(html, est::server::picture_report::field_text(f, v->second, grp), "a decision item field");
            }
    }
}

// A short string of the input as a name: when it is not valid UTF-8 (REST bodies cannot carry that), the
// demo's.
std::string name_from(est::fuzz::reader& r, const std::string& otherwise) {
    std::string s = r.bytes(40);
    return s.empty() || !valid_utf8(s) ? otherwise : s;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    if (size == 0) return 0;
    est::fuzz::reader r(data, size);
    const auto& tmpl = est::fuzz::est_template();
    est::group grp = est::fuzz::fagersta();
    est::server::meeting_info info{"fagersta-v47", grp.id, "EST-möte vecka 47", "2026-11-17", "open",
                                   "2026-11-10T08:00:00Z", tmpl};

    if (r.byte() % 2 == 0) {
        info.title = name_from(r, info.title);
        grp.name = name_from(r, grp.name);
        est::limits lim;
        lim.max_entries_per_cell = 6;
        est::meeting_state s(est::meeting_document(tmpl, grp.organisation_ids()), 0, {}, lim);
        for (int i = 0; i < 128 && r.more(); ++i) est::fuzz::submit_generated(s, r, false);
        check_export(s.document(), s.rev(), info, grp);
        return 0;
    }
    std::optional<est::meeting_document> doc;
    try {
        doc.emplace(est::meeting_document::from_json(tmpl, grp.organisation_ids(), est::parse_json_bounded(r.rest(), 32)));
    } catch (const est::domain_error&) {
        return 0;
    }
    check_export(*doc, 0, info, grp);
    return 0;
}
