#include "output.hpp"

#include <cerrno>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <iostream>

#include "payload.hpp"

namespace lsock::cli {

void output::event(const json& ev, std::string_view text_line) const {
  if (json_) {
    std::cout << ev.dump() << '\n' << std::flush;
  } else {
    std::cout << text_line << '\n' << std::flush;
  }
}

void output::document(const json& doc) const { std::cout << doc.dump(2) << '\n' << std::flush; }

void output::text(std::string_view line) const {
  if (!json_) std::cout << line << '\n' << std::flush;
}

void output::failure(const lsock::error& err, bool as_event) const {
  std::cerr << "lsock: " << (command_.empty() ? "" : command_ + ": ") << err.describe() << '\n'
            << std::flush;
  if (!json_) return;
  if (as_event) {
    json ev{{"event", "error"}};
    ev.update(error_json(err));
    std::cout << ev.dump() << '\n' << std::flush;
  } else {
    std::cout << json{{"error", error_json(err)}}.dump(2) << '\n' << std::flush;
  }
}

void output::usage_failure(std::string_view message, bool as_event) const {
  std::cerr << "lsock: " << (command_.empty() ? "" : command_ + ": ") << message << '\n'
            << std::flush;
  if (!json_) return;
  const json err{{"op", "usage"}, {"name", "EINVAL"}, {"code", EINVAL}, {"message", message}};
  if (as_event) {
    json ev{{"event", "error"}};
    ev.update(err);
    std::cout << ev.dump() << '\n' << std::flush;
  } else {
    std::cout << json{{"error", err}}.dump(2) << '\n' << std::flush;
  }
}

json error_json(const lsock::error& err) {
  return json{{"op", err.op}, {"name", err.name}, {"code", err.code}, {"message", err.message}};
}

json endpoint_json(const lsock::endpoint& ep) {
  json j{{"family", std::string(family_name(ep.family()))}, {"addr", ep.addr()}};
  if (ep.family() == family::inet || ep.family() == family::inet6) j["port"] = ep.port();
  return j;
}

json payload_json(std::string_view data) {
  const bool text = is_valid_utf8(data);
  return json{{"bytes", data.size()},
              {"payload", text ? std::string(data) : base64(data)},
              {"encoding", text ? "utf8" : "base64"}};
}

std::string payload_text(std::string_view data) {
  if (is_valid_utf8(data)) {
    std::string s(data);
    while (!s.empty() && (s.back() == '\n' || s.back() == '\r')) s.pop_back();
    return s;
  }
  return "<base64 " + base64(data) + ">";
}

std::int64_t now_ns() {
  return std::chrono::duration_cast<std::chrono::nanoseconds>(
             std::chrono::steady_clock::now().time_since_epoch())
      .count();
}

double elapsed_ms(std::int64_t start_ns) {
  return std::round(static_cast<double>(now_ns() - start_ns) / 1000.0) / 1000.0;
}

}  // namespace lsock::cli
