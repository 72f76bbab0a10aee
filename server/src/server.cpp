#include "est/server/server.hpp"

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <fstream>
#include <iostream>
#include <optional>
#include <sstream>
#include <thread>
#include <vector>

#include <sys/resource.h>
#include <sys/stat.h>

#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/address.hpp>
#include <boost/asio/signal_set.hpp>
#include <boost/asio/ssl/context.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/thread_pool.hpp>
#include <nlohmann/json.hpp>

#include "est/error.hpp"
#include "est/json_limits.hpp"
#include "est/meeting_document.hpp"
#include "est/meeting_state.hpp"
#include "est/meeting_template.hpp"
#include "est/server/auth/auth_service.hpp"
#include "est/server/auth/demo_accounts.hpp"
#include "est/server/auth/session_watch.hpp"
#include "est/server/catalog.hpp"
#include "est/server/http_router.hpp"
#include "est/server/listener.hpp"
#include "est/server/picture_report.hpp"
#include "est/server/retention.hpp"
#include "est/server/room_registry.hpp"
#include "est/server/records/bra_queue.hpp"
#include "est/server/records/bra_routes.hpp"
#include "est/server/records/correction_routes.hpp"
#include "est/server/records/history_routes.hpp"
#include "est/server/records/monthly_report.hpp"
#include "est/server/records/report_routes.hpp"
#include "est/server/records/lifecycle_routes.hpp"
#include "est/server/records/signing_keys.hpp"
#include "est/server/store.hpp"
#include "est/server/tls_context.hpp"

namespace est::server {

namespace net = boost::asio;

thread_local int shard_set::current_ = -1;

namespace {
// Raises the soft limit on open descriptors to the hard one (the soft default, often 1024, is far below what
// a municipality's connections need); returns the soft limit in effect.
std::size_t raise_open_files_limit() {
    rlimit lim{};
    if (::getrlimit(RLIMIT_NOFILE, &lim) != 0) return 1024;
    if (lim.rlim_cur < lim.rlim_max) {
        rlimit want = lim;
        want.rlim_cur = lim.rlim_max;
        // An unlimited hard limit is not a valid soft one on Linux (fs.nr_open caps it): try a large finite value.
        if (want.rlim_cur == RLIM_INFINITY) want.rlim_cur = 1 << 20;
        if (::setrlimit(RLIMIT_NOFILE, &want) == 0) lim = want;
    }
    return lim.rlim_cur == RLIM_INFINITY ? std::size_t{1} << 20 : static_cast<std::size_t>(lim.rlim_cur);
}

// Connections the process can hold with `open_files` descriptors: the rest stays for SQLite (database, -wal,
// -shm), the epoll and event descriptors of every io_context, the signal pipe, the listening socket, a static
// file being read, and the one spare descriptor accept needs to take a connection it then closes.
std::size_t connections_for(std::size_t open_files, unsigned threads) {
    const std::size_t reserve = std::clamp<std::size_t>(open_files / 8, 32 + 4 * std::size_t{threads}, 1024);
    return open_files > reserve + 16 ? open_files - reserve : std::max<std::size_t>(open_files / 2, 1);
}

// The data folder holds every meeting's text: only the server's user may enter it, whatever the umask.
void make_private_folder(const std::filesystem::path& dir) {
    std::filesystem::create_directories(dir);
    if (::chmod(dir.c_str(), 0700) != 0)
        throw std::runtime_error("cannot make " + dir.string() + " private (0700): " + std::strerror(errno));
}
}  // namespace

struct server::impl {
    server_options opts;
    // One io_context per I/O thread (shard); each is run by exactly one thread.
    std::vector<std::unique_ptr<net::io_context>> contexts;
    std::vector<net::executor_work_guard<net::io_context::executor_type>> keep_running;
    std::unique_ptr<shard_set> shards;
    net::io_context& main;  // shard 0: accepts, plain HTTP, signals
    std::unique_ptr<store> db;
    std::unique_ptr<catalog> cat;
    std::unique_ptr<room_registry> rooms;
    std::unique_ptr<records::signing_keys> keys;
    std::unique_ptr<picture_report> report;
    std::unique_ptr<auth::auth_service> auth;  // none under --open-access
    std::unique_ptr<auth::session_watch> watch;
    std::unique_ptr<records::bra_queue> bra;  // the BRÅ queue: read from closed meetings, events in the store
    std::unique_ptr<records::monthly_report> monthly;  // the monthly report's template
    std::unique_ptr<retention> keep;  // compaction of closed meetings, and their purge under a group's retention
    std::unique_ptr<http_router> router;
    connection_tracker connections;
    std::unique_ptr<address_counter> addresses;
    std::unique_ptr<net::ssl::context> tls;  // with --tls-cert
    std::unique_ptr<server_context> ctx;
    std::shared_ptr<listener> accept;
    std::optional<net::signal_set> signals;
    std::optional<net::steady_timer> grace;
    // REST calls that write wait for their commit here, not on an I/O thread (whose meetings would stall).
    std::optional<net::thread_pool> blocking{std::in_place, 1};
    // Exports render here: never on the writes' pool (a write would wait behind every export) nor on an I/O thread.
    std::optional<net::thread_pool> exports{std::in_place, 1};
    // Password hashing (sign-in, invitations, resets) here: a flood of sign-ins waits here, not before the writes.
    std::optional<net::thread_pool> passwords{std::in_place, 1};

