// libFuzzer target: lsock's argument handling, in-process (run_lsock). Input: NUL-separated
// arguments. The sandbox keeps every command on loopback; standard input is empty.
//
// Invariants (issue: bad-input matrix): the exit code is 0, 1 or 2; a usage error (2) is one
// line on stderr; under --json, stdout is one JSON document or JSON Lines, nothing else; no
// "internal" error (an exception that escaped a command).
//
// To keep each run short, numeric values of the waiting options (--timeout, --idle,
// --interval, --count, --expect-bytes) are capped, 0 ("no limit" to lsock) included,
// and commands that keep running get --timeout 0.01 when they have none. Negative, NaN,
// infinite and non-numeric values reach the parser untouched.
#include <cmath>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "lsock_in_process.hpp"
#include "sandbox.hpp"

namespace {

[[noreturn]] void broken(const char* what, const std::string& out, const std::string& err) {
  (void)std::fprintf(stderr, "invariant broken: %s\n--- stdout\n%s\n--- stderr\n%s\n", what,
                     out.c_str(), err.c_str());
  __builtin_trap();
}

/// Caps a numeric option value at `max`. For the waits (`zero_is_forever`), 0 means "no
/// limit" to lsock: it becomes `max` too. NaN and infinities reach the parser, which must
/// reject them (a wait that never ends shows up as a libFuzzer timeout).
void cap(std::string& value, double max, bool zero_is_forever) {
  const char* s = value.c_str();
  char* end = nullptr;
  const double v = std::strtod(s, &end);
  if (end == s || *end != '\0') return;
  if (zero_is_forever && v == 0) {
    value = std::to_string(max);
    return;
  }
  if (std::isfinite(v) && v > max) value = std::to_string(max);
}

void sanitize(std::vector<std::string>& args) {
  struct limit {
    const char* name;
    double max;
    bool zero_is_forever;
  };
  static const limit limits[] = {{"--timeout", 0.01, true},
                                 {"--idle", 0.01, true},
                                 {"--interval", 1, false},
                                 {"--count", 3, false},
                                 {"--expect-bytes", 65536, false}};
  bool has_timeout = false;
  for (std::size_t i = 1; i < args.size(); ++i) {
    for (const limit& l : limits) {
      const std::string name = l.name;
      if (args[i] == name && i + 1 < args.size()) {
        cap(args[i + 1], l.max, l.zero_is_forever);
      } else if (args[i].rfind(name + "=", 0) == 0) {
        std::string v = args[i].substr(name.size() + 1);
        cap(v, l.max, l.zero_is_forever);
        args[i] = name;
        args[i] += '=';
        args[i] += v;
      } else {
        continue;
      }
      if (name == "--timeout") has_timeout = true;
    }
  }
  if (has_timeout) return;
  for (const auto& a : args) {
    if (a == "tcp-listen" || a == "udp-listen" || a == "mcast-join" || a == "tcp-connect") {
      std::size_t at = args.size();
      for (std::size_t i = 1; i < args.size(); ++i) {
        if (args[i] == "--") at = i;  // options go before "--"
      }
      args.insert(args.begin() + static_cast<std::ptrdiff_t>(at), {"--timeout", "0.01"});
      return;
    }
  }
}

/// True if an object anywhere in the printed JSON values has "op": "internal".
bool has_internal_error(const std::vector<nlohmann::json>& docs) {
  for (const auto& d : docs) {
    const bool internal = lsock::test::any_object(d, [](const nlohmann::json& o) {
      auto it = o.find("op");
      return it != o.end() && *it == "internal";
    });
    if (internal) return true;
  }
  return false;
}

}  // namespace

extern "C" int LLVMFuzzerInitialize(int*, char***) {
  lsock::fuzz::install_sandbox();
  if (std::freopen("/dev/null", "r", stdin) == nullptr) std::abort();
  return 0;
}

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
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
  if (!cur.empty() && args.size() < 16) args.push_back(cur);
  sanitize(args);
  bool help = false;
  for (const auto& a : args) {
    if (a.find("-h") != std::string::npos || a.find("--version") != std::string::npos) help = true;
  }
  const bool json_mode = args.size() > 1 && args[1] == "--json";

  const auto r =
      lsock::test::run_in_process(std::vector<std::string>(args.begin() + 1, args.end()));
  const int rc = r.code;
  const std::string& o = r.out;
  const std::string& e = r.err;
  if (rc < 0 || rc > 2) broken("exit code not 0, 1 or 2", o, e);
  if (rc == 2 && !help) {
    if (e.empty() || e.back() != '\n' || e.find('\n') != e.size() - 1) {
      broken("a usage error is not exactly one line on stderr", o, e);
    }
  }
  if (!json_mode || help) return 0;
  const auto docs = lsock::test::printed_json(o);
  if (!docs) broken("--json printed something not JSON", o, e);
  // The last-resort handler turns an escaped C++ exception into an error with op "internal":
  // that is a bug in lsock, whatever the input. (Checked in JSON, where op is a field the
  // input cannot forge.)
  if (has_internal_error(*docs)) {
    broken("an internal error (an exception escaped a command)", o, e);
  }
  return 0;
}
