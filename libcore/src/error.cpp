#include "lsock/error.hpp"

#include <netdb.h>

#include <cerrno>
#include <cstring>
#include <string>

#include "detail/resolver_error.hpp"

namespace lsock {
namespace {

// One entry per line: getaddrinfo()'s codes have no strerrorname_np counterpart.
struct eai_entry {
  int code;
  const char* name;
};
// clang-format off
constexpr eai_entry eai_names[] = {
    {EAI_BADFLAGS, "EAI_BADFLAGS"},
    {EAI_NONAME, "EAI_NONAME"},
    {EAI_AGAIN, "EAI_AGAIN"},
    {EAI_FAIL, "EAI_FAIL"},
    {EAI_FAMILY, "EAI_FAMILY"},
    {EAI_SOCKTYPE, "EAI_SOCKTYPE"},
    {EAI_SERVICE, "EAI_SERVICE"},
    {EAI_MEMORY, "EAI_MEMORY"},
    {EAI_SYSTEM, "EAI_SYSTEM"},
    {EAI_OVERFLOW, "EAI_OVERFLOW"},
    {EAI_NODATA, "EAI_NODATA"},
    {EAI_ADDRFAMILY, "EAI_ADDRFAMILY"},
};
// clang-format on

std::string errno_text(int e) {
  // strerrordesc_np: thread-safe, unlike the strerror() the original used.
  if (const char* d = strerrordesc_np(e)) return d;
  return "Unknown error " + std::to_string(e);
}

}  // namespace

std::string error::describe() const { return op.empty() ? message : op + ": " + message; }

bool out_of_descriptors(const error& e) noexcept {
  return e.domain == error_domain::system && (e.code == EMFILE || e.code == ENFILE);
}

std::string errno_name(int errnum) {
  // strerrorname_np (glibc 2.32+) names every errno glibc knows; it gives "0" for 0 and
  // nullptr for unassigned numbers, which both become "E<number>".
  if (const char* n = strerrorname_np(errnum); n != nullptr && n[0] == 'E') return n;
  return "E" + std::to_string(errnum);
}

std::string detail::eai_name(int eai_code) {
  for (const eai_entry& e : eai_names) {
    if (e.code == eai_code) return e.name;
  }
  return "EAI_" + std::to_string(eai_code);
}

error system_error(std::string_view op, int errnum) {
  return error{std::string(op), error_domain::system, errnum, errno_name(errnum),
               errno_text(errnum)};
}

error detail::resolver_error(std::string_view op, int eai_code, int saved_errno) {
  if (eai_code == EAI_SYSTEM && saved_errno != 0) return system_error(op, saved_errno);
  return error{std::string(op), error_domain::resolver, eai_code, eai_name(eai_code),
               gai_strerror(eai_code)};
}

error library_error(std::string_view op, int errnum, std::string_view message) {
  return error{std::string(op), error_domain::library, errnum, errno_name(errnum),
               std::string(message)};
}

}  // namespace lsock
