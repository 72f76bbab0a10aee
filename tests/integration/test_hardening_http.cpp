// Regression tests of the HTTP side's security review (issue 11), each against the real est-server: idle
// sockets under a small descriptor limit (finding 4), exports starving writes (5), unbounded anonymous creation
// and lists (6), and file modes, symbolic links and error bodies (8).
#include <atomic>
#include <condition_variable>
#include <filesystem>
#include <fstream>
#include <mutex>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

#include <boost/asio/io_context.hpp>
#include <catch2/catch.hpp>
#include <nlohmann/json.hpp>

#include "est/client/http_get.hpp"
#include "est/client/meeting_client.hpp"
#include "server_process.hpp"

using namespace est;
using json = nlohmann::json;
using namespace std::chrono_literals;

namespace {

client::http_result call(const test::server_process& s, const std::string& method, const std::string& target,
                         const std::string& body = {}, client::http_options o = {}) {
    return client::http_call(s.host(), s.port(), method, target, body, o);
}

// TCP connections that connect and then say nothing.
class idle_sockets {
public:
    idle_sockets(const test::server_process& s, int n) {
        sockaddr_in to{};
        to.sin_family = AF_INET;
        to.sin_port = htons(static_cast<std::uint16_t>(std::stoi(s.port())));
        inet_pton(AF_INET, s.host().c_str(), &to.sin_addr);
        for (int i = 0; i < n; ++i) {
            const int fd = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
            REQUIRE(fd >= 0);
            fds_.push_back(fd);
            REQUIRE(::connect(fd, reinterpret_cast<const sockaddr*>(&to), sizeof to) == 0);
        }
    }
    ~idle_sockets() {
        for (int fd : fds_) ::close(fd);
    }

private:
    std::vector<int> fds_;
};

std::string group_body(const std::string& id) {
    return json{{"id", id}, {"name", "EST " + id}, {"organisations", {{{"id", "kommun"}, {"name", "Kommunen"}}}}}.dump();
}

// The target of an answer's Link: <target>; rel="next" header, or "" when there is none.
std::string next_page(const client::http_result& r) {
    const auto link = r.header("Link");
    if (link.empty()) return {};
    REQUIRE_THAT(link, Catch::EndsWith(">; rel=\"next\""));
    return link.substr(1, link.find('>') - 1);
}

// Every id of a list, following its pages; checks each page's bound.
std::vector<std::string> whole_list(const test::server_process& s, std::string target, std::size_t page_bound) {
    std::vector<std::string> ids;
    for (int pages = 0; !target.empty(); ++pages) {
        REQUIRE(pages < 100);
        const auto r = call(s, "GET", target);
        REQUIRE(r.status == 200);
        const auto items = json::parse(r.body);
        REQUIRE(items.is_array());
        CHECK(items.size() <= page_bound);
        for (const auto& i : items) ids.push_back(i.at("id"));
        target = next_page(r);
    }
    return ids;
}

unsigned mode_of(const std::filesystem::path& p) {
    struct stat st {};
    REQUIRE(::stat(p.c_str(), &st) == 0);
    return st.st_mode & 07777;
}

// A demo seed with one large meeting: every cell of the picture full of long entries, so that rendering its
// export takes a while.
std::string write_large_demo(const std::string& dir) {
    std::ifstream in(std::string(EST_SOURCE_DIR) + "/server/demo/fagersta.json");
    json seed = json::parse(in);
    json meeting = seed.at("meetings").at(0);
    const std::string text(2500, 'x');
    int n = 0;
    for (auto& topic : meeting.at("picture").at("topics"))
        for (auto& [org, cell] : topic.at("cells").items()) {
            cell["entries"] = json::array();
            for (int i = 0; i < 8; ++i)
                cell["entries"].push_back({{"id", "e-" + std::to_string(++n)},
                                           {"fields", {{"handelse", text}, {"plats", "Torget"}, {"tid", "Natt"},
                                                       {"underlag", "RAR"}, {"bedomning", text},
                                                       {"trend", {{"value", "ökar"}, {"rev", 0}}}}}});
        }
    seed["meetings"] = json::array({meeting});
    const std::string file = dir + "/large-demo.json";
    std::ofstream(file) << seed.dump();
    return file;
}

}  // namespace

TEST_CASE("idle sockets past the descriptor limit do not lock out /healthz (finding 4)", "[http][hardening]") {
    test::temp_dir dir;
    // 128 descriptors, soft and hard, and idle connections that would never time out by themselves.
    test::server_process server(dir.path(), {"--http-timeout", "3600"}, {128});
    idle_sockets idle(server, 200);
    // A deadline only against hanging: before the fix the answer never came while the sockets stayed open.
    const auto health = call(server, "GET", "/healthz", {}, {std::chrono::milliseconds(20000), {}});
    CHECK(health.status == 200);
    const auto stats = json::parse(call(server, "GET", "/api/stats", {}, {std::chrono::milliseconds(20000), {}}).body);
    CHECK(stats.at("max_connections").get<std::size_t>() < 128);
    CHECK(stats.at("tcp_connections").get<std::size_t>() <= stats.at("max_connections").get<std::size_t>() + 1);
}

