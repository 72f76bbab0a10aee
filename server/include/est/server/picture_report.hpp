#pragma once
// Exports of a meeting's situation picture (lägesbild): a printable HTML document rendered from a Mustache
// template in templates/export/, and a JSON form for other systems. Both carry the SHA-256 digest of the
// picture's canonical JSON. Pure: no sockets, no database; the caller supplies a durable copy of the picture.
#include <cstdint>
#include <filesystem>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>

#include <nlohmann/json_fwd.hpp>

#include "est/group.hpp"
#include "est/meeting_document.hpp"
#include "est/server/catalog.hpp"

namespace est::server {

// A meeting's picture as it stood at revision `rev`, every change in it durable. `error` is empty on success;
// otherwise `document` is null and error/message say why ("storage_failed", "meeting_not_found").
struct picture_result {
    std::shared_ptr<const meeting_document> document;
    std::uint64_t rev = 0;
    std::string error;
    std::string message;
};

// What an export shows besides the picture itself.
struct picture_export {
    const meeting_info& meeting;
    const group& grp;
    const meeting_document& document;
    std::uint64_t rev;
    std::string exported_at;  // as shown, e.g. "2026-11-24 15:02 (+01:00)"
};

class picture_report {
public:
    // Checks the HTML template (Mustache); throws domain_error("bad_template", "<source>: <problem>").
    picture_report(std::string_view html_template, const std::string& source);
    // A template file's text; throws domain_error("bad_template") when it cannot be read.
    static std::string read_template(const std::filesystem::path& file);
    // templates/export/lagesbild.html.mustache as it was at build time.
    static std::string_view built_in_template() noexcept;
    ~picture_report();

    std::string html(const picture_export& p) const;
    nlohmann::json json(const picture_export& p) const;

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
    mutable std::mutex render_mutex_;  // a Mustache template keeps per-render state inside it
};

}  // namespace est::server
