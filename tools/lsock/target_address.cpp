#include "target_address.hpp"

#include <cerrno>
#include <lsock/resolve.hpp>

namespace lsock::cli {

result<std::string> first_address(const std::string& host, family_preference prefer) {
  auto list = lsock::resolve(host, prefer);
  if (!list) return list.error();
  if (list->empty()) return library_error("resolve", ENOENT, "no addresses for " + host);
  return list->front().addr;
}

}  // namespace lsock::cli
