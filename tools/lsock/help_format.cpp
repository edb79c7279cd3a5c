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
};

}  // namespace

std::shared_ptr<CLI::Formatter> help_formatter() {
  auto f = std::make_shared<lsock_formatter>();
  f->label("SUBCOMMAND", "COMMAND");
  return f;
}

}  // namespace lsock::cli
