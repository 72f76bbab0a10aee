#include "est/client/record_check.hpp"

#include <algorithm>
#include <cstdint>
#include <optional>

#include <nlohmann/json.hpp>

#include "est/json_limits.hpp"

namespace est::client {

namespace {

using nlohmann::json;

// Exports nest a picture a few levels deep; anything deeper is not ours.
constexpr std::size_t max_json_depth = 64;
// The SSHSIG namespaces of the server's statements and of an export's and a monthly report's seal
// (docs/records.md).
constexpr std::string_view signature_namespace = "est-live-signature";
constexpr std::string_view closing_namespace = "est-live-closing";
constexpr std::string_view export_namespace = "est-live-export";
constexpr std::string_view report_namespace = "est-live-report";
// A public version's seal and its redaction statement (docs/records.md, "The public version").
constexpr std::string_view redaction_namespace = "est-live-redaction";
constexpr std::string_view redaction_type = "est-live/redaction";
constexpr std::string_view report_type = "est-live/monthly-report";
constexpr std::string_view seal_start = "<!-- est-seal ";
constexpr std::string_view seal_end = " -->\n";
constexpr std::string_view html_record_start = "<script type=\"application/json\" id=\"est-record\">";
constexpr std::string_view markdown_record_start = "```json est-record\n";

// The headlines, Swedish / English.
const std::string altered = "ÄNDRAD / ALTERED: ";
const std::string unknown_key = "OKÄND NYCKEL / UNKNOWN KEY: ";
const std::string unreadable = "OLÄSBAR / UNREADABLE: ";
const std::string unsigned_ = "OSIGNERAD / UNSIGNED: ";

std::string both(const std::string& sv, const std::string& en) { return sv + " / " + en; }

// What a message is about, in either language: "underskrift 2" / "signature 2".
struct label {
    std::string sv, en;
};

std::string str(const json& j, const char* key) {
    const auto it = j.find(key);
    return it != j.end() && it->is_string() ? it->get<std::string>() : std::string();
}
std::string num(const json& j, const char* key) {
    const auto it = j.find(key);
    if (it == j.end() || !it->is_number_integer()) return "?";
    return it->is_number_unsigned() ? std::to_string(it->get<std::uint64_t>()) : std::to_string(it->get<std::int64_t>());
}
// "abcdef012345…": enough of a digest to compare by eye.
std::string short_hex(const std::string& hex) { return hex.size() > 12 ? hex.substr(0, 12) + "…" : hex; }

std::optional<json> parse(std::string_view text) {
    try {
        return parse_json_bounded(text, max_json_depth);
    } catch (const std::exception&) {
        return std::nullopt;
    }
}

// Decides whether a key may sign: a pinned one, or else one of the record's own keys (then it is noted that
// nothing ties them to the server).
class key_judge {
public:
    // `own_keys`: the {"key_id","public_key",…} items of a file's `keys` (`from_server` false; `whose` names them:
    // "exportens nycklar" / "the export's keys") or of the server's /api/keys answer (true).
    key_judge(const trusted_keys& trusted, const json& own_keys, bool from_server, label whose)
        : trusted_(trusted), from_server_(from_server), whose_(std::move(whose)) {
        if (!own_keys.is_array()) return;
        for (const auto& k : own_keys)
            if (k.is_object())
                if (auto pub = sshsig::parse_public_key_line(str(k, "public_key"))) own_.push_back(*pub);
    }

    // "" when `key` may sign, else the problem. `named_by_itself`: without pinned keys, a key the file names only
    // where it is used (an export's seal line) is taken as the file's own key too, and reported as not pinned.
    std::string judge(const sshsig::public_key& key, const label& what, bool named_by_itself = false) {
        const std::string id = sshsig::key_id(key);
        if (!trusted_.pinned.empty()) {
            if (std::find(trusted_.pinned.begin(), trusted_.pinned.end(), key) != trusted_.pinned.end()) return {};
            return unknown_key + both(what.sv + " gjordes med nyckeln " + id + ", inte med " + trusted_.source,
                                      what.en + " was made with key " + id + ", not with " + trusted_.source);
        }
        if (!named_by_itself && std::find(own_.begin(), own_.end(), key) == own_.end())
            return unknown_key + both(what.sv + " gjordes med nyckeln " + id + " som inte finns bland " + whose_.sv,
                                      what.en + " was made with key " + id + ", which is not among " + whose_.en);
        if (std::find(used_.begin(), used_.end(), id) == used_.end()) used_.push_back(id);
        return {};
    }

