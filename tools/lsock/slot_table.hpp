#pragma once
// Things kept at fixed positions (slots): O(1) insert, lookup and removal, freed slots reused.
// A loop over many clients keeps a descriptor table indexed by slot, so a change to one
// client changes one entry, and a ready index leads to its client without a search.

#include <cstddef>
#include <optional>
#include <utility>
#include <vector>

namespace lsock::cli {

template <class T>
class slot_table {
 public:
  /// Stores `value` in a free slot (the most recently freed one first) or a new one.
  std::size_t insert(T value) {
    ++live_;
    if (!free_.empty()) {
      const std::size_t slot = free_.back();
      free_.pop_back();
      items_[slot].emplace(std::move(value));
      return slot;
    }
    items_.emplace_back(std::move(value));
    return items_.size() - 1;
  }
  /// Destroys the slot's value and frees the slot (it must hold one).
  void erase(std::size_t slot) {
    items_[slot].reset();
    free_.push_back(slot);
    --live_;
  }
  /// The slot's value, or nullptr for a free slot or one past the end.
  [[nodiscard]] T* get(std::size_t slot) noexcept {
    return slot < items_.size() && items_[slot] ? &*items_[slot] : nullptr;
  }
  [[nodiscard]] std::size_t size() const noexcept { return live_; }
  [[nodiscard]] bool empty() const noexcept { return live_ == 0; }
  /// Slots used or free: every slot index is below this.
  [[nodiscard]] std::size_t slots() const noexcept { return items_.size(); }
  void clear() noexcept {
    items_.clear();
    free_.clear();
    live_ = 0;
  }

 private:
  std::vector<std::optional<T>> items_;
  std::vector<std::size_t> free_;
  std::size_t live_ = 0;
};

}  // namespace lsock::cli
