#pragma once
// Everything lsock prints: human text, one JSON document, or JSON Lines events.

#include <lsock/address.hpp>
#include <lsock/error.hpp>
#include <nlohmann/json.hpp>
#include <string>
#include <string_view>

namespace lsock::cli {

using json = nlohmann::ordered_json;

class output {
 public:
  /// `timestamps`: text-mode events start with their `ts` (--timestamps); JSON events always
  /// carry it.
  output(std::string command, bool json_mode, bool timestamps = false)
      : command_(std::move(command)), json_(json_mode), timestamps_(timestamps) {}

  [[nodiscard]] bool json_mode() const noexcept { return json_; }
  /// The command's name ("tcp-listen"), as in "lsock: tcp-listen: ...".
  [[nodiscard]] const std::string& command() const noexcept { return command_; }

  /// A long-running command's event: one JSON line (flushed) with `ts` after `event`, or the
  /// text line (prefixed by the same time with --timestamps).
  void event(const json& ev, std::string_view text) const;
  /// A finished command's single JSON document.
  void document(const json& doc) const;
  /// A line of text for people (text mode only), flushed.
  void text(std::string_view line) const;
  /// An operational failure: one stderr line "lsock: COMMAND: message"; under --json also the
  /// error object ({"error": {...}} or, when `as_event`, {"event": "error", ...}) on stdout.
  void failure(const lsock::error& err, bool as_event) const;
  /// The stderr line "lsock: COMMAND: message", control bytes escaped so it stays one line.
  void error_line(std::string_view message) const;
  /// A usage error: the stderr line "lsock: COMMAND: message" and, under --json, the error
  /// object with op "usage", name "EINVAL".
  void usage_failure(std::string_view message, bool as_event) const;

 private:
  std::string command_;
  bool json_;
  bool timestamps_;
};

/// The wall-clock time now as RFC 3339 UTC with microseconds: "2026-12-02T17:47:47.123456Z".
[[nodiscard]] std::string rfc3339_now();
/// `ev` with "ts" (now) placed right after its "event" key.
[[nodiscard]] json with_timestamp(const json& ev);

/// {"op", "name", "code", "message"}.
[[nodiscard]] json error_json(const lsock::error& err);
/// {"family", "addr"[, "port"]}.
[[nodiscard]] json endpoint_json(const lsock::endpoint& ep);
/// {"bytes", "payload", "encoding"} for received data.
[[nodiscard]] json payload_json(std::string_view data);
/// Milliseconds since `start` (steady clock), rounded to microseconds.
[[nodiscard]] double elapsed_ms(std::int64_t start_ns);
[[nodiscard]] std::int64_t now_ns();
/// `text` on one line for people: control bytes and bytes that are not UTF-8 escaped ("\x1b").
[[nodiscard]] std::string escaped_text(std::string_view text);
/// Text form of a payload for people: printable text as it is, else "<N bytes, base64 ...>".
[[nodiscard]] std::string payload_text(std::string_view data);

}  // namespace lsock::cli
