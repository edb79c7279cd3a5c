// lsock resolve HOST... [-4|-6]: what each name resolves to, and how long it took.

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
  json doc = json::array();
  int status = 0;
  for (const std::string& host : o.hosts) {
    const auto start = now_ns();
    auto list = lsock::resolve(host, family_choice(o.v4, o.v6));
    const double ms = elapsed_ms(start);
    json entry{{"host", host}};
    if (list) {
      json addrs = json::array();
      for (const auto& a : *list) {
        addrs.push_back({{"family", std::string(family_name(a.family))}, {"addr", a.addr}});
      }
      entry["addresses"] = std::move(addrs);
      entry["elapsed_ms"] = ms;
      if (!out.json_mode()) {
        for (const auto& a : *list) {
          out.text(host + "\t" + std::string(family_name(a.family)) + "\t" + a.addr);
        }
        out.text(host + "\t(" + std::to_string(list->size()) + " addresses in " + ms_text(ms) +
                 ")");
      }
    } else {
      status = 1;
      entry["addresses"] = json::array();
      entry["elapsed_ms"] = ms;
      entry["error"] = error_json(list.error());
      std::cerr << "lsock: resolve: " << host << ": " << list.error().message << '\n';
    }
    doc.push_back(std::move(entry));
  }
  if (out.json_mode()) out.document(doc);
  return status;
}

}  // namespace

command register_resolve(CLI::App& app) {
  auto opts = std::make_shared<resolve_options>();
  CLI::App* sub = app.add_subcommand("resolve", "Resolve host names to addresses");
  sub->footer("Example: lsock resolve localhost example.org -4 --json");
  sub->add_option("HOST", opts->hosts, "Names (or literal addresses) to resolve")->required();
  auto* v4 = sub->add_flag("-4", opts->v4, "IPv4 addresses only");
  sub->add_flag("-6", opts->v6, "IPv6 addresses only")->excludes(v4);
  return {sub, [opts](const output& out) { return run(*opts, out); }};
}

}  // namespace lsock::cli
