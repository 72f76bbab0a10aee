#pragma once
// A meeting of an accounts_fixture with decision items sent to BRÅ and closed: what the BRÅ queue's tests start
// from (test_bra_queue, test_bra_import, test_bra_cli).
#include <string>
#include <vector>

#include <boost/asio/io_context.hpp>
#include <nlohmann/json.hpp>

#include "accounts_fixture.hpp"
#include "est/client/ws_connection.hpp"

namespace est::test {

// "200" or "<status> <error code>".
std::string answer_of(const client::http_result& r);

// The people the queue's tests need: participant_a (polis), participant_b (kommun), chair, cosigner, bra_member,
// non_member, anonymous.
accounts_fixture::options queue_people();

// Proposes items live in "andt" of f.meeting(): d1 and d2 sent to BRÅ by the chair, d3 not (each with the rubrik
// "Fördjupad kartläggning vid resecentrum"); then locks, signs (chair and co-signer) and closes it. Checks on the
// way that a participant may not send an item to BRÅ and that the queue is empty before the close.
void meeting_with_items_closed(accounts_fixture& f);

// A WebSocket that watches the BRÅ queue as `p` (docs/protocol.md, "Watching the queue live"): every protocol
// message it receives, parsed.
struct queue_watcher {
    queue_watcher(boost::asio::io_context& ioc, accounts_fixture& f, person& p);
    // Whether a message of `type` came (a queue_item with the item's `status`, when given).
    bool has(const std::string& type, const std::string& status = "") const;

    client::ws_connection ws;
    std::vector<nlohmann::json> got;
    std::string closed;
};

}  // namespace est::test
