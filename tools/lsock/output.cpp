#include "output.hpp"

#include <cerrno>
#include <cstdio>
#include <ctime>
#include <iostream>

#include "payload.hpp"
#include "standard_streams.hpp"

namespace lsock::cli {
namespace {

/// The length of the UTF-8 sequence a lead byte starts (1 for a byte that starts none).
std::size_t sequence_length(unsigned char lead) noexcept {
  if ((lead & 0xE0) == 0xC0) return 2;
  if ((lead & 0xF0) == 0xE0) return 3;
  if ((lead & 0xF8) == 0xF0) return 4;
  return 1;
}

/// Messages can quote what the user typed; control bytes in it must not break the stderr line
/// in two (or reach the terminal raw), and bytes that are not UTF-8 must not reach it raw
/// either, so both are shown escaped ("\x1b", "\xff").
std::string one_line(std::string_view message) {
  std::string s;
  s.reserve(message.size());
  for (std::size_t i = 0; i < message.size();) {
    const char c = message[i];
    const auto u = static_cast<unsigned char>(c);
    const std::size_t n = u < 0x80 ? 1 : sequence_length(u);
    if (c == '\n') {
      s += "\\n";
    } else if (u < 0x20 || u == 0x7f ||
               (u >= 0x80 &&
                (n == 1 || i + n > message.size() || !is_valid_utf8(message.substr(i, n))))) {
      char hex[8];
      (void)std::snprintf(hex, sizeof hex, "\\x%02x", u);
      s += hex;
      ++i;
      continue;
    } else {
      s.append(message.substr(i, n));
    }
    i += n;
  }
  return s;
}

/// For a failure's JSON copy: the stderr line already reported the failure, and the exit code
/// says it, so a stdout that fails as well adds nothing.
void write_quietly(const std::string& text) {
  try {
    write_stdout(text);
  } catch (const write_error&) {
  }
}

/// JSON text; bytes that are not UTF-8 (a host name as typed) become U+FFFD instead of an
/// exception.
std::string dump(const json& j, int indent = -1) {
  return j.dump(indent, ' ', false, json::error_handler_t::replace);
}

}  // namespace

void output::error_line(std::string_view message) const {
  std::cerr << "lsock: " << (command_.empty() ? "" : command_ + ": ") << one_line(message) << '\n'
            << std::flush;
}

std::string rfc3339_now() {
  timespec now{};
  (void)::clock_gettime(CLOCK_REALTIME, &now);
  tm utc{};
  (void)::gmtime_r(&now.tv_sec, &utc);
  char buf[40];
  const std::size_t n = std::strftime(buf, sizeof buf, "%Y-%m-%dT%H:%M:%S", &utc);
  (void)std::snprintf(buf + n, sizeof buf - n, ".%06ldZ", now.tv_nsec / 1000);
  return buf;
}

json with_timestamp(const json& ev) {
  json out = json::object();
  if (ev.contains("event")) out["event"] = ev["event"];
  out["ts"] = rfc3339_now();
  for (const auto& [key, value] : ev.items()) {
    if (key != "event" && key != "ts") out[key] = value;
  }
  return out;
}

void output::event(const json& ev, std::string_view text_line) const {
  if (mode_.json) {
    write_stdout(dump(with_timestamp(ev)) + '\n');
  } else if (mode_.timestamps) {
    write_stdout(rfc3339_now() + " " + std::string(text_line) + '\n');
  } else {
    write_stdout(std::string(text_line) + '\n');
  }
}

void output::document(const json& doc) const { write_stdout(dump(doc, 2) + '\n'); }

void output::text(std::string_view line) const {
  if (mode_.json) return;
  // A blank line only separates blocks (tcp-ping's statistics): it stays blank.
  if (mode_.timestamps && !line.empty()) {
    write_stdout(rfc3339_now() + " " + std::string(line) + '\n');
  } else {
    write_stdout(std::string(line) + '\n');
  }
}

void output::failure(const lsock::error& err) const {
  error_line(err.describe());
  if (mode_.json) write_error_object(error_json(err));
}

void output::usage_failure(std::string_view message) const {
  error_line(message);
  if (mode_.json) {
    write_error_object(
        {{"op", "usage"}, {"name", "EINVAL"}, {"code", EINVAL}, {"message", message}});
  }
}

void output::write_error_object(const json& err) const {
  if (mode_.streams) {
    json ev{{"event", "error"}};
    ev.update(err);
    write_quietly(dump(with_timestamp(ev)) + '\n');
  } else {
    write_quietly(dump(json{{"error", err}}, 2) + '\n');
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

std::string escaped_text(std::string_view text) { return one_line(text); }

std::string payload_text(std::string_view data) {
  if (is_valid_utf8(data)) {
    std::string s(data);
    while (!s.empty() && (s.back() == '\n' || s.back() == '\r')) s.pop_back();
    return s;
  }
  return "<base64 " + base64(data) + ">";
}

}  // namespace lsock::cli
