#include "name_lookup.hpp"

#include <cerrno>
#include <lsock/address_kind.hpp>
#include <lsock/async_resolve.hpp>
#include <lsock/poll.hpp>
#include <span>

#include "stop_signal.hpp"
#include "wait_until.hpp"

namespace lsock::cli {

result<std::vector<resolved_address>> lookup(const std::string& host, family_preference prefer,
                                             std::int64_t deadline_ns) {
  install_stop_handlers();
  auto rq = resolve_request::start(host, prefer);
  if (!rq) return std::move(rq).error();
  selector sel;
  const int fd = rq->fd();
  auto ready = wait_until(sel, std::span<const int>(&fd, 1), {}, deadline_ns);
  if (!ready) return std::move(ready).error();
  if (!*ready) {
    // Dropping the request cancels it: a lookup still running ends on its own thread.
    if (stop_requested()) return library_error("resolve", EINTR, "interrupted");
    return lookup_timed_out(host);
  }
  auto list = rq->finalize();
  if (!list) {
    // The resolver's message does not say which name it could not look up, and one message
    // ("Name or service not known") covers several codes: the line names both, as `resolve`'s.
    auto e = std::move(list).error();
    e.message = host + ": " + e.message + " (" + e.name + ")";
    return e;
  }
  return list;
}

result<std::vector<std::string>> addresses_for(const std::string& host, family_preference prefer,
                                               std::int64_t deadline_ns) {
  // Only a host name is looked up; literals and unix addresses are used as they are, once a
  // scoped literal's interface is known to exist ("fe80::1%nosuch" is not worth a scan).
  if (classify_address(host).kind != address_kind::host_name) {
    if (host.find('%') != std::string::npos) {
      auto checked = resolve_endpoints("resolve", host, 0, socket_type::tcp, prefer);
      if (!checked) return std::move(checked).error();
    }
    return std::vector<std::string>{host};
  }
  auto list = lookup(host, prefer, deadline_ns);
  if (!list) return std::move(list).error();
  std::vector<std::string> addrs;
  for (const auto& a : *list) addrs.push_back(a.addr);
  return addrs;
}

result<std::string> first_address(const std::string& host, family_preference prefer,
                                  std::int64_t deadline_ns) {
  auto list = addresses_for(host, prefer, deadline_ns);
  if (!list) return list.error();
  return list->front();
}

result<std::vector<endpoint>> endpoints_for(const target& to, family_preference prefer,
                                            std::int64_t deadline_ns) {
  if (classify_address(to.address).kind != address_kind::host_name) {
    return resolve_endpoints("connect", to.address, to.port, socket_type::tcp, prefer);
  }
  auto list = lookup(to.address, prefer, deadline_ns);
  if (!list) return std::move(list).error();
  return endpoints_of(*list, to.port);
}

lsock::error lookup_timed_out(const std::string& host) {
  return library_error("resolve", ETIMEDOUT, "lookup of " + host + " timed out");
}

bool interrupted(const lsock::error& e) noexcept {
  return e.op == "resolve" && e.domain == error_domain::library && e.code == EINTR;
}

}  // namespace lsock::cli
