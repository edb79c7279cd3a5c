#pragma once
// One perf data stream: a thread that sends (paced, or as fast as the kernel takes it) or
// receives on one socket, and counters the reporting thread reads while it runs.

#include <atomic>
#include <cstdint>
#include <lsock/poll.hpp>
#include <lsock/socket.hpp>
#include <mutex>
#include <optional>
#include <thread>
#include <vector>

namespace lsock::cli {

/// What a stream has done so far; read while it runs.
struct stream_snapshot {
  std::uint64_t bytes = 0;
  std::uint64_t packets = 0;  ///< UDP: datagrams sent / received
  std::uint64_t lost = 0;     ///< UDP receiver: sequence numbers never seen
  double jitter_ms = 0;       ///< UDP receiver: RFC 3550 interarrival jitter
};

struct stream_setup {
  bool udp = false;
  bool sender = false;
  std::size_t length = 128 * 1024;
  double bitrate = 0;                 ///< this stream's bits/s; 0 = unpaced
  std::optional<lsock::endpoint> to;  ///< UDP sender on an unconnected socket: the peer
};

class perf_stream {
 public:
  perf_stream(lsock::socket s, const stream_setup& setup);
  ~perf_stream();
  perf_stream(const perf_stream&) = delete;
  perf_stream& operator=(const perf_stream&) = delete;

  /// Starts the thread.
  void start();
  /// A sender stops sending and half-closes (TCP); a UDP receiver drains what arrived and
  /// ends; a TCP receiver reads on until the sender's end-of-stream.
  void stop() noexcept { stop_.store(true, std::memory_order_relaxed); }
  /// Ends the thread at once (the test was abandoned).
  void abort() noexcept { abort_.store(true, std::memory_order_relaxed); }
  /// The thread ended (end-of-stream, stop, abort or an error).
  [[nodiscard]] bool done() const noexcept { return done_.load(std::memory_order_acquire); }
  void join();

  [[nodiscard]] stream_snapshot snapshot() const noexcept;
  /// Seconds from start() until the thread ended (or until now while it runs).
  [[nodiscard]] double seconds() const noexcept;
  /// The error that ended the stream, if one did.
  [[nodiscard]] std::optional<lsock::error> failure() const;
  [[nodiscard]] lsock::socket& sock() noexcept { return s_; }
  [[nodiscard]] const stream_setup& setup() const noexcept { return setup_; }

 private:
  void run() noexcept;
  void send_loop();
  void receive_loop();
  void account_datagram(std::size_t n, std::int64_t arrival_ns);
  /// Waits up to 20 ms for the socket (so stop / abort are seen soon); false when nothing
  /// happened.
  bool wait_ready(bool for_write);
  void fail(const lsock::error& e);

  lsock::socket s_;
  stream_setup setup_;
  std::vector<char> buf_;  ///< preallocated once: no allocation per write
  lsock::selector sel_;
  std::thread thread_;
  std::atomic<bool> stop_{false}, abort_{false}, done_{false};
  std::atomic<std::uint64_t> bytes_{0}, packets_{0}, lost_{0};
  std::atomic<double> jitter_ms_{0};
  std::atomic<std::int64_t> start_ns_{0}, end_ns_{0};
  mutable std::mutex error_mutex_;
  std::optional<lsock::error> error_;
  // UDP receiver state, touched by the stream's thread only.
  std::uint64_t next_seq_ = 0;
  double transit_prev_ = 0, jitter_ = 0;
  bool have_transit_ = false;
};

/// Process CPU time (user + system) in seconds, from getrusage().
[[nodiscard]] double process_cpu_seconds();

}  // namespace lsock::cli
