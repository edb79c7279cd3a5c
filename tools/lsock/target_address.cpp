#include "target_address.hpp"

#include "name_lookup.hpp"

namespace lsock::cli {

result<std::string> first_address(const std::string& host, family_preference prefer,
                                  std::int64_t deadline_ns) {
  auto list = addresses_for(host, prefer, deadline_ns);
  if (!list) return list.error();
  return list->front();
}

}  // namespace lsock::cli
