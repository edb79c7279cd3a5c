#pragma once
// A tcp connect to a name with several addresses, raced as RFC 8305 (Happy Eyeballs v2)
// describes, without ever blocking: the next attempt starts when one fails or when
// attempt_delay_ns passes without an answer, alternating families, at most
// max_attempts_in_flight at a time. The socket's descriptor is the first attempt in flight
// (the "primary"); the attempt that connects first is dup3'd onto it, so the descriptor number
// the caller holds never changes.

#include <cstddef>
#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include "detail/unique_fd.hpp"
#include "lsock/address.hpp"
#include "lsock/error.hpp"
#include "lsock/result.hpp"

namespace lsock::detail {

/// RFC 8305's connection attempt delay (its recommended value).
inline constexpr std::int64_t attempt_delay_ns = 250'000'000;
/// Attempts in flight at once: enough to get past two silent addresses quickly, few enough
/// not to flood a host with half-open connections. When the next address is due at the cap,
/// the oldest attempt besides the primary is closed to make room.
inline constexpr std::size_t max_attempts_in_flight = 3;

/// The addresses in race order: the first address's family first, then the families
/// alternating, each family in the resolver's order (RFC 8305 section 4).
[[nodiscard]] std::vector<endpoint> interleave_families(std::span<const endpoint> list);

/// std::chrono::steady_clock (CLOCK_MONOTONIC) in nanoseconds: the race's clock.
[[nodiscard]] std::int64_t monotonic_ns() noexcept;

class connect_race {
 public:
  enum class state { racing, connected, failed };

  /// `order`: the addresses to try, in order (see interleave_families). `source`: the local IP
  /// to bind each attempt to (socket_options::source), or empty.
  connect_race(std::vector<endpoint> order, std::string source);
  connect_race(connect_race&&) noexcept = default;
  connect_race& operator=(connect_race&&) noexcept = default;
  /// Closes the attempts still in flight besides the primary.
  ~connect_race();

  /// Starts attempts in order until one is in flight or connected, and returns its descriptor
  /// (the caller's socket owns it from then on; its family is primary_family()). Error: every
  /// address failed at once — failure().
  result<int> start(std::int64_t now);

  /// Nothing left to race: one attempt in flight and no address left to start (the socket
  /// then needs no race).
  [[nodiscard]] bool done() const noexcept { return next_ >= order_.size() && extra_.empty(); }

  /// Without blocking: reaps the attempts that finished and starts the next one when an
  /// attempt failed or the attempt delay passed. connected: the winner now sits on `primary`,
  /// the other attempts are closed. failed: every address failed (failure()).
  state advance(int primary, std::int64_t now);

  /// Appends the descriptors of the attempts in flight (the primary's too, while its attempt
  /// runs): what a waiter watches for writability.
  void append_watched(int primary, std::vector<int>& fds) const;
  /// When the next attempt is due (monotonic_ns), or INT64_MAX when none is left to start.
  [[nodiscard]] std::int64_t next_start() const noexcept;

  /// Why the race failed: a refusal if any address refused (its host answered), else the
  /// failure that came last.
  [[nodiscard]] const lsock::error& failure() const noexcept { return *error_; }
  /// The family of the address whose attempt the primary descriptor carries now.
  [[nodiscard]] family primary_family() const noexcept { return order_[primary_index_].family(); }

 private:
  struct attempt {
    unique_fd fd;
    std::size_t index;  ///< into order_
  };

  /// Opens, binds (source) and starts connecting to order_[next_]; nullopt when it failed at
  /// once (the error is recorded). An attempt that connected at once counts as in flight: the
  /// next advance() reaps it.
  std::optional<unique_fd> start_next(std::int64_t now);
  void note_failure(const error& e);
  /// True when the attempt on `fd` finished: connected (*connected) or failed (recorded).
  bool finished(int fd, short revents, bool& connected);
  /// The winner (nullptr: the primary itself) becomes the primary and every other attempt is
  /// closed. False when the winner could not be moved onto the primary (dup3 failed: recorded).
  bool adopt(int primary, attempt* winner);
  [[nodiscard]] std::size_t in_flight() const noexcept {
    return extra_.size() + (primary_alive_ ? 1 : 0);
  }

  std::vector<endpoint> order_;
  std::string source_;
  std::size_t next_ = 0;           ///< next address of order_ to start
  std::size_t primary_index_ = 0;  ///< address the primary descriptor was connecting to
  bool primary_alive_ = false;     ///< the primary's attempt still runs
  std::vector<attempt> extra_;     ///< attempts in flight besides the primary
  std::int64_t last_start_ = 0;
  bool start_now_ = false;  ///< an attempt failed since the last start: no delay for the next
  std::optional<lsock::error> error_;
};

}  // namespace lsock::detail
