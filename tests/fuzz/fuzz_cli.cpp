// libFuzzer target: lsock's argument handling, in-process. Input: NUL-separated arguments.
// Commands that keep running get a short --timeout; names never reach DNS; stdin is empty.
// Run with -close_fd_mask=3 so the command's own output is discarded.
#include <cstdint>
#include <cstdio>
#include <string>
#include <vector>

#include "app.hpp"
#include "no_dns.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  static const bool once = [] {
    lsock::fuzz::forbid_dns();
    (void)std::freopen("/dev/null", "r", stdin);
    return true;
  }();
  (void)once;
  std::vector<std::string> args{"lsock"};
  std::string cur;
  for (std::size_t i = 0; i < size && args.size() < 16; ++i) {
    if (data[i] == 0) {
      args.push_back(cur);
      cur.clear();
    } else {
      cur += static_cast<char>(data[i]);
    }
  }
  if (!cur.empty()) args.push_back(cur);
  for (const auto& a : args) {
    // Keep every run short: listeners end quickly, connects give up quickly.
    if (a == "tcp-listen" || a == "udp-listen" || a == "mcast-join" || a == "tcp-connect") {
      args.push_back("--timeout");
      args.push_back("0.01");
      break;
    }
    if (a == "--interval" || a == "--count" || a == "--stdin") return 0;
  }
  std::vector<char*> argv;
  for (auto& a : args) argv.push_back(a.data());
  argv.push_back(nullptr);
  const int rc = lsock::cli::run_lsock(static_cast<int>(args.size()), argv.data());
  if (rc < 0 || rc > 2) __builtin_trap();
  return 0;
}
