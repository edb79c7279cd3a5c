#include "port_list.hpp"

#include <algorithm>
#include <charconv>
#include <string>

#include "usage_error.hpp"

namespace lsock::cli {
namespace {

int one_port(std::string_view text, std::string_view spec) {
  int port = -1;
  const auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), port);
  if (ec != std::errc() || end != text.data() + text.size() || port < 1 || port > 65535) {
    throw usage_error("invalid PORTS '" + std::string(spec) + "': '" + std::string(text) +
                      "' is not a port 1-65535 (expected 22, 22,80 or 8000-8100)");
  }
  return port;
}

}  // namespace

std::vector<int> parse_port_list(std::string_view spec) {
  std::vector<bool> seen(65536, false);
  std::size_t start = 0;
  while (start <= spec.size()) {
    const std::size_t comma = std::min(spec.find(',', start), spec.size());
    const std::string_view item = spec.substr(start, comma - start);
    const std::size_t dash = item.find('-');
    const int lo = one_port(item.substr(0, dash), spec);
    const int hi = dash == std::string_view::npos ? lo : one_port(item.substr(dash + 1), spec);
    if (hi < lo) {
      throw usage_error("invalid PORTS '" + std::string(spec) + "': range '" + std::string(item) +
                        "' runs backwards");
    }
    for (int p = lo; p <= hi; ++p) seen[static_cast<std::size_t>(p)] = true;
    start = comma + 1;
  }
  std::vector<int> ports;
  for (int p = 1; p <= 65535; ++p) {
    if (seen[static_cast<std::size_t>(p)]) ports.push_back(p);
  }
  return ports;
}

}  // namespace lsock::cli
