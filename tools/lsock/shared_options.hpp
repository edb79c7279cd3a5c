#pragma once
// The options several commands share (--count, --interval, --timeout, -4/-6): registered by one
// helper each, so they are checked and shown alike everywhere. What an option means differs per
// command, so each caller passes its help text; each helper returns the option for the
// caller's own additions (->capture_default_str(), ->needs(...)).

#include <CLI/CLI.hpp>
#include <lsock/address.hpp>
#include <string>

namespace lsock::cli {

/// `names` N ("--count", or "-c,--count"): a whole number from 1.
CLI::Option* add_count_option(CLI::App& sub, long long& count, const std::string& help,
                              const std::string& names = "--count");
/// -i,--interval S: seconds from 0 to max_seconds.
CLI::Option* add_interval_seconds_option(CLI::App& sub, double& seconds, const std::string& help);
/// --interval MS: whole milliseconds from 0 to a day.
CLI::Option* add_interval_ms_option(CLI::App& sub, long long& ms, const std::string& help);
/// --timeout S: seconds from 0 to max_seconds.
CLI::Option* add_timeout_option(CLI::App& sub, double& seconds, const std::string& help);
/// -4 and -6, which exclude each other.
void add_family_flags(CLI::App& sub, bool& v4, bool& v6, const std::string& help4 = "IPv4 only",
                      const std::string& help6 = "IPv6 only");

/// The -4 / -6 flags as a family preference.
family_preference family_choice(bool v4, bool v6);

}  // namespace lsock::cli
