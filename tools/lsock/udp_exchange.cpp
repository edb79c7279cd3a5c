#include "udp_exchange.hpp"

#include <cerrno>
#include <lsock/poll.hpp>

#include "monotonic_time.hpp"
#include "stop_signal.hpp"
#include "text_format.hpp"
#include "wait_until.hpp"

namespace lsock::cli {
namespace {

/// One exchange's record: the document and what the text output needs.
struct exchange {
  const output& out;
  json doc;
  long long replies = 0;
  std::int64_t sent_at = 0;

  void reply(std::string_view data, const endpoint& from) {
    ++replies;
    const double rtt = elapsed_ms(sent_at);
    json r{{"from", endpoint_json(from)}};
    r.update(payload_json(data));
    r["rtt_ms"] = rtt;
    doc["replies"].push_back(std::move(r));
    out.text("reply from " + from.to_string() + " in " + ms_text(rtt) + ": " + payload_text(data));
  }

  int finish(const char* state, const std::optional<lsock::error>& err) {
    doc["state"] = state;
    if (err) doc["error"] = error_json(*err);
    if (out.json_mode()) out.document(doc);
    if (err) out.error_line(err->describe());
    return replies > 0 ? 0 : 1;
  }
};

/// Reads every queued reply. False with `err` set when the socket reports an error (a refusal).
bool drain(lsock::socket& sock, exchange& ex, long long wanted, std::optional<lsock::error>& err) {
  static char buf[65536];
  while (ex.replies < wanted) {
    endpoint from;
    auto got = sock.recvfrom(buf, from);
    if (!got) {
      err = got.error();
      return false;
    }
    if (got->status != io_status::ready) return true;
    ex.reply(std::string_view(buf, got->bytes), from);
  }
  return true;
}

}  // namespace

int exchange_datagrams(lsock::socket& sock, const exchange_plan& plan, const output& out) {
  install_stop_handlers();
  exchange ex{out, json{{"to", nullptr}, {"attempts", 0}, {"replies", json::array()}}};
  auto peer = sock.peer_endpoint();
  if (peer) ex.doc["to"] = endpoint_json(*peer);
  selector sel;
  const int fd = sock.fd();
  std::optional<lsock::error> err;
  for (long long attempt = 0; attempt <= plan.retries && !stop_requested(); ++attempt) {
    auto sent = sock.send(plan.data);
    if (!sent)
      return ex.finish(sent.error().name == "ECONNREFUSED" ? "refused" : "error", sent.error());
    ex.sent_at = now_ns();
    ex.doc["attempts"] = attempt + 1;
    out.text("sent " + std::to_string(sent->bytes) + " bytes to " +
             (peer ? peer->to_string() : std::string("?")));
    const auto deadline = deadline_after(plan.timeout_s);
    while (ex.replies < plan.replies) {
      auto ready = wait_until(sel, std::span<const int>(&fd, 1), {}, deadline);
      if (!ready) return ex.finish("error", ready.error());
      if (!*ready) break;
      if (!drain(sock, ex, plan.replies, err)) {
        return ex.finish(err->name == "ECONNREFUSED" ? "refused" : "error", err);
      }
    }
    // Replies came: more would answer a resend, not this request.
    if (ex.replies > 0) break;
  }
  if (ex.replies >= plan.replies) return ex.finish("replied", {});
  if (ex.replies > 0) {
    // Still a success (a reply came), but the text must say the count was not reached, as
    // the document's state does.
    out.text("partial: " + std::to_string(ex.replies) + " of " + std::to_string(plan.replies) +
             " replies (" +
             (stop_requested() ? std::string("interrupted")
                               : "no more within " + seconds_text(plan.timeout_s)) +
             ")");
    return ex.finish("partial", {});
  }
  // No reply at all is a failure, reported as one (an error object under --json).
  if (stop_requested()) {
    return ex.finish("interrupted", library_error("receive", EINTR, "interrupted"));
  }
  return ex.finish("timeout", library_error("receive", ETIMEDOUT,
                                            "no reply after " + std::to_string(plan.retries + 1) +
                                                " attempt(s) of " + seconds_text(plan.timeout_s)));
}

}  // namespace lsock::cli
