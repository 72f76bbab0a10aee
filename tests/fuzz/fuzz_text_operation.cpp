// Fuzzes text operations: the bytes build a document and two operations on it (never cutting a
// surrogate pair); transform must converge and compose must equal applying in turn. The raw bytes
// are also tried as a wire-form operation.
#include <cstdlib>

#include <nlohmann/json.hpp>

#include "est/error.hpp"
#include "est/text_operation.hpp"
#include "est/utf.hpp"

namespace {

class reader {
public:
    reader(const std::uint8_t* d, std::size_t n) : d_(d), n_(n) {}
    bool more() const { return i_ < n_; }
    std::uint8_t byte() { return i_ < n_ ? d_[i_++] : 0; }

private:
    const std::uint8_t* d_;
    std::size_t n_, i_ = 0;
};

const std::u16string alphabet = u"abcåäöÅÄÖ \n😀🇸🇪";

std::u16string random_text(reader& r, std::size_t max) {
    std::u16string s;
    const std::size_t n = r.byte() % (max + 1);
    for (std::size_t k = 0; k < n; ++k) {
        std::size_t i = r.byte() % alphabet.size();
        if (i > 0 && est::splits_surrogate_pair(alphabet, i)) --i;  // start of a character
        s.push_back(alphabet[i]);
        if (i + 1 < alphabet.size() && est::splits_surrogate_pair(alphabet, i + 1)) s.push_back(alphabet[i + 1]);
    }
    return s;
}

est::text_operation random_op(reader& r, const std::u16string& doc) {
    est::text_operation op;
    std::size_t pos = 0;
    while (pos < doc.size() && r.more()) {
        const auto kind = r.byte() % 3;
        std::size_t n = 1 + r.byte() % 6;
        n = std::min(n, doc.size() - pos);
        while (pos + n < doc.size() && est::splits_surrogate_pair(doc, pos + n)) ++n;
        if (kind == 0) op.retain(n), pos += n;
        else if (kind == 1) op.remove(n), pos += n;
        else op.insert(random_text(r, 4));
    }
    op.retain(doc.size() - pos);
    if (r.byte() % 2) op.insert(random_text(r, 3));
    return op;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    // 1. Arbitrary bytes as a wire-form operation.
    try {
        const auto j = nlohmann::json::parse(data, data + size);
        const auto op = est::text_operation::from_json(j, "ops");
        if (est::text_operation::from_json(op.to_json(), "ops") != op) std::abort();
    } catch (const nlohmann::json::exception&) {
    } catch (const est::domain_error&) {
    }
    // 2. The algebra.
    reader r(data, size);
    const std::u16string doc = random_text(r, 40);
    const auto a = random_op(r, doc);
    const auto b = random_op(r, doc);
    const auto [a2, b2] = est::text_operation::transform(a, b);
    if (b2.apply(a.apply(doc)) != a2.apply(b.apply(doc))) std::abort();
    const auto after_a = a.apply(doc);
    const auto c = random_op(r, after_a);
    if (est::text_operation::compose(a, c).apply(doc) != c.apply(after_a)) std::abort();
    const auto d = est::text_operation::diff(doc, c.apply(after_a));
    if (d.apply(doc) != c.apply(after_a)) std::abort();
    if (!est::is_well_formed(b2.apply(a.apply(doc)))) std::abort();
    return 0;
}
