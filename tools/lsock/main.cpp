// lsock: the network-diagnostics CLI.
#include "app.hpp"

int main(int argc, char** argv) { return lsock::cli::run_lsock(argc, argv); }
