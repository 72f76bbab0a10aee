#include "typist.hpp"

#include <algorithm>

#include "est/utf.hpp"

namespace est::bench {

double typing_model::gap() const noexcept { return std::min(key_gap, 0.5 / rate); }

double typing_model::pause_mean() const noexcept {
    // rate = E[burst] / (E[pause] + (E[burst] - 1) * gap)
    return burst_mean / rate - (burst_mean - 1) * gap();
}

const std::u16string& corpus() {
    static const std::u16string text = *utf8_to_utf16(
        "Polisen rapporterar fler anmälningar om skadegörelse vid busshållplatserna på Storgatan under helgerna. "
        "Kommunens trygghetsvärdar har sett grupper av ungdomar samlas vid centrumgaraget efter klockan 22. "
        "Räddningstjänsten noterar tre anlagda containerbränder sedan förra mötet, samtliga nära skolan. "
        "Socialtjänsten har fått två orosanmälningar som rör narkotika i området kring stationen. "
        "Bostadsbolaget har bytt belysning i gångtunneln och upplever att klotter och nedskräpning minskat. "
        "Skolan beskriver en lugnare period efter höstlovet men oro för hot och hat på sociala medier. "
        "Fältgruppen har haft kontakt med ett tiotal unga och ser ingen tydlig rekrytering till nätverk. "
        "Handlarna i gallerian uppger att snatterierna ökat, främst under eftermiddagar på vardagar. "
        "Bedömningen är att läget är oförändrat men att platsen vid torget bör följas upp nästa vecka. "
        "Åtgärder: samordnad kvällsvandring fredag, extra städning i tunneln, dialog med föreningar. ");
    return text;
}

double typist::next_delay(std::mt19937_64& rng) {
    const auto& m = *model_;
    if (!started_) {
        started_ = true;
        // A random phase over one mean cycle: the load starts smoothly instead of in lock step.
        return std::uniform_real_distribution<double>(0.0, m.burst_mean / m.rate)(rng);
    }
    if (left_in_burst_ > 0) {
        --left_in_burst_;
        return m.gap() * std::uniform_real_distribution<double>(0.5, 1.5)(rng);
    }
    // A new burst: geometric length >= 1 with mean burst_mean, after an exponential pause.
    left_in_burst_ = static_cast<unsigned>(std::geometric_distribution<unsigned>(1.0 / m.burst_mean)(rng));
    return std::exponential_distribution<double>(1.0 / m.pause_mean())(rng);
}

bool typist::backspace(std::mt19937_64& rng, std::size_t length, bool composing) {
    // Deleting only when nothing is composed yet keeps a composed change from ever cancelling out to a no-op.
    if (length == 0 || composing) return false;
    if (length >= model_->max_length) return true;
    return std::bernoulli_distribution(model_->backspace)(rng);
}

char16_t typist::next_char() noexcept {
    const auto& t = corpus();
    return t[next_char_++ % t.size()];
}

}  // namespace est::bench
