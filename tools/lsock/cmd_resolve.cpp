// lsock resolve HOST... [-4|-6]: what each name resolves to, and how long it took.

#include <algorithm>
#include <iostream>
#include <lsock/resolve.hpp>

#include "commands.hpp"
#include "common.hpp"

namespace lsock::cli {
namespace {

struct resolve_options {
  std::vector<std::string> hosts;
  bool v4 = false;
  bool v6 = false;
};

int run(const resolve_options& o, const output& out) {
  // Every argument is judged before the first lookup: a usage error prints nothing else.
  for (const std::string& host : o.hosts) {
    if (check_address(host).is_unix()) {
      throw usage_error("resolve takes host names and IP addresses, not the unix address '" + host +
                        "'");
    }
    check_family(host, family_choice(o.v4, o.v6));
  }
  json doc = json::array();
  int status = 0;
  for (const std::string& host : o.hosts) {
    const auto start = now_ns();
    auto list = lsock::resolve(host, family_choice(o.v4, o.v6));
    const double ms = elapsed_ms(start);
    json entry{{"host", host}, {"addresses", json::array()}};
    if (list) {
      for (const auto& a : *list) {
        entry["addresses"].push_back(
            {{"family", std::string(family_name(a.family))}, {"addr", a.addr}});
      }
    } else {
      status = 1;
      entry["error"] = error_json(list.error());
      out.error_line(host + ": " + list.error().message + " (" + list.error().name + ")");
    }
    entry["elapsed_ms"] = ms;
    doc.push_back(std::move(entry));
  }
  if (out.json_mode()) {
    out.document(doc);
    return status;
  }
  // Text: HOST  FAMILY  ADDRESS  TIME, the host and time on its first address only.
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
  return status;
}

}  // namespace

command register_resolve(CLI::App& app) {
  auto opts = std::make_shared<resolve_options>();
  CLI::App* sub = app.add_subcommand("resolve", "Resolve host names to addresses");
  sub->footer(
      "Every host is looked up, in order; one that fails gets its error in its entry (exit 1).\n"
      "--json prints an array: [{host, addresses [{family, addr}], elapsed_ms[, error]}].\n"
      "Example: lsock resolve localhost example.org -4 --json");
  sub->add_option("HOST", opts->hosts, "Names (or literal addresses) to resolve")
      ->required()
      ->type_name("");
  auto* v4 = sub->add_flag("-4", opts->v4, "IPv4 addresses only");
  sub->add_flag("-6", opts->v6, "IPv6 addresses only")->excludes(v4);
  return {sub, [opts](const output& out) { return run(*opts, out); }};
}

}  // namespace lsock::cli
