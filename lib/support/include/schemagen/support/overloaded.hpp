#pragma once
// overloaded{lambdas...}: one visitor from several lambdas, for std::visit over op variants.

namespace schemagen {

template <class... Fs>
struct overloaded : Fs... {
  using Fs::operator()...;
};
template <class... Fs>
overloaded(Fs...) -> overloaded<Fs...>;

} // namespace schemagen
