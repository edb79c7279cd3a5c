#pragma once
// A libcore peer for the end-to-end tests: a TCP listener on 127.0.0.1 port 0 that serves
// one client in a thread, with waits bounded so a broken lsock fails the test, never hangs it.

#include <unistd.h>

#include <atomic>
#include <functional>
#include <lsock/lsock.hpp>
#include <span>
#include <string>
#include <thread>

namespace lsock::test {

class tcp_peer {
 public:
  /// `serve` runs with the accepted client, in its own thread; it should check stopping().
  explicit tcp_peer(std::function<void(tcp_peer&, lsock::socket&)> serve) {
    auto l = socket::bind(socket_type::tcp, "127.0.0.1", 0);
    if (l) {
      listener_ = std::move(*l);
      port = listener_.local_endpoint()->port();
    }
    worker_ = std::thread([this, serve = std::move(serve)] {
      accepted conn;
      if (accept_one(conn)) serve(*this, conn.socket);
      served_ = true;
    });
  }
  ~tcp_peer() { finish(0); }
  tcp_peer(const tcp_peer&) = delete;
  tcp_peer& operator=(const tcp_peer&) = delete;

  int port = 0;
  [[nodiscard]] bool stopping() const { return done_; }

  /// Waits up to `timeout_ms` for the serve function to return on its own, then stops and
  /// joins it. True if it had returned by itself.
  bool finish(int timeout_ms) {
    for (int waited = 0; !served_ && waited < timeout_ms; waited += 10) usleep(10000);
    const bool on_its_own = served_;
    done_ = true;
    if (worker_.joinable()) worker_.join();
    return on_its_own;
  }

  /// Waits up to 100 ms for `fd` to be readable (read) or writable (!read).
  static bool ready(int fd, bool read) {
    selector sel;
    auto r = read ? sel.wait({&fd, 1}, {}, 100) : sel.wait({}, {&fd, 1}, 100);
    return r && *r;
  }
  /// Sends all of `data` unless the test ends first.
  bool send_all(lsock::socket& s, std::string_view data) const {
    while (!data.empty() && !done_) {
      auto r = s.send(data);
      if (!r) return false;
      if (r->status == io_status::ready) {
        data.remove_prefix(r->bytes);
      } else {
        ready(s.fd(), false);
      }
    }
    return data.empty();
  }
  /// Reads until the client half-closes (or closes); the bytes read.
  std::string read_to_end(lsock::socket& s) const {
    std::string got;
    char buf[65536];
    while (!done_) {
      if (!ready(s.fd(), true)) continue;
      auto r = s.recv(buf);
      if (!r || r->status == io_status::closed) break;
      if (r->status == io_status::ready) got.append(buf, r->bytes);
    }
    return got;
  }

 private:
  bool accept_one(accepted& conn) {
    while (!done_ && listener_.is_open()) {
      if (!ready(listener_.fd(), true)) continue;
      auto r = listener_.accept(conn);
      if (r && *r == io_status::ready) return true;
    }
    return false;
  }
  socket listener_;
  std::atomic<bool> done_{false};
  std::atomic<bool> served_{false};
  std::thread worker_;
};

/// Reads from `s` until `want` bytes came, the peer closed or 5 s pass.
inline std::string read_bytes(lsock::socket& s, std::size_t want) {
  std::string got;
  selector sel;
  const int fd = s.fd();
  char buf[65536];
  while (got.size() < want) {
    auto ready = sel.wait(std::span<const int>(&fd, 1), {}, 5000);
    if (!ready || !*ready) break;
    auto r = s.recv(buf);
    if (!r || r->status == io_status::closed) break;
    if (r->status == io_status::ready) got.append(buf, r->bytes);
  }
  return got;
}

/// `n` bytes of a pattern that shows misordering and loss (not a repeated byte).
inline std::string pattern(std::size_t n, unsigned seed) {
  std::string s(n, '\0');
  unsigned x = seed * 2654435761u + 1;
  for (char& c : s) {
    x = x * 1103515245u + 12345u;
    c = static_cast<char>(x >> 16);
  }
  return s;
}

}  // namespace lsock::test
