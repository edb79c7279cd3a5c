// lsock tcp-listen [ADDR] PORT: accept clients, show what they send, optionally echo it.
// Many clients at once through one selector; JSON Lines events as things happen.

#include <algorithm>
#include <cerrno>
#include <cstdint>
#include <lsock/socket.hpp>
#include <lsock/unix_path.hpp>
#include <optional>
#include <vector>

#include "address_checks.hpp"
#include "bound_socket.hpp"
#include "commands.hpp"
#include "monotonic_time.hpp"
#include "option_checks.hpp"
#include "shared_options.hpp"
#include "slot_table.hpp"
#include "standard_streams.hpp"
#include "stop_signal.hpp"
#include "targets.hpp"
#include "text_format.hpp"
#include "wait_until.hpp"

namespace lsock::cli {
namespace {

struct tcp_listen_options {
  std::vector<std::string> args;
  bool echo = false;
  long long count = 0;
  int backlog = 128;
  double timeout = 0;
  bool v4 = false;
  bool v6 = false;
};

/// A client whose echo backlog reaches this is not read until the kernel takes some of it:
/// a client that sends without reading cannot make the listener grow without bound.
constexpr std::size_t max_pending = std::size_t{1} << 20;
/// After an accept() failure (EMFILE...) the listener rests this long instead of spinning.
constexpr std::int64_t accept_pause_ns = 100'000'000;

struct client {
  lsock::socket sock;
  lsock::endpoint peer;
  std::string pending;  ///< echo bytes not yet accepted by the kernel
  std::size_t bytes_in = 0;
  std::size_t bytes_out = 0;
  std::int64_t start_ns = 0;
  bool peer_done = false;  ///< the peer finished sending; close once `pending` is out
  long long id = 0;        ///< 1, 2, ... in accept order: tells unnamed unix peers apart

  /// For people: "127.0.0.1:4711", or "unix#2" for an unnamed unix peer.
  [[nodiscard]] std::string label() const {
    const std::string addr = peer.addr();
    return addr.empty() ? "unix#" + std::to_string(id) : peer.to_string();
  }
  /// The fields every event about this client carries: {"client": id, "peer": {...}}.
  [[nodiscard]] json about(std::string_view event) const {
    return json{{"event", event}, {"client", id}, {"peer", endpoint_json(peer)}};
  }
};

struct totals {
  long long connections = 0;
  std::size_t bytes_in = 0;
  std::size_t bytes_out = 0;
};

void emit_closed(const output& out, const client& c, std::string_view reason) {
  const double ms = elapsed_ms(c.start_ns);
  json ev = c.about("closed");
  ev.update({{"reason", reason},
             {"bytes_in", c.bytes_in},
             {"bytes_out", c.bytes_out},
             {"duration_ms", ms}});
  out.event(ev, "closed   " + c.label() + " (" + std::string(reason) +
                    "): " + std::to_string(c.bytes_in) + " bytes in, " +
                    std::to_string(c.bytes_out) + " out, " + ms_text(ms));
}

/// A client's failure ends that client only: an event about it (text on stdout), not a
/// stderr line.
void emit_client_error(const output& out, const client& c, const lsock::error& err) {
  json ev = c.about("error");
  ev.update(error_json(err));
  out.event(ev, "error    " + c.label() + ": " + err.describe());
}

/// Sends what is pending (partial sends keep the rest); false when the client failed.
bool flush(const output& out, client& c, totals& t) {
  while (!c.pending.empty()) {
    auto r = c.sock.send(c.pending);
    if (!r) {
      emit_client_error(out, c, r.error());
      return false;
    }
    if (r->status != io_status::ready) return true;
    c.bytes_out += r->bytes;
    t.bytes_out += r->bytes;
    c.pending.erase(0, r->bytes);
  }
  return true;
}

/// Reads what the client sent; false when it is finished (failed, or closed with nothing left
/// to echo). A peer that closed with echo bytes still pending is kept until they are sent.
bool serve(const output& out, client& c, bool echo, totals& t, std::string_view& reason) {
  static char buf[65536];
  for (int rounds = 0; rounds < 16 && c.pending.size() < max_pending; ++rounds) {
    auto r = c.sock.recv(buf);
    if (!r) {
      emit_client_error(out, c, r.error());
      reason = "error";
      return false;
    }
    if (r->status == io_status::would_block) return true;
    if (r->status == io_status::closed) {
      c.peer_done = true;
      reason = "peer";
      return !c.pending.empty();
    }
    const std::string_view data(buf, r->bytes);
    c.bytes_in += data.size();
    t.bytes_in += data.size();
    json ev = c.about("data");
    ev.update(payload_json(data));
    out.event(ev, c.label() + ": " + payload_text(data));
    if (echo) {
      c.pending.append(data);
      if (!flush(out, c, t)) {
        reason = "error";
        return false;
      }
    }
  }
  return true;
}

/// Positions in a listener's read table: the listener (-1 while not accepting), stdout's watch
/// (a reader of stdout going away ends the listener even while nothing happens), the stop wake
/// pipe, then one position per client slot.
constexpr std::size_t listen_pos = 0;
constexpr std::size_t stdout_pos = 1;
constexpr std::size_t wake_pos = 2;
constexpr std::size_t first_client_pos = 3;
static_assert(listen_pos < stdout_pos && stdout_pos < wake_pos && wake_pos < first_client_pos);

/// The clients of one listener, served through one selector until --count, the deadline or
/// Ctrl-C: each round waits, then handles writable clients, readable clients and pending
/// connections, in that order (clients in accept order within each). The tables are kept up
/// to date as clients change, one entry per change, so the selector sees the same tables
/// round after round and a round costs what is ready, not how many clients there are.
class listener {
 public:
  listener(const tcp_listen_options& o, const output& out, lsock::socket sock)
      : o_(o),
        out_(out),
        sock_(std::move(sock)),
        read_fds_{-1, stdout_watch_fd(), stop_wake_fd()} {}

