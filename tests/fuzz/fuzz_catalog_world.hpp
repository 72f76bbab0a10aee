#pragma once
// A catalog over a real store in a temporary directory, for the targets that create groups and meetings.
// Bounded: after `max_created` successful creations the store is closed, opened again to check that
// everything created loads back unchanged (what a restart does), then deleted and begun anew with the
// demo group alone. So neither memory nor the disk grows with the run.
#include <cstdio>
#include <cstdlib>
#include <memory>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "est/server/catalog.hpp"
#include "est/server/store.hpp"
#include "fuzz_support.hpp"

namespace est::fuzz {

class catalog_world {
public:
    explicit catalog_world(const std::string& name, std::size_t max_created = 64)
        : dir_(name), max_created_(max_created) {
        open();
    }

    server::catalog& cat() { return *cat_; }
    const std::filesystem::path& dir() const { return dir_.path(); }
    // Changes whenever the catalog is made anew (whoever holds a reference to it must let go).
    unsigned generation() const { return generation_; }

    // Call after each successful creation.
    void created() {
        if (++created_ >= max_created_) restart();
    }

    // Every group and meeting, as the API shows them: what a reload must give back.
    nlohmann::json contents() const {
        nlohmann::json out = nlohmann::json::object();
        for (const auto& g : cat_->groups()) {
            nlohmann::json ms = nlohmann::json::array();
            for (const auto& m : cat_->meetings_of(g.id)) ms.push_back(m.to_json());
            out[g.id] = {{"group", g.to_json()}, {"meetings", std::move(ms)}};
        }
        return out;
    }

private:
    std::filesystem::path file() const { return dir_.path() / ("catalog-" + std::to_string(generation_) + ".sqlite3"); }

    void open() {
        db_ = std::make_unique<server::store>(file(), false);
        cat_ = std::make_unique<server::catalog>(*db_, est_template());
        cat_->load();
        cat_->create_group(fagersta().to_json());
        cat_->create_meeting("fagersta", {{"id", "fagersta-v47"}, {"title", "EST-möte vecka 47"}, {"date", "2026-11-17"}});
        created_ = 0;
    }

    void restart() {
        const nlohmann::json before = contents();
        cat_.reset();
        db_.reset();  // commits and closes
        {
            server::store again(file(), false);
            server::catalog reloaded(again, est_template());
            try {
                reloaded.load();
            } catch (const std::exception& e) {
                fail(std::string("what the catalog created does not load again: ") + e.what());
            }
            nlohmann::json after = nlohmann::json::object();
            for (const auto& g : reloaded.groups()) {
                nlohmann::json ms = nlohmann::json::array();
                for (const auto& m : reloaded.meetings_of(g.id)) ms.push_back(m.to_json());
                after[g.id] = {{"group", g.to_json()}, {"meetings", std::move(ms)}};
            }
            if (after != before) fail("the catalog reloaded differs from the catalog that wrote it");
        }
        if (std::getenv("EST_FUZZ_VERBOSE"))
            std::fprintf(stderr, "catalog_world: generation %u reloaded equal (%zu groups), starting over\n", generation_,
                         before.size());
        for (const char* suffix : {"", "-wal", "-shm", "-journal"}) std::filesystem::remove(file().string() + suffix);
        ++generation_;
        open();
    }

    temp_dir dir_;
    std::size_t max_created_;
    std::size_t created_ = 0;
    unsigned generation_ = 0;
    std::unique_ptr<server::store> db_;
    std::unique_ptr<server::catalog> cat_;
};

}  // namespace est::fuzz
