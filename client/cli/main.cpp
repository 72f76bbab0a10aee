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
#include "est/client/record_check.hpp"
#include "est/client/server_address.hpp"

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
est::client::http_result whole_list(const est::client::server_address& addr, std::string target) {
    est::client::http_result all;
    nlohmann::json items = nlohmann::json::array();
    for (int pages = 0; !target.empty() && pages < 10000; ++pages) {
        auto r = est::client::http_call(addr.host, addr.port, "GET", target);
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

// GET `target` from `server` for `est-cli verify`: https:// is spoken with TLS (the system's trust store), and
// a URL without a port means 443 or 80. Throws when there is no 200 answer with JSON.
nlohmann::json get_json(const std::string& server, const std::string& target) {
    const bool tls = server.rfind("https://", 0) == 0;
    auto addr = est::client::server_address::parse(server);
    // server_address means 8080 when the URL names no port; with a scheme, the scheme's port is meant.
    if (const auto scheme_end = server.find("://"); scheme_end != std::string::npos) {
        const auto host_port = server.substr(scheme_end + 3, server.find('/', scheme_end + 3) - scheme_end - 3);
        if (host_port.find(':') == std::string::npos) addr.port = tls ? "443" : "80";
    }
    est::client::http_options o;
    o.tls = tls;
    const auto r = est::client::http_call(addr.host, addr.port, "GET", target, {}, o);
    if (r.status != 200) throw std::runtime_error("GET " + target + " answered " + std::to_string(r.status) + ": " + r.body);
    return nlohmann::json::parse(r.body);
}

// est-cli verify: exit 0 intact, 1 not, 2 usage (a file or key that cannot be read).
int verify(const std::string& file, const std::string& chain_group, const std::string& key_arg, const std::string& server,
           bool server_given) {
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
        if (!server_given) {
            std::cerr << "est-cli: verify --chain behöver --server / needs --server\n";
            return 2;
        }
        const auto keys = trusted.pinned.empty() ? get_json(server, "/api/keys") : nlohmann::json::object();
        v = est::client::check_chain(get_json(server, "/api/groups/" + chain_group + "/chain"), chain_group, trusted, keys);
    } else {
        const auto bytes = read_whole_file(file);
        if (!bytes) {
            std::cerr << "est-cli: kan inte läsa / cannot read " << file << '\n';
            return 2;
        }
        if (trusted.pinned.empty() && server_given) {
            // The server's own list of keys, fetched now, rather than the keys the file names itself.
            const auto server_keys = get_json(server, "/api/keys");
            for (const auto& k : server_keys.at("keys"))
                if (auto pub = est::sshsig::parse_public_key_line(k.value("public_key", ""))) trusted.pinned.push_back(*pub);
            trusted.source = server + "/api/keys";
        }
        v = est::client::check_export(*bytes, trusted);
    }
    std::cout << v.text();
    return v.intact ? 0 : 1;
}

}  // namespace

int main(int argc, char** argv) {
    CLI::App app{"est-cli: command line for an est-server"};
    app.require_subcommand(1);
    std::string server = "http://127.0.0.1:8080";
    app.add_option("--server", server, "server address")->capture_default_str();

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
    show->add_option("--org", group_id, "an organisation of the meeting's group to join as (read-only)")->required();

    auto* export_cmd = app.add_subcommand("export", "export a meeting's situation picture (durable state) as HTML, Markdown or JSON");
    std::string format = "html", out_file;
    export_cmd->add_option("--meeting", meeting_id, "meeting id")->required();
    export_cmd->add_option("--format", format, "html, markdown or json")
        ->check(CLI::IsMember({"html", "markdown", "json"}))
        ->capture_default_str();
    export_cmd->add_option("-o,--output", out_file, "file to write (default: standard output)");

    auto* verify_cmd = app.add_subcommand(
        "verify", "check an exported picture (JSON, Markdown or HTML) or a group's chain of closings against the "
                  "server's signatures: exit 0 intact, 1 altered or unverifiable, 2 usage");
    std::string verify_file, chain_group, key_arg;
    verify_cmd->add_option("file", verify_file, "the export file to check");
    verify_cmd->add_option("--chain", chain_group, "check this group's chain of closings (GET /api/groups/{id}/chain)");
    verify_cmd->add_option("--key", key_arg,
                           "the server's public key(s): a file (allowed_signers, `est-server keys` output) or one "
                           "\"ssh-ed25519 AAAA…\" line; then no other key is accepted");
    auto* verify_server = verify_cmd->add_option(
        "--server", server, "take the keys from this server's /api/keys (without --key), and the chain from it");
    verify_cmd->callback([&] {
        if (verify_file.empty() == chain_group.empty())
            throw CLI::ValidationError("verify", "give either a FILE or --chain GROUP");
    });

    try {
        app.parse(argc, argv);
    } catch (const CLI::ParseError& e) {
        return app.exit(e) == 0 ? 0 : 2;
    }
    if (*verify_cmd) {
        try {
            return verify(verify_file, chain_group, key_arg, server,
                          verify_server->count() > 0 || app.get_option("--server")->count() > 0);
        } catch (const std::exception& e) {
            std::cerr << "est-cli: " << e.what() << '\n';
            return 1;
        }
    }
    const auto addr = est::client::server_address::parse(server);
    try {
        if (*health) return print_http(est::client::http_call(addr.host, addr.port, "GET", "/healthz"));
        if (*groups) return print_http(whole_list(addr, "/api/groups"));
        if (*meetings) return print_http(whole_list(addr, "/api/groups/" + group_id + "/meetings"));
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
            return print_http(est::client::http_call(addr.host, addr.port, "POST", "/api/groups", body.dump()));
        }
        if (*create_meeting) {
            nlohmann::json body = nlohmann::json::object();
            if (!title.empty()) body["title"] = title;
            if (!date.empty()) body["date"] = date;
            return print_http(est::client::http_call(addr.host, addr.port, "POST", "/api/groups/" + group_id + "/meetings", body.dump()));
        }
        if (*export_cmd) {
            const auto r = est::client::http_call(addr.host, addr.port, "GET", "/api/meetings/" + meeting_id + "/export?format=" + format);
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
        if (*show) {
            boost::asio::io_context ioc;
            est::client::meeting_client::options o;
            o.host = addr.host;
            o.port = addr.port;
            o.meeting = meeting_id;
            o.who = {"est-cli", group_id, est::role::admin};
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
