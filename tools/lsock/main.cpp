// lsock: the network-diagnostics CLI.
#include "app.hpp"
#include "standard_streams.hpp"

int main(int argc, char** argv) {
  lsock::cli::prepare_standard_streams();
  return lsock::cli::run_lsock(argc, argv);
}