    static std::vector<std::unique_ptr<net::io_context>> make_contexts(unsigned n) {
        std::vector<std::unique_ptr<net::io_context>> out;
        for (unsigned i = 0; i < n; ++i) out.push_back(std::make_unique<net::io_context>(1));
        return out;
    }

    explicit impl(server_options o)
        : opts(std::move(o)), contexts(make_contexts(std::max(opts.threads, 1u))), main(*contexts.front()) {
        std::vector<net::io_context*> raw;
        for (auto& c : contexts) {
            raw.push_back(c.get());
            keep_running.push_back(net::make_work_guard(*c));
        }
        shards = std::make_unique<shard_set>(std::move(raw));
        signals.emplace(main, SIGINT, SIGTERM);
        grace.emplace(main);
    }

    ~impl() {
        // Handlers still queued in the io_contexts refer to sessions and rooms, which refer to everything
        // below: destroy the io_contexts (and with them every handler they hold) first. No handler holds
        // an I/O object of another shard strongly, so their order does not matter.
        signals.reset();
        grace.reset();
        watch.reset();
        accept.reset();
        if (keep) keep->stop();
        // The pools' queued calls hold HTTP sessions of shard 0: they go before the io_contexts.
        for (auto* pool : {&blocking, &exports, &passwords}) {
            (*pool)->stop();
            (*pool)->join();
            pool->reset();
        }
        if (rooms) rooms->clear();
        keep_running.clear();
        contexts.clear();
    }

    void stop_all() {
        for (auto& c : contexts) c->stop();
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
            // Open, so there is something to write in at once (a new meeting is a draft the chair opens), with the
            // picture validated against the template: the meeting's first snapshot.
            auto life = meeting_lifecycle::draft(g.signers);
            life.apply({lifecycle_kind::open, {}, std::nullopt});
            const meeting_state opened(picture.is_null()
                                           ? meeting_document(info.tmpl, g.organisation_ids())
                                           : meeting_document::from_json(info.tmpl, g.organisation_ids(), picture),
                                       0, {}, limits{}, std::move(life));
            db->save_snapshot(info.id, 0, opened.snapshot().dump());
            cat->set_state(info.id, to_string(meeting_phase::open));
        }
        db->flush();
    }

    void shutdown() {
        if (ctx->stopping.exchange(true)) return;
        accept->stop();
        if (watch) watch->stop();
        if (keep) keep->stop();
        connections.for_each([](room_member& c) { c.close_with(1001, "server shutting down"); });
        // Close frames get up to three seconds to go out; the loop ends as soon as every socket is closed.
        wait_for_connections(std::chrono::steady_clock::now() + std::chrono::seconds(3));
    }

    void wait_for_connections(std::chrono::steady_clock::time_point deadline) {
        if (connections.count() == 0 || std::chrono::steady_clock::now() >= deadline) return stop_all();
        grace->expires_after(std::chrono::milliseconds(20));
        grace->async_wait([this, deadline](boost::system::error_code ec) {
            if (!ec) wait_for_connections(deadline);
        });
    }
};

