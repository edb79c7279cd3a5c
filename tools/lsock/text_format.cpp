#include "text_format.hpp"

#include <cstdio>

namespace lsock::cli {

std::string pad(std::string s, std::size_t width) {
  if (s.size() < width) s.append(width - s.size(), ' ');
  return s;
}

std::string ms_text(double ms) {
  char buf[32];
  (void)std::snprintf(buf, sizeof buf, "%.3f ms", ms);
  return buf;
}

std::string seconds_text(double seconds) {
  char buf[32];
  (void)std::snprintf(buf, sizeof buf, "%g s", seconds);
  return buf;
}

}  // namespace lsock::cli
