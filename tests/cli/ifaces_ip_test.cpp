// `lsock --json ifaces` against `ip -j addr`, field by field, inside a private network namespace
// (tests/netns/run-in-netns.sh) holding lo, veth pairs, a point-to-point address, a labelled
// address, a secondary address, addresses with lifetimes, a link-local IPv6 address with its
// zone, and links that are promiscuous, without ARP, without carrier and point-to-point.
#include <unistd.h>

#include <cstdlib>
#include <fstream>
#include <set>

#include "cli_support.hpp"

namespace lsock::test {
namespace {

// The namespace's set-up runs without any sanitizer runtime the test was started with.
void ip(const std::string& args) {
  ASSERT_EQ(std::system(("env -u LD_PRELOAD ip " + args).c_str()), 0) << "ip " << args;
}

json ip_json(const std::vector<std::string>& args) {
  std::vector<std::string> cmd{"/usr/bin/env", "-u", "LD_PRELOAD", "ip", "-j"};
  cmd.insert(cmd.end(), args.begin(), args.end());
  auto r = run(cmd);
  EXPECT_EQ(r.exit_code, 0) << r.err;
  return parse(r.out);
}

json lsock_json(const std::vector<std::string>& args) {
  std::vector<std::string> cmd{"--json", "ifaces"};
  cmd.insert(cmd.end(), args.begin(), args.end());
  auto r = run(lsock(cmd));
  EXPECT_EQ(r.exit_code, 0) << r.err;
  return parse(r.out);
}

bool have_tun = false;

class IfacesVsIp : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    // No duplicate address detection: no address is "tentative" for a moment and then not.
    std::ofstream("/proc/sys/net/ipv6/conf/default/accept_dad") << "0\n";
    ip("link add v0 type veth peer name v1");
    ip("addr add 10.77.0.1/24 brd + dev v0");
    ip("addr add 10.77.0.9/24 dev v0");  // a secondary address
    ip("addr add 10.88.0.1 peer 10.88.0.2/32 dev v0");
    ip("addr add 10.77.1.1/24 dev v0 label v0:alias");
    ip("-6 addr add fd77::1/64 dev v0 nodad");
    ip("-6 addr add 2001:db8::5/64 dev v0 nodad valid_lft 3600 preferred_lft 1800");
    ip("-6 addr add fe80::1/64 dev v0 nodad");
    ip("-6 addr add fd00::1 peer fd00::2 dev v0 nodad");
    ip("link set v0 up");
    ip("link set v1 mtu 9000 promisc on arp off up");
    // w0 is up on a peer that is down: no carrier, "M-DOWN"; w1 has no address at all.
    ip("link add w0 type veth peer name w1");
    ip("link set w0 up");
    ip("link add b0 type bridge");
    ip("link set w1 master b0");
    // A tun device (point-to-point, no link-layer address) where /dev/net/tun exists.
    have_tun = std::system("env -u LD_PRELOAD ip tuntap add mode tun name tun0 2>/dev/null") == 0;
    if (have_tun) ip("link set tun0 up");
    wait_for_carrier();
  }

  /// The kernel brings a veth's carrier up and gives it its own link-local address a moment
  /// after `ip link set up` (linkwatch runs up to a second later): wait for that, bounded.
  static void wait_for_carrier() {
    for (int i = 0; i < 100; ++i) {
      int settled = 0;
      for (const auto& l : ip_json({"addr", "show", "up"})) {
        const std::string name = l.value("ifname", "");
        if (name != "v0" && name != "v1") continue;
        for (const auto& a : l.value("addr_info", json::array())) {
          const bool own_ll = a.value("scope", "") == "link" && a.value("local", "") != "fe80::1";
          if (own_ll && l.value("operstate", "") == "UP") ++settled;
        }
      }
      if (settled == 2) return;
      usleep(100 * 1000);
    }
  }
};

/// ip's address flags are boolean keys ("secondary": true); lsock's are an array of names.
std::set<std::string> ip_address_flags(const json& a) {
  std::set<std::string> out;
  for (const auto& [key, value] : a.items()) {
    if (value.is_boolean() && value.get<bool>()) out.insert(key);
  }
  if (a.contains("ifa_flags")) out.insert(a["ifa_flags"].get<std::string>());
  return out;
}

/// Lifetimes count down while the two tools run one after the other: allow two seconds.
void expect_lifetime(const json& ip_value, const json& ours, const std::string& what) {
  if (ip_value.get<std::uint64_t>() == 4294967295U) {
    EXPECT_TRUE(ours.is_null()) << what << ": forever is null, not " << ours;
    return;
  }
  ASSERT_TRUE(ours.is_number_unsigned()) << what << ": " << ours;
  const auto a = ip_value.get<std::int64_t>(), b = ours.get<std::int64_t>();
  EXPECT_LE(std::llabs(a - b), 2) << what << ": ip " << a << ", lsock " << b;
}

