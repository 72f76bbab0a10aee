#pragma once
// An asynchronous WebSocket client connection (Beast inside, not in this header). Single-threaded: use it
// from the one thread that runs its io_context.
#include <functional>
#include <memory>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace boost::asio {
class io_context;
}

namespace est::client {

class ws_connection {
public:
    struct handlers {
        std::function<void()> on_open;
        std::function<void(std::string_view)> on_message;
        std::function<void(const std::string& why)> on_close;  // once, after open or a failed connect
    };

    ws_connection(boost::asio::io_context& ioc, handlers h);
    ~ws_connection();
    ws_connection(const ws_connection&) = delete;
    ws_connection& operator=(const ws_connection&) = delete;

    // Headers to set on the upgrade request, replacing Beast's own of the same name: a session cookie, an Origin.
    using headers = std::vector<std::pair<std::string, std::string>>;

    // A refused upgrade closes with "handshake: HTTP <status> <body>".
    void connect(const std::string& host, const std::string& port, const std::string& path = "/ws", headers extra = {});
    void send(std::string message);  // queued in order
    void close();                    // close frame, then on_close
    void abort();                    // cut the TCP connection without a close frame (a dropped network)
    bool is_open() const noexcept;
    std::size_t queued() const noexcept;

private:
    struct impl;
    std::shared_ptr<impl> impl_;
};

}  // namespace est::client