  /// Serves until done; the reason it ended ("count", "timeout", "signal"), or the failure
  /// of the wait itself.
  result<std::string_view> serve_until(std::int64_t deadline) {
    for (;;) {
      if (o_.count > 0 && t_.connections >= o_.count) accepting_ = false;
      if (!accepting_ && clients_.empty()) return std::string_view("count");
      const bool listen_now = accepting_ && now_ns() >= accept_paused_until_;
      read_fds_.set(listen_pos, listen_now ? sock_.fd() : -1);
      std::int64_t until = deadline;
      if (accepting_ && !listen_now && (until == 0 || accept_paused_until_ < until)) {
        until = accept_paused_until_;
      }
      auto ready = wait_until_woken(sel_, read_fds_, write_fds_, until);
      if (!ready) return std::move(ready).error();
      if (!*ready) {
        if (stop_requested()) return std::string_view("signal");
        if (passed(deadline)) return std::string_view("timeout");
        continue;  // an accept pause ran out
      }
      on_writable();
      if (on_readable()) accept_pending();
    }
  }

  /// Closes the clients still connected, each with a closed event, in accept order.
  void close_all(std::string_view reason) {
    ready_.clear();
    for (std::size_t slot = 0; slot < clients_.slots(); ++slot) {
      if (clients_.get(slot) != nullptr) ready_.push_back(slot);
    }
    in_accept_order(ready_);
    for (const std::size_t slot : ready_) emit_closed(out_, clients_.get(slot)->c, reason);
    clients_.clear();
  }

  [[nodiscard]] const totals& counts() const noexcept { return t_; }

 private:
  static constexpr std::size_t no_pos = SIZE_MAX;

  /// A client and where it is watched for writing (no_pos: it has nothing to send).
  struct entry {
    client c;
    std::size_t write_pos = no_pos;
  };

  /// Sends echo bytes to the clients that can take them; a client whose peer is done and
  /// whose echo is out is finished.
  void on_writable() {
    ready_.clear();
    for (const std::size_t i : sel_.ready_write()) ready_.push_back(write_slot_[i]);
    in_accept_order(ready_);
    for (const std::size_t slot : ready_) {
      client& c = clients_.get(slot)->c;
      if (!flush(out_, c, t_)) {
        finish(slot, "error");
      } else if (c.peer_done && c.pending.empty()) {
        finish(slot, "peer");
      } else {
        watch(slot);
      }
    }
  }

