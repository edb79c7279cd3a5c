#pragma once
// Bytes waiting to be written, taken from the front without moving the rest on every write.

#include <cstddef>
#include <string>
#include <string_view>

namespace lsock::cli {

class byte_queue {
 public:
  [[nodiscard]] std::string_view front() const noexcept {
    return std::string_view(buf_).substr(head_);
  }
  [[nodiscard]] std::size_t size() const noexcept { return buf_.size() - head_; }
  [[nodiscard]] bool empty() const noexcept { return size() == 0; }

  void append(std::string_view data) {
    // Reclaim the consumed front once it is the larger part: each byte moves O(1) times.
    if (head_ > 0 && head_ >= buf_.size() / 2) {
      buf_.erase(0, head_);
      head_ = 0;
    }
    buf_.append(data);
  }
  /// Drops the first `n` bytes (n <= size()).
  void consume(std::size_t n) noexcept {
    head_ += n;
    if (head_ == buf_.size()) {
      buf_.clear();
      head_ = 0;
    }
  }

 private:
  std::string buf_;
  std::size_t head_ = 0;
};

}  // namespace lsock::cli
