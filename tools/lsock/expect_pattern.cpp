// GCC 12 at -O2 with -fsanitize=address,undefined reports -Wmaybe-uninitialized inside <regex>
// (the std::function of its NFA states, in std_function.h: libstdc++'s code, not ours), and the
// asan preset builds with -Werror. That one warning is off for this file, the only one
// that uses <regex>; it is set before any include because the warning points into headers
// (std_function.h) that other headers may bring in first. Clang (the fuzz preset) has no such
// warning and would reject the unknown name.
#if defined(__GNUC__) && !defined(__clang__)
#pragma GCC diagnostic ignored "-Wmaybe-uninitialized"
#endif

#include "expect_pattern.hpp"

#include <algorithm>
#include <regex>

#include "usage_error.hpp"

namespace lsock::cli {
namespace {

namespace rc = std::regex_constants;

/// ECMAScript with `^` and `$` at line starts and ends (a banner after a first line).
/// __polynomial (a libstdc++ extension) picks the Thompson NFA executor: time polynomial in the
/// input and a stack that does not grow with it. The default backtracking executor took
/// exponential time on `(a|aa)*b` and overflowed the stack on `a.*z` over 64 KiB of 'a'.
constexpr auto syntax = std::regex::ECMAScript | std::regex::multiline | rc::__polynomial;

/// The pattern, and a detector that tells in one pass whether it matches anywhere: with
/// match_continuous the lazy prefix plays the role of every start position at once, where
/// regex_search would run the pattern again from each (quadratic in the window).
struct compiled {
  std::regex pattern;
  std::regex detector;
};

compiled compile(std::string_view pattern) {
  const std::string p(pattern);
  // Safe to wrap: a pattern that compiled has balanced groups and classes.
  return {std::regex(p, syntax), std::regex("[\\s\\S]*?(?:" + p + ")", syntax)};
}

/// libstdc++'s own words where they are right ("invalid range in '{}'"), lower-cased and
/// without " in regular expression"; its '(' message also covers a quantifier with nothing
/// before it ("*a"), and two are about its internals.
std::string describe(const std::regex_error& e) {
  if (e.code() == rc::error_space) return "too large (over 100000 NFA states)";
  if (e.code() == rc::error_complexity) return "back-references are not supported";
  std::string what = e.what();
  if (e.code() == rc::error_paren && what.rfind("Mismatched", 0) == 0) {
    return "mismatched ( and ), or nothing before *, + or ?";
  }
  for (const std::string_view tail :
       {std::string_view(" in regular expression"), std::string_view(".")}) {
    if (what.size() >= tail.size() &&
        what.compare(what.size() - tail.size(), tail.size(), tail.data(), tail.size()) == 0) {
      what.resize(what.size() - tail.size());
    }
  }
  if (!what.empty() && what[0] >= 'A' && what[0] <= 'Z') what[0] = static_cast<char>(what[0] + 32);
  return what;
}

}  // namespace

std::string expect_pattern_problem(std::string_view pattern) {
  if (pattern.size() > expect_pattern::max_pattern_bytes) {
    return "longer than " + std::to_string(expect_pattern::max_pattern_bytes) + " bytes";
  }
  try {
    const compiled c = compile(pattern);
    const std::string none;
    if (std::regex_search(none, c.pattern, rc::match_not_eol | rc::match_not_eow)) {
      return "it matches empty text, so it would be met before anything arrives";
    }
  } catch (const std::regex_error& e) {
    return describe(e);
  }
  return {};
}

struct expect_pattern::state {
  std::string source;
  compiled re;
  /// The bytes searched next time: when `dropped`, window[0] is only context (the byte
  /// before, for `^` and `\b`), then up to `history` bytes, then the new piece.
  std::string window;
  bool dropped = false;
  bool matched = false;
  std::string text;
  std::size_t scanned = 0;

  void search(rc::match_flag_type at_end) {
    const auto first = window.cbegin() + (dropped ? 1 : 0);
    const auto flags = at_end | (dropped ? rc::match_prev_avail : rc::match_default);
    scanned += static_cast<std::size_t>(window.cend() - first);
    if (!std::regex_search(first, window.cend(), re.detector, flags | rc::match_continuous)) {
      return;
    }
    // Once per run: the leftmost match, for the report.
    std::smatch m;
    if (std::regex_search(first, window.cend(), m, re.pattern, flags)) text = m.str();
    matched = true;
  }
  void keep_history() {
    if (window.size() <= history + 1) return;
    window.erase(0, window.size() - (history + 1));
    dropped = true;
  }
};

expect_pattern::expect_pattern(std::string_view pattern) {
  if (const std::string problem = expect_pattern_problem(pattern); !problem.empty()) {
    throw usage_error("--expect: invalid pattern '" + std::string(pattern) + "': " + problem);
  }
  s_ = std::make_unique<state>(
      state{std::string(pattern), compile(pattern), {}, false, false, {}, 0});
}

expect_pattern::~expect_pattern() = default;
expect_pattern::expect_pattern(expect_pattern&&) noexcept = default;
expect_pattern& expect_pattern::operator=(expect_pattern&&) noexcept = default;

bool expect_pattern::feed(std::string_view data) {
  while (!data.empty() && !s_->matched) {
    const std::size_t n = std::min(data.size(), slice);
    s_->window.append(data.substr(0, n));
    data.remove_prefix(n);
    // What follows the data is not known yet: `$` and `\b` cannot match at its end.
    s_->search(rc::match_not_eol | rc::match_not_eow);
    s_->keep_history();
  }
  return s_->matched;
}

bool expect_pattern::finish() {
  if (!s_->matched) s_->search(rc::match_default);
  return s_->matched;
}

bool expect_pattern::matched() const noexcept { return s_->matched; }
const std::string& expect_pattern::text() const noexcept { return s_->text; }
const std::string& expect_pattern::source() const noexcept { return s_->source; }
std::size_t expect_pattern::scanned_bytes() const noexcept { return s_->scanned; }
std::size_t expect_pattern::held_bytes() const noexcept { return s_->window.size(); }

}  // namespace lsock::cli
