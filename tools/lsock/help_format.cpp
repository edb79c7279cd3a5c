#include "help_format.hpp"

#include <string>

namespace lsock::cli {
namespace {

class lsock_formatter : public CLI::Formatter {
 public:
  std::string make_option_usage(const CLI::Option* opt) const override {
    std::string name = make_option_name(opt, true);
    return opt->get_required() ? name : "[" + name + "]";
  }
  /// A positional's name already says how many it takes ("HOST PORT"): drop CLI11's " x 2".
  std::string make_option_opts(const CLI::Option* opt) const override {
    std::string opts = CLI::Formatter::make_option_opts(opt);
    const std::string marker = " x " + std::to_string(opt->get_expected_min());
    if (opt->get_positional() && opt->get_expected_min() > 1) {
      if (const auto at = opts.find(marker); at != std::string::npos) opts.erase(at, marker.size());
    }
    return opts;
  }
};

}  // namespace

std::shared_ptr<CLI::Formatter> help_formatter() {
  auto f = std::make_shared<lsock_formatter>();
  f->label("SUBCOMMAND", "COMMAND");
  return f;
}

}  // namespace lsock::cli