server::server(server_options opts) : impl_(std::make_unique<impl>(std::move(opts))) {
    auto& i = *impl_;
    const std::size_t fit = connections_for(raise_open_files_limit(), i.opts.threads);
    if (i.opts.max_connections > fit)
        std::cerr << "est-server: --max-connections " << i.opts.max_connections << " does not fit the open-file limit; using "
                  << fit << '\n';
    if (i.opts.max_connections == 0 || i.opts.max_connections > fit) i.opts.max_connections = fit;
    // A certificate or key that cannot be used stops the start, before anything else is opened.
    if (i.opts.tls()) i.tls = make_tls_context(i.opts.tls_cert, i.opts.tls_key);
    auto tmpl = std::make_shared<const meeting_template>(meeting_template::load_file(i.opts.template_file));
    make_private_folder(i.opts.data_dir);
    i.db = std::make_unique<store>(i.opts.data_dir / "est.sqlite3", i.opts.full_sync, i.opts.commit_interval);
    i.cat = std::make_unique<catalog>(*i.db, std::move(tmpl));
    i.cat->load();
    i.seed_demo();
    if (i.opts.open_access) {
        // Anyone who reaches the port may do anything: only for a port no one else reaches.
        if (!net::ip::make_address(i.opts.bind).is_loopback())
            throw std::runtime_error("--open-access needs a loopback --bind (127.0.0.1 or ::1): without accounts, anyone "
                                     "who reaches the port could join as chair");
        std::cerr << "est-server: open access: no accounts; for development and benchmarks only\n";
    } else {
        auth::auth_options ao;
        ao.sessions.absolute = i.opts.session_lifetime;
        ao.sessions.idle = i.opts.session_idle;
        ao.invitations.invitation_lifetime = i.opts.invitation_lifetime;
        i.auth = std::make_unique<auth::auth_service>(*i.db, [&i](std::string_view id) { return i.cat->find_group(id); },
                                                      auth::system_clock_fn(), ao);
        i.auth->load();
        i.watch = std::make_unique<auth::session_watch>(*i.auth, i.connections, i.main);
    }
    if (!i.opts.demo_file.empty()) {  // DEMO ONLY: the demo group's accounts and their one password, printed
        const auto demo = auth::demo_accounts::read_file(i.opts.demo_file);
        demo.set_up(i.auth.get(), i.cat->find_group(demo.group_id()), std::cerr);
    }
    i.keys = records::signing_keys::open(i.opts.data_dir);
    i.rooms = std::make_unique<room_registry>(*i.shards, *i.db, *i.cat, i.opts.limits, i.opts.room_idle);
    i.rooms->use_signing_keys(i.keys.get());
    // A loaded meeting welcomes with its group's settings as they are now (short names), not as it was loaded with.
    i.cat->on_group_changed([&i](const group& g) {
        if (i.rooms) i.rooms->group_changed(g);
    });
    i.rooms->compact_closed(i.opts.compact_closed);
    i.report = i.opts.export_template.empty()
                   ? std::make_unique<picture_report>(picture_report::built_in_template(), "the built-in export template",
                                                      i.keys.get())
                   : std::make_unique<picture_report>(picture_report::read_template(i.opts.export_template),
                                                      i.opts.export_template.string(), i.keys.get());
    // An export copies the picture on its room's thread and renders on the export pool, never on an I/O thread.
    picture_source pictures = [&i](const std::string& id, std::function<void(picture_result)> done) {
        i.rooms->read_picture(id, [ex = i.exports->get_executor(), done = std::move(done)](picture_result r) {
            net::post(ex, [done, r = std::move(r)]() mutable { done(std::move(r)); });
        });
    };
    // A correction copies the closed picture: on the export pool too, never on an I/O or a room's thread.
    auto corrections = std::make_unique<records::correction_routes>(*i.cat, i.auth.get(), pictures, i.opts.limits,
                                                                    i.opts.max_moves_per_minute, i.opts.move_burst);
    // The BRÅ queue reads closed pictures the same way, once each.
    i.bra = std::make_unique<records::bra_queue>(*i.cat, *i.db, pictures);
    i.bra->load();
    // Before the server listens: meetings closed before compaction are compacted, and whatever the groups' retention
    // has ended is purged; then a sweep every hour (started with the listener).
    retention::options keep_options;
    keep_options.compact_closed = i.opts.compact_closed;
    keep_options.clock_offset = std::chrono::hours(24) * i.opts.retention_clock_offset_days;
    i.keep = std::make_unique<retention>(*i.db, *i.cat, *i.rooms, *i.bra, i.opts.limits, keep_options);
    i.keep->compact_closed_before();
    i.keep->sweep();
    // The monthly report reads closed pictures the same way (on the export pool), and the queue.
    i.monthly = std::make_unique<records::monthly_report>(records::monthly_report::built_in_template(),
                                                          "the built-in report template");
    records::report_routes::options report_options;
    report_options.stale_weeks = i.opts.bra_stale_weeks;
    auto reports = std::make_unique<records::report_routes>(*i.cat, *i.bra, *i.monthly, i.keys.get(), i.auth.get(),
                                                            pictures, report_options);
    i.router = std::make_unique<http_router>(*i.cat, i.opts.web_root, [&i] {
        const auto st = i.db->counters();
        return nlohmann::json{{"websocket_connections", i.connections.count()},
                              {"tcp_connections", i.addresses->total()},
                              {"rooms_loaded", i.rooms->loaded()},
                              {"store_transactions", st.transactions},
                              {"store_writes", st.writes},
                              {"max_connections", i.opts.max_connections}};
    }, i.report.get(), std::move(pictures),
        http_limits{i.opts.max_creations_per_minute, i.opts.creation_burst, 8, i.opts.max_exports_per_address,
                    i.opts.export_cache_bytes},
        http_access{i.auth.get(), i.opts.allowed_hosts, i.opts.allowed_origins});
    // Sign-off: moves run in the meeting's room; a signer's password is checked on the password pool.
    auto act = [&i](const std::string& id, lifecycle_request req, std::function<void(lifecycle_result)> done) {
        i.rooms->act(id, std::move(req), std::move(done));
    };
    auto confirm = [&i](std::string account, std::string password, std::string address,
                        std::function<void(std::string, std::string)> done) {
        net::post(i.passwords->get_executor(), [&i, account = std::move(account), password = std::move(password),
                                               address = std::move(address), done = std::move(done)] {
            try {
                if (i.auth->confirm_password(account, password, address)) return done({}, {});
                done("bad_password", "the password is not right");
            } catch (const est::domain_error& e) {
                done(e.code(), e.what());
            }
        });
    };
    i.router->use_records(std::make_unique<records::lifecycle_routes>(*i.cat, i.auth.get(), i.keys.get(), std::move(act),
                                                                       std::move(confirm), i.opts.max_moves_per_minute,
                                                                       i.opts.move_burst));
    i.router->use_corrections(std::move(corrections));
    // Entry history reads the op log on the export pool too.
    i.router->use_history(std::make_unique<records::history_routes>(
        *i.cat, *i.db, i.auth.get(), [ex = i.exports->get_executor()](std::function<void()> job) { net::post(ex, std::move(job)); }));
    i.router->use_reports(std::move(reports));
    i.router->use_bra(std::make_unique<records::bra_routes>(*i.cat, *i.bra, i.auth.get(), i.opts.bra_stale_weeks,
                                                            i.opts.max_moves_per_minute, i.opts.move_burst));
    i.addresses = std::make_unique<address_counter>(i.opts.max_connections_per_address);
    i.ctx.reset(new server_context{i.opts, *i.rooms, *i.router, i.connections, *i.addresses, *i.shards,
                                   i.blocking->get_executor(), i.passwords->get_executor(), {}, i.cat.get(), i.auth.get(),
                                   i.tls.get()});
    i.ctx->bra = i.bra.get();
}

