#pragma once
// A plain-text operation: a walk over the whole text made of retain(n), insert(s) and remove(n).
// Lengths and positions count UTF-16 code units. The form is canonical (adjacent components of one
// kind merged, an insert always before a remove at the same place), so equal effects compare equal.
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include <nlohmann/json_fwd.hpp>

namespace est {

class json_writer;

class text_operation {
public:
    enum class kind : std::uint8_t { retain, insert, remove };
    struct component {
        kind k;
        std::size_t n;      // retain / remove count, or inserted length
        std::u16string text;  // only for insert
        bool operator==(const component&) const = default;
    };

    text_operation& retain(std::size_t n);
    text_operation& insert(std::u16string_view s);
    text_operation& remove(std::size_t n);

    std::size_t base_length() const noexcept { return base_length_; }
    std::size_t target_length() const noexcept { return target_length_; }
    const std::vector<component>& components() const noexcept { return components_; }
    bool is_noop() const noexcept;

    // Throws domain_error("out_of_range") when the operation does not fit the text.
    std::u16string apply(std::u16string_view text) const;
    // text = apply(text), with the same checks. An edit of one place (a keystroke, a paste, a diff) is
    // made inside `text` rather than in a copy: no allocation for the common case of typing.
    void apply_in_place(std::u16string& text) const;

    // compose(a, b) has the effect of a then b. Requires a.target_length() == b.base_length().
    static text_operation compose(const text_operation& a, const text_operation& b);
    // transform(a, b) -> (a', b') with apply(apply(s, a), b') == apply(apply(s, b), a').
    // Both must have the same base length. At equal positions a's insert goes first: by convention
    // `a` is the operation the server applied earlier.
    static std::pair<text_operation, text_operation> transform(const text_operation& a,
                                                               const text_operation& b);
    // The smallest single-range operation turning `from` into `to` (common prefix and suffix kept).
    static text_operation diff(std::u16string_view from, std::u16string_view to);

    // Wire form: [5, "hej", -2] — positive retain, string insert, negative remove.
    nlohmann::json to_json() const;
    // The same array written as to_json().dump() writes it.
    void write_json(json_writer& w) const;
    // Throws domain_error("bad_message") naming `where` on malformed input.
    static text_operation from_json(const nlohmann::json& j, const std::string& where);

    bool operator==(const text_operation&) const = default;

private:
    std::vector<component> components_;
    std::size_t base_length_ = 0;
    std::size_t target_length_ = 0;
};

}  // namespace est
