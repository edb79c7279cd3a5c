// lsock probe HOST... PORTS: which ports answer. Many connects in flight at once (nc -z goes
// port by port); each port is open (connected), closed (refused), filtered (no answer within
// --timeout) or error (EHOSTUNREACH...). One JSON document per run.

#include <unistd.h>

#include <cstdio>
#include <iostream>

#include "address_checks.hpp"
#include "commands.hpp"
#include "monotonic_time.hpp"
#include "name_lookup.hpp"
#include "option_checks.hpp"
#include "port_list.hpp"
#include "port_scan.hpp"
#include "shared_options.hpp"
#include "stop_signal.hpp"
#include "text_format.hpp"
#include "usage_error.hpp"

namespace lsock::cli {
namespace {

struct probe_options {
  std::vector<std::string> args;  ///< HOST... PORTS
  long long concurrency = 256;
  double timeout = 1;
  bool open_only = false;
  bool no_progress = false;
  bool v4 = false;
  bool v6 = false;
};

/// "probe 127.0.0.1: 12000/65535 ports, 2 open, 48000 ports/s", rewritten in place on stderr.
class progress_line {
 public:
  progress_line(bool on, std::string host, std::size_t total)
      : on_(on), host_(std::move(host)), total_(total), start_(now_ns()) {}
  void update(std::size_t done, std::size_t open) const {
    if (!on_) return;
    const double s = static_cast<double>(now_ns() - start_) / 1e9;
    std::fprintf(stderr, "\r\033[Kprobe %s: %zu/%zu ports, %zu open, %.0f ports/s", host_.c_str(),
                 done, total_, open, s > 0 ? static_cast<double>(done) / s : 0.0);
    std::fflush(stderr);
  }
  ~progress_line() {
    if (on_) std::fputs("\r\033[K", stderr);
  }
  progress_line(const progress_line&) = delete;
  progress_line& operator=(const progress_line&) = delete;