server::~server() {
    // Stop I/O before the rooms and the store go; the store's destructor commits what is queued.
    impl_->stop_all();
}

std::string server::start() {
    auto& i = *impl_;
    const auto addr = net::ip::make_address(i.opts.bind);
    i.accept = std::make_shared<listener>(i.main, net::ip::tcp::endpoint{addr, i.opts.port}, *i.ctx);
    i.accept->run();
    if (i.watch) i.watch->start();
    i.keep->start(i.main, i.blocking->get_executor());
    i.signals->async_wait([this](boost::system::error_code ec, int) {
        if (!ec) impl_->shutdown();
    });
    const auto ep = i.accept->local_endpoint();
    const std::string host = ep.address().is_v6() ? "[" + ep.address().to_string() + "]" : ep.address().to_string();
    return (i.tls ? "https://" : "http://") + host + ":" + std::to_string(ep.port());
}

void server::run() {
    auto& i = *impl_;
    std::vector<std::thread> threads;
    for (std::size_t t = 1; t < i.contexts.size(); ++t)
        threads.emplace_back([&i, t] {
            shard_set::set_current(static_cast<int>(t));
            i.contexts[t]->run();
        });
    shard_set::set_current(0);
    i.contexts.front()->run();
    for (auto& t : threads) t.join();
    shard_set::set_current(-1);
    i.blocking->join();  // REST calls under way finish (and queue their writes) before the last flush
    i.exports->join();
    i.passwords->join();
    i.db->flush();
}

void server::stop() {
    net::post(impl_->main, [this] { impl_->shutdown(); });
}

}  // namespace est::server
