// est-cli: talk to an est-server from the command line.
#include <fstream>
#include <iostream>
#include <iterator>
#include <optional>

#include <CLI/CLI.hpp>
#include <boost/asio/io_context.hpp>
#include <nlohmann/json.hpp>

#include "est/client/http_get.hpp"
#include "est/client/meeting_client.hpp"
#include "est/client/queue_table.hpp"
#include "est/client/record_check.hpp"
#include "est/client/server_session.hpp"

namespace {

int print_http(const est::client::http_result& r) {
    try {
        std::cout << nlohmann::json::parse(r.body).dump(2) << '\n';
    } catch (const nlohmann::json::exception&) {
        std::cout << r.body << '\n';
    }
    return r.status < 400 ? 0 : 1;
}

// A list the server answers in pages: follows each page's Link: <...>; rel="next" and joins the arrays.
est::client::http_result whole_list(const est::client::server_session& session, std::string target) {
    est::client::http_result all;
    nlohmann::json items = nlohmann::json::array();
    for (int pages = 0; !target.empty() && pages < 10000; ++pages) {
        auto r = session.call("GET", target);
        if (r.status != 200) return r;
        for (auto& item : nlohmann::json::parse(r.body)) items.push_back(std::move(item));
        const auto link = r.header("Link");
        const auto open = link.find('<'), close = link.find('>');
        target = open == std::string::npos || close == std::string::npos || link.find("rel=\"next\"") == std::string::npos
                     ? std::string()
                     : link.substr(open + 1, close - open - 1);
        all = std::move(r);
    }
    all.body = items.dump();
    return all;
}

std::optional<std::string> read_whole_file(const std::string& path) {
    std::ifstream in(path, std::ios::binary);
    if (!in) return std::nullopt;
    return std::string(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
}

// est-cli verify: exit 0 intact, 1 not, 2 usage (a file or key that cannot be read).
// `session` is null when no --server was given. `chain_file`: a saved /api/groups/{id}/chain answer to check instead
// of fetching it.
int verify(const std::string& file, const std::string& chain_group, const std::string& chain_file, const std::string& key_arg,
           const est::client::server_session* session, const std::string& server) {
    est::client::trusted_keys trusted;
    if (!key_arg.empty()) {
        auto text = read_whole_file(key_arg);
        trusted.pinned = est::client::parse_key_lines(text ? *text : key_arg);
        trusted.source = "--key " + key_arg;
        if (trusted.pinned.empty()) {
            std::cerr << "est-cli: --key " << key_arg << ": ingen ssh-ed25519-nyckel / no ssh-ed25519 key\n";
            return 2;
        }
    }
    est::client::record_verdict v;
    if (!chain_group.empty()) {
        if (!session && (chain_file.empty() || trusted.pinned.empty())) {
            std::cerr << "est-cli: verify --chain behöver --server (eller --chain-file och --key) / needs --server (or "
                         "--chain-file and --key)\n";
            return 2;
        }
        nlohmann::json chain;
        if (chain_file.empty()) {
            chain = session->get_json("/api/groups/" + chain_group + "/chain");
        } else {
            const auto text = read_whole_file(chain_file);
            if (!text) {
                std::cerr << "est-cli: kan inte läsa / cannot read " << chain_file << '\n';
                return 2;
            }
            chain = nlohmann::json::parse(*text, nullptr, false);
        }
        const auto keys = trusted.pinned.empty() ? session->get_json("/api/keys") : nlohmann::json::object();
        v = est::client::check_chain(chain, chain_group, trusted, keys);
    } else {
        const auto bytes = read_whole_file(file);
        if (!bytes) {
            std::cerr << "est-cli: kan inte läsa / cannot read " << file << '\n';
            return 2;
        }
        if (trusted.pinned.empty() && session) {
            // The server's own list of keys, fetched now, rather than the keys the file names itself.
            const auto server_keys = session->get_json("/api/keys");
            for (const auto& k : server_keys.at("keys"))
                if (auto pub = est::sshsig::parse_public_key_line(k.value("public_key", ""))) trusted.pinned.push_back(*pub);
            trusted.source = server + "/api/keys";
        }
        v = est::client::check_file(*bytes, trusted);
    }
    std::cout << v.text();
    return v.intact ? 0 : 1;
}

// Who acts in a lifecycle move on a server without accounts (--open-access): the body's "as".
struct acting_as {
    std::string name, role, org;
};

// POST /api/meetings/{meeting}/lifecycle: prints the phase the answer reports and returns 0 on 200; else prints
// the server's error code and message and returns 1.
// Without a session (a server with --open-access) a move's body says who acts.
void add_acting_as(const est::client::server_session& session, nlohmann::json& body, const acting_as& as) {
    if (!session.cookie().empty() || as.name.empty()) return;
    body["as"] = {{"name", as.name}, {"role", as.role}};
    if (!as.org.empty()) body["as"]["org"] = as.org;
}

// POSTs `body` (with who acts, without a session) to `target`: the answer's JSON when its status is `expected`;
// otherwise prints the server's error code and message, and nullopt.
std::optional<nlohmann::json> post_as(const est::client::server_session& session, const std::string& target,
                                      nlohmann::json body, const acting_as& as, unsigned expected) {
    add_acting_as(session, body, as);
    const auto r = session.call("POST", target, body.dump());
    if (r.status != expected) {
        std::cerr << "est-cli: " << est::client::refusal_of(r).what() << '\n';
        return std::nullopt;
    }
    return nlohmann::json::parse(r.body);
}

int lifecycle_move(const est::client::server_session& session, const std::string& meeting, nlohmann::json body,
                   const acting_as& as) {
    const auto answer = post_as(session, "/api/meetings/" + meeting + "/lifecycle", std::move(body), as, 200);
    if (!answer) return 1;
    const auto& lc = answer->at("lifecycle");
    std::cout << "fas / phase: " << lc.value("phase", "?") << " (rev " << answer->value("rev", 0ull) << ")";
    if (const auto it = lc.find("locked_topics"); it != lc.end() && it->is_array() && !it->empty()) {
        std::cout << "; låsta ämnen / locked topics:";
        for (const auto& t : *it) std::cout << ' ' << t.get<std::string>();
    }
    if (const auto it = lc.find("signatures"); it != lc.end() && it->is_array())
        std::cout << "; underskrifter / signatures: " << it->size();
    std::cout << '\n';
    return 0;
}

// POST /api/meetings/{meeting}/correction: prints the new meeting and what it corrects and returns 0 on 201; else
// prints the server's error code and message and returns 1.
int start_correction(const est::client::server_session& session, const std::string& meeting, const acting_as& as) {
    const auto m = post_as(session, "/api/meetings/" + meeting + "/correction", nlohmann::json::object(), as, 201);
    if (!m) return 1;
    const auto c = m->value("corrects", nlohmann::json::object());
    std::cout << "rättelse / correction: möte / meeting " << m->value("id", "?") << " \"" << m->value("title", "")
              << "\" (" << m->value("state", "?") << "); rättar / corrects " << c.value("meeting", "?")
              << ", lägesbild / picture " << c.value("digest", "?") << '\n';
    return 0;
}

// The BRÅ queue (docs/protocol.md, "The BRÅ queue"): one event on an item, made on the version the server has now
// (read first); prints the item's status and version and returns 0, or the server's refusal and 1.
int bra_event(const est::client::server_session& session, const std::string& item, nlohmann::json body,
              const acting_as& as) {
    const auto now = session.call("GET", "/api/bra/items/" + item);
    if (now.status != 200) {
        std::cerr << "est-cli: " << est::client::refusal_of(now).what() << '\n';
        return 1;
    }
    body["version"] = nlohmann::json::parse(now.body).at("version");
    const auto answer = post_as(session, "/api/bra/items/" + item + "/events", std::move(body), as, 200);
    if (!answer) return 1;
    std::cout << "status: " << answer->value("status", "?") << " (version " << answer->value("version", 0ull) << ")";
    if (const auto owner = answer->value("owner_org", ""); !owner.empty())
        std::cout << "; ägare / owner: " << owner << ", klart / due " << answer->value("due", "");
    if (const auto p = answer->value("progress", ""); !p.empty()) std::cout << "; uppföljning / progress: " << p;
    std::cout << '\n';
    return 0;
}

// POST /api/bra/import?group=G with a file as the queue's export gives it: JSON when it begins with '{' (after
// white space), else CSV. Prints how many items came in and returns 0, or the server's refusal and 1.
int bra_import(const est::client::server_session& session, const std::string& file, const std::string& group) {
    const auto bytes = read_whole_file(file);
    if (!bytes) {
        std::cerr << "est-cli: kan inte läsa / cannot read " << file << '\n';
        return 2;
    }
    const auto first = bytes->find_first_not_of(" \t\r\n");
    const bool json = first != std::string::npos && (*bytes)[first] == '{';
    const auto r = session.call("POST", "/api/bra/import?group=" + group, *bytes,
                                {{"Content-Type", json ? "application/json" : "text/csv; charset=utf-8"}});
    if (r.status != 200) {
        std::cerr << "est-cli: " << est::client::refusal_of(r).what() << '\n';
        return 1;
    }
    const auto answer = nlohmann::json::parse(r.body);
    std::cout << "importerade / imported: " << answer.value("count", 0ull) << " till / into " << group << " (import "
              << answer.value("batch", "?") << ")\n";
    return 0;
}

}  // namespace

int main(int argc, char** argv) {
    CLI::App app{"est-cli: command line for an est-server"};
    app.require_subcommand(1);
    // --server and --email may stand before or after the subcommand.
    app.fallthrough();
    std::string server = "http://127.0.0.1:8080";
    app.add_option("--server", server, "server address")->capture_default_str();
    std::string email;
    app.add_option("--email", email,
                   "sign in as this account (a server with accounts); the password is the environment variable "
                   "EST_PASSWORD or else one line read from standard input, never an argument");

    auto* health = app.add_subcommand("health", "check that the server answers");
    auto* groups = app.add_subcommand("groups", "list groups");

    auto* create_group = app.add_subcommand("create-group", "create an EST group");
    std::string group_id, group_name, municipality;
    std::vector<std::string> orgs;
    create_group->add_option("--id", group_id, "group id (a-z, 0-9, -, _)");
    create_group->add_option("--name", group_name, "group name")->required();
    create_group->add_option("--municipality", municipality, "municipality");
    create_group->add_option("--org", orgs, "organisation as id=name; repeat for each")->required();

    auto* meetings = app.add_subcommand("meetings", "list a group's meetings");
    meetings->add_option("--group", group_id, "group id")->required();

    auto* create_meeting = app.add_subcommand("create-meeting", "create a meeting from the template");
    std::string title, date;
    create_meeting->add_option("--group", group_id, "group id")->required();
    create_meeting->add_option("--title", title, "title");
    create_meeting->add_option("--date", date, "date, YYYY-MM-DD");

    auto* show = app.add_subcommand("show", "print a meeting's current situation picture as JSON");
    std::string meeting_id;
    show->add_option("--meeting", meeting_id, "meeting id")->required();
    show->add_option("--org", group_id,
                     "an organisation of the meeting's group to join as (read-only); without --email only, as with "
                     "--email the account's membership says who joins");

    auto* export_cmd = app.add_subcommand("export", "export a meeting's situation picture (durable state) as HTML, Markdown or JSON");
    std::string format = "html", out_file;
    export_cmd->add_option("--meeting", meeting_id, "meeting id")->required();
    export_cmd->add_option("--format", format, "html, markdown or json")
        ->check(CLI::IsMember({"html", "markdown", "json"}))
        ->capture_default_str();
    export_cmd->add_option("-o,--output", out_file, "file to write (default: standard output)");

    // The lifecycle (docs/protocol.md, "Locking, signing and closing"): the chair opens the draft, locks, the
    // chair and the co-signers sign, the chair closes.
    std::string topic;
    acting_as as;
    auto* open_cmd = app.add_subcommand("open", "open a draft meeting for live editing (chair)");
    auto* lock_cmd = app.add_subcommand("lock", "lock a topic (--topic) or, without it, the whole picture (chair)");
    auto* unlock_cmd = app.add_subcommand("unlock", "unlock a topic (--topic) or, without it, the picture (chair); "
                                                    "unlocking the picture withdraws every signature");
    auto* sign_cmd = app.add_subcommand("sign", "sign the meeting's locked picture as it is now (chair, co-signer); "
                                                "with --email the password is asked again");
    auto* close_cmd = app.add_subcommand("close", "close a signed meeting for good (chair)");
    for (auto* cmd : {open_cmd, lock_cmd, unlock_cmd, sign_cmd, close_cmd}) {
        cmd->add_option("--meeting", meeting_id, "meeting id")->required();
        cmd->add_option("--as-name", as.name, "without --email (a server with --open-access): the name of who acts");
        cmd->add_option("--as-role", as.role, "without --email: their role (chair, cosigner)");
        cmd->add_option("--as-org", as.org, "without --email: their organisation");
    }
    for (auto* cmd : {lock_cmd, unlock_cmd}) cmd->add_option("--topic", topic, "the topic's id (default: the whole picture)");
    // A correction of a closed meeting (docs/records.md, "Corrections"): a new meeting, the closed one unchanged.
    auto* correct_cmd = app.add_subcommand("correct", "start a correction of a closed meeting (chair): a new, open "
                                                      "meeting whose picture starts as a copy of the closed one");
    correct_cmd->add_option("meeting", meeting_id, "the closed meeting's id (or --meeting)");
    correct_cmd->add_option("--meeting", meeting_id, "the closed meeting's id");
    correct_cmd->add_option("--as-name", as.name, "without --email (a server with --open-access): the name of who acts");
    correct_cmd->add_option("--as-role", as.role, "without --email: their role (chair)");
    correct_cmd->add_option("--as-org", as.org, "without --email: their organisation");
    correct_cmd->callback([&] {
        if (meeting_id.empty()) throw CLI::ValidationError("correct", "give the meeting: est-cli correct MEETING");
    });

    // The BRÅ queue (docs/protocol.md, "The BRÅ queue").
    auto* queue_cmd = app.add_subcommand("queue", "list the BRÅ queue: the decision items of your groups");
    bool as_csv = false;
    queue_cmd->add_option("--group", group_id, "one group's items only");
    queue_cmd->add_flag("--csv", as_csv, "the queue as CSV (the import format), not a table");
    std::string item_id, owner, contact, due, reason, deferred_to, text, progress;
    bool approve = false, reject = false, defer = false;
    auto* decide_cmd = app.add_subcommand("decide", "decide an item of the BRÅ queue (BRÅ member): --approve with "
                                                    "--owner, --contact and --due, --reject with --reason, or --defer --to");
    decide_cmd->add_option("item", item_id, "the item's id")->required();
    auto* approve_flag = decide_cmd->add_flag("--approve", approve, "bifall");
    auto* reject_flag = decide_cmd->add_flag("--reject", reject, "avslag");
    auto* defer_flag = decide_cmd->add_flag("--defer", defer, "bordläggning");
    approve_flag->excludes(reject_flag)->excludes(defer_flag);
    reject_flag->excludes(defer_flag);
    decide_cmd->add_option("--owner", owner, "with --approve: the owner organisation's id");
    decide_cmd->add_option("--contact", contact, "with --approve: the contact person there");
    decide_cmd->add_option("--due", due, "with --approve: the due date, YYYY-MM-DD");
    decide_cmd->add_option("--reason", reason, "with --reject: why");
    decide_cmd->add_option("--to", deferred_to, "with --defer: the date of the BRÅ meeting it comes back to, YYYY-MM-DD");
    decide_cmd->add_option("--text", text, "a word with the decision");
    decide_cmd->callback([&] {
        if (!approve && !reject && !defer) throw CLI::ValidationError("decide", "give --approve, --reject or --defer");
        if (approve && (owner.empty() || contact.empty() || due.empty()))
            throw CLI::ValidationError("decide", "--approve needs --owner, --contact and --due");
        if (reject && reason.empty()) throw CLI::ValidationError("decide", "--reject needs --reason");
        if (defer && deferred_to.empty()) throw CLI::ValidationError("decide", "--defer needs --to");
    });
    auto* comment_cmd = app.add_subcommand("comment", "comment on an item of the BRÅ queue (BRÅ member, chair)");
    comment_cmd->add_option("item", item_id, "the item's id")->required();
    comment_cmd->add_option("text", text, "the comment")->required();
    auto* follow_up_cmd = app.add_subcommand("follow-up", "report progress on an approved item (its owner organisation)");
    follow_up_cmd->add_option("item", item_id, "the item's id")->required();
    follow_up_cmd->add_option("--progress", progress, "green, yellow, red or done")
        ->required()
        ->check(CLI::IsMember({"green", "yellow", "red", "done"}));
    follow_up_cmd->add_option("--text", text, "a note (yellow and red need one: what is wrong)");
    for (auto* cmd : {decide_cmd, comment_cmd, follow_up_cmd}) {
        cmd->add_option("--as-name", as.name, "without --email (a server with --open-access): the name of who acts");
        cmd->add_option("--as-role", as.role, "without --email: their role (bra_member, chair, participant)");
        cmd->add_option("--as-org", as.org, "without --email: their organisation");
    }
    auto* import_cmd = app.add_subcommand("import", "import open measures into a group's BRÅ queue from a file in "
                                                    "the queue's export format (CSV or JSON; BRÅ member)");
    std::string import_file;
    import_cmd->add_option("file", import_file, "the CSV or JSON file")->required();
    import_cmd->add_option("--group", group_id, "the group to import into")->required();

    auto* verify_cmd = app.add_subcommand(
        "verify", "check an exported picture or a monthly report (JSON, Markdown or HTML), or a group's chain of "
                  "closings, against the server's signatures: exit 0 intact, 1 altered or unverifiable, 2 usage");
    std::string verify_file, chain_group, chain_file, key_arg;
    verify_cmd->add_option("file", verify_file, "the export or monthly report to check");
    verify_cmd->add_option("--chain", chain_group, "check this group's chain of closings (GET /api/groups/{id}/chain)");
    verify_cmd->add_option("--chain-file", chain_file,
                           "with --chain: check this saved /api/groups/{id}/chain answer instead of fetching it");
    verify_cmd->add_option("--key", key_arg,
                           "the server's public key(s): a file (allowed_signers, `est-server keys` output) or one "
                           "\"ssh-ed25519 AAAA…\" line; then no other key is accepted");
    auto* verify_server = verify_cmd->add_option(
        "--server", server, "take the keys from this server's /api/keys (without --key), and the chain from it");
    verify_cmd->callback([&] {
        if (verify_file.empty() == chain_group.empty())
            throw CLI::ValidationError("verify", "give either a FILE or --chain GROUP");
        if (!chain_file.empty() && chain_group.empty())
            throw CLI::ValidationError("verify", "--chain-file needs --chain GROUP");
    });

    try {
        app.parse(argc, argv);
    } catch (const CLI::ParseError& e) {
        return app.exit(e) == 0 ? 0 : 2;
    }
    const bool lifecycle_cmd = *open_cmd || *lock_cmd || *unlock_cmd || *sign_cmd || *close_cmd;
    if (*show && email.empty() && group_id.empty()) {
        std::cerr << "est-cli: show behöver --org eller --email / needs --org or --email\n";
        return 2;
    }
    const bool acts = lifecycle_cmd || *correct_cmd || *decide_cmd || *comment_cmd || *follow_up_cmd;
    if (acts && !email.empty() && (!as.name.empty() || !as.role.empty() || !as.org.empty())) {
        std::cerr << "est-cli: --as-name/--as-role/--as-org gäller bara utan --email / apply only without --email\n";
        return 2;
    }
    if (*sign_cmd && email.empty() && (as.name.empty() || as.role.empty())) {
        std::cerr << "est-cli: sign behöver --email (konton) eller --as-name och --as-role (--open-access) / needs "
                     "--email (accounts) or --as-name and --as-role (--open-access)\n";
        return 2;
    }
    const bool server_given = verify_server->count() > 0 || app.get_option("--server")->count() > 0;
    const bool needs_server = !*verify_cmd || server_given;
    std::string password;
    if (!email.empty() && needs_server) {
        const auto pw = est::client::read_password(std::cin);
        if (!pw) {
            std::cerr << "est-cli: --email: inget lösenord (EST_PASSWORD eller en rad på standard in) / no password "
                         "(EST_PASSWORD or one line on standard input)\n";
            return 2;
        }
        password = *pw;
    }

    try {
        est::client::server_session session(server);
        if (!email.empty() && needs_server) session.sign_in(email, password);
        // Each run is a session of its own: it ends with the run, whatever the command answers.
        struct sign_out_at_end {
            est::client::server_session& s;
            ~sign_out_at_end() { s.sign_out(); }
        } at_end{session};

        if (*verify_cmd) return verify(verify_file, chain_group, chain_file, key_arg, server_given ? &session : nullptr, server);
        if (*health) return print_http(session.call("GET", "/healthz"));
        if (*groups) return print_http(whole_list(session, "/api/groups"));
        if (*meetings) return print_http(whole_list(session, "/api/groups/" + group_id + "/meetings"));
        if (*create_group) {
            nlohmann::json body = {{"name", group_name}, {"organisations", nlohmann::json::array()}};
            if (!group_id.empty()) body["id"] = group_id;
            if (!municipality.empty()) body["municipality"] = municipality;
            for (const auto& o : orgs) {
                const auto eq = o.find('=');
                if (eq == std::string::npos) {
                    std::cerr << "--org takes id=name, not '" << o << "'\n";
                    return 2;
                }
                body["organisations"].push_back({{"id", o.substr(0, eq)}, {"name", o.substr(eq + 1)}});
            }
            return print_http(session.call("POST", "/api/groups", body.dump()));
        }
        if (*create_meeting) {
            nlohmann::json body = nlohmann::json::object();
            if (!title.empty()) body["title"] = title;
            if (!date.empty()) body["date"] = date;
            return print_http(session.call("POST", "/api/groups/" + group_id + "/meetings", body.dump()));
        }
        if (*export_cmd) {
            const auto r = session.call("GET", "/api/meetings/" + meeting_id + "/export?format=" + format);
            if (r.status != 200) return print_http(r);
            if (out_file.empty()) {
                std::cout << r.body;
            } else {
                std::ofstream out(out_file, std::ios::binary);
                if (!(out << r.body) || !out.flush()) {
                    std::cerr << "est-cli: cannot write " << out_file << '\n';
                    return 1;
                }
            }
            return 0;
        }
        if (*open_cmd) return lifecycle_move(session, meeting_id, {{"action", "open"}}, as);
        if (*lock_cmd || *unlock_cmd) {
            const std::string verb = *lock_cmd ? "lock" : "unlock";
            nlohmann::json body = {{"action", verb + (topic.empty() ? "_picture" : "_topic")}};
            if (!topic.empty()) body["topic"] = topic;
            return lifecycle_move(session, meeting_id, std::move(body), as);
        }
        if (*sign_cmd) {
            // The picture as it is now: a signature names its revision and digest, and the server refuses a stale one.
            const auto now = session.get_json("/api/meetings/" + meeting_id + "/export?format=json");
            nlohmann::json body = {{"action", "sign"}, {"rev", now.at("rev")}, {"digest", now.at("digest")}};
            if (!session.cookie().empty()) body["password"] = password;
            return lifecycle_move(session, meeting_id, std::move(body), as);
        }
        if (*close_cmd) return lifecycle_move(session, meeting_id, {{"action", "close"}}, as);
        if (*correct_cmd) return start_correction(session, meeting_id, as);
        if (*queue_cmd) {
            std::string target = "/api/bra/items?format=" + std::string(as_csv ? "csv" : "json");
            if (!group_id.empty()) target += "&group=" + group_id;
            const auto r = session.call("GET", target);
            if (r.status != 200) {
                std::cerr << "est-cli: " << est::client::refusal_of(r).what() << '\n';
                return 1;
            }
            std::cout << (as_csv ? r.body : est::client::queue_table(nlohmann::json::parse(r.body)));
            return 0;
        }
        if (*decide_cmd) {
            nlohmann::json body = {{"kind", "decide"}};
            if (approve) body.update({{"verdict", "approve"}, {"owner_org", owner}, {"contact", contact}, {"due", due}});
            if (reject) body.update({{"verdict", "reject"}, {"reason", reason}});
            if (defer) body.update({{"verdict", "defer"}, {"deferred_to", deferred_to}});
            if (!text.empty()) body["text"] = text;
            return bra_event(session, item_id, std::move(body), as);
        }
        if (*comment_cmd) return bra_event(session, item_id, {{"kind", "comment"}, {"text", text}}, as);
        if (*follow_up_cmd) {
            nlohmann::json body = {{"kind", "follow_up"}, {"progress", progress}};
            if (!text.empty()) body["text"] = text;
            return bra_event(session, item_id, std::move(body), as);
        }
        if (*import_cmd) return bra_import(session, import_file, group_id);
        if (*show) {
            if (session.tls()) {
                std::cerr << "est-cli: show talar inte wss:// än / does not speak wss:// yet\n";
                return 2;
            }
            boost::asio::io_context ioc;
            est::client::meeting_client::options o;
            o.host = session.address().host;
            o.port = session.address().port;
            o.meeting = meeting_id;
            o.who = {"est-cli", group_id, est::role::admin};
            // Under accounts the session says who joins.
            o.cookie = session.cookie();
            o.join_as_account = !session.cookie().empty();
            o.reconnect = false;
            est::client::meeting_client c(ioc, o);
            std::string error;
            c.on_message = [&](const est::server_message& m) {
                if (m.type() == "error") error = m.json().value("message", "error");
            };
            c.start();
            const bool ok = est::client::run_until(ioc, [&] { return c.welcomed() || !error.empty(); });
            if (!ok || !error.empty()) {
                std::cerr << "est-cli: " << (error.empty() ? "no answer from the server" : error) << '\n';
                return 1;
            }
            std::cout << nlohmann::json{{"rev", c.replica().rev()}, {"picture", c.replica().confirmed().to_json()}}.dump(2) << '\n';
            return 0;
        }
    } catch (const std::exception& e) {
        std::cerr << "est-cli: " << e.what() << '\n';
        return 1;
    }
    return 0;
}
