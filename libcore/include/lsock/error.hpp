#pragma once
/// Errors as values: every fallible libcore call reports one of these, never an exception.

#include <string>
#include <string_view>

namespace lsock {

/// Where an error code comes from.
enum class error_domain {
  system,    ///< an errno value from a system call
  resolver,  ///< an EAI_* code from getaddrinfo()
  library,   ///< a check made by libcore itself; `code` is still the closest errno (EINVAL...)
};

/// A failed operation: what was attempted and why it failed.
struct error {
  std::string op;  ///< the operation: "bind", "connect", "recv", "select", "resolve"...
  error_domain domain = error_domain::system;
  int code = 0;         ///< errno, EAI_* or (library) the closest errno
  std::string name;     ///< symbolic code: "ECONNREFUSED", "EAI_NONAME", "EINVAL"
  std::string message;  ///< human text: "Connection refused", "unix domain path too long"

  /// "op: message" — one line, suitable for a log or a CLI error.
  [[nodiscard]] std::string describe() const;
};

/// An error from errno `errnum` (thread-safe text, never strerror()).
[[nodiscard]] error system_error(std::string_view op, int errnum);
/// A check made by libcore; `errnum` is the closest errno (EINVAL, ENAMETOOLONG, EBADF...).
[[nodiscard]] error library_error(std::string_view op, int errnum, std::string_view message);

/// True for a system error saying no descriptor is left: EMFILE (this process) or ENFILE
/// (the system). Closing unused sockets (in Lua: a garbage collection) may cure it.
[[nodiscard]] bool out_of_descriptors(const error& e) noexcept;

/// "ECONNREFUSED" for ECONNREFUSED; "E<number>" for codes it does not know.
[[nodiscard]] std::string errno_name(int errnum);

}  // namespace lsock
