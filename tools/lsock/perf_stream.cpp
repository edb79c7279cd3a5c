#include "perf_stream.hpp"

#include <sys/resource.h>

#include <chrono>
#include <cstring>

#include "monotonic_time.hpp"
#include "output.hpp"
#include "perf_protocol.hpp"

namespace lsock::cli {
namespace {

/// UDP datagram header: sequence number and send time (ns, system clock), big-endian.
constexpr std::size_t udp_header = 16;

void put_u64(char* p, std::uint64_t v) {
  for (int i = 7; i >= 0; --i) {
    p[i] = static_cast<char>(v & 0xff);
    v >>= 8;
  }
}

std::uint64_t get_u64(const char* p) {
  std::uint64_t v = 0;
  for (int i = 0; i < 8; ++i) v = (v << 8) | static_cast<unsigned char>(p[i]);
  return v;
}

std::int64_t wall_ns() {
  return std::chrono::duration_cast<std::chrono::nanoseconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

}  // namespace

double process_cpu_seconds() {
  rusage ru{};
  (void)::getrusage(RUSAGE_SELF, &ru);
  auto sec = [](const timeval& t) {
    return static_cast<double>(t.tv_sec) + static_cast<double>(t.tv_usec) / 1e6;
  };
  return sec(ru.ru_utime) + sec(ru.ru_stime);
}

perf_stream::perf_stream(lsock::socket s, const stream_setup& setup)
    : s_(std::move(s)), setup_(setup), buf_(setup.length == 0 ? 1 : setup.length, 'x') {
  if (setup_.udp && !setup_.sender) buf_.resize(65536);  // any datagram fits
  if (!setup_.udp && !setup_.sender) buf_.resize(std::max<std::size_t>(buf_.size(), 128 * 1024));
}

perf_stream::~perf_stream() {
  abort();
  join();
}

void perf_stream::start() {
  start_ns_.store(now_ns());
  thread_ = std::thread([this] { run(); });
}

void perf_stream::join() {
  if (thread_.joinable()) thread_.join();
}

void perf_stream::run() noexcept {
  try {
    if (setup_.sender) {
      send_loop();
    } else {
      receive_loop();
    }
  } catch (...) {
    fail(library_error("stream", EIO, "stream failed"));
  }
  end_ns_.store(now_ns());
  done_.store(true, std::memory_order_release);
}

void perf_stream::fail(const lsock::error& e) {
  const std::lock_guard lock(error_mutex_);
  if (!error_) error_ = e;
}

bool perf_stream::wait_ready(bool for_write) {
  const int fd = s_.fd();
  const std::span<const int> one(&fd, 1);
  auto r = for_write ? sel_.wait({}, one, 20) : sel_.wait(one, {}, 20);
  return r && *r;
}

void perf_stream::send_loop() {
  const auto t0 = now_ns();
  while (!stop_.load(std::memory_order_relaxed) && !abort_.load(std::memory_order_relaxed)) {
    if (setup_.bitrate > 0) {
      const double due_bytes = setup_.bitrate / 8 * static_cast<double>(now_ns() - t0) / 1e9;
      const double ahead = static_cast<double>(bytes_.load(std::memory_order_relaxed)) - due_bytes;
      if (ahead > 0) {
        const auto wait_ns = static_cast<std::int64_t>(ahead * 8 / setup_.bitrate * 1e9);
        std::this_thread::sleep_for(std::chrono::nanoseconds(
            std::min<std::int64_t>(std::max<std::int64_t>(wait_ns, 20'000), 100'000'000)));
        continue;
      }
    }
    if (setup_.udp) {
      put_u64(buf_.data(), packets_.load(std::memory_order_relaxed));
      put_u64(buf_.data() + 8, static_cast<std::uint64_t>(wall_ns()));
    }
    const std::string_view data(buf_.data(), buf_.size());
    auto r = setup_.to ? s_.sendto(data, *setup_.to) : s_.send(data);
    if (!r) {
      // A full queue on a UDP socket (ENOBUFS) drops the datagram; try again later.
      if (setup_.udp && r.error().name == "ENOBUFS") continue;
      fail(r.error());
      return;
    }
    if (r->status == io_status::would_block) {
      (void)wait_ready(true);
      continue;
    }
    bytes_.fetch_add(r->bytes, std::memory_order_relaxed);
    packets_.fetch_add(1, std::memory_order_relaxed);
  }
  if (!setup_.udp) (void)s_.shutdown_write();
}

void perf_stream::account_datagram(std::size_t n, std::int64_t arrival_ns) {
  if (n < udp_header || std::string_view(buf_.data(), n).starts_with(perf_udp_hello)) return;
  const std::uint64_t seq = get_u64(buf_.data());
  const auto sent_ns = static_cast<std::int64_t>(get_u64(buf_.data() + 8));
  bytes_.fetch_add(n, std::memory_order_relaxed);
  packets_.fetch_add(1, std::memory_order_relaxed);
  if (seq >= next_seq_) {
    lost_.fetch_add(seq - next_seq_, std::memory_order_relaxed);
    next_seq_ = seq + 1;
  } else if (lost_.load(std::memory_order_relaxed) > 0) {
    lost_.fetch_sub(1, std::memory_order_relaxed);  // late, not lost
  }
  const double transit = static_cast<double>(arrival_ns - sent_ns) / 1e6;
  if (have_transit_) {
    const double d = transit > transit_prev_ ? transit - transit_prev_ : transit_prev_ - transit;
    jitter_ += (d - jitter_) / 16;
    jitter_ms_.store(jitter_, std::memory_order_relaxed);
  }
  transit_prev_ = transit;
  have_transit_ = true;
}

void perf_stream::receive_loop() {
  while (!abort_.load(std::memory_order_relaxed)) {
    auto r = s_.recv(std::span<char>(buf_.data(), buf_.size()));
    if (!r) {
      // A connected UDP socket hears of an ICMP port unreachable before the peer starts.
      if (setup_.udp && r.error().name == "ECONNREFUSED") continue;
      fail(r.error());
      return;
    }
    if (r->status == io_status::closed) return;
    if (r->status == io_status::would_block) {
      // A UDP receiver has no end-of-stream: after stop it ends once the queue is empty.
      if (setup_.udp && stop_.load(std::memory_order_relaxed)) return;
      (void)wait_ready(false);
      continue;
    }
    if (setup_.udp) {
      account_datagram(r->bytes, wall_ns());
    } else {
      bytes_.fetch_add(r->bytes, std::memory_order_relaxed);
    }
  }
}

stream_snapshot perf_stream::snapshot() const noexcept {
  return {bytes_.load(std::memory_order_relaxed), packets_.load(std::memory_order_relaxed),
          lost_.load(std::memory_order_relaxed), jitter_ms_.load(std::memory_order_relaxed)};
}

double perf_stream::seconds() const noexcept {
  const auto end = done() ? end_ns_.load() : now_ns();
  return static_cast<double>(end - start_ns_.load()) / 1e9;
}

std::optional<lsock::error> perf_stream::failure() const {
  const std::lock_guard lock(error_mutex_);
  return error_;
}

}  // namespace lsock::cli
