#include "accounts_fixture.hpp"

#include <cstdlib>
#include <stdexcept>

#include <sys/wait.h>
#include <unistd.h>

#include <nlohmann/json.hpp>

namespace est::test {

using json = nlohmann::json;

namespace {
struct wanted {
    const char* key;
    std::optional<role> r;  // in the fixture's group
    const char* org;
};
// The people every_person names, in that order (server_admin and anonymous aside).
const wanted members[] = {
    {"participant_a", role::participant, "polis"}, {"participant_b", role::participant, "kommun"},
    {"chair", role::chair, "kommun"},              {"cosigner", role::cosigner, "polis"},
    {"bra_member", role::bra_member, ""},          {"group_admin", role::admin, ""},
    {"spare", role::participant, "raddning"},
};

json expect(const client::http_result& r, unsigned status, const std::string& what) {
    if (r.status != status)
        throw std::runtime_error(what + ": expected " + std::to_string(status) + ", got " + std::to_string(r.status) + " " + r.body);
    return r.body.empty() ? json() : json::parse(r.body);
}

std::string server_bin() {
    const char* bin = std::getenv("EST_SERVER_BIN");
    return bin && *bin ? bin : EST_SERVER_BIN;
}
}  // namespace

const std::vector<std::string> accounts_fixture::every_person = {
    "server_admin", "participant_a", "participant_b", "chair", "cosigner", "bra_member", "group_admin", "spare",
    "non_member",   "anonymous"};

std::string accounts_fixture::password_of(const std::string& key) { return "Testlösenord-" + key + "-9Qx"; }

void create_account_on_server_machine(const std::string& data_dir, const std::string& email, const std::string& name,
                                      const std::string& password, bool admin) {
    std::vector<std::string> args = {server_bin(), "admin", "create-user", "--email", email, "--name", name, "--data", data_dir};
    if (admin) args.push_back("--admin");
    int in[2], out[2];
    if (::pipe(in) != 0 || ::pipe(out) != 0) throw std::runtime_error("pipe failed");
    const pid_t pid = ::fork();
    if (pid < 0) throw std::runtime_error("fork failed");
    if (pid == 0) {
        ::dup2(in[0], STDIN_FILENO);
        ::dup2(out[1], STDOUT_FILENO);
        ::dup2(out[1], STDERR_FILENO);
        ::close(in[0]), ::close(in[1]), ::close(out[0]), ::close(out[1]);
        std::vector<char*> argv;
        for (auto& a : args) argv.push_back(a.data());
        argv.push_back(nullptr);
        ::execv(argv[0], argv.data());
        ::_exit(127);
    }
    ::close(in[0]);
    ::close(out[1]);
    const std::string line = password + "\n";
    std::size_t written = 0;
    while (written < line.size()) {
        const auto n = ::write(in[1], line.data() + written, line.size() - written);
        if (n <= 0) break;
        written += static_cast<std::size_t>(n);
    }
    ::close(in[1]);
    std::string said;
    char buf[512];
    for (ssize_t n; (n = ::read(out[0], buf, sizeof buf)) > 0;) said.append(buf, static_cast<std::size_t>(n));
    ::close(out[0]);
    int status = 0;
    ::waitpid(pid, &status, 0);
    if (!WIFEXITED(status) || WEXITSTATUS(status) != 0)
        throw std::runtime_error("est-server admin create-user failed: " + said);
}

accounts_fixture::accounts_fixture() : accounts_fixture(options{}) {}

accounts_fixture::accounts_fixture(options o) : extra_args_(std::move(o.server_args)) {
    // The first administrator, on the server's own machine, before the server runs.
    const std::string admin_email = "admin@est.test";
    create_account_on_server_machine(dir_.path(), admin_email, "Serveradministratör", password_of("server_admin"), true);
    process_setup setup;
    setup.accounts = true;
    server_ = std::make_unique<server_process>(dir_.path(), server_args(), setup);

    auto admin = std::make_unique<person>(person{"server_admin", admin_email, password_of("server_admin"),
                                                 "Serveradministratör", "", std::nullopt, "", true, api_client(*server_)});
    const auto me = expect(admin->http.sign_in(admin->email, admin->password), 200, "the administrator signs in");
    admin->id = me.at("id").get<std::string>();
    const api_client& as_admin = admin->http;
    people_["server_admin"] = std::move(admin);
    order_.push_back("server_admin");

    json g = {{"id", group_}, {"name", "EST-gruppen Test"}, {"municipality", "Testkommun"}, {"organisations", json::array()}};
    for (const auto& org : orgs_) g["organisations"].push_back({{"id", org}, {"name", "Org " + org}});
    expect(as_admin.post("/api/groups", g), 201, "create the group");
    expect(as_admin.post("/api/groups",
                         {{"id", other_group_}, {"name", "EST-gruppen Annan"}, {"organisations", {{{"id", "polis"}, {"name", "Polisen"}}}}}),
           201, "create the other group");

    const auto wants = [&](const std::string& key) {
        for (const auto& k : o.people)
            if (k == key) return true;
        return false;
    };
    for (const auto& w : members)
        if (wants(w.key)) invite(w.key, *w.r, w.org);
    if (wants("non_member")) {
        auto& p = invite("non_member", role::participant, "polis", other_group_);
        p.member_role.reset();  // in the fixture's group, they have none
        p.org.clear();
    }

    // The chair makes the meeting when there is one; else the group has none to be chair of it and the
    // administrator cannot (create_meeting is the chair's): invite a chair for it.
    person& chair = people_.count("chair") ? at("chair") : invite("meeting_maker", role::chair);
    meeting_ = expect(chair.http.post("/api/groups/" + group_ + "/meetings", {{"title", "EST-möte vecka 47"}, {"date", "2026-11-17"}}),
                      201, "the chair creates the meeting")
                   .at("id")
                   .get<std::string>();
    // A new meeting is a draft: the chair opens it, so the tests find it as a meeting under way.
    expect(chair.http.post("/api/meetings/" + meeting_ + "/lifecycle", {{"action", "open"}}), 200, "the chair opens the meeting");

    if (wants("anonymous")) {
        people_["anonymous"] = std::make_unique<person>(person{"anonymous", "", "", "", "", std::nullopt, "", false, api_client(*server_)});
        order_.push_back("anonymous");
    }
}

accounts_fixture::~accounts_fixture() = default;

std::vector<std::string> accounts_fixture::server_args() const {
    // Creation is charged per address: the fixture and the tests create more than the default burst from one.
    std::vector<std::string> args = {"--creation-burst", "1000"};
    args.insert(args.end(), extra_args_.begin(), extra_args_.end());
    return args;
}

person& accounts_fixture::at(const std::string& key) {
    const auto it = people_.find(key);
    if (it == people_.end()) throw std::out_of_range("the fixture made no '" + key + "'");
    return *it->second;
}

std::vector<person*> accounts_fixture::people() {
    std::vector<person*> out;
    for (const auto& k : order_) out.push_back(people_.at(k).get());
    return out;
}

person& accounts_fixture::invite(const std::string& key, role r, const std::string& org, std::string group) {
    if (group.empty()) group = group_;
    const std::string email = key + "@est.test";
    json body = {{"email", email}, {"role", std::string(to_string(r))}};
    if (!org.empty()) body["org"] = org;
    const auto issued = expect(at("server_admin").http.post("/api/groups/" + group + "/invitations", body), 201, "invite " + key);
    auto p = std::make_unique<person>(person{key, email, password_of(key), "Test " + key, "", r, org, false, api_client(*server_)});
    const auto me = expect(p->http.accept_invitation(token_of_link(issued.at("link").get<std::string>()), p->password, p->name),
                           200, key + " accepts the invitation");
    p->id = me.at("id").get<std::string>();
    if (p->http.cookie().empty()) throw std::runtime_error(key + ": accepting the invitation set no session cookie");
    auto& out = *p;
    people_[key] = std::move(p);
    order_.push_back(key);
    return out;
}

std::string accounts_fixture::invitation_token(const std::string& email, role r, const std::string& org) {
    json body = {{"email", email}, {"role", std::string(to_string(r))}};
    if (!org.empty()) body["org"] = org;
    const auto issued = expect(at("server_admin").http.post("/api/groups/" + group_ + "/invitations", body), 201, "invite " + email);
    return token_of_link(issued.at("link").get<std::string>());
}

client::meeting_client::options accounts_fixture::live_options(const person& p, std::string meeting) const {
    client::meeting_client::options o;
    o.host = server_->host();
    o.port = server_->port();
    o.meeting = meeting.empty() ? meeting_ : std::move(meeting);
    o.cookie = p.http.cookie();
    o.origin = p.http.own_origin();
    o.join_as_account = true;
    o.reconnect = false;
    return o;
}

void accounts_fixture::crash_and_restart() {
    server_->kill9();
    restart();
}

void accounts_fixture::restart(const std::vector<std::string>& more_args) {
    extra_args_.insert(extra_args_.end(), more_args.begin(), more_args.end());
    restart();
}

void accounts_fixture::restart() {
    const std::string port = server_->port();
    if (server_->running()) server_->terminate();
    server_.reset();
    auto args = server_args();
    args.insert(args.end(), {"--port", port});
    process_setup setup;
    setup.accounts = true;
    server_ = std::make_unique<server_process>(dir_.path(), args, setup);
}

}  // namespace est::test
