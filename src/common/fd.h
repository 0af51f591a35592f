// An owned file descriptor, closed when it goes out of scope: one type for
// every layer instead of a small struct per file.
#pragma once

#include <unistd.h>

#include <utility>

namespace gv {

struct UniqueFd {
  int fd = -1;

  UniqueFd() = default;
  explicit UniqueFd(int f) : fd(f) {}
  UniqueFd(const UniqueFd&) = delete;
  UniqueFd& operator=(const UniqueFd&) = delete;
  UniqueFd(UniqueFd&& o) noexcept : fd(std::exchange(o.fd, -1)) {}
  UniqueFd& operator=(UniqueFd&& o) noexcept {
    if (this != &o) reset(std::exchange(o.fd, -1));
    return *this;
  }
  ~UniqueFd() { reset(); }

  // Closes the one held (if any) and holds `f`.
  void reset(int f = -1) {
    if (fd >= 0) ::close(fd);
    fd = f;
  }
  // Gives the descriptor up without closing it.
  int release() { return std::exchange(fd, -1); }
};

}  // namespace gv
