#include "common/str.h"

#include <cstdlib>
#include <new>
#include <stdexcept>

namespace gv {

void Str::assign(std::string_view s) {
  if (s.size() <= kSmall) {
    if (!s.empty()) std::memcpy(rep_.small.buf, s.data(), s.size());
    set_small_size(s.size());
    return;
  }
  if (s.size() > UINT32_MAX) throw std::length_error("Str: over 4 GB");
  // One allocation: the count, then the text and its NUL.
  void* mem = std::malloc(offsetof(Block, text) + s.size() + 1);
  if (mem == nullptr) throw std::bad_alloc();
  Block* b = new (mem) Block;
  b->refs.store(1, std::memory_order_relaxed);
  std::memcpy(b->text, s.data(), s.size());
  b->text[s.size()] = '\0';
  rep_.large.block = b;
  rep_.large.size = static_cast<uint32_t>(s.size());
  rep_.large.tag = kLargeTag;
}

void Str::release() noexcept {
  if (!is_large()) return;
  Block* b = rep_.large.block;
  if (b->refs.fetch_sub(1, std::memory_order_acq_rel) == 1) {
    b->~Block();
    std::free(b);
  }
}

}  // namespace gv
