// lsock's command line: the command list, and the only place that turns failures into exit
// codes: 0 success, 1 operational failure, 2 usage error. main.cpp only calls run_lsock(), so
// the fuzzer can drive the same code in-process.

#include "app.hpp"

#include <CLI/CLI.hpp>
#include <iostream>
#include <lsock/version.hpp>
#include <vector>

#include "commands.hpp"
#include "common.hpp"
#include "output.hpp"

namespace {

/// CLI11 messages can span lines; a usage error is one line.
std::string one_line(std::string s) {
  for (char& c : s) {
    if (c == '\n') c = ' ';
  }
  while (!s.empty() && s.back() == ' ') s.pop_back();
  return s;
}

}  // namespace

namespace lsock::cli {

int run_lsock(int argc, char** argv) {
  CLI::App app{
      "lsock: resolve names, list interfaces, listen, connect, send and join multicast "
      "groups.\nHuman text by default; --json for one JSON document, or JSON Lines "
      "events for commands that keep running.",
      "lsock"};
  app.set_version_flag("--version", std::string("lsock ") + lsock::version);
  app.footer(
      "Exit codes: 0 success, 1 operational failure, 2 usage error.\n"
      "Example: lsock resolve localhost");
  bool json_mode = false;
  app.add_flag("--json", json_mode, "Machine-readable output (JSON / JSON Lines)");
  // Let global options follow the subcommand too: `lsock ifaces --json`.
  app.fallthrough();
  app.require_subcommand(1);

  const std::vector<command> commands{
      register_resolve(app),     register_ifaces(app),     register_tcp_listen(app),
      register_tcp_connect(app), register_udp_send(app),   register_udp_listen(app),
      register_mcast_join(app),  register_mcast_send(app),
  };

  try {
    app.parse(argc, argv);
  } catch (const CLI::CallForHelp& e) {
    return app.exit(e);
  } catch (const CLI::CallForAllHelp& e) {
    return app.exit(e);
  } catch (const CLI::CallForVersion& e) {
    return app.exit(e);
  } catch (const CLI::ParseError& e) {
    std::string where = "lsock";
    for (const CLI::App* sub : app.get_subcommands()) where += ": " + sub->get_name();
    std::string message = one_line(e.what());
    if (app.get_subcommands().empty()) {
      // The first word that is not an option is what the user meant as the command.
      for (int i = 1; i < argc; ++i) {
        if (argv[i][0] != '-') {
          message = std::string("unknown command '") + argv[i] + "' (see lsock --help)";
          break;
        }
      }
    }
    std::cerr << where << ": " << message << '\n';
    return 2;
  }

  for (const command& cmd : commands) {
    if (!cmd.app->parsed()) continue;
    const output out(cmd.app->get_name(), json_mode);
    try {
      return cmd.run(out);
    } catch (const usage_error& e) {
      std::cerr << "lsock: " << cmd.app->get_name() << ": " << e.what() << '\n';
      return 2;
    } catch (const std::exception& e) {
      std::cerr << "lsock: " << cmd.app->get_name() << ": " << e.what() << '\n';
      return 1;
    }
  }
  return 2;
}

}  // namespace lsock::cli
