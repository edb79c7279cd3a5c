#include "lsock/error.hpp"

#include <netdb.h>

#include <cerrno>
#include <cstring>
#include <string>

namespace lsock {
namespace {

const char* known_errno_name(int e) noexcept {
  switch (e) {
#define LSOCK_ERRNO(x) \
  case x:              \
    return #x;
    LSOCK_ERRNO(EPERM)
    LSOCK_ERRNO(ENOENT)
    LSOCK_ERRNO(ESRCH) LSOCK_ERRNO(EINTR) LSOCK_ERRNO(EIO) LSOCK_ERRNO(ENXIO) LSOCK_ERRNO(
        E2BIG) LSOCK_ERRNO(ENOEXEC) LSOCK_ERRNO(EBADF) LSOCK_ERRNO(ECHILD) LSOCK_ERRNO(EAGAIN)
        LSOCK_ERRNO(ENOMEM) LSOCK_ERRNO(EACCES) LSOCK_ERRNO(EFAULT) LSOCK_ERRNO(EBUSY) LSOCK_ERRNO(
            EEXIST) LSOCK_ERRNO(EXDEV) LSOCK_ERRNO(ENODEV) LSOCK_ERRNO(ENOTDIR) LSOCK_ERRNO(EISDIR)
            LSOCK_ERRNO(EINVAL) LSOCK_ERRNO(ENFILE) LSOCK_ERRNO(EMFILE) LSOCK_ERRNO(ENOTTY)
                LSOCK_ERRNO(EFBIG) LSOCK_ERRNO(ENOSPC) LSOCK_ERRNO(ESPIPE) LSOCK_ERRNO(EROFS)
                    LSOCK_ERRNO(EMLINK) LSOCK_ERRNO(EPIPE) LSOCK_ERRNO(EDOM) LSOCK_ERRNO(
                        ERANGE) LSOCK_ERRNO(ENAMETOOLONG) LSOCK_ERRNO(ENOSYS) LSOCK_ERRNO(ENOTEMPTY)
                        LSOCK_ERRNO(ELOOP) LSOCK_ERRNO(ENOTSOCK) LSOCK_ERRNO(
                            EDESTADDRREQ) LSOCK_ERRNO(EMSGSIZE) LSOCK_ERRNO(EPROTOTYPE)
                            LSOCK_ERRNO(ENOPROTOOPT) LSOCK_ERRNO(EPROTONOSUPPORT) LSOCK_ERRNO(
                                ESOCKTNOSUPPORT) LSOCK_ERRNO(EOPNOTSUPP) LSOCK_ERRNO(EPFNOSUPPORT)
                                LSOCK_ERRNO(EAFNOSUPPORT) LSOCK_ERRNO(EADDRINUSE) LSOCK_ERRNO(
                                    EADDRNOTAVAIL) LSOCK_ERRNO(ENETDOWN) LSOCK_ERRNO(ENETUNREACH)
                                    LSOCK_ERRNO(ENETRESET) LSOCK_ERRNO(ECONNABORTED) LSOCK_ERRNO(
                                        ECONNRESET) LSOCK_ERRNO(ENOBUFS) LSOCK_ERRNO(EISCONN)
                                        LSOCK_ERRNO(ENOTCONN) LSOCK_ERRNO(ESHUTDOWN)
                                            LSOCK_ERRNO(ETOOMANYREFS) LSOCK_ERRNO(ETIMEDOUT)
                                                LSOCK_ERRNO(ECONNREFUSED) LSOCK_ERRNO(EHOSTDOWN)
                                                    LSOCK_ERRNO(EHOSTUNREACH) LSOCK_ERRNO(EALREADY)
                                                        LSOCK_ERRNO(EINPROGRESS)
                                                            LSOCK_ERRNO(ENODATA) LSOCK_ERRNO(EPROTO)
                                                                LSOCK_ERRNO(EOVERFLOW)
                                                                    LSOCK_ERRNO(ECANCELED)
#undef LSOCK_ERRNO
                                                                        default : return nullptr;
  }
}

const char* known_eai_name(int e) noexcept {
  switch (e) {
#define LSOCK_EAI(x) \
  case x:            \
    return #x;
    LSOCK_EAI(EAI_BADFLAGS)
    LSOCK_EAI(EAI_NONAME)
    LSOCK_EAI(EAI_AGAIN) LSOCK_EAI(EAI_FAIL) LSOCK_EAI(EAI_FAMILY) LSOCK_EAI(EAI_SOCKTYPE)
        LSOCK_EAI(EAI_SERVICE) LSOCK_EAI(EAI_MEMORY) LSOCK_EAI(EAI_SYSTEM) LSOCK_EAI(EAI_OVERFLOW)
            LSOCK_EAI(EAI_NODATA) LSOCK_EAI(EAI_ADDRFAMILY)
#undef LSOCK_EAI
                default : return nullptr;
  }
}

std::string errno_text(int e) {
  // strerrordesc_np: thread-safe, unlike the strerror() the original used.
  if (const char* d = strerrordesc_np(e)) return d;
  return "Unknown error " + std::to_string(e);
}

}  // namespace

std::string error::describe() const { return op.empty() ? message : op + ": " + message; }

std::string errno_name(int errnum) {
  if (const char* n = known_errno_name(errnum)) return n;
  return "E" + std::to_string(errnum);
}

std::string eai_name(int eai_code) {
  if (const char* n = known_eai_name(eai_code)) return n;
  return "EAI_" + std::to_string(eai_code);
}

error system_error(std::string_view op, int errnum) {
  return error{std::string(op), error_domain::system, errnum, errno_name(errnum),
               errno_text(errnum)};
}

error resolver_error(std::string_view op, int eai_code, int saved_errno) {
  if (eai_code == EAI_SYSTEM && saved_errno != 0) return system_error(op, saved_errno);
  return error{std::string(op), error_domain::resolver, eai_code, eai_name(eai_code),
               gai_strerror(eai_code)};
}

error library_error(std::string_view op, int errnum, std::string_view message) {
  return error{std::string(op), error_domain::library, errnum, errno_name(errnum),
               std::string(message)};
}

}  // namespace lsock
