#include "perf_protocol.hpp"

#include <cerrno>
#include <cmath>
#include <random>

#include "monotonic_time.hpp"

namespace lsock::cli {

std::string text_field(const json& j, const char* key) {
  if (!j.is_object() || !j.contains(key) || !j[key].is_string()) return "";
  return j[key].get<std::string>();
}

long long int_field(const json& j, const char* key, long long fallback) {
  if (!j.is_object() || !j.contains(key) || !j[key].is_number_integer()) return fallback;
  return j[key].get<long long>();
}

bool valid_results(const json& msg) {
  if (text_field(msg, "type") != "results") return false;
  for (const char* k : {"bytes", "retransmits"}) {
    if (!msg.contains(k) || !msg[k].is_number_unsigned()) return false;
  }
  for (const char* k : {"seconds", "bits_per_second", "cpu_percent"}) {
    if (!msg.contains(k) || !msg[k].is_number()) return false;
  }
  for (const char* k : {"packets", "lost"}) {
    if (msg.contains(k) && !msg[k].is_number_unsigned()) return false;
  }
  for (const char* k : {"lost_percent", "jitter_ms"}) {
    if (msg.contains(k) && !msg[k].is_number()) return false;
  }
  return true;
}

json hello_json(const perf_params& p, const std::string& cookie) {
  return json{{"type", "hello"},      {"version", perf_protocol_version},
              {"cookie", cookie},     {"protocol", p.udp ? "udp" : "tcp"},
              {"streams", p.streams}, {"reverse", p.reverse},
              {"time", p.time},       {"length", p.length},
              {"bitrate", p.bitrate}};
}

lsock::error protocol_error(std::string_view what) {
  return library_error("protocol", EPROTO, std::string(what));
}

namespace {

bool in_range(const json& j, const char* key, double lo, double hi) {
  if (!j.contains(key) || !j[key].is_number()) return false;
  const double v = j[key].get<double>();
  return std::isfinite(v) && v >= lo && v <= hi;
}

}  // namespace

result<bool> wait_fd(selector& sel, int fd, bool for_write, std::int64_t deadline_ns) {
  const auto left_ms = (deadline_ns - now_ns()) / 1'000'000;
  if (left_ms <= 0) return false;
  const std::span<const int> one(&fd, 1);
  return for_write ? sel.wait({}, one, left_ms) : sel.wait(one, {}, left_ms);
}

result<perf_params> parse_hello(const json& msg, std::string& cookie) {
  if (text_field(msg, "type") != "hello") {
    return protocol_error("expected a hello message");
  }
  if (!msg.contains("version") || msg["version"] != perf_protocol_version) {
    return library_error("protocol", EPROTO,
                         "version mismatch: server speaks " +
                             std::to_string(perf_protocol_version) + ", client sent " +
                             (msg.contains("version") ? msg["version"].dump() : "none"));
  }
  const bool ok = msg.contains("cookie") && msg["cookie"].is_string() && msg.contains("protocol") &&
                  msg.contains("reverse") && msg["reverse"].is_boolean() &&
                  in_range(msg, "streams", 1, 128) && in_range(msg, "time", 0, 86400) &&
                  in_range(msg, "length", 16, 1 << 24) && in_range(msg, "bitrate", 0, 1e13) &&
                  (msg["protocol"] == "tcp" || msg["protocol"] == "udp");
  if (!ok) return protocol_error("malformed hello message");
  cookie = msg["cookie"].get<std::string>();
  perf_params p;
  p.udp = msg["protocol"] == "udp";
  p.streams = msg["streams"].get<int>();
  p.reverse = msg["reverse"].get<bool>();
  p.time = msg["time"].get<double>();
  p.length = msg["length"].get<std::size_t>();
  p.bitrate = msg["bitrate"].get<double>();
  return p;
}

json error_message(std::string_view name, std::string_view message) {
  return json{
      {"type", "error"}, {"version", perf_protocol_version}, {"name", name}, {"message", message}};
}

lsock::error peer_error(const json& msg) {
  const std::string name = text_field(msg, "name");
  std::string text = text_field(msg, "message");
  if (text.empty()) text = "the peer reported an error";
  return library_error("protocol", name == "busy" ? EBUSY : EPROTO, text);
}

std::string new_cookie() {
  std::random_device rd;
  std::uniform_int_distribution<int> hex(0, 15);
  std::string s;
  for (int i = 0; i < 32; ++i) s += "0123456789abcdef"[hex(rd)];
  return s;
}

result<bool> read_greeting(lsock::socket& s, std::string& line) {
  char c = 0;
  for (;;) {
    auto r = s.recv(std::span<char>(&c, 1));
    if (!r) return r.error();
    if (r->status == io_status::would_block) return false;
    if (r->status == io_status::closed) return protocol_error("connection closed mid-message");
    if (c == '\n') return true;
    line += c;
    if (line.size() > perf_max_message) return protocol_error("message too long");
  }
}

result<void> send_all(lsock::socket& s, std::string_view data, std::int64_t deadline_ns) {
  selector sel;
  while (!data.empty()) {
    auto r = s.send(data);
    if (!r) return r.error();
    if (r->status == io_status::ready) {
      data.remove_prefix(r->bytes);
      continue;
    }
    auto w = wait_fd(sel, s.fd(), true, deadline_ns);
    if (!w) return w.error();
    if (!*w) return system_error("send", ETIMEDOUT);
  }
  return {};
}

result<void> message_channel::send(const json& msg, std::int64_t deadline_ns) {
  return send_all(s_, msg.dump() + "\n", deadline_ns);
}

result<std::optional<json>> message_channel::poll() {
  for (;;) {
    if (const auto nl = buf_.find('\n'); nl != std::string::npos) {
      json j = json::parse(buf_.substr(0, nl), nullptr, false);
      buf_.erase(0, nl + 1);
      if (j.is_discarded() || !j.is_object()) {
        return protocol_error("garbage on the control connection (not a JSON message)");
      }
      return std::optional<json>(std::move(j));
    }
    if (buf_.size() > perf_max_message) return protocol_error("control message too long");
    char chunk[4096];
    auto r = s_.recv(chunk);
    if (!r) return r.error();
    if (r->status == io_status::would_block) return std::optional<json>();
    if (r->status == io_status::closed) {
      return library_error(
          "protocol", ECONNRESET,
          buf_.empty() ? "connection closed by peer" : "connection closed by peer mid-message");
    }
    buf_.append(chunk, r->bytes);
  }
}

result<json> message_channel::receive(selector& sel, std::int64_t deadline_ns) {
  for (;;) {
    auto m = poll();
    if (!m) return m.error();
    if (*m) return std::move(**m);
    auto w = wait_fd(sel, s_.fd(), false, deadline_ns);
    if (!w) return w.error();
    if (!*w) return library_error("protocol", ETIMEDOUT, "no answer from the peer in time");
  }
}

}  // namespace lsock::cli
