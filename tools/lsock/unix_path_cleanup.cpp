#include "unix_path_cleanup.hpp"

#include <unistd.h>

#include <lsock/address_kind.hpp>

namespace lsock::cli {

unix_path_cleanup::unix_path_cleanup(std::string_view address) {
  if (is_unix_address(address) && !address.starts_with('@')) path_ = address;
}

unix_path_cleanup::~unix_path_cleanup() {
  if (!path_.empty()) (void)::unlink(path_.c_str());
}

}  // namespace lsock::cli
