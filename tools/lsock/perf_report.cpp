#include "perf_report.hpp"

#include <chrono>
#include <cmath>
#include <cstdio>
#include <ctime>
#include <lsock/socket_tuning.hpp>

#include "monotonic_time.hpp"
#include "text_format.hpp"

namespace lsock::cli {

double round_to(double v, double unit) {
  const double scale = std::round(1 / unit);
  return std::round(v * scale) / scale;
}

namespace {

double rate(double bytes, double seconds) { return seconds > 0 ? bytes * 8 / seconds : 0.0; }

std::string fmt(const char* f, double a, const char* unit) {
  char buf[64];
  (void)std::snprintf(buf, sizeof buf, f, a, unit);
  return buf;
}

std::string scaled(double v, double base, const char* const units[4]) {
  int i = 0;
  while (i < 3 && v >= base * 0.9999) {
    v /= base;
    ++i;
  }
  return fmt(v >= 100 ? "%.0f %s" : v >= 10 ? "%.1f %s" : "%.2f %s", v, units[i]);
}

std::string id_text(const std::string& id) {
  char buf[16];
  (void)std::snprintf(buf, sizeof buf, "[%3s]", id.c_str());
  return buf;
}

}  // namespace

std::string span_text(double a, double b) {
  // iperf3 prints a short last interval with bytes in it as "1.00-1.00" (its server does); more
  // decimals, as many as the ends need to differ (at most the microseconds measured), say what
  // it was and move the columns little.
  auto fixed = [](double v, int decimals) {
    char num[32];
    (void)std::snprintf(num, sizeof num, "%.*f", decimals, v);
    return std::string(num);
  };
  int decimals = 2;
  while (decimals < 6 && a != b && fixed(a, decimals) == fixed(b, decimals)) ++decimals;
  char buf[80];
  (void)std::snprintf(buf, sizeof buf, "%6s-%-6s sec", fixed(a, decimals).c_str(),
                      fixed(b, decimals).c_str());
  return buf;
}

std::string bytes_text(double bytes) {
  static const char* const units[4] = {"Bytes", "KBytes", "MBytes", "GBytes"};
  return scaled(bytes, 1024, units);
}

std::string rate_text(double bps) {
  static const char* const units[4] = {"bits/sec", "Kbits/sec", "Mbits/sec", "Gbits/sec"};
  return scaled(bps, 1000, units);
}

perf_meter::perf_meter(const perf_params& p, bool sends, double interval_s)
    : p_(p), sends_(sends), interval_s_(interval_s) {}

void perf_meter::start() {
  t0_ = now_ns();
  cpu0_ = process_cpu_seconds();
  last_.assign(streams_.size(), {});
  last_retrans_.assign(streams_.size(), 0);
  for (auto& s : streams_) s->start();
}

std::int64_t perf_meter::next_report_ns() const noexcept {
  if (interval_s_ <= 0) return 0;
  return t0_ + static_cast<std::int64_t>(interval_s_ * 1e9 * (reports_ + 1));
}

void perf_meter::stop_all() noexcept {
  for (auto& s : streams_) s->stop();
}

void perf_meter::abort_all() noexcept {
  for (auto& s : streams_) s->abort();
}

bool perf_meter::all_done() const noexcept {
  for (const auto& s : streams_) {
    if (!s->done()) return false;
  }
  return true;
}

std::optional<lsock::error> perf_meter::failure() const {
  for (const auto& s : streams_) {
    if (auto e = s->failure()) return e;
  }
  return std::nullopt;
}

json perf_meter::stream_interval(std::size_t i, double span_s) {
  const stream_snapshot now = streams_[i]->snapshot();
  const stream_snapshot& was = last_[i];
  const auto bytes = now.bytes - was.bytes;
  json j{{"id", i + 1},
         {"bytes", bytes},
         {"bits_per_second", round_to(rate(static_cast<double>(bytes), span_s), 1)}};
  if (p_.udp) {
    j["packets"] = now.packets - was.packets;
    if (!sends_) {
      j["lost"] = now.lost >= was.lost ? now.lost - was.lost : 0;
      j["jitter_ms"] = round_to(now.jitter_ms, 0.001);
    }
  } else if (auto st = tcp_statistics(streams_[i]->sock())) {
    j["retransmits"] = st->retransmits - last_retrans_[i];
    j["rtt_us"] = st->rtt_us;
    j["snd_cwnd"] = st->snd_cwnd;
    last_retrans_[i] = st->retransmits;
  }
  last_[i] = now;
  return j;
}

void perf_meter::report(const output& out, bool final) {
  const double end_s = static_cast<double>(now_ns() - t0_) / 1e9;
  const double span = end_s - last_end_s_;
  json streams = json::array();
  std::uint64_t bytes = 0;
  for (std::size_t i = 0; i < streams_.size(); ++i) {
    streams.push_back(stream_interval(i, span));
    bytes += streams.back()["bytes"].get<std::uint64_t>();
  }
  ++reports_;
  if (final && bytes == 0) return;  // nothing moved since the last report
  json ev{{"event", "interval"},
          {"start_s", round_to(last_end_s_, 1e-6)},
          {"end_s", round_to(end_s, 1e-6)},
          {"bytes", bytes},
          {"bits_per_second", round_to(rate(static_cast<double>(bytes), span), 1)},
          {"streams", streams}};
  last_end_s_ = end_s;
  if (out.json_mode()) {
    out.event(std::move(ev), "");
  } else {
    print_interval(out, ev);
  }
}

void perf_meter::print_header(const output& out) const {
  if (!p_.udp) {
    out.text(sends_ ? "[ ID] Interval           Transfer     Bitrate         Retr  Cwnd"
                    : "[ ID] Interval           Transfer     Bitrate");
  } else {
    out.text(sends_ ? "[ ID] Interval           Transfer     Bitrate         Total Datagrams"
                    : "[ ID] Interval           Transfer     Bitrate         Jitter    "
                      "Lost/Total Datagrams");
  }
}

void perf_meter::print_interval(const output& out, const json& ev) const {
  const double a = ev["start_s"].get<double>(), b = ev["end_s"].get<double>();
  auto line = [&](const std::string& id, const json& j) {
    std::string s = id_text(id) + " " + span_text(a, b) + "  " +
                    pad(bytes_text(j["bytes"].get<double>()), 13) +
                    pad(rate_text(j["bits_per_second"].get<double>()), 16);
    char extra[96] = "";
    if (j.contains("retransmits") && sends_) {
      (void)std::snprintf(extra, sizeof extra, "%4llu   %s",
                          j["retransmits"].get<unsigned long long>(),
                          bytes_text(j["snd_cwnd"].get<double>()).c_str());
    } else if (j.contains("jitter_ms")) {
      const auto lost = j["lost"].get<unsigned long long>();
      const auto total = lost + j["packets"].get<unsigned long long>();
      (void)std::snprintf(
          extra, sizeof extra, "%.3f ms  %llu/%llu (%.2g%%)", j["jitter_ms"].get<double>(), lost,
          total, total ? 100.0 * static_cast<double>(lost) / static_cast<double>(total) : 0.0);
    } else if (j.contains("packets")) {
      (void)std::snprintf(extra, sizeof extra, "%llu", j["packets"].get<unsigned long long>());
    }
    out.text(s + extra);
  };
  for (const json& s : ev["streams"]) line(std::to_string(s["id"].get<int>()), s);
  if (ev["streams"].size() > 1) {
    line("SUM", json{{"bytes", ev["bytes"]}, {"bits_per_second", ev["bits_per_second"]}});
  }
}

json perf_meter::totals() const {
  std::uint64_t bytes = 0, packets = 0, lost = 0, retrans = 0;
  double seconds = 0, jitter = 0;
  for (const auto& s : streams_) {
    const stream_snapshot st = s->snapshot();
    bytes += st.bytes;
    packets += st.packets;
    lost += st.lost;
    jitter += st.jitter_ms / static_cast<double>(streams_.size());
    seconds = std::max(seconds, s->seconds());
    if (auto t = tcp_statistics(s->sock())) retrans += t->retransmits;
  }
  const double wall = static_cast<double>(now_ns() - t0_) / 1e9;
  json j{
      {"bytes", bytes},
      {"seconds", round_to(seconds, 1e-6)},
      {"bits_per_second", round_to(rate(static_cast<double>(bytes), seconds), 1)},
      {"retransmits", retrans},
      {"cpu_percent", round_to(wall > 0 ? 100 * (process_cpu_seconds() - cpu0_) / wall : 0, 0.1)}};
  if (p_.udp) {
    j["packets"] = packets;
    j["lost"] = lost;
    j["lost_percent"] = round_to(
        packets + lost ? 100.0 * static_cast<double>(lost) / static_cast<double>(packets + lost)
                       : 0.0,
        0.001);
    j["jitter_ms"] = round_to(jitter, 0.001);
  }
  return j;
}

json perf_meter::start_event(double interval_s) const {
  json streams = json::array();
  for (std::size_t i = 0; i < streams_.size(); ++i) {
    json s{{"id", i + 1}};
    if (auto l = streams_[i]->sock().local_endpoint()) s["local"] = endpoint_json(*l);
    if (auto r = streams_[i]->setup().to ? result<endpoint>(*streams_[i]->setup().to)
                                         : streams_[i]->sock().peer_endpoint()) {
      s["remote"] = endpoint_json(*r);
    }
    streams.push_back(std::move(s));
  }
  return json{{"event", "start"},       {"protocol", p_.udp ? "udp" : "tcp"},
              {"parallel", p_.streams}, {"reverse", p_.reverse},
              {"time", p_.time},        {"length", p_.length},
              {"bitrate", p_.bitrate},  {"interval", interval_s},
              {"streams", streams}};
}

json end_event(const perf_params& p, bool local_sends, const json& local, const json& remote,
               bool interrupted) {
  const json& sent = local_sends ? local : remote;
  const json& received = local_sends ? remote : local;
  auto part = [](const json& t, bool with_loss) {
    json j{{"bytes", t.value("bytes", std::uint64_t{0})},
           {"seconds", t.value("seconds", 0.0)},
           {"bits_per_second", t.value("bits_per_second", 0.0)}};
    if (t.contains("packets")) j["packets"] = t["packets"];
    if (with_loss && t.contains("lost")) {
      j["lost"] = t["lost"];
      j["lost_percent"] = t["lost_percent"];
      j["jitter_ms"] = t["jitter_ms"];
    }
    return j;
  };
  return json{
      {"event", "end"},
      {"protocol", p.udp ? "udp" : "tcp"},
      {"parallel", p.streams},
      {"reverse", p.reverse},
      {"sent", part(sent, false)},
      {"received", part(received, true)},
      {"retransmits", sent.value("retransmits", std::uint64_t{0})},
      {"cpu_percent",
       {{"local", local.value("cpu_percent", 0.0)}, {"remote", remote.value("cpu_percent", 0.0)}}},
      {"interrupted", interrupted}};
}

void print_summary(const output& out, const json& end) {
  out.text("- - - - - - - - - - - - - - - - - - - - - - - - -");
  const bool udp = end["protocol"] == "udp";
  out.text(udp ? "[ ID] Interval           Transfer     Bitrate         Jitter    Lost/Total "
                 "Datagrams"
               : "[ ID] Interval           Transfer     Bitrate         Retr");
  const std::string id = end["parallel"].get<int>() > 1 ? "SUM" : "1";
  auto line = [&](const json& t, const std::string& tail) {
    return id_text(id) + " " + span_text(0, t["seconds"].get<double>()) + "  " +
           pad(bytes_text(t["bytes"].get<double>()), 13) +
           pad(rate_text(t["bits_per_second"].get<double>()), 16) + tail;
  };
  const json& s = end["sent"];
  const json& r = end["received"];
  char buf[96];
  if (udp) {
    (void)std::snprintf(buf, sizeof buf, "%.3f ms  %llu/%llu (%.2g%%)  receiver",
                        r.value("jitter_ms", 0.0), r.value("lost", 0ULL),
                        r.value("lost", 0ULL) + r.value("packets", 0ULL),
                        r.value("lost_percent", 0.0));
    out.text(line(s, "0.000 ms  0/" + std::to_string(s.value("packets", 0ULL)) + " (0%)  sender"));
  } else {
    (void)std::snprintf(buf, sizeof buf, "%4lld             sender",
                        end["retransmits"].get<long long>());
    out.text(line(s, buf));
    (void)std::snprintf(buf, sizeof buf, "                  receiver");
  }
  out.text(line(r, buf));
  (void)std::snprintf(buf, sizeof buf, "CPU Utilization: local %.1f%%, remote %.1f%%",
                      end["cpu_percent"]["local"].get<double>(),
                      end["cpu_percent"]["remote"].get<double>());
  out.text(buf);
  if (end["interrupted"].get<bool>()) out.text("(interrupted)");
}

}  // namespace lsock::cli
