#include "option_checks.hpp"

#include <charconv>
#include <cmath>
#include <cstdio>
#include <limits>
#include <string>

namespace lsock::cli {
CLI::Validator whole_number(long long min, long long max) {
  return CLI::Validator(
      [min, max](std::string& text) -> std::string {
        long long v = 0;
        const auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), v);
        if (ec == std::errc() && end == text.data() + text.size() && v >= min && v <= max) {
          return {};
        }
        std::string range = max == std::numeric_limits<long long>::max()
                                ? "from " + std::to_string(min)
                                : std::to_string(min) + "-" + std::to_string(max);
        return "expected a whole number " + range + ", got '" + text + "'";
      },
      "");
}

CLI::Validator seconds(double max) {
  return CLI::Validator(
      [max](std::string& text) -> std::string {
        double v = 0;
        const auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), v);
        if (ec == std::errc() && end == text.data() + text.size() && std::isfinite(v) && v >= 0 &&
            v <= max) {
          return {};
        }
        char limit[32];
        (void)std::snprintf(limit, sizeof limit, "%.0f", max);
        return "expected seconds from 0 to " + std::string(limit) + " (such as 2 or 0.5), got '" +
               text + "'";
      },
      "");
}

}  // namespace lsock::cli
