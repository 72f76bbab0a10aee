#pragma once
// T threads, each running its own io_context. A meeting_client is single-threaded, so every client lives
// on exactly one of these contexts for its whole life.
#include <atomic>
#include <functional>
#include <memory>
#include <string>
#include <thread>
#include <vector>

namespace boost::asio {
class io_context;
}

namespace est::bench {

class io_pool {
public:
    explicit io_pool(unsigned threads);
    ~io_pool();
    io_pool(const io_pool&) = delete;
    io_pool& operator=(const io_pool&) = delete;

    unsigned size() const noexcept { return static_cast<unsigned>(contexts_.size()); }
    boost::asio::io_context& context(unsigned i);
    // Runs `f` on thread `i` and waits for it.
    void run_on(unsigned i, const std::function<void()>& f);
    void post(unsigned i, std::function<void()> f);
    void stop();  // lets run() return; joins the threads

    // Exceptions that escaped a handler (e.g. a malformed server message): counted, the thread goes on.
    std::uint64_t exceptions() const noexcept { return exceptions_.load(); }
    std::string first_exception() const;

private:
    struct context_slot;
    std::vector<std::unique_ptr<context_slot>> contexts_;
    std::vector<std::thread> threads_;
    std::atomic<std::uint64_t> exceptions_{0};
    mutable std::atomic<bool> have_first_{false};
    std::string first_;
};

}  // namespace est::bench
