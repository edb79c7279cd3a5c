// libFuzzer target: address parsing in every string form (IPv4, IPv6, scoped IPv6, names,
// unix paths, '@abstract') with any port. Input: 4 bytes of port, then the address.
#include <cstdint>
#include <cstring>
#include <string>

#include "lsock/lsock.hpp"
#include "no_dns.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  static const bool once = (lsock::fuzz::forbid_dns(), true);
  (void)once;
  if (size < 4) return 0;
  std::int32_t port = 0;
  std::memcpy(&port, data, 4);
  const std::string address(reinterpret_cast<const char*>(data + 4), size - 4);
  for (auto type : {lsock::socket_type::tcp, lsock::socket_type::udp}) {
    auto eps = lsock::resolve_endpoints("fuzz", address, port, type);
    if (!eps) {
      // Errors are complete: an op, a name and a message.
      if (eps.error().name.empty() || eps.error().message.empty()) __builtin_trap();
      continue;
    }
    for (const auto& ep : *eps) {
      (void)ep.to_string();
      (void)ep.family();
      if (ep.family() != lsock::family::unix_domain && ep.port() != port) __builtin_trap();
      if (ep.family() == lsock::family::unix_domain && ep.addr() != address) __builtin_trap();
    }
  }
  (void)lsock::is_unix_address(address);
  (void)lsock::check_port("fuzz", port);
  (void)lsock::resolve(address);
  (void)lsock::interface_index(address);
  return 0;
}
