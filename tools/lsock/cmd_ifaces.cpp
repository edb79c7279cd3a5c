// lsock ifaces [NAME] [-4|-6]: interfaces, their link-layer details and addresses, as
// `ip addr` shows them.

#include <algorithm>
#include <cerrno>
#include <lsock/interfaces.hpp>

#include "commands.hpp"
#include "shared_options.hpp"
#include "text_format.hpp"

namespace lsock::cli {
namespace {

struct ifaces_options {
  std::string name;
  bool v4 = false;
  bool v6 = false;
};

/// One interface to show and the addresses of it to show.
struct shown_interface {
  const interface_info* iface;
  std::vector<const address_info*> addresses;
};

bool family_wanted(family_preference want, family f) {
  return want == family_preference::any || (want == family_preference::inet && f == family::inet) ||
         (want == family_preference::inet6 && f == family::inet6);
}

/// NAME is an interface's name or, failing that, an address label ("v0:alias"): then that
/// interface with only the addresses carrying the label. With -4/-6 and no NAME, like
/// `ip -4 addr`, only interfaces with an address of that family; a named one is always shown.
std::vector<shown_interface> pick(const std::vector<interface_info>& table,
                                  const ifaces_options& o) {
  const auto want = family_choice(o.v4, o.v6);
  const bool by_name = std::any_of(table.begin(), table.end(),
                                   [&](const interface_info& i) { return i.name == o.name; });
  const bool by_label = !o.name.empty() && !by_name;
  std::vector<shown_interface> out;
  for (const auto& i : table) {
    if (by_name && i.name != o.name) continue;
    shown_interface s{&i, {}};
    bool labelled = false;
    for (const auto& a : i.addresses) {
      const bool selected = !by_label || a.label == o.name;
      labelled = labelled || (by_label && selected);
      if (selected && family_wanted(want, a.family)) s.addresses.push_back(&a);
    }
    if (by_label && !labelled) continue;
    if (o.name.empty() && want != family_preference::any && s.addresses.empty()) continue;
    out.push_back(std::move(s));
  }
  return out;
}

json lifetime_json(const std::optional<std::uint32_t>& seconds) {
  return seconds ? json(*seconds) : json(nullptr);
}

json address_json(const interface_info& i, const address_info& a) {
  json j{{"family", std::string(family_name(a.family))},
         {"addr", a.addr},
         {"mask", a.mask},
         {"prefixlen", a.prefixlen},
         {"scope", a.scope}};
  if (a.scope_id != 0) {
    j["scope_id"] = a.scope_id;
    j["zone"] = i.name;
  }
  if (!a.peer.empty()) j["peer"] = a.peer;
  if (!a.broadcast.empty()) j["broadcast"] = a.broadcast;
  if (!a.label.empty()) j["label"] = a.label;
  j["flags"] = a.flags;
  j["valid_lft_s"] = lifetime_json(a.valid_lft);
  j["preferred_lft_s"] = lifetime_json(a.preferred_lft);
  return j;
}

json interface_json(const shown_interface& s) {
  const interface_info& i = *s.iface;
  json j{{"name", i.name}, {"index", i.index},         {"flags", i.flags},
         {"mtu", i.mtu},   {"operstate", i.operstate}, {"link_type", i.link_type}};
  if (!i.address.empty()) j["address"] = i.address;
  if (!i.broadcast.empty()) j["broadcast"] = i.broadcast;
  if (!i.qdisc.empty()) j["qdisc"] = i.qdisc;
  j["txqlen"] = i.txqlen;
  if (!i.link.empty()) j["link"] = i.link;
  if (!i.master.empty()) j["master"] = i.master;
  json addrs = json::array();
  for (const auto* a : s.addresses) addrs.push_back(address_json(i, *a));
  j["addresses"] = std::move(addrs);
  return j;
}

std::string lifetime_text(const std::optional<std::uint32_t>& seconds) {
  return seconds ? std::to_string(*seconds) + "sec" : "forever";
}

std::string join(const std::vector<std::string>& parts, std::string_view sep) {
  std::string out;
  for (const auto& p : parts) out += (out.empty() ? "" : std::string(sep)) + p;
  return out;
}

/// The text columns of one address: family, address[%zone]/prefix, IPv4 mask, peer or broadcast,
/// scope, lifetimes, then flags and a label that differs from the interface's name.
std::vector<std::string> address_cells(const interface_info& i, const address_info& a) {
  const std::string zone = a.scope_id != 0 ? "%" + i.name : "";
  std::string extra = join(a.flags, " ");
  if (!a.label.empty() && a.label != i.name)
    extra += (extra.empty() ? "label " : " label ") + a.label;
  return {std::string(family_name(a.family)), a.addr + zone + "/" + std::to_string(a.prefixlen),
          // IPv6 masks are long and nobody reads them: the prefix length says it all.
          a.family == family::inet ? "mask " + a.mask : "",
          !a.peer.empty()        ? "peer " + a.peer
          : !a.broadcast.empty() ? "brd " + a.broadcast
                                 : "",
          "scope " + a.scope,
          "valid_lft " + lifetime_text(a.valid_lft) + " preferred_lft " +
              lifetime_text(a.preferred_lft),
          extra};
}

/// ip's first two lines of an interface: index, name[@link], flags, mtu, qdisc, master, state,
/// queue length; link type and address.
std::vector<std::string> interface_lines(const interface_info& i) {
  std::string link = "    link/" + i.link_type;
  if (!i.address.empty()) link += " " + i.address;
  const bool p2p = std::find(i.flags.begin(), i.flags.end(), "POINTOPOINT") != i.flags.end();
  if (!i.broadcast.empty()) link += (p2p ? " peer " : " brd ") + i.broadcast;
  std::string head = std::to_string(i.index) + ": " + i.name +
                     (i.link.empty() ? "" : "@" + i.link) + " <" + join(i.flags, ",") + "> mtu " +
                     std::to_string(i.mtu);
  if (!i.qdisc.empty()) head += " qdisc " + i.qdisc;
  if (!i.master.empty()) head += " master " + i.master;
  head += " state " + i.operstate + " qlen " + std::to_string(i.txqlen);
  return {head, link};
}

/// Text for people: each interface's lines, then its addresses in columns aligned across
/// the whole listing.
void print_text(const std::vector<shown_interface>& shown, const output& out) {
  std::vector<std::size_t> width;
  for (const auto& s : shown) {
    for (const auto* a : s.addresses) {
      const auto cells = address_cells(*s.iface, *a);
      width.resize(cells.size(), 0);
      for (std::size_t c = 0; c < cells.size(); ++c) width[c] = std::max(width[c], cells[c].size());
    }
  }
  for (const auto& s : shown) {
    for (const auto& line : interface_lines(*s.iface)) out.text(line);
    for (const auto* a : s.addresses) {
      std::string line = "   ";
      const auto cells = address_cells(*s.iface, *a);
      for (std::size_t c = 0; c < cells.size(); ++c) {
        if (width[c] != 0) line += " " + pad(cells[c], width[c]);
      }
      line.erase(line.find_last_not_of(' ') + 1);
      out.text(line);
    }
  }
}

int run(const ifaces_options& o, const output& out) {
  auto table = lsock::interface_table();
  if (!table) {
    out.failure(table.error());
    return 1;
  }
  const auto shown = pick(*table, o);
  if (!o.name.empty() && shown.empty()) {
    out.failure(library_error("interface", ENODEV, "no such interface: " + o.name));
    return 1;
  }
  if (!out.json_mode()) {
    print_text(shown, out);
    return 0;
  }
  json doc = json::array();
  for (const auto& s : shown) doc.push_back(interface_json(s));
  out.document(doc);
  return 0;
}

}  // namespace

command register_ifaces(CLI::App& app) {
  auto opts = std::make_shared<ifaces_options>();
  CLI::App* sub = app.add_subcommand("ifaces", "List network interfaces and their addresses");
  sub->footer(
      "--json prints an array: [{name, index, flags [...], mtu, operstate, link_type[, address,\n"
      "broadcast][, qdisc], txqlen[, link][, master], addresses [{family, addr, mask, prefixlen, "
      "scope[, scope_id, zone][, peer]\n"
      "[, broadcast][, label], flags [...], valid_lft_s, preferred_lft_s}]}]; a lifetime of\n"
      "null is forever. NAME may be an address label (v0:alias). With -4/-6 a named\n"
      "interface is shown even without such addresses. An unknown NAME is exit 1.\n"
      "Example: lsock ifaces lo --json");
  sub->add_option("NAME", opts->name, "Only this interface (or address label)")->type_name("");
  add_family_flags(*sub, opts->v4, opts->v6, "IPv4 addresses only", "IPv6 addresses only");
  return {sub, [opts](const output& out) { return run(*opts, out); }};
}

}  // namespace lsock::cli
