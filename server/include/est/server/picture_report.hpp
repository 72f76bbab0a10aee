#pragma once
// Exports of a meeting's situation picture (lägesbild): a printable HTML document rendered from a Mustache
// template in templates/export/, a Markdown document, and a JSON form for other systems. All carry the SHA-256
// digest of the picture's canonical JSON and the meeting's lifecycle (locks, signatures, closing). HTML and
// Markdown embed the JSON export as a record and end with a seal line signed by the server's key
// (docs/protocol.md, "Exports"). Pure: no sockets, no database; the caller supplies a durable copy of the picture.
#include <cstdint>
#include <filesystem>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json_fwd.hpp>

#include "est/group.hpp"
#include "est/meeting_document.hpp"
#include "est/server/attendance_row.hpp"
#include "est/server/catalog.hpp"

namespace est::server {

namespace records {
class signing_keys;
}

// A meeting's picture as it stood at revision `rev`, every change in it durable. `error` is empty on success;
// otherwise `document` is null and error/message say why ("storage_failed", "meeting_not_found").
struct picture_result {
    std::shared_ptr<const meeting_document> document;
    std::uint64_t rev = 0;
    std::string error;
    std::string message;
    // The meeting's lifecycle at `rev` (meeting_lifecycle::to_json(): {"phase","locked_topics","required",
    // "signatures","closing"}); null for an open meeting with nothing locked and no signature.
    std::shared_ptr<const nlohmann::json> lifecycle = {};
};

// What an export shows besides the picture itself.
struct picture_export {
    const meeting_info& meeting;
    const group& grp;
    const meeting_document& document;
    std::uint64_t rev;
    std::string exported_at;  // as shown, e.g. "2026-11-24 15:02 (+01:00)"
    std::shared_ptr<const nlohmann::json> lifecycle = {};  // as picture_result's; null: open, nothing locked
    // Seals HTML and Markdown and describes the keys of the signatures; null: no seal line, an empty "keys".
    const records::signing_keys* keys = nullptr;
    // The public version (`version=public`, docs/privacy.md): `document` is est::redacted_copy() of the picture
    // whose digest this is, and each secret entry shows as a marker. Empty: the full version.
    std::string redaction_of = {};
    // Who took part (catalog::attendance), in the order noted: the record's "Närvaro" and its chair.
    std::vector<attendance_row> attendance = {};
    bool is_public() const noexcept { return !redaction_of.empty(); }
};

// The lifecycle as an export shows it to people, in Swedish: what the HTML and Markdown forms both print.
struct export_sign_off {
    struct signature {
        std::string name;
        std::string role;          // "ordförande", "medundertecknare", …
        std::string organisation;  // the organisation's name ("" when the signer speaks for none)
        std::string signed_at;     // "2026-12-04 10:15:00 UTC"
        std::uint64_t rev = 0;
        std::string digest;        // of the picture signed
        bool matches = false;      // the digest is this export's picture's
        std::string key_id;
    };
    struct closing {
        std::string name;
        std::string role;
        std::string organisation;
        std::string closed_at;
        std::uint64_t sequence = 0;  // place in the group's chain of closings
        std::string previous;        // digest of the previous closing statement; "" for the group's first
        std::uint64_t rev = 0;
        std::string digest;
        std::string key_id;
    };
    std::string phase;        // "draft", "open", "locked", "signed", "closed"
    std::string state;        // "Öppen – lägesbilden kan fortfarande ändras", …
    std::vector<std::string> locked_topics;  // topic ids
    std::vector<signature> signatures;       // in signing order
    std::optional<closing> closed;
    std::vector<std::string> missing;        // required roles (Swedish) that have not signed, in required order
    // Versions (docs/records.md, "Corrections"): the closed meeting this one corrects, and the correction that
    // corrects this one (read from the catalog when exported: the closed meeting itself never changes).
    struct version {
        std::string meeting;  // its id
        std::string title;
        std::string date;
        std::string digest;   // corrects: the corrected picture's digest as closed; corrected_by: ""
        bool closed = false;  // corrected_by: the correction is closed too
    };
    std::optional<version> corrects;
    std::optional<version> corrected_by;
    // "Rättelse av <title>, <date> (lägesbild <first 12 hex>…)" and "Rättad – se <title>": what both forms print.
    static std::string corrects_text(const version& v);
    static std::string corrected_by_text(const version& v);
};

// A decision item as the HTML and Markdown forms both print it (docs/protocol.md, "Decision items").
struct export_item {
    std::size_t topic_number = 0;  // 1-based, in the template's order
    std::string topic_title;
    std::size_t number = 0;        // 1-based within its topic
    std::string title;             // its first text field (the template's "rubrik"); "" when not written
    bool to_bra = false;           // the chair marked it "till_bra": "ja"
    // Every other written field (not the title, not the mark), in the template's order: its label and its value
    // as people read it (an organisation's name rather than its id).
    std::vector<std::pair<std::string, std::string>> fields;
};

class picture_report {
public:
    // Checks the HTML template (Mustache); throws domain_error("bad_template", "<source>: <problem>").
    // `keys`, when given, is what the server's exports are sealed with (picture_export::keys); it must outlive this.
    picture_report(std::string_view html_template, const std::string& source,
                   const records::signing_keys* keys = nullptr);
    // A template file's text; throws domain_error("bad_template") when it cannot be read.
    static std::string read_template(const std::filesystem::path& file);
    // templates/export/lagesbild.html.mustache as it was at build time.
    static std::string_view built_in_template() noexcept;
    ~picture_report();
    const records::signing_keys* keys() const noexcept { return keys_; }

