// libFuzzer target: address parsing in every string form lsocket accepts — IPv4, IPv6, scoped
// IPv6 ("fe80::1%lo"), v4-mapped, host names, unix paths, '@abstract' names — with any port,
// socket type and family preference. Names resolve from the sandbox's table, never by DNS.
//
// Input: byte 0 picks the socket type and family preference, bytes 1-4 are the port (any
// int, negative and huge included), the rest is the address.
#include <cstdint>
#include <cstring>
#include <string>

#include "detail/interface_lookup.hpp"
#include "detail/sockaddr.hpp"
#include "lsock/lsock.hpp"
#include "sandbox.hpp"

namespace {

[[noreturn]] void broken(const char* what) {
  (void)std::fprintf(stderr, "invariant broken: %s\n", what);
  __builtin_trap();
}

void check_error(const lsock::error& e, const char* op) {
  if (e.op != op) broken("error names another operation");
  if (e.name.empty() || e.message.empty()) broken("error without a name or a message");
}

}  // namespace

extern "C" int LLVMFuzzerInitialize(int*, char***) {
  lsock::fuzz::install_sandbox();
  return 0;
}

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using namespace lsock;
  if (size < 5) return 0;
  const auto type = static_cast<socket_type>(data[0] % 3);
  const auto prefer = static_cast<family_preference>((data[0] / 3) % 3);
  std::int32_t port = 0;
  std::memcpy(&port, data + 1, 4);
  const std::string address(reinterpret_cast<const char*>(data + 5), size - 5);

  endpoint lit;
  const bool literal = port >= 0 && port <= 65535 && parse_ip_literal(address, port, lit);
  auto eps = resolve_endpoints("fuzz", address, port, type, prefer);
  if (!eps) {
    check_error(eps.error(), "fuzz");
  } else {
    if (eps->empty()) broken("success without an endpoint");
    for (const endpoint& ep : *eps) {
      const family f = ep.family();
      const std::string text = ep.to_string();
      if (f == family::unix_domain) {
        if (!is_unix_address(address)) broken("a unix endpoint from a non-unix address");
        if (ep.addr() != address) broken("unix address does not read back");
        continue;
      }
      if (f != family::inet && f != family::inet6) broken("endpoint of no family");
      if (ep.port() != port) broken("port changed");
      // The preference applies to names; a literal is what it is.
      if (!literal && prefer == family_preference::inet && f != family::inet) {
        broken("IPv4 was asked for");
      }
      if (!literal && prefer == family_preference::inet6 && f != family::inet6) {
        broken("IPv6 was asked for");
      }
      if (text.empty() || ep.addr().empty()) broken("no text for an IP endpoint");
      // A numeric address reads back to the same endpoint.
      endpoint again;
      const std::string addr = ep.addr();
      if (addr.find('%') == std::string::npos) {
        if (!parse_ip_literal(addr, port, again)) broken("addr() is not a literal");
        if (again.size() != ep.size() || std::memcmp(lsock::detail::storage(again),
                                                     lsock::detail::storage(ep), ep.size()) != 0) {
          broken("addr() does not round-trip");
        }
      }
    }
  }

  // A literal is exactly one endpoint, whatever the preference says about names.
  if (literal) {
    if (!eps || eps->size() != 1) broken("a literal did not give one endpoint");
    if (std::memcmp(lsock::detail::storage((*eps)[0]), lsock::detail::storage(lit), lit.size()) !=
        0)
      broken("literal differs");
  }

  if (check_port("fuzz", port).has_value() != (port >= 0 && port <= 65535)) {
    broken("check_port disagrees with the range");
  }

  if (auto r = resolve(address, prefer); r) {
    if (r->empty()) broken("resolve: success without an address");
    for (const auto& a : *r) {
      if (a.family != family::inet && a.family != family::inet6) broken("resolve: family");
      if (a.addr.empty()) broken("resolve: empty address");
    }
  } else {
    check_error(r.error(), "resolve");
  }
  (void)detail::interface_index(address);
  // Every resolver list handed out was freed, once (the original leaked them).
  const auto& st = seam::st();
  if (st.gai_freed != st.gai_ok || !st.fake_lists.empty()) broken("a getaddrinfo list leaked");
  return 0;
}
