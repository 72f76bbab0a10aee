// Fuzzes the client library's op/ack scanner against nlohmann's DOM: for any bytes, the scanner either
// declines (the client then parses the DOM) or gives exactly what the DOM route gives. Nothing may crash.
#include <cstdlib>

#include <nlohmann/json.hpp>

#include "est/server_message.hpp"

namespace {

[[noreturn]] void differs(const char* what) {
    std::fprintf(stderr, "scanner and DOM differ: %s\n", what);
    std::abort();
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    const std::string_view text(reinterpret_cast<const char*>(data), size);
    const auto fast = est::scan_op_or_ack(text);
    if (!fast) return 0;  // declined: the DOM route handles it
    nlohmann::json dom;
    try {
        dom = nlohmann::json::parse(text);
    } catch (const std::exception&) {
        differs("the scanner accepted what is not JSON");
    }
    try {
        if (const auto* op = std::get_if<est::remote_op>(&*fast)) {
            const auto slow = est::remote_op_from_json(dom);
            if (dom.at("type") != "op") differs("type");
            if (op->rev != slow.rev || op->client != slow.client || op->seq != slow.seq || !(op->by == slow.by))
                differs("op fields");
            if (est::change_to_json(op->body) != est::change_to_json(slow.body)) differs("op change");
        } else {
            const auto& ack = std::get<est::ack_message>(*fast);
            if (dom.at("type") != "ack") differs("type");
            if (!(ack == est::ack_from_json(dom))) differs("ack fields");
        }
    } catch (const std::exception& e) {
        std::fprintf(stderr, "%s\n", e.what());
        differs("the DOM route refused what the scanner accepted");
    }
    return 0;
}