  /// Reads from the readable clients; true when the listener has connections pending.
  bool on_readable() {
    bool listener_ready = false;
    bool stdout_gone = false;
    ready_.clear();
    for (const std::size_t i : sel_.ready_read()) {
      if (i == listen_pos) listener_ready = true;
      if (i == stdout_pos) stdout_gone = true;
      // A client finished while writable this round is gone already.
      if (i >= first_client_pos && clients_.get(i - first_client_pos) != nullptr) {
        ready_.push_back(i - first_client_pos);
      }
    }
    in_accept_order(ready_);
    for (const std::size_t slot : ready_) {
      entry* e = clients_.get(slot);
      std::string_view reason;
      if (serve(out_, e->c, o_.echo, t_, reason)) {
        watch(slot);
      } else {
        finish(slot, reason);
      }
    }
    if (stdout_gone) stdout_reader_gone();
    return listener_ready;
  }

  /// Accepts everything pending (bounded per round), up to --count.
  void accept_pending() {
    for (int n = 0; n < 64; ++n) {
      if (o_.count > 0 && t_.connections >= o_.count) break;
      accepted conn;
      auto r = sock_.accept(conn);
      if (!r) {
        // EMFILE and the like: say so, serve the clients we have, try again a little later.
        out_.failure(r.error());
        accept_paused_until_ = now_ns() + accept_pause_ns;
        break;
      }
      if (*r != io_status::ready) break;
      ++t_.connections;
      const std::size_t slot = clients_.insert(entry{
          client{std::move(conn.socket), conn.peer, {}, 0, 0, now_ns(), false, t_.connections}});
      if (first_client_pos + slot >= read_fds_.size()) read_fds_.push_back(-1);
      watch(slot);
      const client& c = clients_.get(slot)->c;
      out_.event(c.about("accepted"), "accepted " + c.label());
    }
  }

  /// Brings the slot's table entries in line with its client: read while its peer may send
  /// and its echo backlog has room; write while echo bytes wait.
  void watch(std::size_t slot) {
    entry& e = *clients_.get(slot);
    const client& c = e.c;
    const bool reads = !c.peer_done && c.pending.size() < max_pending;
    read_fds_.set(first_client_pos + slot, reads ? c.sock.fd() : -1);
    if (!c.pending.empty() && e.write_pos == no_pos) {
      e.write_pos = write_fds_.size();
      write_fds_.push_back(c.sock.fd());
      write_slot_.push_back(slot);
    } else if (c.pending.empty() && e.write_pos != no_pos) {
      unwatch_write(e);
    }
  }

  /// Takes the client out of the write table: the last entry moves into its place.
  void unwatch_write(entry& e) {
    const std::size_t last = write_fds_.size() - 1;
    if (e.write_pos != last) {
      write_fds_.set(e.write_pos, write_fds_[last]);
      write_slot_[e.write_pos] = write_slot_[last];
      clients_.get(write_slot_[last])->write_pos = e.write_pos;
    }
    write_fds_.pop_back();
    write_slot_.pop_back();
    e.write_pos = no_pos;
  }

  /// The client is done: its closed event, its entries cleared, its slot free for the next.
  void finish(std::size_t slot, std::string_view reason) {
    entry& e = *clients_.get(slot);
    emit_closed(out_, e.c, reason);
    if (e.write_pos != no_pos) unwatch_write(e);
    read_fds_.set(first_client_pos + slot, -1);
    clients_.erase(slot);
  }

  /// Slots in the order their clients were accepted: a reused slot holds a newer client.
  void in_accept_order(std::vector<std::size_t>& slots) {
    if (slots.size() < 2) return;
    std::sort(slots.begin(), slots.end(), [this](std::size_t a, std::size_t b) {
      return clients_.get(a)->c.id < clients_.get(b)->c.id;
    });
  }

