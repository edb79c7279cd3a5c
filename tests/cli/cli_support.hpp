#pragma once
// Shared helpers for the end-to-end tests of the lsock binary.

#include <gtest/gtest.h>
#include <unistd.h>

#include <ctime>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "process.hpp"

namespace lsock::test {

using json = nlohmann::json;

inline std::vector<std::string> lsock(std::vector<std::string> args) {
  args.insert(args.begin(), LSOCK_BIN);
  return args;
}

/// Parses one JSON value; fails the test (and returns null) when it is not JSON.
inline json parse(const std::string& text) {
  json j = json::parse(text, nullptr, false);
  EXPECT_FALSE(j.is_discarded()) << "not JSON: " << text;
  return j;
}

/// Every line is one JSON object with an "event" key.
inline std::vector<json> parse_lines(const std::string& text) {
  std::vector<json> events;
  std::size_t start = 0;
  while (start < text.size()) {
    const auto nl = text.find('\n', start);
    const std::string line = text.substr(start, nl == std::string::npos ? nl : nl - start);
    start = nl == std::string::npos ? text.size() : nl + 1;
    if (line.empty()) continue;
    json j = parse(line);
    EXPECT_TRUE(j.is_object() && j.contains("event")) << line;
    events.push_back(std::move(j));
  }
  return events;
}

inline int count_lines(const std::string& s) {
  int n = 0;
  for (char c : s) n += c == '\n';
  return n;
}

/// Starts a listener command and returns the port from its first event ("listening"/"joined").
inline int first_event_port(background& bg, json* first = nullptr) {
  const std::string line = bg.next_line();
  EXPECT_FALSE(line.empty()) << "the listener printed nothing";
  if (line.empty()) return -1;
  json ev = parse(line);
  if (first) *first = ev;
  return ev.value("port", 0);
}

inline std::string unique_abstract(const std::string& tag) {
  return "@lsock-cli-" + tag + "-" + std::to_string(getpid());
}

/// Seconds since the epoch of an RFC 3339 UTC time with microseconds
/// ("2026-12-02T17:47:47.123456Z"); -1 when `ts` is not exactly that form. (No std::regex:
/// GCC 12 warns inside it at -O2 with the sanitizers.)
inline double rfc3339_seconds(const std::string& ts) {
  static const char form[] = "dddd-dd-ddTdd:dd:dd.ddddddZ";
  if (ts.size() != sizeof form - 1) return -1;
  for (std::size_t i = 0; i < ts.size(); ++i) {
    const bool digit = ts[i] >= '0' && ts[i] <= '9';
    if (form[i] == 'd' ? !digit : ts[i] != form[i]) return -1;
  }
  auto num = [&](std::size_t at, std::size_t len) { return std::stoi(ts.substr(at, len)); };
  std::tm t{};
  t.tm_year = num(0, 4) - 1900;
  t.tm_mon = num(5, 2) - 1;
  t.tm_mday = num(8, 2);
  t.tm_hour = num(11, 2);
  t.tm_min = num(14, 2);
  t.tm_sec = num(17, 2);
  return static_cast<double>(timegm(&t)) + num(20, 6) / 1e6;
}

}  // namespace lsock::test
