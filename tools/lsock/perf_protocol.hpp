#pragma once
// The perf control protocol: newline-delimited JSON messages on one TCP control connection,
// plus N data connections (TCP) or datagram sockets (UDP) that name the test by its cookie.
// README.md ("perf control protocol") describes the message sequence.

#include <cstdint>
#include <lsock/poll.hpp>
#include <lsock/socket.hpp>
#include <optional>
#include <string>

#include "output.hpp"

namespace lsock::cli {

/// Bumped on any incompatible change; both sides refuse a peer of another version.
constexpr int perf_protocol_version = 1;
/// A control message (or a data connection's greeting line) longer than this is garbage.
constexpr std::size_t perf_max_message = 16 * 1024;
/// UDP datagrams start with this prefix while a stream registers (before `start`).
constexpr std::string_view perf_udp_hello = "LSPERF-HELLO ";

/// What a test does, as the client asks for it.
struct perf_params {
  bool udp = false;
  int streams = 1;
  bool reverse = false;  ///< the server sends
  double time = 10;
  std::size_t length = 0;  ///< bytes per write / datagram
  double bitrate = 0;      ///< bits/s over all streams; 0: as fast as possible
};

/// j[key] when it is a string, else "" (a peer's message may hold anything).
[[nodiscard]] std::string text_field(const json& j, const char* key);
/// j[key] when it is an integer, else `fallback`.
[[nodiscard]] long long int_field(const json& j, const char* key, long long fallback);

/// A `results` message with the fields end events read, each of the right JSON type.
[[nodiscard]] bool valid_results(const json& msg);

[[nodiscard]] json hello_json(const perf_params& p, const std::string& cookie);
/// Reads a hello; on failure the error (EPROTO / version mismatch) to send back and report.
[[nodiscard]] result<perf_params> parse_hello(const json& msg, std::string& cookie);
/// {"type": "error", "version", "name", "message"}.
[[nodiscard]] json error_message(std::string_view name, std::string_view message);
/// A random 32-hex-digit test id.
[[nodiscard]] std::string new_cookie();
/// The error a peer's {"type": "error"} message stands for.
[[nodiscard]] lsock::error peer_error(const json& msg);
/// Op "protocol" (the line reads "lsock: perf: protocol: <what>"), EPROTO.
[[nodiscard]] lsock::error protocol_error(std::string_view what);

/// Reads one line from a fresh connection one byte at a time, so none of the data that follows
/// a data connection's greeting is consumed. Appends to `line`; true once '\n' was read (not
/// stored), false while more is to come; an error when the peer closed, or sent too much.
result<bool> read_greeting(lsock::socket& s, std::string& line);

/// Waits (ignoring Ctrl-C: the test's last messages still flow) until `fd` is ready or the
/// deadline passes (false).
result<bool> wait_fd(selector& sel, int fd, bool for_write, std::int64_t deadline_ns);

/// Sends all of `data` on a non-blocking socket, waiting while its buffer is full.
result<void> send_all(lsock::socket& s, std::string_view data, std::int64_t deadline_ns);

/// JSON messages, one per line, over the control connection.
class message_channel {
 public:
  message_channel() = default;
  explicit message_channel(lsock::socket s) : s_(std::move(s)) {}

  [[nodiscard]] lsock::socket& sock() noexcept { return s_; }
  [[nodiscard]] int fd() const noexcept { return s_.fd(); }
  result<void> send(const json& msg, std::int64_t deadline_ns);
  /// Reads what the socket has ready; the next complete message, or nullopt for none yet.
  /// Errors: the peer closed (ECONNRESET "connection closed by peer"), not JSON (EPROTO).
  result<std::optional<json>> poll();
  /// Waits up to the deadline for the next message (ETIMEDOUT).
  result<json> receive(selector& sel, std::int64_t deadline_ns);

 private:
  lsock::socket s_;
  std::string buf_;
};

}  // namespace lsock::cli
