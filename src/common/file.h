// Reading whole files. Lockfiles are read in one go into a buffer padded for
// simdjson (which may read up to 64 bytes past the end); size limits protect
// against a hostile 1 GB "lockfile" exhausting memory.
#pragma once

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>

#include "common/error.h"

namespace gv {

// Bytes of padding kept readable after the contents (simdjson::SIMDJSON_PADDING).
inline constexpr size_t kReadPadding = 64;
// Files larger than this are refused with a clear error rather than read.
inline constexpr size_t kDefaultMaxFileBytes = size_t{512} << 20;

class FileBuffer {
 public:
  FileBuffer() = default;
  std::string_view view() const { return {data_.data(), size_}; }
  size_t size() const { return size_; }
  // Capacity includes kReadPadding zero bytes after size().
  const std::string& padded() const { return data_; }
  // Returns the memory pages lying wholly inside bytes [from, to) to the
  // system: the caller is done with those bytes and must not read them again
  // (they read as zeros). A 140 MB rule feed is read front to back once, and
  // its rules need not share memory with its text.
  void release(size_t from, size_t to);

 private:
  friend std::optional<Error> read_file(const std::string& path, FileBuffer* out, size_t max_bytes);
  std::string data_;
  size_t size_ = 0;
};

// Reads `path` into `out`. Errors name the path and the reason (missing,
// a directory, unreadable, too large).
std::optional<Error> read_file(const std::string& path, FileBuffer* out,
                               size_t max_bytes = kDefaultMaxFileBytes);

}  // namespace gv
