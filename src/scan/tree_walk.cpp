#include "scan/tree_walk.h"

#include <dirent.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <filesystem>
#include <set>
#include <utility>

namespace gv {
namespace {

namespace fs = std::filesystem;

std::string errno_reason(int err) {
  switch (err) {
    case ENOENT: return "vanished during the walk";
    case EACCES:
    case EPERM: return "permission denied";
    case ENOTDIR: return "not a directory";
    case ELOOP: return "is a symlink (not followed)";
    default: return std::strerror(err);
  }
}

EntryType type_of_mode(mode_t m) {
  if (S_ISREG(m)) return EntryType::kFile;
  if (S_ISDIR(m)) return EntryType::kDir;
  if (S_ISLNK(m)) return EntryType::kSymlink;
  return EntryType::kOther;
}

std::string join(const std::string& dir, std::string_view name) {
  std::string p;
  p.reserve(dir.size() + 1 + name.size());
  p = dir;
  if (p.empty() || p.back() != '/') p += '/';
  p += name;
  return p;
}

// Opens a folder without following a final symlink, so a folder swapped for
// a link between readdir and open is refused rather than followed.
int open_dir(const std::string& path) { return ::open(path.c_str(), O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC); }

std::optional<std::string> read_entries(int fd, std::vector<DirEntry>* out) {
  DIR* d = ::fdopendir(fd);
  if (d == nullptr) {
    int err = errno;
    ::close(fd);
    return errno_reason(err);
  }
  out->clear();
  errno = 0;
  while (dirent* e = ::readdir(d)) {
    std::string_view name = e->d_name;
    if (name == "." || name == "..") continue;
    DirEntry de;
    de.name = name;
    switch (e->d_type) {
      case DT_REG: de.type = EntryType::kFile; break;
      case DT_DIR: de.type = EntryType::kDir; break;
      case DT_LNK: de.type = EntryType::kSymlink; break;
      case DT_UNKNOWN: {
        // Some filesystems (older XFS, some FUSE) do not fill d_type.
        struct stat st {};
        de.type = ::fstatat(::dirfd(d), e->d_name, &st, AT_SYMLINK_NOFOLLOW) == 0 ? type_of_mode(st.st_mode)
                                                                                 : EntryType::kOther;
        break;
      }
      default: de.type = EntryType::kOther;
    }
    out->push_back(std::move(de));
    errno = 0;
  }
  const int err = errno;
  ::closedir(d);
  if (err != 0) return errno_reason(err);
  std::sort(out->begin(), out->end(), [](const DirEntry& a, const DirEntry& b) { return a.name < b.name; });
  return std::nullopt;
}

std::string lexical_abs(const std::string& p) {
  std::error_code ec;
  fs::path a = fs::absolute(fs::path(p), ec);
  return (ec ? fs::path(p) : a).lexically_normal().string();
}

bool inside(const std::string& path, const std::string& root) {
  if (path.size() < root.size() || path.compare(0, root.size(), root) != 0) return false;
  return path.size() == root.size() || root.back() == '/' || path[root.size()] == '/';
}

struct Walker {
  const WalkOptions& opts;
  const WalkVisitor& v;
  std::string root_abs;
  WalkCounts counts;
  std::set<std::pair<dev_t, ino_t>> seen;  // folders entered: a bind-mount loop is entered once
  std::vector<DirEntry> buf;

  void skip(const std::string& path, const std::string& reason) {
    ++counts.skipped;
    if (v.skip) v.skip(path, reason);
  }

  void symlink(const std::string& path) {
    ++counts.symlinks;
    if (!opts.report_external_symlinks) return;
    std::error_code ec;
    fs::path target = fs::read_symlink(path, ec);
    if (ec) return skip(path, "symlink that cannot be read (" + ec.message() + "), not followed");
    fs::path resolved = target.is_absolute() ? target : fs::path(path).parent_path() / target;
    std::string t = lexical_abs(resolved.string());
    if (!inside(t, root_abs)) skip(path, "symlink to " + target.string() + " outside the scanned tree, not followed");
  }

  void walk(const std::string& dir, uint32_t depth) {
    const int fd = open_dir(dir);
    if (fd < 0) return skip(dir, "cannot read folder: " + errno_reason(errno));
    struct stat st {};
    if (::fstat(fd, &st) == 0 && !seen.emplace(st.st_dev, st.st_ino).second) {
      ::close(fd);
      return skip(dir, "folder already walked (a bind mount or filesystem loop)");
    }
    std::vector<DirEntry> entries;
    if (auto err = read_entries(fd, &entries)) return skip(dir, "cannot read folder: " + *err);
    ++counts.dirs;
    for (const DirEntry& e : entries) {
      std::string path = join(dir, e.name);
      switch (e.type) {
        case EntryType::kDir:
          if (v.enter_dir && !v.enter_dir(path, e.name)) break;
          if (depth + 1 > opts.max_depth) {
            skip(path, "deeper than " + std::to_string(opts.max_depth) + " folders, not entered");
            break;
          }
          walk(path, depth + 1);
          break;
        case EntryType::kFile: {
          struct stat fst {};
          if (::lstat(path.c_str(), &fst) != 0) {
            skip(path, errno_reason(errno));
            break;
          }
          if (!S_ISREG(fst.st_mode)) {  // replaced since readdir
            skip(path, "changed type during the walk, not read");
            break;
          }
          ++counts.files;
          counts.bytes += static_cast<uint64_t>(fst.st_size);
          if (v.file) v.file(path, static_cast<uint64_t>(fst.st_size));
          break;
        }
        case EntryType::kSymlink: symlink(path); break;
        case EntryType::kOther: skip(path, "not a regular file or folder (device, FIFO or socket), not opened"); break;
      }
    }
  }
};

}  // namespace

std::optional<std::string> list_dir(const std::string& path, std::vector<DirEntry>* out) {
  out->clear();
  const int fd = open_dir(path);
  if (fd < 0) return errno_reason(errno);
  return read_entries(fd, out);
}

WalkCounts walk_tree(const std::string& root, const WalkOptions& opts, const WalkVisitor& v) {
  Walker w{opts, v, lexical_abs(root), {}, {}, {}};
  w.walk(root, 0);
  return w.counts;
}

}  // namespace gv
