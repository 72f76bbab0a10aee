#pragma once
// What est-bench prints: a short summary for people, then exactly one line of JSON for scripts.
#include <iosfwd>
#include <string>

#include <nlohmann/json_fwd.hpp>

#include "export_run.hpp"
#include "join_run.hpp"
#include "load_run.hpp"

namespace est::bench {

nlohmann::json to_json(const load_result& r);
nlohmann::json to_json(const join_result& r);
nlohmann::json to_json(const export_result& r);

void print_summary(std::ostream& out, const load_result& r);
void print_summary(std::ostream& out, const join_result& r);
void print_summary(std::ostream& out, const export_result& r);

// The machine the figures were taken on (CPU model, cores, memory, load average).
nlohmann::json machine_json();

}  // namespace est::bench
