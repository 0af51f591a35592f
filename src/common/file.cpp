#include "common/file.h"

#include <fcntl.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <algorithm>
#include <cstdint>
#include <cstring>

namespace gv {

void FileBuffer::release(size_t from, size_t to) {
  const auto page = static_cast<uintptr_t>(::sysconf(_SC_PAGESIZE));
  to = std::min(to, size_);
  if (from >= to) return;
  const auto base = reinterpret_cast<uintptr_t>(data_.data());
  const uintptr_t begin = (base + from + page - 1) / page * page;
  const uintptr_t end = (base + to) / page * page;
  // Advice only: if the system declines, the bytes stay as they were.
  if (begin < end) ::madvise(reinterpret_cast<void*>(begin), end - begin, MADV_DONTNEED);
}

std::optional<Error> read_file(const std::string& path, FileBuffer* out, size_t max_bytes) {
  // O_NONBLOCK: a path swapped for a FIFO after it was listed must not block
  // the open; fstat below then refuses it. Regular files ignore the flag.
  int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC | O_NONBLOCK);
  if (fd < 0) return Error{path, 0, 0, std::string("cannot open: ") + std::strerror(errno)};
  struct stat st {};
  if (::fstat(fd, &st) != 0) {
    int e = errno;
    ::close(fd);
    return Error{path, 0, 0, std::string("cannot stat: ") + std::strerror(e)};
  }
  if (S_ISDIR(st.st_mode)) {
    ::close(fd);
    return Error{path, 0, 0, "is a directory, not a file"};
  }
  if (!S_ISREG(st.st_mode)) {
    ::close(fd);
    return Error{path, 0, 0, "not a regular file"};
  }
  if (static_cast<uint64_t>(st.st_size) > max_bytes) {
    ::close(fd);
    return Error{path, 0, 0,
                 "file is " + std::to_string(st.st_size) + " bytes, over the limit of " +
                     std::to_string(max_bytes) + " bytes; not scanned"};
  }
  size_t want = static_cast<size_t>(st.st_size);
  out->data_.assign(want + kReadPadding, '\0');
  size_t got = 0;
  while (got < want) {
    ssize_t n = ::read(fd, out->data_.data() + got, want - got);
    if (n < 0) {
      if (errno == EINTR) continue;
      int e = errno;
      ::close(fd);
      return Error{path, 0, 0, std::string("read failed: ") + std::strerror(e)};
    }
    if (n == 0) break;  // file shrank while reading
    got += static_cast<size_t>(n);
  }
  ::close(fd);
  out->size_ = got;
  return std::nullopt;
}

}  // namespace gv
