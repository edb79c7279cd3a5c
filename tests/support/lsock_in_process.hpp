#pragma once
// lsock's command line run in this process (cli::run_lsock) with std::cout and std::cerr
// captured, and what it printed read back as JSON. Used where libcore must be steered from
// inside the process: the fault tests (which program the syscall seam first) and the CLI fuzzer.

#include <iostream>
#include <nlohmann/json.hpp>
#include <optional>
#include <sstream>
#include <string>
#include <utility>
#include <vector>

#include "app.hpp"

namespace lsock::test {

/// What one in-process run of lsock left behind.
struct in_process_result {
  int code = -1;    ///< the exit code run_lsock returned
  std::string out;  ///< everything written to std::cout
  std::string err;  ///< everything written to std::cerr
};

/// Runs `lsock args...` (`args` without the program name) in this process.
inline in_process_result run_in_process(std::vector<std::string> args) {
  args.insert(args.begin(), "lsock");
  std::vector<char*> argv;
  argv.reserve(args.size() + 1);
  for (auto& a : args) argv.push_back(a.data());
  argv.push_back(nullptr);
  std::ostringstream out;
  std::ostringstream err;
  auto* old_out = std::cout.rdbuf(out.rdbuf());
  auto* old_err = std::cerr.rdbuf(err.rdbuf());
  in_process_result r;
  r.code = cli::run_lsock(static_cast<int>(args.size()), argv.data());
  std::cout.rdbuf(old_out);
  std::cerr.rdbuf(old_err);
  // A run whose writes failed leaves the streams' error state set: the next run starts clean.
  std::cout.clear();
  std::cerr.clear();
  r.out = out.str();
  r.err = err.str();
  return r;
}

/// Every JSON value in `text`: one document, or JSON Lines (one value a line); nullopt when
/// some line, an empty one included, is not JSON.
inline std::optional<std::vector<nlohmann::json>> printed_json(const std::string& text) {
  std::vector<nlohmann::json> docs;
  auto whole = nlohmann::json::parse(text, nullptr, false);
  if (!whole.is_discarded()) {
    docs.push_back(std::move(whole));
    return docs;
  }
  std::istringstream in(text);
  std::string line;
  while (std::getline(in, line)) {
    auto j = nlohmann::json::parse(line, nullptr, false);
    if (j.is_discarded()) return std::nullopt;
    docs.push_back(std::move(j));
  }
  return docs;
}

/// True if `pred` holds for some object in `j`, `j` itself or one nested at any depth.
template <class Pred>
bool any_object(const nlohmann::json& j, const Pred& pred) {
  if (j.is_object() && pred(j)) return true;
  if (j.is_structured()) {
    for (const auto& v : j) {
      if (any_object(v, pred)) return true;
    }
  }
  return false;
}

}  // namespace lsock::test
