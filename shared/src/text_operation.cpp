#include "est/text_operation.hpp"

#include <algorithm>
#include <utility>

#include <nlohmann/json.hpp>

#include "est/error.hpp"
#include "est/json_writer.hpp"
#include "est/utf.hpp"

namespace est {

text_operation& text_operation::retain(std::size_t n) {
    if (n == 0) return *this;
    base_length_ += n;
    target_length_ += n;
    if (!components_.empty() && components_.back().k == kind::retain)
        components_.back().n += n;
    else
        components_.push_back({kind::retain, n, {}});
    return *this;
}

text_operation& text_operation::insert(std::u16string_view s) {
    if (s.empty()) return *this;
    target_length_ += s.size();
    auto append_to = [&](component& c) {
        c.text.append(s);
        c.n += s.size();
    };
    if (!components_.empty() && components_.back().k == kind::insert) {
        append_to(components_.back());
    } else if (!components_.empty() && components_.back().k == kind::remove) {
        // Canonical order: insert before remove.
        if (components_.size() >= 2 && components_[components_.size() - 2].k == kind::insert)
            append_to(components_[components_.size() - 2]);
        else
            components_.insert(components_.end() - 1, {kind::insert, s.size(), std::u16string(s)});
    } else {
        components_.push_back({kind::insert, s.size(), std::u16string(s)});
    }
    return *this;
}

text_operation& text_operation::remove(std::size_t n) {
    if (n == 0) return *this;
    base_length_ += n;
    if (!components_.empty() && components_.back().k == kind::remove)
        components_.back().n += n;
    else
        components_.push_back({kind::remove, n, {}});
    return *this;
}

bool text_operation::is_noop() const noexcept {
    return components_.empty() || (components_.size() == 1 && components_[0].k == kind::retain);
}

namespace {
void require_base_length(std::size_t base_length, std::size_t text_length) {
    if (text_length != base_length)
        throw domain_error("out_of_range", "operation covers " + std::to_string(base_length) +
                                               " characters but the text has " + std::to_string(text_length));
}
}  // namespace

std::u16string text_operation::apply(std::u16string_view text) const {
    require_base_length(base_length_, text.size());
    std::u16string out;
    out.reserve(target_length_);
    std::size_t pos = 0;
    for (const auto& c : components_) {
        switch (c.k) {
            case kind::retain:
                out.append(text.substr(pos, c.n));
                pos += c.n;
                break;
            case kind::insert:
                out.append(c.text);
                break;
            case kind::remove:
                pos += c.n;
                break;
        }
    }
    return out;
}

void text_operation::apply_in_place(std::u16string& text) const {
    // Each insert or remove moves the rest of the text along: cheap for an edit of one place (at most
    // an insert and a remove), while an operation of many parts is cheaper rebuilt in one pass.
    const auto edits = std::count_if(components_.begin(), components_.end(),
                                     [](const component& c) { return c.k != kind::retain; });
    if (edits > 2) {
        text = apply(text);
        return;
    }
    require_base_length(base_length_, text.size());
    // Room first, so that nothing below allocates (or throws) once the text starts to change.
    text.reserve(target_length_);
    std::size_t pos = 0;
    for (const auto& c : components_) {
        switch (c.k) {
            case kind::retain:
                pos += c.n;
                break;
            case kind::insert:
                text.insert(pos, c.text);
                pos += c.n;
                break;
            case kind::remove:
                text.erase(pos, c.n);
                break;
        }
    }
}

namespace {
// Walks an operation's components, letting the caller take part of the current one.
class cursor {
public:
    explicit cursor(const std::vector<text_operation::component>& cs) : cs_(cs) {}
    bool done() const { return i_ >= cs_.size(); }
    text_operation::kind k() const { return cs_[i_].k; }
    std::size_t left() const { return cs_[i_].n - off_; }
    std::u16string_view text(std::size_t n) const { return std::u16string_view(cs_[i_].text).substr(off_, n); }
    void take(std::size_t n) {
        off_ += n;
        if (off_ == cs_[i_].n) {
            ++i_;
            off_ = 0;
        }
    }

private:
    const std::vector<text_operation::component>& cs_;
    std::size_t i_ = 0;
    std::size_t off_ = 0;
};
using K = text_operation::kind;
}  // namespace

text_operation text_operation::compose(const text_operation& a, const text_operation& b) {
    if (a.target_length_ != b.base_length_)
        throw domain_error("out_of_range", "compose: first operation's result length differs from second's base");
    text_operation out;
    cursor ca(a.components_), cb(b.components_);
    while (!ca.done() || !cb.done()) {
        if (!ca.done() && ca.k() == K::remove) {
            out.remove(ca.left());
            ca.take(ca.left());
            continue;
        }
        if (!cb.done() && cb.k() == K::insert) {
            out.insert(cb.text(cb.left()));
            cb.take(cb.left());
            continue;
        }
        if (ca.done() || cb.done())
            throw domain_error("out_of_range", "compose: operations do not line up");
        const std::size_t n = std::min(ca.left(), cb.left());
        if (ca.k() == K::retain && cb.k() == K::retain) {
            out.retain(n);
        } else if (ca.k() == K::insert && cb.k() == K::retain) {
            out.insert(ca.text(n));
        } else if (ca.k() == K::retain && cb.k() == K::remove) {
            out.remove(n);
        }
        // insert then remove: the two cancel out.
        ca.take(n);
        cb.take(n);
    }
    return out;
}

std::pair<text_operation, text_operation> text_operation::transform(const text_operation& a,
                                                                    const text_operation& b) {
    if (a.base_length_ != b.base_length_)
        throw domain_error("out_of_range", "transform: operations have different base lengths");
    text_operation a2, b2;
    cursor ca(a.components_), cb(b.components_);
    while (!ca.done() || !cb.done()) {
        if (!ca.done() && ca.k() == K::insert) {
            const std::size_t n = ca.left();
            a2.insert(ca.text(n));
            b2.retain(n);
            ca.take(n);
            continue;
        }
        if (!cb.done() && cb.k() == K::insert) {
            const std::size_t n = cb.left();
            a2.retain(n);
            b2.insert(cb.text(n));
            cb.take(n);
            continue;
        }
        if (ca.done() || cb.done())
            throw domain_error("out_of_range", "transform: operations do not line up");
        const std::size_t n = std::min(ca.left(), cb.left());
        if (ca.k() == K::retain && cb.k() == K::retain) {
            a2.retain(n);
            b2.retain(n);
        } else if (ca.k() == K::remove && cb.k() == K::retain) {
            a2.remove(n);
        } else if (ca.k() == K::retain && cb.k() == K::remove) {
            b2.remove(n);
        }
        // remove against remove: both already gone.
        ca.take(n);
        cb.take(n);
    }
    return {std::move(a2), std::move(b2)};
}

text_operation text_operation::diff(std::u16string_view from, std::u16string_view to) {
    std::size_t prefix = 0;
    const std::size_t max_prefix = std::min(from.size(), to.size());
    while (prefix < max_prefix && from[prefix] == to[prefix]) ++prefix;
    std::size_t suffix = 0;
    while (suffix < max_prefix - prefix && from[from.size() - 1 - suffix] == to[to.size() - 1 - suffix]) ++suffix;
    // Never cut a surrogate pair in two.
    while (prefix > 0 && splits_surrogate_pair(from, prefix)) --prefix;
    while (suffix > 0 && splits_surrogate_pair(from, from.size() - suffix)) --suffix;
    text_operation op;
    op.retain(prefix);
    op.insert(to.substr(prefix, to.size() - prefix - suffix));
    op.remove(from.size() - prefix - suffix);
    op.retain(suffix);
    return op;
}

nlohmann::json text_operation::to_json() const {
    auto arr = nlohmann::json::array();
    for (const auto& c : components_) {
        switch (c.k) {
            case K::retain: arr.push_back(static_cast<std::int64_t>(c.n)); break;
            case K::insert: arr.push_back(utf16_to_utf8(c.text)); break;
            case K::remove: arr.push_back(-static_cast<std::int64_t>(c.n)); break;
        }
    }
    return arr;
}

void text_operation::write_json(json_writer& w) const {
    w.raw("[");
    bool first = true;
    for (const auto& c : components_) {
        if (!std::exchange(first, false)) w.raw(",");
        switch (c.k) {
            case K::retain: w.num(static_cast<std::uint64_t>(c.n)); break;
            case K::insert: w.str(std::u16string_view(c.text)); break;
            case K::remove: w.num(-static_cast<std::int64_t>(c.n)); break;
        }
    }
    w.raw("]");
}

text_operation text_operation::from_json(const nlohmann::json& j, const std::string& where) {
    if (!j.is_array())
        throw domain_error("bad_message", "'" + where + "' must be an array of retain/insert/remove components");
    text_operation op;
    op.components_.reserve(j.size());
    std::size_t i = 0;
    for (const auto& c : j) {
        // The component's path, for errors only: no string is built for a well-formed operation.
        const auto at = [&, index = i++] { return where + "[" + std::to_string(index) + "]"; };
        if (c.is_number_integer()) {
            // Counts are bounded well below any field limit; anything larger (or an unsigned value that
            // would wrap when read as signed) is malformed.
            constexpr std::int64_t max = 1 << 24;
            if (c.is_number_unsigned() && c.get<std::uint64_t>() > static_cast<std::uint64_t>(max))
                throw domain_error("bad_message", "'" + at() + "' is too large");
            const auto n = c.get<std::int64_t>();
            if (n == 0) throw domain_error("bad_message", "'" + at() + "' must not be 0");
            if (n > max || n < -max) throw domain_error("bad_message", "'" + at() + "' is too large");
            if (n > 0) op.retain(static_cast<std::size_t>(n));
            else op.remove(static_cast<std::size_t>(-n));
        } else if (c.is_string()) {
            const auto& s = c.get_ref<const std::string&>();
            if (s.empty()) throw domain_error("bad_message", "'" + at() + "' inserts an empty string");
            auto u = utf8_to_utf16(s);
            if (!u) throw domain_error("bad_message", "'" + at() + "' is not valid UTF-8");
            op.insert(*u);
        } else {
            throw domain_error("bad_message", "'" + at() + "' must be a whole number or a string");
        }
    }
    return op;
}

}  // namespace est
