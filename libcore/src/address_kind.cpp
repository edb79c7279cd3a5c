#include "lsock/address_kind.hpp"

#include <netinet/in.h>
#include <sys/socket.h>

#include <algorithm>
#include <cstring>

#include "detail/sockaddr.hpp"

namespace lsock {
namespace {

/// RFC 1035: a name is at most 253 characters as text, each label at most 63.
constexpr std::size_t max_host_name = 253;
constexpr std::size_t max_host_label = 63;
/// sizeof(sockaddr_un::sun_path): a path is at most max_unix_path bytes plus its NUL.
constexpr std::size_t unix_path_capacity = max_unix_path + 1;

bool is_digit(char c) noexcept { return c >= '0' && c <= '9'; }
bool is_hex(char c) noexcept {
  return is_digit(c) || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F');
}
bool is_name_char(char c) noexcept {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || is_digit(c) || c == '-' || c == '_' ||
         c == '.';
}

address_class malformed(std::string reason) {
  address_class c;
  c.reason = std::move(reason);
  return c;
}

address_class of_kind(address_kind k) {
  address_class c;
  c.kind = k;
  return c;
}

/// A part inet_aton() reads as a number: decimal / octal digits, or "0x" and hex digits.
bool numeric_label(std::string_view label) noexcept {
  if (label.empty()) return false;
  if (label.size() >= 2 && label[0] == '0' && (label[1] == 'x' || label[1] == 'X')) {
    return std::all_of(label.begin() + 2, label.end(), is_hex);
  }
  return std::all_of(label.begin(), label.end(), is_digit);
}

/// True when every dot-separated part is numeric: the text means an IPv4 address, so a name
/// lookup would only hide a typo (or, via inet_aton, reach an address nobody wrote).
bool looks_numeric(std::string_view text) noexcept {
  if (text.ends_with('.')) text.remove_suffix(1);
  if (text.empty()) return false;
  std::size_t start = 0;
  for (;;) {
    const std::size_t dot = text.find('.', start);
    if (!numeric_label(text.substr(start, dot == std::string_view::npos ? dot : dot - start))) {
      return false;
    }
    if (dot == std::string_view::npos) return true;
    start = dot + 1;
  }
}

address_class classify_unix(std::string_view text) {
  const bool abstract = text.starts_with('@');
  const std::size_t len = abstract ? text.size() - 1 : text.size();
  if (len > max_unix_path) {
    return malformed(std::string(abstract ? "abstract name" : "unix domain path") + " too long: " +
                     std::to_string(len) + " bytes" + (abstract ? " after '@'" : "") +
                     " (the limit is " + std::to_string(max_unix_path) + " bytes; sun_path holds " +
                     std::to_string(unix_path_capacity) +
                     (abstract ? " with the leading NUL)" : " with the terminating NUL)"));
  }
  return of_kind(abstract ? address_kind::abstract_name : address_kind::unix_path);
}

/// "HOST:PORT" or "[v6]:PORT" typed as one argument: the hint names the two arguments.
address_class classify_colon(std::string_view text) {
  const std::string shown(text);
  const auto two_arguments = [&shown](std::string_view host, std::string_view port) {
    return malformed("malformed address '" + shown + "': give HOST and PORT as two arguments ('" +
                     std::string(host) + " " + std::string(port) + "')");
  };
  if (text.starts_with('[')) {
    const std::size_t close = text.find(']');
    if (close != std::string_view::npos && close + 1 < text.size() && text[close + 1] == ':') {
      return two_arguments(text.substr(1, close - 1), text.substr(close + 2));
    }
    if (close == text.size() - 1) {
      return malformed("malformed address '" + shown +
                       "': write IPv6 addresses without brackets ('" +
                       std::string(text.substr(1, close - 1)) + "')");
    }
  }
  const std::size_t percent = text.find('%');
  const std::string_view ip = text.substr(0, percent);
  if (endpoint ep; parse_ip_literal(ip, 0, ep) && ep.family() == family::inet6) {
    if (percent != std::string_view::npos && percent + 1 == text.size()) {
      return malformed("malformed IPv6 address '" + shown + "' (empty zone after '%')");
    }
    address_class c = of_kind(address_kind::ipv6);
    if (percent != std::string_view::npos) c.zone = std::string(text.substr(percent + 1));
    return c;
  }
  const std::size_t colon = text.rfind(':');
  const std::string_view host = text.substr(0, colon);
  const std::string_view port = text.substr(colon + 1);
  if (text.find(':') == colon && !host.empty() && !port.empty() &&
      std::all_of(port.begin(), port.end(), is_digit) &&
      std::all_of(host.begin(), host.end(), is_name_char)) {
    return two_arguments(host, port);
  }
  return malformed("malformed IPv6 address '" + shown + "'");
}

address_class classify_name(std::string_view text) {
  const std::string shown(text);
  if (!std::all_of(text.begin(), text.end(), is_name_char)) {
    return malformed("malformed address '" + shown +
                     "' (expected an IP address, a host name, a unix path with '/' or an "
                     "@abstract name)");
  }
  std::string_view name = text;
  if (name.ends_with('.')) name.remove_suffix(1);  // the root label: "example.org."
  if (name.size() > max_host_name) {
    return malformed("host name too long: " + std::to_string(name.size()) +
                     " characters (the limit is " + std::to_string(max_host_name) + ")");
  }
  std::size_t start = 0;
  for (;;) {
    const std::size_t dot = name.find('.', start);
    const std::size_t len = (dot == std::string_view::npos ? name.size() : dot) - start;
    if (len == 0) return malformed("malformed host name '" + shown + "' (empty label)");
    if (len > max_host_label) {
      return malformed("malformed host name: a label of " + std::to_string(len) +
                       " characters (the limit is " + std::to_string(max_host_label) + ")");
    }
    if (dot == std::string_view::npos) break;
    start = dot + 1;
  }
  return of_kind(address_kind::host_name);
}

}  // namespace

address_class classify_address(std::string_view text) {
  if (text.empty()) return malformed("empty address");
  if (text.find('\0') != std::string_view::npos) {
    return malformed("malformed address (contains a NUL byte)");
  }
  if (is_unix_address(text)) return classify_unix(text);
  if (text.find(':') != std::string_view::npos) return classify_colon(text);
  if (looks_numeric(text)) {
    // inet_pton takes exactly the dotted quad of decimals 0-255 without leading zeros.
    if (endpoint ep; parse_ip_literal(text, 0, ep) && ep.family() == family::inet) {
      return of_kind(address_kind::ipv4);
    }
    return malformed("malformed IPv4 address '" + std::string(text) +
                     "' (expected four decimal numbers 0-255, such as 127.0.0.1)");
  }
  return classify_name(text);
}

std::string address_port_text(std::string_view address, int port) {
  if (is_unix_address(address)) return std::string(address);
  const std::string p = std::to_string(port);
  // Only an IPv6 literal contains ':'; brackets keep its colons apart from the port's.
  if (address.find(':') != std::string_view::npos) return "[" + std::string(address) + "]:" + p;
  return std::string(address) + ":" + p;
}

bool is_multicast(const endpoint& ep) noexcept {
  const sockaddr* sa = detail::as_sockaddr(ep);
  if (ep.family() == family::inet) {
    const auto* in = reinterpret_cast<const sockaddr_in*>(sa);
    return IN_MULTICAST(ntohl(in->sin_addr.s_addr));
  }
  if (ep.family() == family::inet6) {
    const auto* in6 = reinterpret_cast<const sockaddr_in6*>(sa);
    return IN6_IS_ADDR_MULTICAST(&in6->sin6_addr);
  }
  return false;
}

bool is_limited_broadcast(const endpoint& ep) noexcept {
  if (ep.family() != family::inet) return false;
  const auto* in = reinterpret_cast<const sockaddr_in*>(detail::as_sockaddr(ep));
  return ntohl(in->sin_addr.s_addr) == INADDR_BROADCAST;
}

bool is_multicast_literal(std::string_view address) noexcept {
  endpoint ep;
  return parse_ip_literal(address.substr(0, address.find('%')), 0, ep) && is_multicast(ep);
}

bool is_limited_broadcast_literal(std::string_view address) noexcept {
  endpoint ep;
  return parse_ip_literal(address, 0, ep) && is_limited_broadcast(ep);
}

}  // namespace lsock