TEST_CASE("a REST write is answered while exports of a large meeting are under way (finding 5)", "[http][hardening][export]") {
    test::temp_dir dir;
    const auto demo = write_large_demo(dir.path());
    // No cache and no per-address limit here: every export renders, one after another on the export pool.
    test::server_process server(dir.path() + "/data", {"--demo", demo, "--sync", "normal", "--export-cache-bytes", "0",
                                                       "--max-exports-per-address", "0"});
    const std::string url = "/api/meetings/fagersta-v47/export";
    REQUIRE(call(server, "GET", url).status == 200);  // the room is loaded

    constexpr int exports = 8;
    std::mutex m;
    std::condition_variable changed;
    int finished = 0;
    std::vector<int> order(exports + 1, 0);
    std::vector<unsigned> status(exports + 1, 0);
    auto done = [&](int i, unsigned st) {
        std::lock_guard lock(m);
        order[i] = ++finished;
        status[i] = st;
        changed.notify_all();
    };
    std::vector<std::thread> threads;
    for (int i = 0; i < exports; ++i)
        threads.emplace_back([&, i] {
            unsigned st = 0;
            try {
                st = call(server, "GET", url).status;
            } catch (const std::exception&) {
            }
            done(i, st);
        });
    {
        // Once the first export is answered, the others are queued behind its render.
        std::unique_lock lock(m);
        changed.wait(lock, [&] { return finished >= 1; });
    }
    const auto created = call(server, "POST", "/api/groups", group_body("skrivs-under-export"));
    done(exports, created.status);
    for (auto& t : threads) t.join();
    CHECK(created.status == 201);
    for (int i = 0; i < exports; ++i) CHECK(status[i] == 200);
    // Before the fix the write waited on the one blocking thread behind every export's render: it came last.
    CHECK(order[exports] < exports + 1);
}

TEST_CASE("a repeated export of an unchanged revision is the identical body, rendered once (finding 5)", "[http][hardening][export]") {
    test::temp_dir dir;
    test::server_process server(dir.path());
    const auto meeting = test::create_meeting(server, {"kommun", "polis"});
    const std::string url = "/api/meetings/" + meeting + "/export";
    const auto renders = [&] { return json::parse(call(server, "GET", "/api/stats").body).at("export_renders").get<int>(); };
    const auto first = call(server, "GET", url);
    const auto again = call(server, "GET", url);
    REQUIRE(first.status == 200);
    REQUIRE(again.status == 200);
    CHECK(again.body == first.body);
    CHECK(renders() == 1);
    CHECK(call(server, "GET", url + "?format=json").status == 200);  // another format is another render
    CHECK(renders() == 2);

    // A change makes a new revision: rendered anew, never the old picture.
    boost::asio::io_context ioc;
    client::meeting_client c(ioc, test::client_options(server, meeting, {"Polis", "polis", role::participant}));
    c.start();
    REQUIRE(client::run_until(ioc, [&] { return c.welcomed(); }));
    c.submit(add_entry_change{"ordningsstorning", "polis", "e1"});
    REQUIRE(client::run_until(ioc, [&] { return c.replica().idle(); }));
    c.stop();
    ioc.run();
    const auto changed = call(server, "GET", url);
    REQUIRE(changed.status == 200);
    CHECK(changed.body != first.body);
    CHECK(renders() == 3);
}

TEST_CASE("exports are limited per client address with 429 busy (finding 5)", "[http][hardening][export]") {
    test::temp_dir dir;
    const auto demo = write_large_demo(dir.path());
    test::server_process server(dir.path() + "/data", {"--demo", demo, "--export-cache-bytes", "0"});
    const std::string url = "/api/meetings/fagersta-v47/export";
    // Eight at once from one address: two are under way at a time, the others are told to come back.
    std::vector<client::http_result> answers(8);
    std::vector<std::thread> threads;
    for (std::size_t i = 0; i < answers.size(); ++i)
        threads.emplace_back([&, i] { answers[i] = call(server, "GET", url); });
    for (auto& t : threads) t.join();
    int ok = 0, busy = 0;
    for (const auto& a : answers) {
        if (a.status == 200) ++ok;
        if (a.status == 429) {
            ++busy;
            CHECK(json::parse(a.body).at("error") == "busy");
            CHECK(a.header("Retry-After") == "1");
        }
    }
    CHECK(ok + busy == 8);
    CHECK(ok >= 2);
}

