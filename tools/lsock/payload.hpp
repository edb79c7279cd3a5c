#pragma once
// How received bytes are shown: as text when they are valid UTF-8, else as base64.

#include <string>
#include <string_view>

namespace lsock::cli {

[[nodiscard]] bool is_valid_utf8(std::string_view s) noexcept;
[[nodiscard]] std::string base64(std::string_view s);

}  // namespace lsock::cli
