#include "io_pool.hpp"

#include <future>
#include <optional>

#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/post.hpp>

namespace est::bench {

namespace net = boost::asio;

struct io_pool::context_slot {
    net::io_context ioc{1};
    std::optional<net::executor_work_guard<net::io_context::executor_type>> guard{ioc.get_executor()};
};

io_pool::io_pool(unsigned threads) {
    for (unsigned i = 0; i < std::max(threads, 1u); ++i) contexts_.push_back(std::make_unique<context_slot>());
    for (auto& c : contexts_) {
        threads_.emplace_back([this, slot = c.get()] {
            for (;;) {
                try {
                    slot->ioc.run();
                    return;
                } catch (const std::exception& e) {
                    if (!have_first_.exchange(true)) first_ = e.what();
                    ++exceptions_;
                }
            }
        });
    }
}

io_pool::~io_pool() { stop(); }

net::io_context& io_pool::context(unsigned i) { return contexts_.at(i)->ioc; }

void io_pool::post(unsigned i, std::function<void()> f) { net::post(contexts_.at(i)->ioc, std::move(f)); }

void io_pool::run_on(unsigned i, const std::function<void()>& f) {
    std::promise<void> done;
    net::post(contexts_.at(i)->ioc, [&] {
        try {
            f();
            done.set_value();
        } catch (...) {
            done.set_exception(std::current_exception());
        }
    });
    done.get_future().get();
}

void io_pool::stop() {
    for (auto& c : contexts_) {
        c->guard.reset();
        c->ioc.stop();
    }
    for (auto& t : threads_)
        if (t.joinable()) t.join();
    threads_.clear();
}

std::string io_pool::first_exception() const { return have_first_.load() ? first_ : std::string(); }

}  // namespace est::bench
