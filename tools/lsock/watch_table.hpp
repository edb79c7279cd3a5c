#pragma once
// A descriptor table for a wait that runs again and again: it knows whether it changed since
// the last wait, so the selector need not compare it with what it watched before (with 10,000
// clients that comparison was the one cost per event that grew with the table).

#include <cstddef>
#include <initializer_list>
#include <span>
#include <vector>

namespace lsock::cli {

class watch_table {
 public:
  watch_table() = default;
  watch_table(std::initializer_list<int> fds) : fds_(fds) {}

  void set(std::size_t i, int fd) noexcept {
    if (fds_[i] == fd) return;
    fds_[i] = fd;
    changed_ = true;
  }
  void push_back(int fd) {
    fds_.push_back(fd);
    changed_ = true;
  }
  void pop_back() noexcept {
    fds_.pop_back();
    changed_ = true;
  }
  [[nodiscard]] int operator[](std::size_t i) const noexcept { return fds_[i]; }
  [[nodiscard]] std::size_t size() const noexcept { return fds_.size(); }
  [[nodiscard]] std::span<const int> fds() const noexcept { return fds_; }

  /// Whether an entry changed since the last waited(); a new table counts as changed.
  [[nodiscard]] bool changed() const noexcept { return changed_; }
  /// The selector has seen the table as it is now.
  void waited() noexcept { changed_ = false; }

 private:
  std::vector<int> fds_;
  bool changed_ = true;
};

}  // namespace lsock::cli