    // The note that the keys were not pinned, naming those used: empty when they were pinned.
    std::string unpinned_note() const {
        if (!trusted_.pinned.empty() || used_.empty()) return {};
        std::string ids;
        for (const auto& id : used_) ids += (ids.empty() ? "" : ", ") + id;
        if (from_server_)
            return both("Nyckeln är inte fastlåst: kontrollen litar på de nycklar servern svarade med. Jämför " + ids +
                            " med `est-server keys` på serverns maskin, eller ge --key",
                        "The key is not pinned: the check trusts the keys the server answered. Compare " + ids +
                            " with `est-server keys` on the server's machine, or give --key");
        return both("Nyckeln är inte fastlåst: kontrollen litar på nycklarna i filen själv. Jämför " + ids +
                        " med serverns /api/keys eller `est-server keys`, eller ge --key",
                    "The key is not pinned: the check trusts the keys in the file itself. Compare " + ids +
                        " with the server's /api/keys or `est-server keys`, or give --key");
    }

private:
    const trusted_keys& trusted_;
    bool from_server_;
    label whose_;
    std::vector<sshsig::public_key> own_;
    std::vector<std::string> used_;
};

// One signed record {"statement","sshsig","key_id"}: its statement read, its signature checked in `ns`, its key
// judged. nullopt (with the problem added) when any of that fails.
std::optional<json> check_signed(const json& rec, std::string_view ns, const label& what, key_judge& keys,
                                 std::vector<std::string>& problems) {
    if (!rec.is_object() || !rec.contains("statement") || !rec["statement"].is_string() || !rec.contains("sshsig") ||
        !rec["sshsig"].is_string()) {
        problems.push_back(unreadable + both(what.sv + " saknar statement eller sshsig", what.en + " lacks statement or sshsig"));
        return std::nullopt;
    }
    const std::string statement = rec["statement"];
    const auto v = sshsig::verify(rec["sshsig"].get<std::string>(), ns, statement);
    if (!v.ok) {
        problems.push_back(altered + both(what.sv + ": signaturen stämmer inte (" + v.error + ")",
                                          what.en + ": the signature does not hold (" + v.error + ")"));
        return std::nullopt;
    }
    if (const auto id = str(rec, "key_id"); id != sshsig::key_id(v.key))
        problems.push_back(altered + both(what.sv + ": key_id " + id + " är inte nyckeln som signerade, " + sshsig::key_id(v.key),
                                          what.en + ": key_id " + id + " is not the key that signed, " + sshsig::key_id(v.key)));
    if (auto problem = keys.judge(v.key, what); !problem.empty()) {
        problems.push_back(std::move(problem));
        return std::nullopt;
    }
    auto facts = parse(statement);
    if (!facts || !facts->is_object()) {
        problems.push_back(unreadable + both(what.sv + ": texten är inte JSON", what.en + ": the statement is not JSON"));
        return std::nullopt;
    }
    return facts;
}

// The same meeting, group and picture as the export?
void check_facts(const json& facts, const label& what, const std::string& type, const std::string& meeting,
                 const std::string& group, const std::string& digest, std::vector<std::string>& problems) {
    if (str(facts, "type") != type || !facts.contains("version") || facts["version"] != 1)
        problems.push_back(unreadable + both(what.sv + " är inte av typen " + type + " version 1",
                                             what.en + " is not of type " + type + " version 1"));
    if (str(facts, "meeting") != meeting)
        problems.push_back(altered + both(what.sv + " gäller möte " + str(facts, "meeting") + ", inte " + meeting,
                                          what.en + " is for meeting " + str(facts, "meeting") + ", not " + meeting));
    if (str(facts, "group") != group)
        problems.push_back(altered + both(what.sv + " gäller grupp " + str(facts, "group") + ", inte " + group,
                                          what.en + " is for group " + str(facts, "group") + ", not " + group));
    if (str(facts, "digest") != digest)
        problems.push_back(altered + both(what.sv + " gäller en annan lägesbild (digest " + short_hex(str(facts, "digest")) +
                                              ", lägesbilden har " + short_hex(digest) + ")",
                                          what.en + " is of another picture (digest " + short_hex(str(facts, "digest")) +
                                              ", the picture has " + short_hex(digest) + ")"));
}

// "Eva Ek (chair, kommun) 2026-12-04T10:15:00Z"
std::string who_when(const json& person, const std::string& when) {
    if (!person.is_object()) return when;
    return str(person, "name") + " (" + str(person, "role") + ", " + str(person, "org") + ") " + when;
}

// Splits an HTML or Markdown export at its seal: the bytes sealed, and the seal line's key id and signature.
struct seal {
    std::string_view sealed;
    std::string key_id;
    std::string sig_base64;
};
std::optional<seal> find_seal(std::string_view file) {
    if (file.size() < seal_end.size() || file.substr(file.size() - seal_end.size()) != seal_end) return std::nullopt;
    const auto start = file.rfind(seal_start);
    if (start == std::string_view::npos || (start > 0 && file[start - 1] != '\n')) return std::nullopt;
    const auto line = file.substr(start + seal_start.size(), file.size() - seal_end.size() - start - seal_start.size());
    if (line.find('\n') != std::string_view::npos) return std::nullopt;
    // key=SHA256:… sig=…
    const auto sp = line.find(' ');
    if (line.rfind("key=", 0) != 0 || sp == std::string_view::npos || line.substr(sp + 1, 4) != "sig=") return std::nullopt;
    return seal{file.substr(0, start), std::string(line.substr(4, sp - 4)), std::string(line.substr(sp + 5))};
}

// The JSON record inside an HTML or Markdown export.
std::optional<std::string_view> embedded_record(std::string_view sealed) {
    if (const auto at = sealed.rfind(html_record_start); at != std::string_view::npos) {
        const auto begin = at + html_record_start.size();
        const auto end = sealed.find("</script>", begin);
        if (end == std::string_view::npos) return std::nullopt;
        return sealed.substr(begin, end - begin);  // "<\/" inside is JSON's escape of '/': parsed as it is
    }
    const auto at = sealed.rfind(markdown_record_start);
    if (at == std::string_view::npos || (at > 0 && sealed[at - 1] != '\n')) return std::nullopt;
    const auto begin = at + markdown_record_start.size();
    // JSON text has no raw line break inside a string, so the first line that is a fence ends the block.
    const auto end = sealed.find("\n```", begin - 1);
    if (end == std::string_view::npos || end < begin) return std::nullopt;
    return sealed.substr(begin, end + 1 - begin);
}

// A correction (docs/records.md, "Corrections"): every statement names the same corrected meeting, picture digest
// and closing, and the export's meeting says the same. Says so in the verdict's headline; a meeting that a later
// correction corrects gets a note (the export says so; no signed text does, since the closed meeting never changes).
void check_correction(const json& meeting, const std::vector<json>& named, std::string& head, std::string& head_en,
                      record_verdict& v) {
    json claimed;
    if (meeting.contains("corrects") && meeting["corrects"].is_object())
        claimed = {{"meeting", str(meeting["corrects"], "meeting")},
                   {"digest", str(meeting["corrects"], "digest")},
                   {"closing", str(meeting["corrects"], "closing")}};
    if (std::any_of(named.begin(), named.end(), [&](const json& c) { return c != named.front(); }))
        v.problems.push_back(altered + both("underskrifterna och avslutet anger olika möten som rättas",
                                            "the signatures and the closing name different meetings as corrected"));
    else if (!named.empty() && named.front() != claimed)
        v.problems.push_back(altered + both("exporten och de signerade texterna säger olika om vad mötet rättar",
                                            "the export and the signed statements disagree on what the meeting corrects"));
    if (claimed.is_object()) {
        const std::string signed_sv = named.empty() ? " (inte signerad än)" : "";
        const std::string signed_en = named.empty() ? " (not signed yet)" : "";
        head += "; rättelse av möte " + str(claimed, "meeting") + " med digest " + str(claimed, "digest") +
                " (avslutets SHA-256 " + short_hex(str(claimed, "closing")) + ")" + signed_sv;
        head_en += "; a correction of meeting " + str(claimed, "meeting") + " with digest " + str(claimed, "digest") +
                   " (its closing's SHA-256 " + short_hex(str(claimed, "closing")) + ")" + signed_en;
    }
    if (meeting.contains("corrected_by") && meeting["corrected_by"].is_object())
        v.notes.push_back(both("Rättad i möte " + str(meeting["corrected_by"], "id") + " (" + str(meeting["corrected_by"], "title") +
                                   "), enligt servern vid exporten: det står inte i de signerade texterna",
                               "Corrected in meeting " + str(meeting["corrected_by"], "id") +
                                   ", as the server said at the export: no signed statement says so"));
}

// The entries a public picture marks sekretess, as a redaction statement lists them ({"entry","org","osl","topic"},
// sorted); with `text_left` set when any field of theirs still holds something.
json marked_entries(const json& picture, bool& text_left) {
    json out = json::array();
    const json topics = picture.is_object() && picture.contains("topics") && picture["topics"].is_array() ? picture["topics"]
                                                                                                          : json::array();
    for (const auto& t : topics) {
        if (!t.is_object() || !t.contains("cells") || !t["cells"].is_object()) continue;
        for (const auto& [org, cell] : t["cells"].items()) {
            if (!cell.is_object() || !cell.contains("entries") || !cell["entries"].is_array()) continue;
            for (const auto& e : cell["entries"]) {
                if (!e.is_object() || !e.contains("secrecy") || str(e["secrecy"], "osl").empty()) continue;
                out.push_back({{"topic", str(t, "id")}, {"org", org}, {"entry", str(e, "id")}, {"osl", str(e["secrecy"], "osl")}});
                if (e.contains("fields") && e["fields"].is_object())
                    for (const auto& [id, value] : e["fields"].items())
                        if (value.is_string() ? !value.get<std::string>().empty()
                                              : !(value.is_object() && str(value, "value").empty()))
                            text_left = true;
            }
        }
    }
    std::sort(out.begin(), out.end());
    return out;
}

// A public version's redaction statement (docs/records.md, "The public version"): signed in est-live-redaction by a
// trusted key, naming this meeting, group, revision and redacted picture (`digest`, recomputed from the file), the
// file's redaction_of, and exactly the entries the picture marks, each emptied. Returns the digest the signatures
// and the closing must sign: the statement's redaction_of, or "" when nothing binds the picture to a signed one.
std::string check_redaction(const json& doc, const std::string& meeting, const std::string& group,
                            const std::string& digest, key_judge& keys, record_verdict& v) {
    if (!doc.contains("redaction")) {
        v.problems.push_back(unreadable + both("den offentliga versionen saknar serverns maskningsintyg (redaction)",
                                               "the public version lacks the server's redaction statement"));
        return {};
    }
    const auto facts = check_signed(doc["redaction"], redaction_namespace, {"maskningsintyget", "the redaction statement"},
                                    keys, v.problems);
    if (!facts) return {};
    if (str(*facts, "type") != redaction_type || !facts->contains("version") || (*facts)["version"] != 1)
        v.problems.push_back(unreadable + both("maskningsintyget är inte av typen est-live/redaction version 1",
                                               "the redaction statement is not of type est-live/redaction version 1"));
    if (str(*facts, "meeting") != meeting || str(*facts, "group") != group || num(*facts, "rev") != num(doc, "rev"))
        v.problems.push_back(altered + both("maskningsintyget gäller ett annat möte eller en annan revision",
                                            "the redaction statement is of another meeting or revision"));
    if (str(*facts, "digest") != digest)
        v.problems.push_back(altered + both("den maskade lägesbilden är inte den som servern maskade (kontrollsumma " +
                                                short_hex(digest) + ", intyget säger " + short_hex(str(*facts, "digest")) + ")",
                                            "the redacted picture is not the one the server redacted (digest " +
                                                short_hex(digest) + ", the statement says " + short_hex(str(*facts, "digest")) + ")"));
    if (str(*facts, "redaction_of") != str(doc, "redaction_of"))
        v.problems.push_back(altered + both("exportens redaction_of " + short_hex(str(doc, "redaction_of")) +
                                                " är inte intygets " + short_hex(str(*facts, "redaction_of")),
                                            "the export's redaction_of " + short_hex(str(doc, "redaction_of")) +
                                                " is not the statement's " + short_hex(str(*facts, "redaction_of"))));
    json listed = facts->contains("redacted") && (*facts)["redacted"].is_array() ? (*facts)["redacted"] : json::array();
    if (!doc.contains("redacted") || doc["redacted"] != listed)
        v.problems.push_back(altered + both("exportens lista över maskade uppgifter (redacted) är inte intygets",
                                            "the export's list of withheld entries (redacted) is not the statement's"));
    bool text_left = false;
    std::sort(listed.begin(), listed.end());
    if (marked_entries(doc["picture"], text_left) != listed)
        v.problems.push_back(altered + both("lägesbildens sekretessmarkeringar är inte de maskade uppgifter intyget räknar upp",
                                            "the picture's sekretess markings are not the withheld entries the statement lists"));
    if (text_left)
        v.problems.push_back(altered + both("en uppgift som omfattas av sekretess har text kvar i den offentliga versionen",
                                            "an entry under sekretess still holds text in the public version"));
    return str(*facts, "redaction_of");
}

void check_record(const json& doc, key_judge& keys, record_verdict& v, bool sealed) {
    if (str(doc, "type") == report_type) {
        v.problems.push_back(unreadable + both("filen är en månadsrapport, ingen export av en lägesbild",
                                               "the file is a monthly report, not an export of a picture"));
        return;
    }
    if (!doc.is_object() || !doc.contains("picture") || !doc.contains("meeting") || !doc["meeting"].is_object() ||
        !doc.contains("group") || !doc["group"].is_object()) {
        v.problems.push_back(unreadable + both("filen är ingen export av en lägesbild (picture, meeting, group saknas)",
                                               "the file is not an export of a picture (picture, meeting, group missing)"));
        return;
    }
    const std::string meeting = str(doc["meeting"], "id"), group = str(doc["group"], "id");
    const std::string digest = sshsig::sha256_hex(doc["picture"].dump());
    if (str(doc, "digest") != digest)
        v.problems.push_back(altered + both("lägesbilden stämmer inte med exportens digest " + short_hex(str(doc, "digest")) +
                                                " (den har " + short_hex(digest) + ")",
                                            "the picture does not match the export's digest " + short_hex(str(doc, "digest")) +
                                                " (it has " + short_hex(digest) + ")"));
    // A public version: the server's redaction statement binds this picture to the full one, whose digest the
    // signatures and the closing sign.
    const bool is_public = str(doc, "version") == "public";
    const std::string signed_digest = is_public ? check_redaction(doc, meeting, group, digest, keys, v) : digest;
    const json lifecycle = doc.contains("lifecycle") && doc["lifecycle"].is_object() ? doc["lifecycle"] : json::object();
    const json signatures = lifecycle.contains("signatures") && lifecycle["signatures"].is_array() ? lifecycle["signatures"]
                                                                                                  : json::array();
    const json closing = lifecycle.contains("closing") ? lifecycle["closing"] : json();
    std::string phase = str(lifecycle, "phase");
    if (phase.empty()) phase = str(doc, "state");

    std::string head = "lägesbild för möte " + meeting + ", rev " + num(doc, "rev") + ", digest " + digest;
    std::string head_en = "picture of meeting " + meeting + ", rev " + num(doc, "rev") + ", digest " + digest;
    if (is_public) {
        const std::size_t n = doc.contains("redacted") && doc["redacted"].is_array() ? doc["redacted"].size() : 0;
        head = "OFFENTLIG VERSION (maskad) av lägesbilden med kontrollsumma " + signed_digest + ": " + head + ", " +
               std::to_string(n) + (n == 1 ? " uppgift maskad" : " uppgifter maskade");
        head_en = "PUBLIC VERSION (redacted) of the picture with digest " + signed_digest + ": " + head_en + ", " +
                  std::to_string(n) + (n == 1 ? " entry withheld" : " entries withheld");
    }
    std::vector<std::string> statement_digests;
    std::vector<std::string> roles_signed;
    std::vector<json> named_corrects;  // each readable statement's "corrects" (null when it names none)
    std::string signed_by;
    const auto problems_before = v.problems.size();
    for (std::size_t i = 0; i < signatures.size(); ++i) {
        const label what{"underskrift " + std::to_string(i + 1), "signature " + std::to_string(i + 1)};
        if (signatures[i].is_object() && signatures[i].contains("statement") && signatures[i]["statement"].is_string())
            statement_digests.push_back(sshsig::sha256_hex(signatures[i]["statement"].get<std::string>()));
        const auto facts = check_signed(signatures[i], signature_namespace, what, keys, v.problems);
        if (!facts) continue;
        check_facts(*facts, what, "est-live/signature", meeting, group, signed_digest, v.problems);
        named_corrects.push_back(facts->contains("corrects") ? (*facts)["corrects"] : json());
        const json signer = facts->contains("signer") ? (*facts)["signer"] : json();
        if (signer.is_object()) roles_signed.push_back(str(signer, "role"));
        signed_by += (signed_by.empty() ? "" : "; ") + who_when(signer, str(*facts, "signed_at")) + " rev " + num(*facts, "rev");
    }
    // Which roles signed is known only when every signature could be read (else the problem is said already).
    const bool signatures_read = v.problems.size() == problems_before;
    std::string closed_by, sequence;
    if (!closing.is_null()) {
        const label what{"avslutet", "the closing"};
        if (const auto facts = check_signed(closing, closing_namespace, what, keys, v.problems)) {
            check_facts(*facts, what, "est-live/closing", meeting, group, signed_digest, v.problems);
            named_corrects.push_back(facts->contains("corrects") ? (*facts)["corrects"] : json());
            const json listed = facts->contains("signatures") ? (*facts)["signatures"] : json();
            if (listed != json(statement_digests))
                v.problems.push_back(altered + both("avslutet räknar upp andra underskrifter än exporten har (" +
                                                        std::to_string(listed.is_array() ? listed.size() : 0) + " mot " +
                                                        std::to_string(statement_digests.size()) + ")",
                                                    "the closing lists other signatures than the export holds (" +
                                                        std::to_string(listed.is_array() ? listed.size() : 0) + " against " +
                                                        std::to_string(statement_digests.size()) + ")"));
            closed_by = who_when(facts->contains("closed_by") ? (*facts)["closed_by"] : json(), str(*facts, "closed_at"));
            sequence = num(*facts, "sequence");
        }
    } else if (phase == "closed") {
        v.problems.push_back(altered + both("mötet är stängt men exporten har inget avslut",
                                            "the meeting is closed but the export holds no closing"));
    }
    if (signatures_read && (phase == "signed" || phase == "closed") && lifecycle.contains("required") &&
        lifecycle["required"].is_array())
        for (const auto& r : lifecycle["required"])
            if (r.is_string() && std::find(roles_signed.begin(), roles_signed.end(), r.get<std::string>()) == roles_signed.end())
                v.problems.push_back(altered + both("underskrift av " + r.get<std::string>() + " saknas",
                                                    "the signature of the " + r.get<std::string>() + " is missing"));
    // The server's signature on a public version's redaction statement says where it came from, as a seal does.
    const bool server_signed = sealed || (is_public && !signed_digest.empty());
    if (signatures.empty() && closing.is_null() && !server_signed)
        v.problems.push_back(unsigned_ + both(head + ": inga underskrifter och inget sigill, inget visar var den kommer ifrån",
                                              head_en + ": no signatures and no seal, nothing shows where it came from"));

    check_correction(doc["meeting"], named_corrects, head, head_en, v);
    if (!signed_by.empty()) {
        head += "; signerad av " + signed_by;
        head_en += "; signed by " + signed_by;
    } else {
        head += "; inte signerad";
        head_en += "; not signed";
    }
    if (!closed_by.empty()) {
        head += "; stängd av " + closed_by + ", sekvens " + sequence;
        head_en += "; closed by " + closed_by + ", sequence " + sequence;
    }
    v.notes.insert(v.notes.begin(), both(head, head_en));
}

// A report's record (docs/protocol.md, "The monthly report"): each meeting's closing record signed in
// est-live-closing by a trusted key and naming the meeting, group, sequence and picture digest the report shows
// for it. The levels, items and charts are in no signed statement: only the seal (HTML, Markdown) vouches for them.
void check_report_record(const json& doc, key_judge& keys, record_verdict& v, bool sealed) {
    if (!doc.is_object() || str(doc, "type") != report_type || !doc.contains("version") || doc["version"] != 1 ||
        !doc.contains("groups") || !doc["groups"].is_array()) {
        v.problems.push_back(unreadable + both("filen är ingen månadsrapport (est-live/monthly-report version 1)",
                                               "the file is not a monthly report (est-live/monthly-report version 1)"));
        return;
    }
    const auto meetings_sv = [](std::size_t n) { return std::to_string(n) + (n == 1 ? " möte" : " möten"); };
    const auto meetings_en = [](std::size_t n) { return std::to_string(n) + (n == 1 ? " meeting" : " meetings"); };
    std::size_t total = 0;
    std::string groups_sv, groups_en;
    for (const auto& g : doc["groups"]) {
        const std::string group = str(g, "id");
        const json meetings = g.contains("meetings") && g["meetings"].is_array() ? g["meetings"] : json::array();
        for (const auto& m : meetings) {
            const std::string meeting = str(m, "id");
            const label what{"avslutet för möte " + meeting + " i grupp " + group,
                             "the closing of meeting " + meeting + " of group " + group};
            const json closing = m.contains("closing") ? m["closing"] : json();
            const auto facts = check_signed(closing, closing_namespace, what, keys, v.problems);
            if (!facts) continue;
            check_facts(*facts, what, "est-live/closing", meeting, group, str(m, "digest"), v.problems);
            if (num(*facts, "sequence") != num(m, "sequence"))
                v.problems.push_back(altered + both(what.sv + " har sekvens " + num(*facts, "sequence") +
                                                        ", rapporten säger " + num(m, "sequence"),
                                                    what.en + " has sequence " + num(*facts, "sequence") +
                                                        ", the report says " + num(m, "sequence")));
        }
        total += meetings.size();
        groups_sv +=
            (groups_sv.empty() ? "" : ", ") + str(g, "name") + " (" + group + ") " + meetings_sv(meetings.size());
        groups_en += (groups_en.empty() ? "" : ", ") + group + " " + meetings_en(meetings.size());
    }
    const std::size_t groups = doc["groups"].size();
    const std::string head = "månadsrapport " + str(doc, "month") + " (" + str(doc, "month_label") + "), " +
                             std::to_string(groups) + (groups == 1 ? " grupp, " : " grupper, ") + meetings_sv(total) +
                             " med avslut: " + groups_sv;
    const std::string head_en = "monthly report " + str(doc, "month") + ", " + std::to_string(groups) +
                                (groups == 1 ? " group, " : " groups, ") + meetings_en(total) + " with their closings: " +
                                groups_en;
    if (!sealed && total == 0)
        v.problems.push_back(unsigned_ + both(head + ": inga avslut och inget sigill, inget visar var den kommer ifrån",
                                              head_en + ": no closings and no seal, nothing shows where it came from"));
    else if (!sealed)
        v.notes.push_back(both("JSON-formen har inget sigill: bara mötenas avslut är kontrollerade; nivåer, "
                               "beslutspunkter och diagram är serverns ord utan sigill",
                               "the JSON form has no seal: only the meetings' closings are checked; levels, decision "
                               "items and charts are the server's word, unsealed"));
    v.notes.insert(v.notes.begin(), both(head, head_en));
}

// What a file of signed records is. Each kind has its own seal namespace: the seal of one never holds for the
// other, so a report never passes for an export nor an export for a report.
enum class record_kind { meeting_export, public_export, monthly_report };

// An export or report file read: its JSON record (nullopt when it cannot be read) and, for HTML and Markdown, the
// seal. nullopt (with the problem added) for an HTML or Markdown file without a seal line.
struct record_file {
    std::optional<json> doc;
    std::optional<seal> s;
};
std::optional<record_file> read_record_file(std::string_view file, record_verdict& v) {
    record_file f;
    const auto first = file.find_first_not_of(" \t\r\n");
    if (first != std::string_view::npos && file[first] == '{') {
        f.doc = parse(file);
        if (!f.doc) v.problems.push_back(unreadable + both("filen är inte läsbar JSON", "the file is not readable JSON"));
        return f;
    }
    f.s = find_seal(file);
    if (!f.s) {
        v.problems.push_back(altered + both("filen slutar inte med en sigillrad (<!-- est-seal … -->)",
                                            "the file does not end with a seal line (<!-- est-seal … -->)"));
        return std::nullopt;
    }
    if (const auto record = embedded_record(f.s->sealed)) f.doc = parse(*record);
    return f;
}

// A report by its record's type. A record that cannot be read is a report's when the sealed bytes name the type,
// so that the seal is checked in the namespace its kind would have (it fails either way: the server writes
// readable records).
record_kind kind_of(const record_file& f) {
    if (f.doc)
        return str(*f.doc, "type") == report_type        ? record_kind::monthly_report
               : str(*f.doc, "version") == "public"      ? record_kind::public_export
                                                         : record_kind::meeting_export;
    if (f.s && f.s->sealed.find(report_type) != std::string_view::npos) return record_kind::monthly_report;
    return f.s && f.s->sealed.find(redaction_type) != std::string_view::npos ? record_kind::public_export
                                                                             : record_kind::meeting_export;
}

// The seal line: a signature in `ns` over every byte before it, by a trusted key, the key its key= names.
void check_seal(const seal& s, std::string_view ns, key_judge& keys, record_verdict& v) {
    const auto blob = sshsig::base64_decode(s.sig_base64);
    const auto sv = blob ? sshsig::verify(*blob, ns, s.sealed, false) : sshsig::verdict{};
    const label what{"sigillet", "the seal"};
    if (!sv.ok) {
        v.problems.push_back(altered + both("sigillet stämmer inte med filens innehåll (" + (blob ? sv.error : "base64") + ")",
                                            "the seal does not match the file's content (" + (blob ? sv.error : "base64") + ")"));
    } else if (auto problem = keys.judge(sv.key, what, true); !problem.empty()) {
        v.problems.push_back(std::move(problem));
    } else if (s.key_id != sshsig::key_id(sv.key)) {
        v.problems.push_back(altered + both("sigillets key= " + s.key_id + " är inte nyckeln som signerade",
                                            "the seal's key= " + s.key_id + " is not the key that signed"));
    }
}

// Checks an export or report file (JSON, Markdown or HTML) as `as`, or as its record says when `as` is not given.
record_verdict check_file_as(std::string_view file, const trusted_keys& trusted, std::optional<record_kind> as) {
    record_verdict v;
    const auto f = read_record_file(file, v);
    if (!f) return v;
    const record_kind kind = as ? *as : kind_of(*f);
    const bool report = kind == record_kind::monthly_report;
    const json own_keys = f->doc && f->doc->is_object() && f->doc->contains("keys") ? (*f->doc)["keys"] : json();
    key_judge keys(trusted, own_keys, false,
                   report ? label{"rapportens nycklar", "the report's keys"}
                          : label{"exportens nycklar", "the export's keys"});
    if (f->s)
        check_seal(*f->s, report                                ? report_namespace
                          : kind == record_kind::public_export ? redaction_namespace
                                                               : export_namespace,
                   keys, v);
    // After the seal: a broken seal is the first thing to say about a file whose record cannot be read.
    if (f->s && !f->doc)
        v.problems.push_back(unreadable + both("filen har ingen läsbar est-record med JSON",
                                               "the file holds no readable est-record JSON"));
    if (f->doc) {
        if (report) check_report_record(*f->doc, keys, v, f->s.has_value());
        else if (kind == record_kind::meeting_export && str(*f->doc, "version") == "public")
            v.problems.push_back(unreadable + both("filen är den offentliga (maskade) versionen, ingen fullständig export",
                                                   "the file is the public (redacted) version, not a full export"));
        else check_record(*f->doc, keys, v, f->s.has_value());
    }
    if (f->s && v.problems.empty())
        v.notes.push_back(both("sigillet täcker varje byte före sigillraden", "the seal covers every byte before the seal line"));
    if (auto note = keys.unpinned_note(); !note.empty()) v.notes.push_back(std::move(note));
    else if (!trusted.pinned.empty()) v.notes.push_back(both("nycklar från " + trusted.source, "keys from " + trusted.source));
    v.intact = v.problems.empty() && !v.notes.empty();
    return v;
}

}  // namespace

std::string record_verdict::text() const {
    std::string out;
    if (intact && !notes.empty()) {
        out += "INTAKT / INTACT: " + notes.front() + "\n";
        for (std::size_t i = 1; i < notes.size(); ++i) out += notes[i] + "\n";
        return out;
    }
    for (const auto& p : problems) out += p + "\n";
    for (const auto& n : notes) out += n + "\n";
    return out;
}

std::vector<sshsig::public_key> parse_key_lines(std::string_view text) {
    std::vector<sshsig::public_key> keys;
    while (!text.empty()) {
        const auto nl = std::min(text.find('\n'), text.size());
        const auto line = text.substr(0, nl);
        text.remove_prefix(std::min(nl + 1, text.size()));
        const auto first = line.find_first_not_of(" \t\r");
        if (first == std::string_view::npos || line[first] == '#') continue;
        if (auto k = sshsig::parse_public_key_line(line)) keys.push_back(*k);
    }
    return keys;
}

record_verdict check_export(std::string_view file, const trusted_keys& trusted) {
    return check_file_as(file, trusted, record_kind::meeting_export);
}

record_verdict check_report(std::string_view file, const trusted_keys& trusted) {
    return check_file_as(file, trusted, record_kind::monthly_report);
}

record_verdict check_file(std::string_view file, const trusted_keys& trusted) {
    return check_file_as(file, trusted, std::nullopt);
}

record_verdict check_chain(const json& chain, std::string_view group, const trusted_keys& trusted, const json& server_keys) {
    record_verdict v;
    const std::string g(group);
    key_judge keys(trusted, server_keys.is_object() && server_keys.contains("keys") ? server_keys["keys"] : json(), true,
                   {"serverns nycklar", "the server's keys"});
    if (!chain.is_object() || !chain.contains("closings") || !chain["closings"].is_array()) {
        v.problems.push_back(unreadable + both("svaret är ingen kedja (closings saknas)", "the answer is no chain (closings missing)"));
        return v;
    }
    if (str(chain, "group") != g)
        v.problems.push_back(altered + both("kedjan gäller grupp " + str(chain, "group") + ", inte " + g,
                                            "the chain is of group " + str(chain, "group") + ", not " + g));
    std::string previous;
    std::string last;
    std::vector<std::string> earlier;  // the SHA-256 of each closing statement so far
    std::size_t corrections = 0;
    const auto& closings = chain["closings"];
    for (std::size_t i = 0; i < closings.size(); ++i) {
        const auto& c = closings[i];
        const std::string seq = std::to_string(i + 1);
        const label what{"avslut " + seq, "closing " + seq};
        const auto facts = check_signed(c, closing_namespace, what, keys, v.problems);
        const std::string text = c.is_object() && c.contains("statement") && c["statement"].is_string()
                                     ? c["statement"].get<std::string>()
                                     : std::string();
        if (facts) {
            if (str(*facts, "type") != "est-live/closing")
                v.problems.push_back(unreadable + both(what.sv + " är inget avslut", what.en + " is not a closing"));
            if (num(*facts, "sequence") != seq)
                v.problems.push_back(altered + both(what.sv + " har sekvens " + num(*facts, "sequence") + ", väntat " + seq,
                                                    what.en + " has sequence " + num(*facts, "sequence") + ", expected " + seq));
            if (str(*facts, "previous") != previous)
                v.problems.push_back(altered + both(what.sv + " pekar inte på avslutet före (previous " +
                                                        short_hex(str(*facts, "previous")) + ", väntat " + short_hex(previous) + ")",
                                                    what.en + " does not point at the closing before it (previous " +
                                                        short_hex(str(*facts, "previous")) + ", expected " + short_hex(previous) + ")"));
            if (str(*facts, "group") != g)
                v.problems.push_back(altered + both(what.sv + " gäller grupp " + str(*facts, "group"),
                                                    what.en + " is of group " + str(*facts, "group")));
            // The listing's own fields must say what the signed statement says.
            if (str(c, "meeting") != str(*facts, "meeting") || str(c, "digest") != str(*facts, "digest") ||
                str(c, "previous") != str(*facts, "previous") || num(c, "sequence") != num(*facts, "sequence"))
                v.problems.push_back(altered + both(what.sv + ": listans fält skiljer sig från den signerade texten",
                                                    what.en + ": the listing's fields differ from the signed statement"));
            last = str(*facts, "meeting") + " (" + str(*facts, "closed_at") + ")";
            // A correction corrects a meeting closed before it in the same group: that closing is earlier here.
            if (facts->contains("corrects")) {
                const std::string corrected = str((*facts)["corrects"], "closing");
                if (std::find(earlier.begin(), earlier.end(), corrected) == earlier.end())
                    v.problems.push_back(altered + both(what.sv + " rättar ett avslut som inte finns före det i kedjan (" +
                                                            short_hex(corrected) + ")",
                                                        what.en + " corrects a closing that is not before it in the chain (" +
                                                            short_hex(corrected) + ")"));
                ++corrections;
            }
        }
        previous = sshsig::sha256_hex(text);
        earlier.push_back(previous);
    }
    v.notes.push_back(both("kedjan för grupp " + g + ": " + std::to_string(closings.size()) + " stängda möten, i obruten följd" +
                               (corrections ? ", varav " + std::to_string(corrections) + " rättelser" : std::string()) +
                               (last.empty() ? std::string() : ", senast " + last),
                           "the chain of group " + g + ": " + std::to_string(closings.size()) + " closed meetings, unbroken" +
                               (corrections ? ", " + std::to_string(corrections) + " of them corrections" : std::string()) +
                               (last.empty() ? std::string() : ", last " + last)));
    if (auto note = keys.unpinned_note(); !note.empty()) v.notes.push_back(std::move(note));
    else if (!trusted.pinned.empty()) v.notes.push_back(both("nycklar från " + trusted.source, "keys from " + trusted.source));
    v.intact = v.problems.empty();
    return v;
}

}  // namespace est::client
