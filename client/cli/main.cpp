// est-cli: talk to an est-server from the command line.
#include <fstream>
#include <iostream>

#include <CLI/CLI.hpp>
#include <boost/asio/io_context.hpp>
#include <nlohmann/json.hpp>

#include "est/client/http_get.hpp"
#include "est/client/meeting_client.hpp"
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

    auto* export_cmd = app.add_subcommand("export", "export a meeting's situation picture (durable state) as HTML or JSON");
    std::string format = "html", out_file;
    export_cmd->add_option("--meeting", meeting_id, "meeting id")->required();
    export_cmd->add_option("--format", format, "html or json")->check(CLI::IsMember({"html", "json"}))->capture_default_str();
    export_cmd->add_option("-o,--output", out_file, "file to write (default: standard output)");

    CLI11_PARSE(app, argc, argv);
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
