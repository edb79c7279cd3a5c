// lsock ifaces [NAME] [-4|-6]: interfaces, their flags and addresses.

#include <algorithm>
#include <cerrno>
#include <lsock/interfaces.hpp>
#include <map>

#include "commands.hpp"
#include "common.hpp"

namespace lsock::cli {
namespace {

struct ifaces_options {
  std::string name;
  bool v4 = false;
  bool v6 = false;
};

json flags_json(const interface_flags& f) {
  json a = json::array();
  if (f.up) a.push_back("up");
  if (f.running) a.push_back("running");
  if (f.loopback) a.push_back("loopback");
  if (f.broadcast) a.push_back("broadcast");
  if (f.multicast) a.push_back("multicast");
  return a;
}

int run(const ifaces_options& o, const output& out) {
  auto list = lsock::interfaces();
  if (!list) {
    out.failure(list.error(), false);
    return 1;
  }
  const auto want = family_choice(o.v4, o.v6);
  json doc = json::array();
  std::map<std::string, std::size_t> position;  // interface name → index in doc
  // Without -4/-6 every interface is listed, addressless ones too (like `ip addr`).
  if (want == family_preference::any || !o.name.empty()) {
    auto all = lsock::links();
    if (!all) {
      out.failure(all.error(), false);
      return 1;
    }
    for (const auto& l : *all) {
      if (!o.name.empty() && l.name != o.name) continue;
      position.try_emplace(l.name, doc.size());
      doc.push_back({{"name", l.name},
                     {"index", l.index},
                     {"flags", flags_json(l.flags)},
                     {"addresses", json::array()}});
    }
  }
  for (const auto& rec : *list) {
    if (!o.name.empty() && rec.name != o.name) continue;
    const bool wanted = want == family_preference::any ||
                        (want == family_preference::inet && rec.family == family::inet) ||
                        (want == family_preference::inet6 && rec.family == family::inet6);
    // Like `ip -4 addr`: with -4/-6 an interface is listed only for an address of that
    // family, unless it was asked for by name.
    if (!wanted && o.name.empty()) continue;
    auto [it, inserted] = position.try_emplace(rec.name, doc.size());
    if (inserted) {
      doc.push_back({{"name", rec.name},
                     {"index", rec.index},
                     {"flags", flags_json(rec.flags)},
                     {"addresses", json::array()}});
    }
    if (!wanted) continue;
    json addr{{"family", std::string(family_name(rec.family))},
              {"addr", rec.addr},
              {"mask", rec.mask},
              {"prefixlen", rec.prefixlen}};
    if (!rec.broadcast.empty()) addr["broadcast"] = rec.broadcast;
    doc[it->second]["addresses"].push_back(std::move(addr));
  }
  if (!o.name.empty() && doc.empty()) {
    out.failure(library_error("interface", ENODEV, "no such interface: " + o.name), false);
    return 1;
  }
  if (out.json_mode()) {
    out.document(doc);
    return 0;
  }
  // Text: one header line per interface, then its addresses in aligned columns.
  std::size_t width = 0;
  for (const auto& i : doc) {
    for (const auto& a : i["addresses"]) {
      width = std::max(width, a["addr"].get<std::string>().size() + 4);
    }
  }
  for (const auto& i : doc) {
    std::string flags;
    for (const auto& f : i["flags"]) flags += (flags.empty() ? "" : ",") + f.get<std::string>();
    out.text(std::to_string(i["index"].get<unsigned>()) + ": " + i["name"].get<std::string>() +
             " <" + flags + ">");
    for (const auto& a : i["addresses"]) {
      std::string line =
          "    " + pad(a["family"].get<std::string>(), 6) +
          pad(a["addr"].get<std::string>() + "/" + std::to_string(a["prefixlen"].get<int>()),
              width + 2) +
          "mask " + a["mask"].get<std::string>();
      if (a.contains("broadcast")) line += "  brd " + a["broadcast"].get<std::string>();
      out.text(line);
    }
  }
  return 0;
}

}  // namespace

command register_ifaces(CLI::App& app) {
  auto opts = std::make_shared<ifaces_options>();
  CLI::App* sub = app.add_subcommand("ifaces", "List network interfaces and their addresses");
  sub->footer(
      "--json prints an array: [{name, index, flags [...], addresses [{family, addr, mask,\n"
      "prefixlen[, broadcast]}]}]. An unknown NAME is an error (exit 1).\n"
      "Example: lsock ifaces lo --json");
  sub->add_option("NAME", opts->name, "Only this interface")->type_name("");
  auto* v4 = sub->add_flag("-4", opts->v4, "IPv4 addresses only");
  sub->add_flag("-6", opts->v6, "IPv6 addresses only")->excludes(v4);
  return {sub, [opts](const output& out) { return run(*opts, out); }};
}

}  // namespace lsock::cli
