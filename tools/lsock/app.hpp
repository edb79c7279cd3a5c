#pragma once

namespace lsock::cli {
/// Parses the command line and runs the chosen command; returns the exit code.
int run_lsock(int argc, char** argv);
}  // namespace lsock::cli
