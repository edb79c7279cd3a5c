#pragma once
// The options several commands share (--count, --interval, --timeout, -4/-6): registered by one
// helper each, so they are checked and shown alike everywhere.

#include <lsock/address.hpp>

namespace lsock::cli {

/// -4 / -6.
family_preference family_choice(bool v4, bool v6);

}  // namespace lsock::cli
