#pragma once
// Numbers and columns in the text output for people.

#include <cstddef>
#include <string>

namespace lsock::cli {

/// `s` padded with spaces to `width` columns (a column of aligned text).
[[nodiscard]] std::string pad(std::string s, std::size_t width);
/// "1.234 ms".
[[nodiscard]] std::string ms_text(double ms);
/// "3 s", "0.5 s".
[[nodiscard]] std::string seconds_text(double seconds);

}  // namespace lsock::cli