void expect_same_address(const json& ip_a, const json& a, const std::string& ifname,
                         unsigned index) {
  SCOPED_TRACE(ip_a.dump());
  EXPECT_EQ(a["family"], ip_a["family"]);
  EXPECT_EQ(a["addr"], ip_a["local"]);
  EXPECT_EQ(a["prefixlen"], ip_a["prefixlen"]);
  EXPECT_EQ(a["scope"], ip_a["scope"]);
  // ip calls the peer of a point-to-point address "address".
  EXPECT_EQ(a.value("peer", ""), ip_a.value("address", ""));
  EXPECT_EQ(a.value("broadcast", ""), ip_a.value("broadcast", ""));
  EXPECT_EQ(a.value("label", ""), ip_a.value("label", ""));
  const auto flags = a["flags"].get<std::set<std::string>>();
  EXPECT_EQ(flags, ip_address_flags(ip_a));
  expect_lifetime(ip_a["valid_life_time"], a["valid_lft_s"], "valid");
  expect_lifetime(ip_a["preferred_life_time"], a["preferred_lft_s"], "preferred");
  // The zone of a link-local IPv6 address is its interface.
  const bool zoned = ip_a["family"] == "inet6" && ip_a["scope"] == "link";
  EXPECT_EQ(a.value("scope_id", 0u), zoned ? index : 0u);
  EXPECT_EQ(a.value("zone", ""), zoned ? ifname : "");
}

void expect_same_interface(const json& ip_i, const json& i) {
  SCOPED_TRACE(ip_i["ifname"].get<std::string>());
  EXPECT_EQ(i["name"], ip_i["ifname"]);
  EXPECT_EQ(i["index"], ip_i["ifindex"]);
  EXPECT_EQ(i["flags"], ip_i["flags"]);  // the same names in the same order
  EXPECT_EQ(i["mtu"], ip_i["mtu"]);
  EXPECT_EQ(i["operstate"], ip_i["operstate"]);
  EXPECT_EQ(i["txqlen"], ip_i.value("txqlen", 0));
  EXPECT_EQ(i.value("master", ""), ip_i.value("master", ""));
  // ip names the link it sits on, or writes null (index 0) or "ifN" (not found here).
  const json ip_link = ip_i.value("link", json());
  const bool named = ip_link.is_string() && ip_link.get<std::string>().rfind("if", 0) != 0;
  EXPECT_EQ(i.value("link", ""), named ? ip_link.get<std::string>() : "");
  // `ip -4`/`ip -6` leave the link layer and (-6) the qdisc out; lsock always has them.
  EXPECT_TRUE(i["link_type"].is_string());
  if (ip_i.contains("link_type")) {
    EXPECT_EQ(i.value("qdisc", ""), ip_i.value("qdisc", ""));
    EXPECT_EQ(i["link_type"], ip_i["link_type"]);
    EXPECT_EQ(i.value("address", ""), ip_i.value("address", ""));
    EXPECT_EQ(i.value("broadcast", ""), ip_i.value("broadcast", ""));
  }
  const json none = json::array();
  const json& ip_addrs = ip_i.contains("addr_info") ? ip_i["addr_info"] : none;
  ASSERT_EQ(i["addresses"].size(), ip_addrs.size()) << i["addresses"].dump();
  for (std::size_t k = 0; k < ip_addrs.size(); ++k) {
    expect_same_address(ip_addrs[k], i["addresses"][k], i["name"], i["index"]);
  }
}

/// ip's listing, without the lifetimes that count down.
json steady(json doc) {
  for (auto& i : doc) {
    if (!i.contains("addr_info")) continue;
    for (auto& a : i["addr_info"]) {
      a.erase("valid_life_time");
      a.erase("preferred_life_time");
    }
  }
  return doc;
}

/// lsock's listing taken between two equal listings of ip, so both saw the same state.
std::pair<json, json> snapshot(const std::vector<std::string>& ip_args,
                               const std::vector<std::string>& lsock_args) {
  for (int attempt = 0; attempt < 20; ++attempt) {
    json before = ip_json(ip_args);
    json ours = lsock_json(lsock_args);
    json after = ip_json(ip_args);
    if (steady(before) == steady(after)) return {before, ours};
    usleep(200 * 1000);
  }
  ADD_FAILURE() << "the interfaces kept changing";
  return {};
}

void expect_same_listing(const json& ip_doc, const json& ours) {
  ASSERT_TRUE(ip_doc.is_array());
  ASSERT_TRUE(ours.is_array());
  ASSERT_EQ(ours.size(), ip_doc.size()) << ours.dump();
  for (std::size_t k = 0; k < ip_doc.size(); ++k) expect_same_interface(ip_doc[k], ours[k]);
}

