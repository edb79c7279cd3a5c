#pragma once
/// Umbrella header: everything libcore offers.

#include "lsock/address.hpp"        // IWYU pragma: export
#include "lsock/address_kind.hpp"   // IWYU pragma: export
#include "lsock/async_resolve.hpp"  // IWYU pragma: export
#include "lsock/error.hpp"          // IWYU pragma: export
#include "lsock/interfaces.hpp"     // IWYU pragma: export
#include "lsock/multicast.hpp"      // IWYU pragma: export
#include "lsock/poll.hpp"           // IWYU pragma: export
#include "lsock/resolve.hpp"        // IWYU pragma: export
#include "lsock/result.hpp"         // IWYU pragma: export
#include "lsock/socket.hpp"         // IWYU pragma: export
#include "lsock/unix_path.hpp"      // IWYU pragma: export
#include "lsock/version.hpp"        // IWYU pragma: export
