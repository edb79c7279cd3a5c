#pragma once
// tcp-connect --expect REGEX: an ECMAScript pattern looked for in a byte stream as it arrives,
// in bounded memory and in time linear in the stream. std::regex stays inside
// expect_pattern.cpp (GCC 12 at -O2 with the sanitizers warns inside <regex>).

#include <cstddef>
#include <memory>
#include <string>
#include <string_view>

namespace lsock::cli {

/// Why `pattern` cannot be an --expect pattern ("unmatched ( or )", "longer than 1024 bytes",
/// "back-references are not supported"...), or "" when it can.
[[nodiscard]] std::string expect_pattern_problem(std::string_view pattern);

/// A pattern searched for in a stream. Each piece of data is searched together with the
/// `history` bytes received before it, so a match up to `history` bytes long is always found,
/// as soon as the read that completes it arrives; older bytes are dropped. The search of a
/// piece is one pass over at most `history + slice` bytes (a Thompson NFA, no backtracking), so
/// a peer that streams megabytes costs time in proportion and no more memory. `$` and `\b` at
/// the end of the data received so far wait for the next byte (or the end of the stream).
class expect_pattern {
 public:
  static constexpr std::size_t history = 4096;
  static constexpr std::size_t slice = 4096;
  static constexpr std::size_t max_pattern_bytes = 1024;

  /// `pattern` must be usable (expect_pattern_problem() is empty); else throws usage_error.
  explicit expect_pattern(std::string_view pattern);
  ~expect_pattern();
  expect_pattern(expect_pattern&&) noexcept;
  expect_pattern& operator=(expect_pattern&&) noexcept;

  /// Searches received bytes. True once the pattern has matched; data fed after that is
  /// not searched.
  bool feed(std::string_view data);
  /// The stream has ended: `$` and `\b` may match at its end. True once matched.
  bool finish();

  [[nodiscard]] bool matched() const noexcept;
  /// The text that matched: the leftmost match in the searched bytes (longest from there).
  [[nodiscard]] const std::string& text() const noexcept;
  /// The pattern as given.
  [[nodiscard]] const std::string& source() const noexcept;
  /// Bytes examined by all searches so far, and bytes held now: what the bounds are about.
  [[nodiscard]] std::size_t scanned_bytes() const noexcept;
  [[nodiscard]] std::size_t held_bytes() const noexcept;

 private:
  struct state;
  std::unique_ptr<state> s_;
};

}  // namespace lsock::cli