TEST_F(IfacesVsIp, EveryInterfaceAndAddressMatchesIp) {
  auto [ip_doc, ours] = snapshot({"addr"}, {});
  expect_same_listing(ip_doc, ours);
  // The set-up's features really are in the listing being compared.
  const std::string text = ours.dump();
  for (const char* needle :
       {"\"peer\":\"10.88.0.2\"", "\"label\":\"v0:alias\"", "\"secondary\"", "\"zone\":\"v0\"",
        "\"PROMISC\"", "\"NOARP\"", "\"M-DOWN\"", "\"NO-CARRIER\"", "\"LOWERLAYERDOWN\"",
        "\"valid_lft_s\":36", "\"master\":\"b0\"", "\"link\":\"v1\""}) {
    EXPECT_NE(text.find(needle), std::string::npos) << needle << " missing in " << text;
  }
  if (have_tun) {
    EXPECT_NE(text.find("\"POINTOPOINT\""), std::string::npos);
  } else {
    std::printf("note: no /dev/net/tun here; the point-to-point link is not compared\n");
  }
}

TEST_F(IfacesVsIp, OneInterfaceAndOneFamilyMatchIp) {
  for (const std::vector<std::string>& args :
       {std::vector<std::string>{"-4"}, std::vector<std::string>{"-6"},
        std::vector<std::string>{"v0"}, std::vector<std::string>{"-4", "v0"},
        std::vector<std::string>{"-6", "v0"}}) {
    SCOPED_TRACE(args.back());
    std::vector<std::string> ip_args;
    if (args.front() == "-4" || args.front() == "-6") ip_args.push_back(args.front());
    ip_args.push_back("addr");
    if (args.back() == "v0") ip_args.insert(ip_args.end(), {"show", "dev", "v0"});
    auto [ip_doc, ours] = snapshot(ip_args, args);
    expect_same_listing(ip_doc, ours);
  }
}

// The labelled address belongs to v0 (one entry, same index); its label selects it alone.
TEST_F(IfacesVsIp, LabelledAddressBelongsToItsInterface) {
  const json all = lsock_json({});
  const json v0 = lsock_json({"v0"});
  ASSERT_EQ(v0.size(), 1u);
  int same_index = 0;
  for (const auto& i : all) {
    EXPECT_NE(i["name"], "v0:alias");
    same_index += i["index"] == v0[0]["index"] ? 1 : 0;
  }
  EXPECT_EQ(same_index, 1);
  bool found = false;
  for (const auto& a : v0[0]["addresses"]) found = found || a.value("label", "") == "v0:alias";
  EXPECT_TRUE(found) << v0.dump();
  const json alias = lsock_json({"v0:alias"});
  ASSERT_EQ(alias.size(), 1u);
  EXPECT_EQ(alias[0]["name"], "v0");
  ASSERT_EQ(alias[0]["addresses"].size(), 1u);
  EXPECT_EQ(alias[0]["addresses"][0]["addr"], "10.77.1.1");
}

// ip omits an interface without IPv6 from `ip -6 addr show dev w1`; lsock shows it, empty.
TEST_F(IfacesVsIp, NamedInterfaceWithoutThatFamilyIsShownEmpty) {
  for (const char* fam : {"-6", "-4"}) {
    const json r = lsock_json({fam, "w1"});
    ASSERT_EQ(r.size(), 1u) << r.dump();
    EXPECT_EQ(r[0]["name"], "w1");
    EXPECT_TRUE(r[0]["addresses"].empty());
  }
}

// Text: ip's header lines, the zone after link-local addresses, columns aligned.
TEST_F(IfacesVsIp, TextShowsZonesPeersLabelsInColumns) {
  auto r = run(lsock({"ifaces", "v0"}));
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_NE(r.out.find("v0@v1 <BROADCAST,MULTICAST,UP,LOWER_UP> mtu 1500 qdisc noqueue state UP "
                       "qlen 1000\n"),
            std::string::npos)
      << r.out;
  EXPECT_NE(r.out.find("    link/ether "), std::string::npos) << r.out;
  for (const char* needle : {"fe80::1%v0/64", "peer 10.88.0.2", "label v0:alias", "brd 10.77.0.255",
                             "scope link", "sec preferred_lft 1", "secondary"}) {
    EXPECT_NE(r.out.find(needle), std::string::npos) << needle << " in\n" << r.out;
  }
  std::size_t column = std::string::npos;
  std::size_t lines = 0;
  std::size_t start = 0;
  while (start < r.out.size()) {
    const std::size_t nl = r.out.find('\n', start);
    const std::string line = r.out.substr(start, nl - start);
    start = nl + 1;
    if (line.rfind("    inet", 0) != 0) continue;
    ++lines;
    const std::size_t at = line.find("scope ");
    if (column == std::string::npos) column = at;
    EXPECT_EQ(at, column) << "not aligned:\n" << r.out;
  }
  EXPECT_EQ(lines, lsock_json({"v0"})[0]["addresses"].size()) << r.out;
}

}  // namespace
}  // namespace lsock::test