TEST_CASE("a creation flood from one address is throttled with 429 and Retry-After, another address is not (finding 6)",
          "[http][hardening]") {
    test::temp_dir dir;
    test::server_process server(dir.path(), {"--sync", "normal"});
    int created = 0;
    client::http_result refused;
    for (int i = 0; i < 100; ++i) {
        auto r = call(server, "POST", "/api/groups", group_body("flood-" + std::to_string(i)));
        if (r.status != 201) {
            refused = std::move(r);
            break;
        }
        ++created;
    }
    CHECK(created == 20);  // the burst
    REQUIRE(refused.status == 429);
    CHECK(json::parse(refused.body).at("error") == "rate_limited");
    CHECK(std::stoi(refused.header("Retry-After")) >= 1);
    CHECK(call(server, "POST", "/api/groups/flood-0/meetings", "{}").status == 429);  // meetings share the budget
    // Another client address (loopback has all of 127/8) still may.
    client::http_options other;
    other.local_address = "127.0.0.2";
    CHECK(call(server, "POST", "/api/groups", group_body("elsewhere"), other).status == 201);
    CHECK(call(server, "GET", "/api/groups").status == 200);  // reading is not limited
}

TEST_CASE("lists of groups and meetings are bounded and their pages chain to the whole list (finding 6)", "[http][hardening]") {
    test::temp_dir dir;
    test::server_process server(dir.path(), {"--sync", "normal", "--max-creations-per-minute", "0"});
    std::set<std::string> groups;
    for (int i = 0; i < 230; ++i) {
        const std::string id = "g-" + std::to_string(1000 + i);
        REQUIRE(call(server, "POST", "/api/groups", group_body(id)).status == 201);
        groups.insert(id);
    }
    const auto first = call(server, "GET", "/api/groups");
    CHECK(json::parse(first.body).size() == 100);  // the default page
    CHECK_FALSE(next_page(first).empty());
    const auto all = whole_list(server, "/api/groups", 100);
    CHECK(std::set<std::string>(all.begin(), all.end()) == groups);
    CHECK(all.size() == groups.size());
    CHECK(whole_list(server, "/api/groups?limit=70", 70).size() == 230);
    CHECK(json::parse(call(server, "GET", "/api/groups?limit=100000").body).size() == 230);  // at most 500
    CHECK(call(server, "GET", "/api/groups?limit=-1").status == 400);

    for (int i = 0; i < 120; ++i) REQUIRE(call(server, "POST", "/api/groups/g-1000/meetings", "{}").status == 201);
    const auto meetings = whole_list(server, "/api/groups/g-1000/meetings", 100);
    CHECK(meetings.size() == 120);
    CHECK(std::set<std::string>(meetings.begin(), meetings.end()).size() == 120);
}

TEST_CASE("the data folder is private (0700) and the database and its WAL 0600 (finding 8)", "[http][hardening]") {
    test::temp_dir dir;
    const std::filesystem::path data = dir.path() + "/data", older = dir.path() + "/older";
    const mode_t was = ::umask(022);  // the usual umask: before the fix, 0755 and 0644
    std::filesystem::create_directory(older);  // a folder an older version made, readable to all
    {
        test::server_process server(data.string());
        REQUIRE(call(server, "POST", "/api/groups", group_body("privat")).status == 201);  // the WAL is written
        CHECK(mode_of(data) == 0700);
        CHECK(mode_of(data / "est.sqlite3") == 0600);
        REQUIRE(std::filesystem::exists(data / "est.sqlite3-wal"));
        CHECK(mode_of(data / "est.sqlite3-wal") == 0600);
        if (std::filesystem::exists(data / "est.sqlite3-shm")) CHECK(mode_of(data / "est.sqlite3-shm") == 0600);
    }
    {
        test::server_process server(older.string());
        CHECK(mode_of(older) == 0700);
    }
    ::umask(was);
}

TEST_CASE("a symbolic link in the web root to something outside it is not served (finding 8)", "[http][hardening]") {
    test::temp_dir dir;
    const std::filesystem::path web = dir.path() + "/web", outside = dir.path() + "/outside";
    std::filesystem::create_directories(web);
    std::filesystem::create_directories(outside);
    std::ofstream(web / "index.html") << "<!doctype html><title>EST</title>";
    std::ofstream(outside / "secret.txt") << "hemligt-innehall";
    std::filesystem::create_symlink(outside / "secret.txt", web / "leak.txt");
    std::filesystem::create_directory_symlink(outside, web / "out");
    std::filesystem::create_symlink(web / "index.html", web / "alias.html");  // inside: fine
    test::server_process server(dir.path() + "/data", {"--web-root", web.string()});
    for (const char* path : {"/leak.txt", "/out/secret.txt"}) {
        const auto r = call(server, "GET", path);
        CHECK(r.status == 404);
        CHECK_THAT(r.body, !Catch::Contains("hemligt") && !Catch::Contains(outside.string()));
    }
    CHECK(call(server, "GET", "/alias.html").status == 200);
    CHECK(call(server, "GET", "/").status == 200);
}
