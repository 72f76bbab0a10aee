#pragma once
// What a lifecycle move asks of a meeting's room, and what it answers (meeting_room::act).
#include <cstdint>
#include <string>

#include <nlohmann/json.hpp>

#include "est/lifecycle.hpp"

namespace est::server {

// A lifecycle move asked of a room (POST /api/meetings/{id}/lifecycle): the person is known and, for a
// signature, has given their password again.
struct lifecycle_request {
    lifecycle_kind kind = lifecycle_kind::lock_picture;
    std::string topic;  // lock_topic, unlock_topic
    signer by;
    std::uint64_t rev = 0;  // sign: the revision and digest of the picture the signer read
    std::string digest;
};
// Its answer, once durable: error empty, the revision it got and the lifecycle after it; or error/message.
struct lifecycle_result {
    std::string error;
    std::string message;
    std::uint64_t rev = 0;
    nlohmann::json lifecycle;
};

}  // namespace est::server
