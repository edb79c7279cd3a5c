// lsock's command line: the command list, and the only place that turns failures into exit
// codes: 0 success, 1 operational failure, 2 usage error. main.cpp only calls run_lsock(), so
// the fuzzer can drive the same code in-process.

#include "app.hpp"

#include <CLI/CLI.hpp>
#include <cerrno>
#include <cstring>
#include <iostream>
#include <lsock/version.hpp>
#include <vector>

#include "commands.hpp"
#include "common.hpp"
#include "options.hpp"
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

/// Whether --json is on the command line (before a "--"): a usage error is reported as JSON
/// too, even when parsing stopped before reaching the flag.
bool json_requested(int argc, char** argv) {
  for (int i = 1; i < argc; ++i) {
    if (std::strcmp(argv[i], "--") == 0) return false;
    if (std::strcmp(argv[i], "--json") == 0) return true;
  }
  return false;
}

}  // namespace

namespace lsock::cli {

int run_lsock(int argc, char** argv) {
  CLI::App app{
      "lsock: resolve names, list interfaces, listen, connect, send and join multicast "
      "groups.\nHuman text by default; --json for one JSON document, or JSON Lines "
      "events for commands that keep running.",
      "lsock"};
  app.formatter(help_formatter());
  app.set_version_flag("--version", std::string("lsock ") + lsock::version);
  app.footer(
      "Run 'lsock COMMAND --help' for a command's options.\n"
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
      register_mcast_join(app),  register_mcast_send(app), register_tcp_ping(app),
      register_probe(app),       register_perf(app),       register_perf_server(app),
  };

  for (const command& cmd : commands) cmd.app->group("Commands");

  try {
    app.parse(argc, argv);
  } catch (const CLI::CallForHelp& e) {
    return app.exit(e);
  } catch (const CLI::CallForAllHelp& e) {
    return app.exit(e);
  } catch (const CLI::CallForVersion& e) {
    if (json_requested(argc, argv)) {
      output("", true).document(json{{"name", "lsock"}, {"version", lsock::version}});
      return 0;
    }
    return app.exit(e);
  } catch (const CLI::ParseError& e) {
    std::string name;
    bool streams = false;
    for (const command& cmd : commands) {
      if (cmd.app->parsed()) {
        name = cmd.app->get_name();
        streams = cmd.streams;
      }
    }
    std::string message = one_line(e.what());
    if (dynamic_cast<const CLI::ArgumentMismatch*>(&e) != nullptr) {
      if (const auto at = message.find(": At Most "); at != std::string::npos) {
        message = message.substr(0, at) + ": too many arguments";
      }
    } else if (dynamic_cast<const CLI::ExtrasError*>(&e) != nullptr) {
      if (const auto at = message.find("not expected: "); at != std::string::npos) {
        message = "unexpected argument: " + message.substr(at + 14);
      }
    }
    if (name.empty()) {
      // What the user meant: the first word that is not an option names the command; else
      // the first option lsock does not know.
      for (int i = 1; i < argc; ++i) {
        const std::string word = argv[i];
        if (word == "--json") continue;
        if (word[0] == '-') {
          message = "unknown option '" + word + "' (see lsock --help)";
          break;
        }
        bool known = false;
        for (const command& cmd : commands) known = known || cmd.app->get_name() == word;
        if (!known) message = "unknown command '" + word + "' (see lsock --help)";
        break;
      }
      if (dynamic_cast<const CLI::RequiredError*>(&e) != nullptr &&
          argc <= 1 + json_requested(argc, argv)) {
        message = "missing COMMAND (see lsock --help)";
      }
    }
    output(name, json_requested(argc, argv)).usage_failure(message, streams);
    return 2;
  }

  for (const command& cmd : commands) {
    if (!cmd.app->parsed()) continue;
    const output out(cmd.app->get_name(), json_mode);
    try {
      return cmd.run(out);
    } catch (const usage_error& e) {
      out.usage_failure(e.what(), cmd.streams);
      return 2;
    } catch (const std::exception& e) {
      out.failure(library_error("internal", EIO, e.what()), cmd.streams);
      return 1;
    }
  }
  return 2;
}

}  // namespace lsock::cli