  const tcp_listen_options& o_;
  const output& out_;
  lsock::socket sock_;
  slot_table<entry> clients_;
  totals t_;
  selector sel_;
  watch_table read_fds_;                 ///< see listen_pos ... first_client_pos
  watch_table write_fds_;                ///< the clients with echo bytes waiting
  std::vector<std::size_t> write_slot_;  ///< write_fds_[i] is slot write_slot_[i]'s
  std::vector<std::size_t> ready_;       ///< this round's ready slots
  bool accepting_ = true;
  std::int64_t accept_paused_until_ = 0;
};

/// The listening socket on the first address of `where` that binds, or the failure reported
/// (nullopt).
std::optional<lsock::socket> open_listener(const tcp_listen_options& o, const target& where,
                                           const output& out) {
  socket_options so;
  so.backlog = o.backlog;
  so.prefer = family_choice(o.v4, o.v6);
  check_family(where.address, so.prefer);
  check_not_group(where.address, "TCP");
  return bind_first_address(socket_type::tcp, where, so, deadline_after(o.timeout), out);
}

void emit_listening(const output& out, const lsock::socket& sock) {
  if (auto local = sock.local_endpoint()) {
    json ev{{"event", "listening"}};
    ev.update(endpoint_json(*local));
    out.event(ev, "listening on " + local->to_string());
  }
}

void emit_summary(const output& out, const totals& t, double ms, std::string_view end_reason) {
  out.event({{"event", "summary"},
             {"connections", t.connections},
             {"bytes_in", t.bytes_in},
             {"bytes_out", t.bytes_out},
             {"duration_ms", ms},
             {"reason", end_reason}},
            "summary: " + std::to_string(t.connections) + " connections, " +
                std::to_string(t.bytes_in) + " bytes in, " + std::to_string(t.bytes_out) +
                " out, " + ms_text(ms));
}

int run(const tcp_listen_options& o, const output& out) {
  const target where = listen_target(o.args, o.v6 ? "::" : "0.0.0.0");
  auto sock = open_listener(o, where, out);
  if (!sock) return 1;
  const unix_path_guard cleanup(*sock);  // as socat: the path is free for the next run
  install_stop_handlers();
  const auto start = now_ns();
  const auto deadline = deadline_after(o.timeout);
  emit_listening(out, *sock);
  listener l(o, out, std::move(*sock));
  auto end_reason = l.serve_until(deadline);
  if (!end_reason) {
    out.failure(end_reason.error());
    return 1;
  }
  l.close_all(*end_reason);
  const totals& t = l.counts();
  emit_summary(out, t, elapsed_ms(start), *end_reason);
  // A timeout before --count connections were served means what was asked did not happen.
  if (*end_reason == "timeout" && o.count > 0) {
    out.failure(library_error("accept", ETIMEDOUT,
                              "timed out after " + seconds_text(o.timeout) + " with " +
                                  std::to_string(t.connections) + " of " + std::to_string(o.count) +
                                  " connections"));
    return 1;
  }
  return 0;
}

}  // namespace

command register_tcp_listen(CLI::App& app) {
  auto opts = std::make_shared<tcp_listen_options>();
  CLI::App* sub = app.add_subcommand("tcp-listen", "Accept TCP connections and show their data");
  sub->footer(
      "ADDR defaults to 0.0.0.0 (:: with -6); a unix path or @name needs no PORT (a path is\n"
      "removed again on exit). PORT 0 picks a free port, reported in the 'listening' event.\n"
      "Runs until --count connections have been served and closed, --timeout passes, or\n"
      "Ctrl-C; then prints a summary (exit 0; 1 when --timeout came before --count).\n"
      "JSON Lines events: listening, accepted, data, closed, error, summary; every event about\n"
      "a client carries \"client\": 1, 2, ... in accept order. A client's error ends that\n"
      "client only (an error event, then closed with reason \"error\").\n"
      "Example: lsock tcp-listen 127.0.0.1 8000 --echo --count 1");
  sub->add_option("[ADDR] PORT", opts->args, "Address (default any) and port")
      ->required()
      ->expected(1, 2)
      ->type_name("");
  sub->add_flag("--echo", opts->echo, "Send received data back");
  add_count_option(*sub, opts->count, "Stop after N connections have been served");
  sub->add_option("--backlog", opts->backlog, "listen() backlog")
      ->check(whole_number(0, max_backlog))
      ->type_name("N")
      ->capture_default_str();
  add_timeout_option(*sub, opts->timeout, "Stop after S seconds (0: no limit)");
  add_family_flags(*sub, opts->v4, opts->v6, "IPv4 only (a host name's IPv4 address)",
                   "IPv6 only (default address ::)");
  return {sub, [opts](const output& out) { return run(*opts, out); }, true};
}

}  // namespace lsock::cli
