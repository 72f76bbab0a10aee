#pragma once
// Helpers of the identity tests: a clock the test moves, a fresh database folder, a group to join.
#include <chrono>
#include <filesystem>
#include <functional>
#include <future>
#include <optional>
#include <string>

#include <unistd.h>

#include <catch2/catch.hpp>

#include "est/error.hpp"
#include "est/group.hpp"
#include "est/server/auth/auth_clock.hpp"
#include "est/server/store.hpp"

namespace est::test {

// Starts at 2023-11-14T22:13:20Z; moves only when told.
struct manual_clock {
    server::auth::time_point now = server::auth::from_millis(1'700'000'000'000);
    server::auth::clock_fn fn() {
        return [this] { return now; };
    }
    template <class D>
    void advance(D d) {
        now += std::chrono::duration_cast<std::chrono::system_clock::duration>(d);
    }
};

struct temp_folder {
    std::filesystem::path dir;
    temp_folder() {
        char tmpl[] = "/tmp/est-auth-test-XXXXXX";
        REQUIRE(mkdtemp(tmpl) != nullptr);
        dir = tmpl;
    }
    ~temp_folder() { std::filesystem::remove_all(dir); }
    std::filesystem::path db() const { return dir / "est.sqlite3"; }
};

inline std::string wait_write(const std::function<void(server::store::completion)>& write) {
    std::promise<std::string> p;
    write([&](const std::string& e) { p.set_value(e); });
    return p.get_future().get();
}

// Group "fagersta" with organisations polis and kommun, stored (memberships refer to it).
inline est::group fagersta(server::store& db) {
    est::group g;
    g.id = "fagersta";
    g.name = "EST-gruppen Fagersta";
    g.municipality = "Fagersta";
    g.organisations = {{"polis", "Polisen"}, {"kommun", "Fagersta kommun"}};
    REQUIRE(wait_write([&](auto done) {
                db.put_group({g.id, R"({"id":"fagersta","name":"EST-gruppen Fagersta","municipality":"Fagersta",)"
                                    R"("organisations":[{"id":"polis","name":"Polisen"},{"id":"kommun","name":"Fagersta kommun"}]})"},
                             done);
            }).empty());
    return g;
}

template <class F>
std::string error_code_of(F&& f) {
    try {
        f();
    } catch (const domain_error& e) {
        return e.code();
    }
    return "(no error)";
}

}  // namespace est::test
