#pragma once
// What every connection needs from the server, by reference.
#include <atomic>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <utility>
#include <unordered_map>
#include <vector>

#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/io_context.hpp>

#include "est/server/room_member.hpp"
#include "est/server/server_options.hpp"

namespace boost::asio::ssl {
class context;
}

namespace est::server {

class room_registry;
class http_router;
class websocket_session;
class catalog;
namespace records {
class bra_queue;
}
namespace auth {
class auth_service;
}

// Live WebSocket connections, so shutdown can close each with a close frame, and tests can count them.
class connection_tracker {
public:
    void add(const std::shared_ptr<room_member>& c) {
        std::lock_guard lock(mutex_);
        live_[c.get()] = c;
    }
    void remove(const room_member* c) {
        std::lock_guard lock(mutex_);
        live_.erase(c);
    }
    std::size_t count() const {
        std::lock_guard lock(mutex_);
        return live_.size();
    }
    template <class F>
    void for_each(F&& f) const {
        std::unordered_map<const room_member*, std::weak_ptr<room_member>> copy;
        {
            std::lock_guard lock(mutex_);
            copy = live_;
        }
        for (auto& [ptr, weak] : copy)
            if (auto c = weak.lock()) f(*c);
    }

private:
    mutable std::mutex mutex_;
    std::unordered_map<const room_member*, std::weak_ptr<room_member>> live_;
};

// Open TCP connections per remote address, and in all (the listener holds the total under --max-connections).
// A slot is held by the connection's session for its whole life. The table holds only addresses with a
// connection open, so it is bounded by the connections.
class address_counter {
public:
    class slot {
    public:
        slot() = default;
        slot(address_counter* c, std::string addr) : counter_(c), addr_(std::move(addr)) {}
        slot(slot&& o) noexcept : counter_(std::exchange(o.counter_, nullptr)), addr_(std::move(o.addr_)) {}
        slot& operator=(slot&& o) noexcept {
            release();
            counter_ = std::exchange(o.counter_, nullptr);
            addr_ = std::move(o.addr_);
            return *this;
        }
        ~slot() { release(); }
        const std::string& address() const noexcept { return addr_; }

    private:
        void release() {
            if (counter_) counter_->release(addr_);
            counter_ = nullptr;
        }
        address_counter* counter_ = nullptr;
        std::string addr_;
    };

    explicit address_counter(std::size_t max_per_address) : max_(max_per_address) {}
    // An empty optional when the address already has its maximum.
    std::optional<slot> acquire(const std::string& addr) {
        std::lock_guard lock(mutex_);
        auto& n = open_[addr];
        if (max_ && n >= max_) return std::nullopt;
        ++n;
        ++total_;
        return slot(this, addr);
    }
    std::size_t total() const {
        std::lock_guard lock(mutex_);
        return total_;
    }

private:
    void release(const std::string& addr) {
        std::lock_guard lock(mutex_);
        --total_;
        if (--open_[addr] == 0) open_.erase(addr);
    }
    std::size_t max_;
    mutable std::mutex mutex_;
    std::unordered_map<std::string, std::size_t> open_;
    std::size_t total_ = 0;
};

// The I/O threads: one io_context each, run by one thread. A meeting's room lives on the shard its id
// hashes to; a connection that names its meeting when it upgrades (/ws?meeting=ID) is moved there too,
// so a broadcast is a loop on one thread: no locks, no hops. Anything else still works across shards
// (a post to the other thread), only slower.
class shard_set {
public:
    // Connections of one shard with messages queued and no write on. The shard's thread writes them all
    // from one posted handler, once it has done the work already queued for it: a burst of work (a
    // commit's changes for many rooms) costs one post, not one per connection, and what it produces for
    // one connection goes out in one write. Touched only by that shard's thread.
    struct alignas(64) pending_writes {
        std::vector<std::weak_ptr<websocket_session>> sessions;
        std::vector<std::weak_ptr<websocket_session>> writing;  // the list being written (kept for its capacity)
        bool posted = false;
    };

    explicit shard_set(std::vector<boost::asio::io_context*> contexts)
        : contexts_(std::move(contexts)), writes_(contexts_.size()) {}

    std::size_t size() const noexcept { return contexts_.size(); }
    boost::asio::io_context& context(std::size_t i) const { return *contexts_.at(i); }
    std::size_t index_for_meeting(std::string_view meeting_id) const noexcept {
        return std::hash<std::string_view>{}(meeting_id) % contexts_.size();
    }
    // Round robin, for connections that do not say which meeting they are for.
    std::size_t next_index() noexcept { return next_.fetch_add(1, std::memory_order_relaxed) % contexts_.size(); }

    // The shard whose thread is calling, or -1 on any other thread. Set by each shard's thread.
    static int current() noexcept { return current_; }
    static void set_current(int shard) noexcept { current_ = shard; }

    pending_writes& writes(std::size_t shard) noexcept { return writes_[shard]; }

private:
    std::vector<boost::asio::io_context*> contexts_;
    std::vector<pending_writes> writes_;
    std::atomic<std::size_t> next_{0};
    static thread_local int current_;
};

struct server_context {
    const server_options& options;
    room_registry& rooms;
    http_router& router;
    connection_tracker& connections;
    address_counter& addresses;
    shard_set& shards;
    // For work that blocks (REST calls that write and wait for their commit): never an I/O thread, and never
    // an export's rendering either (exports have a pool of their own, so they cannot starve the writes).
    boost::asio::any_io_executor blocking;
    // Sign-ins and new passwords (Argon2id: CPU and 64 MiB each): one at a time, apart from the writes.
    boost::asio::any_io_executor passwords;
    std::atomic<bool> stopping{false};
    catalog* meetings = nullptr;
    auth::auth_service* auth = nullptr;  // nullptr under --open-access
    boost::asio::ssl::context* tls = nullptr;  // with --tls-cert: the port speaks TLS only
    records::bra_queue* bra = nullptr;         // the BRÅ queue, for connections that watch it
};

}  // namespace est::server
