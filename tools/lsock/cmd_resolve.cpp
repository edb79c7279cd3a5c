// lsock resolve HOST... [-4|-6] [--timeout S]: what each name resolves to, and how long it
// took. The hosts are looked up side by side.

#include <algorithm>
#include <iostream>
#include <lsock/async_resolve.hpp>
#include <optional>

#include "address_checks.hpp"
#include "commands.hpp"
#include "monotonic_time.hpp"
#include "name_lookup.hpp"
#include "shared_options.hpp"
#include "stop_signal.hpp"
#include "text_format.hpp"
#include "usage_error.hpp"
#include "wait_until.hpp"

namespace lsock::cli {
namespace {

struct resolve_options {
  std::vector<std::string> hosts;
  bool v4 = false;
  bool v6 = false;
  double timeout = 0;
};

using answer = result<std::vector<resolved_address>>;

/// One host's lookup: running (a request) until its answer is in.
struct host_lookup {
  resolve_request rq;
  std::optional<answer> got;
  double ms = 0;
};

/// Looks every host up at once on libcore's resolver threads, so the command takes as long as
/// its slowest lookup, and waits for the answers until the deadline or Ctrl-C.
std::vector<host_lookup> lookup_all(const std::vector<std::string>& hosts, family_preference prefer,
                                    std::int64_t deadline) {
  install_stop_handlers();
  const auto start = now_ns();
  std::vector<host_lookup> all(hosts.size());
  for (std::size_t i = 0; i < hosts.size(); ++i) {
    auto rq = resolve_request::start(hosts[i], prefer);
    if (rq && rq->state() == resolve_state::done) {
      all[i].got = rq->finalize();  // a literal: answered without a lookup
      all[i].ms = elapsed_ms(start);
    } else if (rq) {
      all[i].rq = std::move(*rq);
    } else {
      all[i].got = std::move(rq).error();
    }
  }
  selector sel;
  std::vector<int> fds(all.size());
  for (;;) {
    for (std::size_t i = 0; i < all.size(); ++i) fds[i] = all[i].got ? -1 : all[i].rq.fd();
    if (std::all_of(fds.begin(), fds.end(), [](int fd) { return fd < 0; })) break;
    auto ready = wait_until(sel, fds, {}, deadline);
    if (ready && *ready) {
      for (const std::size_t i : sel.ready_read()) {
        all[i].got = all[i].rq.finalize();
        all[i].ms = elapsed_ms(start);
      }
      continue;
    }
    // Ctrl-C ends resolve without output, as it always did.
    if (ready && stop_requested()) end_by_signal();
    for (std::size_t i = 0; i < all.size(); ++i) {
      if (all[i].got) continue;
      all[i].got = ready ? lookup_timed_out(hosts[i]) : ready.error();
      all[i].ms = elapsed_ms(start);
    }
  }
  return all;
}

/// Every argument is judged before the first lookup: a usage error prints nothing else.
void check_hosts(const resolve_options& o) {
  for (const std::string& host : o.hosts) {
    if (check_address(host).is_unix()) {
      throw usage_error("resolve takes host names and IP addresses, not the unix address '" + host +
                        "'");
    }
    check_family(host, family_choice(o.v4, o.v6));
  }
}

/// {host, addresses [{family, addr}], elapsed_ms} or, for a failed lookup, {host, addresses [],
/// error, elapsed_ms} with the failure on stderr.
json host_entry(const std::string& host, const host_lookup& lookup, const output& out) {
  const answer& list = *lookup.got;
  json entry{{"host", host}, {"addresses", json::array()}};
  if (list) {
    for (const auto& a : *list) {
      entry["addresses"].push_back(
          {{"family", std::string(family_name(a.family))}, {"addr", a.addr}});
    }
  } else {
    entry["error"] = error_json(list.error());
    out.error_line(host + ": " + list.error().message + " (" + list.error().name + ")");
  }
  entry["elapsed_ms"] = lookup.ms;
  return entry;
}

/// Text: HOST  FAMILY  ADDRESS  TIME, the host and time on its first address only.
void print_text(const json& doc, const output& out) {
  std::size_t host_w = 0;
  std::size_t addr_w = 0;
  for (const auto& e : doc) {
    if (e["addresses"].empty()) continue;  // a failed host is only on stderr
    host_w = std::max(host_w, e["host"].get<std::string>().size());
    for (const auto& a : e["addresses"]) {
      addr_w = std::max(addr_w, a["addr"].get<std::string>().size());
    }
  }
  for (const auto& e : doc) {
    bool first = true;
    for (const auto& a : e["addresses"]) {
      std::string line = pad(first ? e["host"].get<std::string>() : "", host_w + 2) +
                         pad(a["family"].get<std::string>(), 7);
      line += first ? pad(a["addr"].get<std::string>(), addr_w + 2) +
                          ms_text(e["elapsed_ms"].get<double>())
                    : a["addr"].get<std::string>();
      out.text(line);
      first = false;
    }
  }
}

int run(const resolve_options& o, const output& out) {
  check_hosts(o);
  json doc = json::array();
  int status = 0;
  // One deadline for the whole command.
  auto answers = lookup_all(o.hosts, family_choice(o.v4, o.v6), deadline_after(o.timeout));
  for (std::size_t i = 0; i < o.hosts.size(); ++i) {
    if (!*answers[i].got) status = 1;
    doc.push_back(host_entry(o.hosts[i], answers[i], out));
  }
  if (out.json_mode()) {
    out.document(doc);
  } else {
    print_text(doc, out);
  }
  return status;
}

}  // namespace

command register_resolve(CLI::App& app) {
  auto opts = std::make_shared<resolve_options>();
  CLI::App* sub = app.add_subcommand("resolve", "Resolve host names to addresses");
  sub->footer(
      "The hosts are looked up side by side and printed in order; one that fails gets its\n"
      "error in its entry (exit 1).\n"
      "--timeout bounds the whole command: a host still unanswered then fails with ETIMEDOUT.\n"
      "--json prints an array: [{host, addresses [{family, addr}], elapsed_ms[, error]}].\n"
      "Example: lsock resolve localhost example.org -4 --json");
  sub->add_option("HOST", opts->hosts, "Names (or literal addresses) to resolve")
      ->required()
      ->type_name("");
  add_family_flags(*sub, opts->v4, opts->v6, "IPv4 addresses only", "IPv6 addresses only");
  add_timeout_option(*sub, opts->timeout, "Give up after S seconds (0: the resolver's own limit)");
  return {sub, [opts](const output& out) { return run(*opts, out); }};
}

}  // namespace lsock::cli
