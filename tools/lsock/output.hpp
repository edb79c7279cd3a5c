#pragma once
// Everything lsock prints: human text, one JSON document, or JSON Lines events.

#include <lsock/address.hpp>
#include <lsock/error.hpp>
#include <nlohmann/json.hpp>
#include <string>
#include <string_view>

namespace lsock::cli {

using json = nlohmann::ordered_json;

/// How a command's output looks, chosen once when the output is made.
struct output_mode {
  /// --json: JSON documents / JSON Lines instead of text.
  bool json = false;
  /// A long-running command (JSON Lines events): its errors are {"event": "error", ...} lines
  /// instead of one {"error": {...}} document.
  bool streams = false;
  /// --timestamps: text-mode events and text lines start with their `ts`; JSON events always
  /// carry it.
  bool timestamps = false;
};

class output {
 public:
  output(std::string command, output_mode mode) : command_(std::move(command)), mode_(mode) {}

  [[nodiscard]] bool json_mode() const noexcept { return mode_.json; }
  /// The command's name ("tcp-listen"), as in "lsock: tcp-listen: ...".
  [[nodiscard]] const std::string& command() const noexcept { return command_; }

  /// A long-running command's event: one JSON line (flushed) with `ts` after `event`, or the
  /// text line (prefixed by the same time with --timestamps).
  void event(const json& ev, std::string_view text) const;
  /// A finished command's single JSON document.
  void document(const json& doc) const;
  /// A line of text for people (text mode only), flushed; with --timestamps it starts with the
  /// time, as events do (a blank line stays blank).
  void text(std::string_view line) const;
  /// An operational failure: one stderr line "lsock: COMMAND: message"; under --json also the
  /// error object on stdout ({"error": {...}}, or {"event": "error", ...} when the command
  /// streams).
  void failure(const lsock::error& err) const;
  /// The stderr line "lsock: COMMAND: message", control bytes escaped so it stays one line.
  void error_line(std::string_view message) const;
  /// A usage error: the stderr line "lsock: COMMAND: message" and, under --json, the error
  /// object with op "usage", name "EINVAL" (shaped as failure() shapes it).
  void usage_failure(std::string_view message) const;

 private:
  /// The error object `err` on stdout, as an event or a document (see failure()).
  void write_error_object(const json& err) const;

  std::string command_;
  output_mode mode_;
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
/// `text` on one line for people: control bytes and bytes that are not UTF-8 escaped ("\x1b").
[[nodiscard]] std::string escaped_text(std::string_view text);
/// Text form of a payload for people: printable text as it is, else "<N bytes, base64 ...>".
[[nodiscard]] std::string payload_text(std::string_view data);

}  // namespace lsock::cli
