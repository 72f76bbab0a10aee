// Which upgrade targets are the WebSocket endpoint, and which meeting hint each carries.
#include <catch2/catch.hpp>

#include "est/server/http_router.hpp"

using est::server::websocket_target;

TEST_CASE("the WebSocket endpoint is /ws, with an optional meeting hint", "[server][websocket]") {
    CHECK(websocket_target("/ws") == std::string());
    CHECK(websocket_target("/ws?meeting=fagersta-v47") == "fagersta-v47");
    CHECK(websocket_target("/ws?x=1&meeting=m-1a2b&y=2") == "m-1a2b");
    CHECK(websocket_target("/ws?x=1") == std::string());
    CHECK(websocket_target("/ws?") == std::string());
}

TEST_CASE("a meeting hint that is not a plain id is ignored, not an error", "[server][websocket]") {
    CHECK(websocket_target("/ws?meeting=") == std::string());
    CHECK(websocket_target("/ws?meeting=a%2Fb") == std::string());
    CHECK(websocket_target("/ws?meeting=../../etc") == std::string());
    CHECK(websocket_target("/ws?meeting=" + std::string(200, 'a')) == std::string());
}

TEST_CASE("other targets are not the WebSocket endpoint", "[server][websocket]") {
    CHECK_FALSE(websocket_target("/"));
    CHECK_FALSE(websocket_target("/wss"));
    CHECK_FALSE(websocket_target("/ws/"));
    CHECK_FALSE(websocket_target("/api/ws"));
    CHECK_FALSE(websocket_target("/ws#x"));
}
