#include "live_member.hpp"

#include <boost/asio/io_context.hpp>

#include "est/error.hpp"
#include "est/protocol.hpp"
#include "est/server_message.hpp"

namespace est::test {

using client::run_until;
using json = nlohmann::json;

std::string refused_upgrade(const std::string& close_reason) {
    const std::string mark = "handshake: HTTP ";
    if (close_reason.rfind(mark, 0) != 0) return {};
    const std::string rest = close_reason.substr(mark.size());
    const auto space = rest.find(' ');
    const std::string status = rest.substr(0, space);
    const json body = space == std::string::npos ? json() : json::parse(rest.substr(space + 1), nullptr, false);
    const std::string code = body.is_object() ? body.value("error", "?") : "?";
    return "upgrade " + status + " " + code;
}

live_member::live_member(boost::asio::io_context& ioc, client::meeting_client::options o)
    : ioc_(ioc), client_(std::make_unique<client::meeting_client>(ioc, std::move(o))) {
    client_->on_message = [this](const server_message& msg) {
        if (msg.type() == "welcome") welcome_ = msg.json();
        if (msg.type() == "error") errors_.push_back(msg.json());
        if (msg.type() == "ack") ++acks_;
    };
}

live_member::~live_member() {
    client_->on_message = nullptr;
    client_->stop();
}

std::string live_member::join() {
    const auto errors_before = errors_.size();
    client_->start();
    run_until(ioc_, [&] {
        return client_->welcomed() || errors_.size() > errors_before || !client_->last_close_reason().empty();
    });
    if (client_->welcomed()) return "allowed";
    if (errors_.size() > errors_before) return errors_.back().value("code", "?");
    if (auto refused = refused_upgrade(client_->last_close_reason()); !refused.empty()) return refused;
    return client_->last_close_reason().empty() ? "no answer" : client_->last_close_reason();
}

std::string live_member::answer_since(std::size_t errors_before, std::uint64_t acks_before) {
    if (errors_.size() > errors_before) return errors_.back().value("code", "?");
    if (acks_ > acks_before) return "allowed";
    if (!client_->last_close_reason().empty()) return client_->last_close_reason();
    return "no answer";
}

std::string live_member::apply(const change& c) {
    const auto errors_before = errors_.size();
    const auto acks_before = acks_;
    if (!client_->welcomed()) {
        if (!client_->connected()) {
            const auto refused = refused_upgrade(client_->last_close_reason());
            return refused.empty() ? client_->last_close_reason() : refused;
        }
        client_->send_raw(encode_client_message(op_message{1, 0, c}));
        run_until(ioc_, [&] { return errors_.size() > errors_before || !client_->connected(); });
        return answer_since(errors_before, acks_before);
    }
    client_->submit(c);
    run_until(ioc_, [&] { return client_->replica().idle() || !client_->connected(); });
    return answer_since(errors_before, acks_before);
}

std::string live_member::append(const field_ref& f, const std::u16string& text) {
    if (!client_->welcomed()) {
        text_operation op;
        op.insert(text);
        return apply(text_change{f, op});
    }
    const auto errors_before = errors_.size();
    const auto acks_before = acks_;
    std::size_t length = 0;
    try {
        length = client_->replica().visible_text(f).size();
    } catch (const est::domain_error&) {
        // A field this client's picture does not have (an entry nobody could make yet, in a draft): the change
        // goes out raw, as a client that believed in the entry would send it, with a seq no other change of this
        // client uses; the answer is the server's.
        text_operation raw;
        raw.insert(text);
        client_->send_raw(encode_client_message(op_message{4000, client_->replica().rev(), text_change{f, raw}}));
        run_until(ioc_, [&] { return errors_.size() > errors_before || !client_->connected(); });
        return answer_since(errors_before, acks_before);
    }
    text_operation op;
    op.retain(length).insert(text);
    client_->edit_text(f, op);
    run_until(ioc_, [&] { return client_->replica().idle() || !client_->connected(); });
    return answer_since(errors_before, acks_before);
}

std::string live_member::wait_closed() {
    run_until(ioc_, [&] { return !client_->last_close_reason().empty(); });
    return client_->last_close_reason();
}

}  // namespace est::test
