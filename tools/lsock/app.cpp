// lsock's command line: the command list, and the only place that turns failures into exit
// codes: 0 success, 1 operational failure, 2 usage error. main.cpp only calls run_lsock(), so
// the fuzzer can drive the same code in-process.

#include "app.hpp"

#include <CLI/CLI.hpp>
#include <cerrno>
#include <cstring>
#include <iostream>
#include <lsock/version.hpp>
#include <sstream>
#include <vector>

#include "commands.hpp"
#include "help_format.hpp"
#include "output.hpp"
#include "standard_streams.hpp"
#include "stop_signal.hpp"
#include "usage_error.hpp"

namespace {

/// `s` without the line break CLI11 ends its message with. A line break inside comes from
/// the user's argument (`--timeout $'1\n2'`): it is kept, so that the stderr line escapes it
/// (`'1\n2'`) and the JSON message quotes the argument as it was, not with a space.
std::string without_final_newlines(std::string s) {
  while (!s.empty() && (s.back() == '\n' || s.back() == ' ')) s.pop_back();
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

/// The subcommand the command line chose, else the top-level app.
const CLI::App* chosen(const CLI::App* app) {
  for (const CLI::App* sub : app->get_subcommands()) {
    if (sub->parsed()) return sub;
  }
  return app;
}

/// A wrong number of values: CLI11 names the option (or positional) first, before ": ".
std::string mismatch_message(const CLI::App* app, const CLI::Error& e) {
  std::string what = e.what();
  const CLI::Option* opt = chosen(app)->get_option_no_throw(what.substr(0, what.find(": ")));
  if (opt == nullptr) return what;
  if (opt->get_positional()) {
    const std::string expected = opt->get_name(true);
    return opt->count() > static_cast<std::size_t>(opt->get_items_expected_max())
               ? "too many arguments (expected " + expected + ")"
               : "missing arguments (expected " + expected + ")";
  }
  const std::string name = opt->get_name();
  if (opt->count() == 0) {
    const std::string type = opt->get_type_name();
    return name + " needs a value" + (type.empty() ? "" : " (" + type + ")");
  }
  return name + " given more than once";
}

/// lsock's wording of CLI11's usage errors (CLI11's failure_message hook).
std::string usage_message(const CLI::App* app, const CLI::Error& e) {
  if (dynamic_cast<const CLI::ArgumentMismatch*>(&e) != nullptr) return mismatch_message(app, e);
  if (dynamic_cast<const CLI::ExtrasError*>(&e) != nullptr) {
    std::string extras;
    for (const std::string& word : app->remaining(true)) {
      extras += (extras.empty() ? "" : " ") + word;
    }
    if (!extras.empty()) return "unexpected argument: " + extras;
  }
  return e.what();
}

/// Help or version text went to std::cout: a failed flush is a failed command (exit 1).
int checked_exit(CLI::App& app, const CLI::Error& e) {
  errno = 0;
  const int code = app.exit(e);
  std::cout.flush();
  if (std::cout) return code;
  const int err = errno != 0 ? errno : EIO;
  std::cout.clear();
  std::cerr << "lsock: " << lsock::cli::write_error(err).what() << '\n';
  return 1;
}

}  // namespace

namespace lsock::cli {
namespace {

/// The flags every command takes (CLI11 lets them follow the command too).
struct global_flags {
  bool json = false;
  bool timestamps = false;
};

/// The top-level app: description, --version, --json, --timestamps, lsock's usage messages.
void describe_app(CLI::App& app, global_flags& flags) {
  app.formatter(help_formatter());
  app.set_version_flag("--version", std::string("lsock ") + lsock::version);
  app.footer(
      "Run 'lsock COMMAND --help' for a command's options.\n"
      "Exit codes: 0 success, 1 operational failure, 2 usage error.\n"
      "Example: lsock resolve localhost");
  app.add_flag("--json", flags.json, "Machine-readable output (JSON / JSON Lines)");
  app.add_flag("--timestamps", flags.timestamps,
               "Start each line of text output with its time (RFC 3339 UTC, as JSON events' ts)");
  // Let global options follow the subcommand too: `lsock ifaces --json`.
  app.fallthrough();
  app.require_subcommand(1);
  app.failure_message(usage_message);
}

std::vector<command> register_commands(CLI::App& app) {
  std::vector<command> commands{
      register_resolve(app),     register_ifaces(app),     register_tcp_listen(app),
      register_tcp_connect(app), register_udp_send(app),   register_udp_listen(app),
      register_mcast_join(app),  register_mcast_send(app), register_tcp_ping(app),
      register_probe(app),       register_perf(app),       register_perf_server(app),
  };
  for (const command& cmd : commands) cmd.app->group("Commands");
  return commands;
}

/// --version: under --json a document {name, version}; else CLI11's line.
int print_version(CLI::App& app, const CLI::CallForVersion& e, int argc, char** argv) {
  if (!json_requested(argc, argv)) return checked_exit(app, e);
  try {
    output("", {.json = true}).document(json{{"name", "lsock"}, {"version", lsock::version}});
  } catch (const write_error& w) {
    output("", {}).error_line(w.what());
    return 1;
  }
  return 0;
}

/// When no command was parsed, what the user meant: the first word that is not an option
/// names the command; else the first option lsock does not know. `message` otherwise.
std::string top_level_message(const std::vector<command>& commands, const CLI::ParseError& e,
                              int argc, char** argv, std::string message) {
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
  return message;
}

/// A command line CLI11 rejected: one usage line (and, under --json, the error object shaped
/// as the chosen command's errors are). Exit 2.
int report_parse_error(CLI::App& app, const std::vector<command>& commands,
                       const CLI::ParseError& e, int argc, char** argv) {
  const command* chosen_cmd = nullptr;
  for (const command& cmd : commands) {
    if (cmd.app->parsed()) chosen_cmd = &cmd;
  }
  std::ostringstream ignored;
  std::ostringstream rendered;
  (void)app.exit(e, ignored, rendered);
  std::string message = without_final_newlines(rendered.str());
  if (chosen_cmd == nullptr) message = top_level_message(commands, e, argc, argv, message);
  const output out(chosen_cmd != nullptr ? chosen_cmd->app->get_name() : "",
                   {.json = json_requested(argc, argv),
                    .streams = chosen_cmd != nullptr && chosen_cmd->streams});
  out.usage_failure(message);
  return 2;
}

/// Runs the parsed command; its exceptions become exit codes here, and only here.
int run_command(const command& cmd, const global_flags& flags) {
  const output out(cmd.app->get_name(),
                   {.json = flags.json, .streams = cmd.streams, .timestamps = flags.timestamps});
  // Whichever way the command ends, the signal handling it set up ends with it.
  struct stop_handlers_scope {
    ~stop_handlers_scope() { remove_stop_handlers(); }
  } const stop_scope;
  try {
    return cmd.run(out);
  } catch (const usage_error& e) {
    out.usage_failure(e.what());
    return 2;
  } catch (const write_error& e) {
    // stdout is what failed: the message goes to stderr only.
    out.error_line(e.what());
    return 1;
  } catch (const std::exception& e) {
    out.failure(library_error("internal", EIO, e.what()));
    return 1;
  }
}

}  // namespace

int run_lsock(int argc, char** argv) {
  CLI::App app{
      "lsock: resolve names, list interfaces, listen, connect, send and join multicast "
      "groups.\nHuman text by default; --json for one JSON document, or JSON Lines "
      "events for commands that keep running.",
      "lsock"};
  global_flags flags;
  describe_app(app, flags);
  const std::vector<command> commands = register_commands(app);
  try {
    app.parse(argc, argv);
  } catch (const CLI::CallForHelp& e) {
    return checked_exit(app, e);
  } catch (const CLI::CallForAllHelp& e) {
    return checked_exit(app, e);
  } catch (const CLI::CallForVersion& e) {
    return print_version(app, e, argc, argv);
  } catch (const CLI::ParseError& e) {
    return report_parse_error(app, commands, e, argc, argv);
  }
  for (const command& cmd : commands) {
    if (cmd.app->parsed()) return run_command(cmd, flags);
  }
  return 2;
}

}  // namespace lsock::cli
