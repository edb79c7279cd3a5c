// lsock ifaces [NAME] [-4|-6]: interfaces, their flags and addresses.

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
  for (const auto& rec : *list) {
    if (!o.name.empty() && rec.name != o.name) continue;
    if ((want == family_preference::inet && rec.family != family::inet) ||
        (want == family_preference::inet6 && rec.family != family::inet6)) {
      continue;
    }
    auto [it, inserted] = position.try_emplace(rec.name, doc.size());
    if (inserted) {
      doc.push_back({{"name", rec.name},
                     {"index", rec.index},
                     {"flags", flags_json(rec.flags)},
                     {"addresses", json::array()}});
    }
    json addr{{"family", std::string(family_name(rec.family))},
              {"addr", rec.addr},
              {"mask", rec.mask},
              {"prefixlen", rec.prefixlen}};
    if (!rec.broadcast.empty()) addr["broadcast"] = rec.broadcast;
    doc[it->second]["addresses"].push_back(std::move(addr));
  }
  if (!o.name.empty() && doc.empty()) {
    out.failure(library_error("ifaces", ENODEV, "no such interface: " + o.name), false);
    return 1;
  }
  if (out.json_mode()) {
    out.document(doc);
    return 0;
  }
  for (const auto& i : doc) {
    std::string flags;
    for (const auto& f : i["flags"]) flags += (flags.empty() ? "" : ",") + f.get<std::string>();
    out.text(std::to_string(i["index"].get<unsigned>()) + ": " + i["name"].get<std::string>() +
             " <" + flags + ">");
    for (const auto& a : i["addresses"]) {
      std::string fam = a["family"].get<std::string>();
      fam.resize(6, ' ');
      out.text("    " + fam + a["addr"].get<std::string>() + "/" +
               std::to_string(a["prefixlen"].get<int>()) + "  mask " +
               a["mask"].get<std::string>());
    }
  }
  return 0;
}

}  // namespace

command register_ifaces(CLI::App& app) {
  auto opts = std::make_shared<ifaces_options>();
  CLI::App* sub = app.add_subcommand("ifaces", "List network interfaces and their addresses");
  sub->footer("Example: lsock ifaces lo --json");
  sub->add_option("NAME", opts->name, "Only this interface");
  auto* v4 = sub->add_flag("-4", opts->v4, "IPv4 addresses only");
  sub->add_flag("-6", opts->v6, "IPv6 addresses only")->excludes(v4);
  return {sub, [opts](const output& out) { return run(*opts, out); }};
}

}  // namespace lsock::cli
