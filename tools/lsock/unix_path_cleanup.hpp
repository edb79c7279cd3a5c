#pragma once
// The unix socket path a listener bound, removed again when the command ends.

#include <string>
#include <string_view>

namespace lsock::cli {

/// Removes a unix socket path this process bound when it goes out of scope (as socat does), so
/// the next run can bind it again. Abstract names and IP addresses are left alone.
class unix_path_cleanup {
 public:
  explicit unix_path_cleanup(std::string_view address);
  ~unix_path_cleanup();
  unix_path_cleanup(const unix_path_cleanup&) = delete;
  unix_path_cleanup& operator=(const unix_path_cleanup&) = delete;

 private:
  std::string path_;
};

}  // namespace lsock::cli