    // Each ends with the seal line when p.keys is set (every byte before it signed, namespace est-live-export).
    std::string html(const picture_export& p) const;
    std::string markdown(const picture_export& p) const;
    // Adds "state", "lifecycle" and "keys" (the public keys of every key_id its signatures and closing use).
    nlohmann::json json(const picture_export& p) const;

    // The meeting's lifecycle read for people.
    static export_sign_off sign_off(const picture_export& p);
    // Every topic's decision items, topic by topic in the template's order, each topic's in the order proposed.
    static std::vector<export_item> decision_items(const picture_export& p);
    // A field's value as an export prints it: text as written, a choice with a capital as the app shows it ("Ökar"),
    // an organisation by its name in the meeting's group (its id when the group no longer has it); "" when not
    // filled.
    static std::string field_text(const field_def& def, const field_value& v, const group& grp);
    // "Utkast", "Öppen – lägesbilden kan fortfarande ändras", "Låst – väntar på underskrifter", "Signerad",
    // "Stängd och signerad"; the phase itself when unknown.
    static std::string state_label(std::string_view phase);
    // "ordförande", "medundertecknare", "deltagare", "BRÅ-ledamot", "administratör"; the name itself when unknown.
    static std::string role_label(std::string_view role);
    // "1 uppgift som omfattas av sekretess är maskad", "3 uppgifter som omfattas av sekretess är maskade": what a
    // public version says it withholds.
    static std::string withheld_text(std::size_t n);
    // "tisdag 24 november 2026" for "2026-11-24"; anything that is not such a date as it is.
    static std::string long_date(std::string_view iso);
    // The chair of the meeting as the record names them: who attended as chair, else who signed as chair, each
    // name once ("" when neither is known).
    static std::string chair_names(const picture_export& p);
    // "6 personer från 4 organisationer", "1 person", "Ingen registrerad".
    static std::string attendance_summary(const picture_export& p);
    // "2026-12-04T10:15:00Z" as exports show times, in the server's local time: "2026-12-04 11:15 (+01:00)".
    static std::string local_time_of(const std::string& iso_utc);
    // "1 händelse", "3 händelser", "inga händelser".
    static std::string entries_text(std::size_t n);
    // The page footer's words for a digest: "Kontrollsumma 3f9a 12c4 8b0e 77d1 … (se Om dokumentet)".
    static std::string digest_footer(std::string_view digest);
    // `body` followed by "<!-- est-seal key=<key id> sig=<base64 SSHSIG blob> -->\n" over every byte of `body`
    // (which gets a final newline first when it has none); `body` unchanged when `keys` is null.
    static std::string seal(std::string body, const records::signing_keys* keys,
                            std::string_view ns = seal_namespace);
    static constexpr std::string_view seal_namespace = "est-live-export";
    // The namespace of a public version's seal and of its redaction statement: a public version never passes as
    // a full export, nor a full export as a public version.
    static constexpr std::string_view redaction_namespace = "est-live-redaction";
    // The statement a public version carries, signed in redaction_namespace (docs/records.md): canonical JSON of
    // {"digest","group","meeting","redacted":[{"entry","org","osl","topic"}],"redaction_of","rev",
    //  "type":"est-live/redaction","version":1}.
    static std::string redaction_statement(const picture_export& p, const std::string& digest);

    // The canonical JSON of a picture: its to_json() with object keys sorted, no whitespace, UTF-8 as is.
    static std::string canonical_json(const meeting_document& doc);
    static std::string canonical_json(const nlohmann::json& picture);  // of doc.to_json()
    // Lower-case hex SHA-256 of canonical_json(doc).
    static std::string digest(const meeting_document& doc);
    static std::string sha256_hex(std::string_view data);
    // The current local time as exports show it: "YYYY-MM-DD HH:MM (+hh:mm)".
    static std::string local_time_now();

private:
    struct compiled;
    std::unique_ptr<compiled> html_;
    const records::signing_keys* keys_;
    mutable std::mutex render_mutex_;  // a Mustache template keeps per-render state inside it
};

}  // namespace est::server
