// Str: the immutable string of rule data.
//
// A rule feed of 200,000 advisories holds about two million strings, most of
// them short ("npm", "MAL-2025-1234") or repeated in every rule (the file
// name, the kind, "Remove the package and rotate secrets."). std::string
// spends 32 bytes on each plus a heap block for anything over 15 bytes, and
// cannot share. Str is 16 bytes: up to 15 bytes inline (the last byte holds
// 15 - size, so a full buffer is its own terminating NUL, as in folly's
// fbstring), longer text in one reference-counted block that copies share.
// The rule loader interns repeated values, so a feed's kinds and file names
// are one block each (docs/performance.md, "Rule scale").
//
// Read-only by design: assign a new value rather than edit one. Copies may
// be made and dropped from several threads (the count is atomic).
#pragma once

#include <atomic>
#include <cstdint>
#include <cstring>
#include <functional>
#include <ostream>
#include <string>
#include <string_view>

#include <fmt/format.h>

namespace gv {

class Str {
 public:
  static constexpr size_t kInline = 15;  // longest text kept inline

  Str() noexcept { set_small_size(0); }
  Str(std::string_view s) { assign(s); }  // NOLINT: implicit, as std::string's
  Str(const std::string& s) : Str(std::string_view(s)) {}
  Str(const char* s) : Str(std::string_view(s)) {}
  Str(const Str& o) noexcept : rep_(o.rep_) {
    if (is_large()) rep_.large.block->refs.fetch_add(1, std::memory_order_relaxed);
  }
  Str(Str&& o) noexcept : rep_(o.rep_) { o.set_small_size(0); }
  Str& operator=(const Str& o) noexcept {
    if (this != &o) {
      Str copy(o);
      swap(copy);
    }
    return *this;
  }
  Str& operator=(Str&& o) noexcept {
    if (this != &o) {
      release();
      rep_ = o.rep_;
      o.set_small_size(0);
    }
    return *this;
  }
  ~Str() { release(); }

  const char* data() const { return is_large() ? rep_.large.block->text : rep_.small.buf; }
  const char* c_str() const { return data(); }  // always NUL-terminated
  size_t size() const { return is_large() ? rep_.large.size : kSmall - rep_.small.tag; }
  bool empty() const { return size() == 0; }
  const char* begin() const { return data(); }
  const char* end() const { return data() + size(); }
  char front() const { return *data(); }
  char back() const { return data()[size() - 1]; }
  char operator[](size_t i) const { return data()[i]; }
  void clear() { *this = Str(); }

  std::string_view view() const { return {data(), size()}; }
  operator std::string_view() const { return view(); }  // NOLINT
  std::string str() const { return std::string(view()); }
  operator std::string() const { return str(); }  // NOLINT: where a std::string is wanted

  // std::string_view's searches, for code that reads rule fields.
  bool starts_with(std::string_view p) const { return view().starts_with(p); }
  bool ends_with(std::string_view p) const { return view().ends_with(p); }
  size_t find(std::string_view s, size_t pos = 0) const { return view().find(s, pos); }
  size_t find(char c, size_t pos = 0) const { return view().find(c, pos); }
  std::string_view substr(size_t pos, size_t n = std::string_view::npos) const {
    return view().substr(pos, n);
  }

  void swap(Str& o) noexcept { std::swap(rep_, o.rep_); }

  // Hidden friends, found only when a Str takes part: as free functions they
  // would make every string_view comparison in gv ambiguous (Str converts
  // both ways). Their bodies compare as string_view, explicitly.
  friend bool operator==(const Str& a, const Str& b) { return a.view() == b.view(); }
  friend bool operator==(const Str& a, std::string_view b) { return a.view() == b; }
  friend bool operator==(const Str& a, const std::string& b) { return a.view() == std::string_view(b); }
  friend bool operator==(const Str& a, const char* b) { return a.view() == std::string_view(b); }
  friend auto operator<=>(const Str& a, const Str& b) { return a.view() <=> b.view(); }
  friend auto operator<=>(const Str& a, std::string_view b) { return a.view() <=> b; }
  friend auto operator<=>(const Str& a, const std::string& b) { return a.view() <=> std::string_view(b); }
  friend auto operator<=>(const Str& a, const char* b) { return a.view() <=> std::string_view(b); }

  friend std::string operator+(const std::string& a, const Str& b) { return std::string(a).append(b.view()); }
  friend std::string operator+(std::string&& a, const Str& b) { return std::move(a.append(b.view())); }
  friend std::string operator+(const char* a, const Str& b) { return std::string(a).append(b.view()); }
  friend std::string operator+(const Str& a, const std::string& b) { return a.str().append(b); }
  friend std::string operator+(const Str& a, const char* b) { return a.str().append(b); }
  friend std::string operator+(const Str& a, char b) { return a.str().append(1, b); }
  friend std::string operator+(char a, const Str& b) { return std::string(1, a).append(b.view()); }
  friend std::ostream& operator<<(std::ostream& o, const Str& s) { return o << s.view(); }

 private:
  static constexpr uint8_t kSmall = kInline;
  static constexpr uint8_t kLargeTag = 0x80;
  struct Block {
    std::atomic<uint32_t> refs;
    char text[1];  // size + 1 bytes in fact
  };
  union Rep {
    struct {
      char buf[kSmall];
      uint8_t tag;  // kSmall - size
    } small;
    struct {
      Block* block;
      uint32_t size;
      char pad[3];
      uint8_t tag;  // kLargeTag
    } large;
  };
  static_assert(sizeof(Rep) == 16);

  bool is_large() const { return rep_.small.tag == kLargeTag; }
  void set_small_size(size_t n) {
    rep_.small.tag = static_cast<uint8_t>(kSmall - n);  // at n == 15, the tag is the NUL
    if (n < kSmall) rep_.small.buf[n] = '\0';
  }
  void assign(std::string_view s);  // str.cpp
  void release() noexcept;

  Rep rep_;
};

// nlohmann-json writes a Str as a string (found by argument-dependent lookup;
// a template so this header needs no JSON library).
template <typename Json>
void to_json(Json& j, const Str& s) {
  j = std::string(s.view());
}

}  // namespace gv

template <>
struct std::hash<gv::Str> {
  size_t operator()(const gv::Str& s) const noexcept { return std::hash<std::string_view>{}(s.view()); }
};

template <>
struct fmt::formatter<gv::Str> : fmt::formatter<std::string_view> {
  template <typename Context>
  auto format(const gv::Str& s, Context& ctx) const {
    return fmt::formatter<std::string_view>::format(s.view(), ctx);
  }
};
