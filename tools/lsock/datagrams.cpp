#include "datagrams.hpp"

#include <unistd.h>

#include <cerrno>
#include <iostream>
#include <lsock/poll.hpp>

#include "monotonic_time.hpp"
#include "standard_streams.hpp"
#include "stop_signal.hpp"
#include "text_format.hpp"
#include "wait_until.hpp"

namespace lsock::cli {

namespace {

/// What a receiver has seen so far.
struct receive_totals {
  long long datagrams = 0;
  std::size_t bytes = 0;
};

/// One received datagram: its event, and the echo when asked (not to an unnamed unix sender,
/// which cannot be answered).
void on_datagram(lsock::socket& sock, std::string_view data, const endpoint& from,
                 const transfer& got, bool echo, const output& out) {
  // A unix datagram from an unbound sender carries no address at all.
  const bool unnamed = from.family() == family::unspec;
  json ev{{"event", "datagram"},
          {"from", unnamed ? json{{"family", "unix"}, {"addr", ""}} : endpoint_json(from)}};
  ev.update(payload_json(data));
  if (got.truncated) ev["truncated_from"] = got.datagram_size;
  out.event(ev,
            (unnamed ? std::string("(unnamed)") : from.to_string()) + ": " + payload_text(data));
  if (echo && !unnamed) {
    auto sent = sock.sendto(data, from);
    if (!sent) out.failure(sent.error());
  }
}

/// Reads what is queued (bounded per round, up to the count), then returns to wait again.
void drain(lsock::socket& sock, const receive_limits& limits, receive_totals& t,
           const output& out) {
  static char buf[65536];
  for (int n = 0; n < 64 && (limits.count == 0 || t.datagrams < limits.count); ++n) {
    endpoint from;
    auto got = sock.recvfrom(buf, from);
    if (!got) {
      // An ICMP error for an earlier echo surfaces here: report it and keep listening.
      out.failure(got.error());
      return;
    }
    if (got->status != io_status::ready) return;
    const std::string_view data(buf, got->bytes);
    ++t.datagrams;
    t.bytes += data.size();
    on_datagram(sock, data, from, *got, limits.echo, out);
  }
}

/// The summary event; then, when a --count was not reached before the timeout, the failure.
/// The exit code.
int summarize(const receive_limits& limits, const receive_totals& t, double ms,
              std::string_view reason, const output& out) {
  out.event({{"event", "summary"},
             {"datagrams", t.datagrams},
             {"bytes", t.bytes},
             {"duration_ms", ms},
             {"reason", reason}},
            "summary: " + std::to_string(t.datagrams) + " datagrams, " + std::to_string(t.bytes) +
                " bytes, " + ms_text(ms));
  // A timeout before --count datagrams means what was asked did not happen.
  if (reason == "timeout" && limits.count > 0) {
    out.failure(library_error("receive", ETIMEDOUT,
                              "timed out after " + seconds_text(limits.timeout) + " with " +
                                  std::to_string(t.datagrams) + " of " +
                                  std::to_string(limits.count) + " datagrams"));
    return 1;
  }
  return 0;
}

}  // namespace

int receive_datagrams(lsock::socket& sock, const receive_limits& limits, const output& out) {
  install_stop_handlers();
  const auto start = now_ns();
  const auto deadline = deadline_after(limits.timeout);
  selector sel;
  // Second: stdout's reader going away ends the listener even while nothing arrives.
  const int fds[2] = {sock.fd(), stdout_watch_fd()};
  receive_totals t;
  std::string_view reason = "count";
  while (limits.count == 0 || t.datagrams < limits.count) {
    auto r = wait_until(sel, fds, {}, deadline);
    if (!r) {
      out.failure(r.error());
      return 1;
    }
    if (!*r) {
      reason = stop_requested() ? "signal" : "timeout";
      break;
    }
    for (const std::size_t i : sel.ready_read()) {
      if (i == 1) stdout_reader_gone();
    }
    drain(sock, limits, t, out);
  }
  return summarize(limits, t, elapsed_ms(start), reason, out);
}

int send_datagrams(lsock::socket& sock, const send_plan& plan, const output& out) {
  install_stop_handlers();
  const auto start = now_ns();
  json doc{{"to", nullptr}, {"sent", json::array()}};
  if (auto peer = sock.peer_endpoint()) doc["to"] = endpoint_json(*peer);
  const std::string to_text = doc["to"].is_null() ? "?" : sock.peer_endpoint()->to_string();
  selector sel;
  const int fd = sock.fd();
  std::size_t total = 0;
  long long sent = 0;
  for (long long i = 0; i < plan.count && !stop_requested(); ++i) {
    if (i > 0 && plan.interval_ms > 0) {
      // Sleep through the selector so Ctrl-C ends the wait.
      (void)wait_until(sel, {}, {}, deadline_after(static_cast<double>(plan.interval_ms) / 1000));
      // Ctrl-C ended the wait: it stops the sending, it does not send the next one early.
      if (stop_requested()) break;
    }
    auto r = sock.send(plan.data);
    if (r && r->status == io_status::would_block) {
      (void)wait_until(sel, {}, std::span<const int>(&fd, 1), deadline_after(5));
      r = sock.send(plan.data);
    }
    if (!r) {
      if (out.json_mode()) {
        doc["error"] = error_json(r.error());
        doc["datagrams"] = sent;
        doc["bytes"] = total;
        out.document(doc);
      }
      out.error_line(r.error().describe());
      return 1;
    }
    if (r->status != io_status::ready) continue;
    ++sent;
    total += r->bytes;
    doc["sent"].push_back({{"seq", i + 1}, {"bytes", r->bytes}, {"elapsed_ms", elapsed_ms(start)}});
    out.text("sent " + std::to_string(r->bytes) + " bytes to " + to_text);
  }
  doc["datagrams"] = sent;
  doc["bytes"] = total;
  doc["elapsed_ms"] = elapsed_ms(start);
  if (out.json_mode()) out.document(doc);
  return 0;
}

std::string read_stdin() {
  std::string data;
  char buf[65536];
  for (;;) {
    const long n = read_some(STDIN_FILENO, buf, sizeof buf);
    if (n <= 0) break;
    data.append(buf, static_cast<std::size_t>(n));
  }
  return data;
}

}  // namespace lsock::cli
