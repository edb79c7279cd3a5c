#pragma once
// Host names to addresses, looked up off the calling thread so a deadline or Ctrl-C can end
// the wait.

#include <cstdint>
#include <lsock/address.hpp>
#include <lsock/error.hpp>
#include <lsock/resolve.hpp>
#include <lsock/result.hpp>
#include <string>
#include <vector>

#include "targets.hpp"

namespace lsock::cli {

/// Looks `host` up on libcore's resolver thread pool and waits for the answer until
/// `deadline_ns` (0: until the resolver gives up) or Ctrl-C — the calling thread never sits in
/// getaddrinfo. Errors: the resolver's, its message prefixed with the host and followed by its
/// code's name ("nosuch.test: Name or service not known (EAI_NONAME)", as `resolve` says); op
/// "resolve" ETIMEDOUT when the deadline passed; op "resolve" EINTR ("interrupted") when a stop was
/// requested (see interrupted()).
result<std::vector<resolved_address>> lookup(const std::string& host, family_preference prefer,
                                             std::int64_t deadline_ns);
/// The addresses to try in turn for a connect or bind to `host`: IP literals and unix addresses
/// as they are (no lookup), a host name's every address in resolver order (lookup()).
result<std::vector<std::string>> addresses_for(const std::string& host, family_preference prefer,
                                               std::int64_t deadline_ns);
/// The one address a diagnostic probes for a host (tcp-ping, probe and perf resolve a name once
/// and aim at its first address, as ping does): an IP literal as it is; else the first address
/// the resolver gives for `host`, looked up until `deadline_ns` (0: none) or Ctrl-C.
[[nodiscard]] result<std::string> first_address(const std::string& host, family_preference prefer,
                                                std::int64_t deadline_ns);
/// The endpoints to connect to for `to`: unix addresses and IP literals as they are, a host
/// name's every address in resolver order (lookup(); libcore races them when connecting).
[[nodiscard]] result<std::vector<endpoint>> endpoints_for(const target& to,
                                                          family_preference prefer,
                                                          std::int64_t deadline_ns);
/// The error lookup() reports when the deadline passed first (op "resolve", ETIMEDOUT).
[[nodiscard]] lsock::error lookup_timed_out(const std::string& host);
/// True for the error lookup() reports when a stop was requested.
[[nodiscard]] bool interrupted(const lsock::error& e) noexcept;

/// `make(address)` for each of `addrs` in turn until one succeeds; else the last failure.
template <class Make>
auto first_that_works(const std::vector<std::string>& addrs, Make&& make) {
  auto r = make(addrs.front());
  for (std::size_t i = 1; !r && i < addrs.size(); ++i) r = make(addrs[i]);
  return r;
}

}  // namespace lsock::cli
