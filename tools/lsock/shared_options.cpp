#include "shared_options.hpp"

#include <limits>

#include "option_checks.hpp"

namespace lsock::cli {

CLI::Option* add_count_option(CLI::App& sub, long long& count, const std::string& help,
                              const std::string& names) {
  return sub.add_option(names, count, help)
      ->check(whole_number(1, std::numeric_limits<long long>::max()))
      ->type_name("N");
}

CLI::Option* add_interval_seconds_option(CLI::App& sub, double& seconds_value,
                                         const std::string& help) {
  return sub.add_option("-i,--interval", seconds_value, help)->check(seconds())->type_name("S");
}

CLI::Option* add_interval_ms_option(CLI::App& sub, long long& ms, const std::string& help) {
  return sub.add_option("--interval", ms, help)
      ->check(whole_number(0, 86'400'000))
      ->type_name("MS");
}

CLI::Option* add_timeout_option(CLI::App& sub, double& seconds_value, const std::string& help) {
  return sub.add_option("--timeout", seconds_value, help)->check(seconds())->type_name("S");
}

void add_family_flags(CLI::App& sub, bool& v4, bool& v6, const std::string& help4,
                      const std::string& help6) {
  auto* four = sub.add_flag("-4", v4, help4);
  sub.add_flag("-6", v6, help6)->excludes(four);
}

family_preference family_choice(bool v4, bool v6) {
  if (v4) return family_preference::inet;
  if (v6) return family_preference::inet6;
  return family_preference::any;
}

}  // namespace lsock::cli
