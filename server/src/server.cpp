#include "est/server/server.hpp"

#include <fstream>
#include <optional>
#include <sstream>
#include <thread>
#include <vector>

#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/address.hpp>
#include <boost/asio/signal_set.hpp>
#include <boost/asio/steady_timer.hpp>
#include <nlohmann/json.hpp>

#include "est/error.hpp"
#include "est/json_limits.hpp"
#include "est/meeting_document.hpp"
#include "est/meeting_template.hpp"
#include "est/server/catalog.hpp"
#include "est/server/http_router.hpp"
#include "est/server/listener.hpp"
#include "est/server/room_registry.hpp"
#include "est/server/store.hpp"

namespace est::server {

namespace net = boost::asio;

struct server::impl {
    server_options opts;
    std::unique_ptr<net::io_context> ioc_owner;
    net::io_context& ioc;
    std::unique_ptr<store> db;
    std::unique_ptr<catalog> cat;
    std::unique_ptr<room_registry> rooms;
    std::unique_ptr<http_router> router;
    connection_tracker connections;
    std::unique_ptr<address_counter> addresses;
    std::unique_ptr<server_context> ctx;
    std::shared_ptr<listener> accept;
    std::optional<net::signal_set> signals{std::in_place, ioc, SIGINT, SIGTERM};
    std::optional<net::steady_timer> grace{std::in_place, ioc};

    explicit impl(server_options o)
        : opts(std::move(o)), ioc_owner(std::make_unique<net::io_context>(static_cast<int>(opts.threads))), ioc(*ioc_owner) {}

    ~impl() {
        // Sessions and rooms still queued in the io_context refer to everything below: destroy the
        // io_context (and with it every handler it holds) first, while the rest is alive.
        signals.reset();
        grace.reset();
        accept.reset();
        if (rooms) rooms->clear();  // rooms own strands of the io_context
        ioc_owner.reset();
    }

    void seed_demo() {
        if (opts.demo_file.empty() || !cat->groups().empty()) return;
        std::ifstream in(opts.demo_file, std::ios::binary);
        std::stringstream ss;
        ss << in.rdbuf();
        const auto seed = parse_json_bounded(ss.str(), 32);
        const group g = cat->create_group(seed.at("group"));
        for (auto m : seed.value("meetings", nlohmann::json::array())) {
            nlohmann::json picture = m.value("picture", nlohmann::json());
            m.erase("picture");
            const meeting_info info = cat->create_meeting(g.id, m);
            if (picture.is_null()) continue;
            // Validate against the template, then store it as the meeting's first snapshot.
            const auto doc = meeting_document::from_json(info.tmpl, g.organisation_ids(), picture);
            const nlohmann::json snap = {{"rev", 0}, {"document", doc.to_json()}, {"last_seq", nlohmann::json::object()}};
            db->save_snapshot(info.id, 0, snap.dump());
        }
        db->flush();
    }

    void shutdown() {
        if (ctx->stopping.exchange(true)) return;
        accept->stop();
        connections.for_each([](room_member& c) { c.close_with(1001, "server shutting down"); });
        // Close frames get up to three seconds to go out; the loop ends as soon as every socket is closed.
        wait_for_connections(std::chrono::steady_clock::now() + std::chrono::seconds(3));
    }

    void wait_for_connections(std::chrono::steady_clock::time_point deadline) {
        if (connections.count() == 0 || std::chrono::steady_clock::now() >= deadline) return ioc.stop();
        grace->expires_after(std::chrono::milliseconds(20));
        grace->async_wait([this, deadline](boost::system::error_code ec) {
            if (!ec) wait_for_connections(deadline);
        });
    }
};

server::server(server_options opts) : impl_(std::make_unique<impl>(std::move(opts))) {
    auto& i = *impl_;
    auto tmpl = std::make_shared<const meeting_template>(meeting_template::load_file(i.opts.template_file));
    std::filesystem::create_directories(i.opts.data_dir);
    i.db = std::make_unique<store>(i.opts.data_dir / "est.sqlite3", i.opts.full_sync);
    i.cat = std::make_unique<catalog>(*i.db, std::move(tmpl));
    i.cat->load();
    i.seed_demo();
    i.rooms = std::make_unique<room_registry>(i.ioc.get_executor(), *i.db, *i.cat, i.opts.limits);
    i.router = std::make_unique<http_router>(*i.cat, i.opts.web_root, [&i] {
        const auto st = i.db->counters();
        return nlohmann::json{{"websocket_connections", i.connections.count()},
                              {"tcp_connections", i.addresses->total()},
                              {"rooms_loaded", i.rooms->loaded()},
                              {"store_transactions", st.transactions},
                              {"store_writes", st.writes}};
    });
    i.addresses = std::make_unique<address_counter>(i.opts.max_connections_per_address);
    i.ctx.reset(new server_context{i.opts, *i.rooms, *i.router, i.connections, *i.addresses, {}});
}

server::~server() {
    // Stop I/O before the rooms and the store go; the store's destructor commits what is queued.
    impl_->ioc.stop();
}

std::string server::start() {
    auto& i = *impl_;
    const auto addr = net::ip::make_address(i.opts.bind);
    i.accept = std::make_shared<listener>(i.ioc, net::ip::tcp::endpoint{addr, i.opts.port}, *i.ctx);
    i.accept->run();
    i.signals->async_wait([this](boost::system::error_code ec, int) {
        if (!ec) impl_->shutdown();
    });
    const auto ep = i.accept->local_endpoint();
    const std::string host = ep.address().is_v6() ? "[" + ep.address().to_string() + "]" : ep.address().to_string();
    return "http://" + host + ":" + std::to_string(ep.port());
}

void server::run() {
    auto& i = *impl_;
    std::vector<std::thread> threads;
    for (unsigned t = 1; t < i.opts.threads; ++t) threads.emplace_back([&] { i.ioc.run(); });
    i.ioc.run();
    for (auto& t : threads) t.join();
    i.db->flush();
}

void server::stop() {
    net::post(impl_->ioc, [this] { impl_->shutdown(); });
}

}  // namespace est::server
