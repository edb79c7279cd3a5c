#include "lsock/unix_path.hpp"

#include <sys/un.h>
#include <unistd.h>

#include <cstddef>
#include <utility>

#include "detail/sockaddr.hpp"

namespace lsock {
namespace {

/// The file name of a unix path endpoint; "" for abstract names ("@name": no file), unnamed
/// unix sockets and other families.
std::string file_of(const endpoint& ep) {
  if (ep.family() != family::unix_domain || ep.size() <= offsetof(sockaddr_un, sun_path)) {
    return {};
  }
  // An abstract name starts with a NUL byte in sun_path.
  if (static_cast<const sockaddr_un*>(detail::storage(ep))->sun_path[0] == '\0') return {};
  return ep.addr();
}

void remove_file(const std::string& path) noexcept {
  // Best effort: a file already removed (or replaced by the user) is not an error here.
  if (!path.empty()) (void)::unlink(path.c_str());
}

}  // namespace

unix_path_guard::unix_path_guard(const endpoint& bound) : path_(file_of(bound)) {}

unix_path_guard::unix_path_guard(const socket& s) {
  if (auto local = s.local_endpoint()) path_ = file_of(*local);
}

unix_path_guard::unix_path_guard(unix_path_guard&& other) noexcept
    : path_(std::exchange(other.path_, {})) {}

unix_path_guard& unix_path_guard::operator=(unix_path_guard&& other) noexcept {
  if (this != &other) {
    remove_file(path_);
    path_ = std::exchange(other.path_, {});
  }
  return *this;
}

unix_path_guard::~unix_path_guard() { remove_file(path_); }

}  // namespace lsock
