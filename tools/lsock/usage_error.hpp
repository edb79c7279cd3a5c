#pragma once
// The one exception a command throws for input that parsed but makes no sense: exit 2.

#include <stdexcept>

namespace lsock::cli {

/// Bad command-line input found after parsing (bad port, malformed address...): exit 2.
struct usage_error : std::runtime_error {
  using std::runtime_error::runtime_error;
};

}  // namespace lsock::cli
