#pragma once

namespace lsock {
/// The project's version (the CLI's --version).
inline constexpr const char* version = "0.1.0";
/// The lsocket API version this library implements (lsocket._VERSION).
inline constexpr const char* lsocket_api_version = "1.4.1";
}  // namespace lsock