 private:
  bool on_;
  std::string host_;
  std::size_t total_;
  std::int64_t start_;
};

json host_json(const std::string& host, const std::string& addr,
               const std::vector<port_result>& results, bool open_only, double elapsed) {
  json ports = json::array();
  json counts{{"open", 0}, {"closed", 0}, {"filtered", 0}, {"error", 0}};
  for (const port_result& r : results) {
    auto& c = counts[state_name(r.state)];
    c = c.get<int>() + 1;
    if (open_only && r.state != port_state::open) continue;
    json p{{"port", r.port}, {"state", state_name(r.state)}};
    if (r.state != port_state::filtered) p["rtt_ms"] = r.rtt_ms;
    if (r.error) p["error"] = error_json(*r.error);
    ports.push_back(std::move(p));
  }
  return json{{"host", host},     {"addr", addr},          {"ports", std::move(ports)},
              {"counts", counts}, {"elapsed_ms", elapsed}, {"complete", !stop_requested()}};
}

void print_host_text(const output& out, const json& h) {
  const auto& c = h["counts"];
  char line[256];
  (void)std::snprintf(
      line, sizeof line, "%s (%s): %d open, %d closed, %d filtered, %d error in %.3f ms%s",
      h["host"].get<std::string>().c_str(), h["addr"].get<std::string>().c_str(),
      c["open"].get<int>(), c["closed"].get<int>(), c["filtered"].get<int>(), c["error"].get<int>(),
      h["elapsed_ms"].get<double>(), h["complete"].get<bool>() ? "" : " (interrupted)");
  out.text(line);
  for (const auto& p : h["ports"]) {
    const std::string state = p["state"];
    if (state != "open" && state != "error") continue;
    std::string text = "  " + pad(std::to_string(p["port"].get<int>()), 6) + pad(state, 7);
    text += state == "open" ? ms_text(p["rtt_ms"].get<double>())
                            : p["error"]["name"].get<std::string>() + " (" +
                                  p["error"]["message"].get<std::string>() + ")";
    out.text(text);
  }
}

scan_settings fitted_settings(const probe_options& o, std::size_t ports, const output& out) {
  scan_settings st;
  st.timeout_s = o.timeout;
  const std::size_t wanted = std::min(static_cast<std::size_t>(o.concurrency), ports);
  st.concurrency = fit_descriptor_limit(wanted);
  if (st.concurrency < wanted) {
    out.error_line("warning: the descriptor limit (RLIMIT_NOFILE) allows " +
                   std::to_string(st.concurrency) + " attempts in flight; --concurrency " +
                   std::to_string(wanted) + " lowered to that");
  }
  return st;
}

int run(const probe_options& o, const output& out) {
  if (o.args.size() < 2) throw usage_error("expected HOST... PORTS");
  if (!(o.timeout > 0)) throw usage_error("--timeout: a port needs more than 0 seconds");
  const std::vector<int> ports = parse_port_list(o.args.back());
  const std::vector<std::string> hosts(o.args.begin(), o.args.end() - 1);
  const family_preference prefer = family_choice(o.v4, o.v6);
  for (const std::string& h : hosts) {
    check_address(h);
    if (is_unix_address(h))
      throw usage_error("probe needs host names or IP addresses, not '" + h + "'");
    check_family(h, prefer);
    check_not_group(h, "probe");
  }
  install_stop_handlers();
  const scan_settings st = fitted_settings(o, ports.size(), out);
  const bool show_progress = !out.json_mode() && !o.no_progress && ::isatty(STDOUT_FILENO) == 1 &&
                             ::isatty(STDERR_FILENO) == 1;

  json doc = json::array();
  int exit_code = 0;
  for (const std::string& host : hosts) {
    if (stop_requested()) break;
    auto addr = first_address(host, prefer, deadline_after(o.timeout));
    if (!addr) {
      if (interrupted(addr.error())) end_by_signal();
      doc.push_back(json{{"host", host}, {"error", error_json(addr.error())}});
      out.error_line(addr.error().describe());
      exit_code = 1;
      continue;
    }
    const auto start = now_ns();
    std::vector<port_result> results;
    {
      const progress_line bar(show_progress, host, ports.size());
      results =
          scan_ports(*addr, ports, st, [&](std::size_t d, std::size_t n) { bar.update(d, n); });
    }
    doc.push_back(host_json(host, *addr, results, o.open_only, elapsed_ms(start)));
    if (!out.json_mode()) print_host_text(out, doc.back());
  }
  if (out.json_mode()) out.document(doc);
  return exit_code;
}

}  // namespace

command register_probe(CLI::App& app) {
  auto opts = std::make_shared<probe_options>();
  CLI::App* sub = app.add_subcommand("probe", "Show which TCP ports of hosts answer");
  sub->footer(
      "PORTS: 22, 22,80,443, 8000-8100, 1-65535, or a mix. States: open (connected), closed\n"
      "(refused), filtered (no answer within --timeout), error (EHOSTUNREACH...).\n"
      "--json prints one document: [{host, addr, ports [{port, state, rtt_ms}], counts {open,\n"
      "closed, filtered, error}, elapsed_ms, complete}]. Exit 0 when the probe completed,\n"
      "whatever the states; 1 if a host cannot be resolved.\n"
      "Example: lsock probe 127.0.0.1 1-1024 --open");
  sub->add_option("HOST... PORTS", opts->args, "Hosts, then the ports to try")
      ->required()
      ->expected(2, -1)
      ->type_name("");
  sub->add_option("--concurrency", opts->concurrency, "Connection attempts in flight at most")
      ->check(whole_number(1, 65535))
      ->type_name("N")
      ->capture_default_str();
  add_timeout_option(*sub, opts->timeout, "Seconds allowed per port")->capture_default_str();
  sub->add_flag("--open", opts->open_only, "List open ports only");
  sub->add_flag("--no-progress", opts->no_progress, "No progress line on a terminal");
  add_family_flags(*sub, opts->v4, opts->v6);
  return {sub, [opts](const output& out) { return run(*opts, out); }};
}

}  // namespace lsock::cli
