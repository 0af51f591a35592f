#include "scan/heuristic_files.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <filesystem>
#include <nlohmann/json.hpp>
#include <set>

namespace gv {
namespace {

char lower(char c) { return c >= 'A' && c <= 'Z' ? static_cast<char>(c - 'A' + 'a') : c; }

bool ends_with_ci(std::string_view s, std::string_view suffix) {
  if (s.size() < suffix.size()) return false;
  for (size_t i = 0; i < suffix.size(); ++i) {
    if (lower(s[s.size() - suffix.size() + i]) != suffix[i]) return false;
  }
  return true;
}

}  // namespace

std::string lower_extension(std::string_view name) {
  size_t dot = name.rfind('.');
  if (dot == std::string_view::npos || dot == 0) return {};
  std::string ext(name.substr(dot));
  for (char& c : ext) c = lower(c);
  return ext;
}

// What install-time malware is written in or drops: JavaScript and
// TypeScript sources (not type declarations: they hold no code that runs),
// package.json (install scripts), shell/Python/PowerShell/batch scripts, and
// YAML (GitHub workflow drops such as Shai-Hulud's).
HeuristicFileKind heuristic_file_kind(std::string_view name) {
  if (name == "package.json") return HeuristicFileKind::kScan;
  for (std::string_view d : {".d.ts", ".d.mts", ".d.cts"}) {
    if (ends_with_ci(name, d)) return HeuristicFileKind::kOther;
  }
  std::string ext = lower_extension(name);
  if (ext.empty()) {
    if (name.empty() || name[0] == '.') return HeuristicFileKind::kOther;  // .npmignore, .eslintrc
    // Package documents are never scripts; skipping them saves an open each.
    std::string lower_name(name);
    for (char& c : lower_name) c = lower(c);
    for (std::string_view doc : {"license", "licence", "readme", "changelog", "changes", "history", "authors",
                                 "contributors", "notice", "copying", "patents", "makefile"}) {
      if (lower_name.starts_with(doc)) return HeuristicFileKind::kOther;
    }
    return HeuristicFileKind::kMaybeScript;
  }
  static const std::set<std::string, std::less<>> kScanned = {".js",  ".cjs", ".mjs",  ".jsx", ".ts",  ".tsx", ".cts",
                                                              ".mts", ".sh",  ".bash", ".zsh", ".py",  ".ps1", ".psm1",
                                                              ".bat", ".cmd", ".vbs",  ".yml", ".yaml"};
  return kScanned.count(ext) != 0 ? HeuristicFileKind::kScan : HeuristicFileKind::kOther;
}

std::string size_text(uint64_t bytes) {
  if (bytes != 0 && bytes % (1u << 20) == 0) return std::to_string(bytes >> 20) + " MiB";
  return std::to_string(bytes) + " bytes";
}

std::optional<std::string> read_for_scan(const std::string& path, HeuristicFileKind kind, uint64_t max_bytes,
                                         std::vector<char>* buf, ReadOutcome* out) {
  *out = ReadOutcome{};
  int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC | O_NOFOLLOW | O_NONBLOCK);
  if (fd < 0) {
    int e = errno;
    if (e == ELOOP) return "became a symlink during the scan, not followed";
    if (e == ENOENT) return "vanished during the scan";
    return std::string("cannot open: ") + std::strerror(e);
  }
  struct stat st {};
  if (::fstat(fd, &st) != 0 || !S_ISREG(st.st_mode)) {
    ::close(fd);
    return "not a regular file";
  }
  if (kind == HeuristicFileKind::kMaybeScript) {
    char head[2] = {0, 0};
    if (::pread(fd, head, 2, 0) != 2 || head[0] != '#' || head[1] != '!') {
      ::close(fd);
      out->not_script = true;
      return std::nullopt;
    }
  }
  uint64_t want = static_cast<uint64_t>(st.st_size);
  if (want > max_bytes) {
    ::close(fd);
    return "larger than " + size_text(max_bytes) + " (" + std::to_string(want) + " bytes), not scanned";
  }
  if (buf->size() < want) buf->resize(want);
  size_t got = 0;
  while (got < want) {
    ssize_t n = ::read(fd, buf->data() + got, want - got);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) {
      int e = errno;
      ::close(fd);
      return std::string("read failed: ") + std::strerror(e);
    }
    if (n == 0) break;  // shrank while reading: scan what is there
    got += static_cast<size_t>(n);
  }
  ::close(fd);
  out->size = got;
  return std::nullopt;
}

std::string excerpt_around(std::string_view data, uint64_t offset, uint32_t length) {
  constexpr size_t kBefore = 40, kTotal = 120;
  size_t at = static_cast<size_t>(std::min<uint64_t>(offset, data.size()));
  size_t begin = at > kBefore ? at - kBefore : 0;
  size_t end = std::min(data.size(), begin + kTotal);
  if (size_t nl = data.substr(begin, at - begin).rfind('\n'); nl != std::string_view::npos) begin += nl + 1;
  size_t match_end = std::min(end, at + std::max<size_t>(length, 1));
  if (size_t nl = data.substr(match_end, end - match_end).find('\n'); nl != std::string_view::npos) {
    end = match_end + nl;
  }
  return std::string(data.substr(begin, end - begin));
}

std::string NearestPackage::of(const std::string& file, const std::string& root) {
  namespace fs = std::filesystem;
  fs::path dir = fs::path(file).parent_path();
  std::vector<std::string> visited;
  std::string found;
  std::vector<char> buf;
  while (true) {
    std::string d = dir.string();
    if (auto it = memo_.find(d); it != memo_.end()) {
      found = it->second;
      break;
    }
    visited.push_back(d);
    ReadOutcome r;
    if (!read_for_scan(d + "/package.json", HeuristicFileKind::kScan, 1u << 20, &buf, &r)) {
      nlohmann::json j = nlohmann::json::parse(buf.data(), buf.data() + r.size, nullptr, false);
      auto name = j.is_object() ? j.find("name") : j.end();
      if (j.is_object() && name != j.end() && name->is_string() && !name->get_ref<const std::string&>().empty()) {
        found = name->get<std::string>();
        if (auto v = j.find("version"); v != j.end() && v->is_string()) found += "@" + v->get<std::string>();
        break;
      }
    }
    // Never above the scan root: the tree's owner is not the package.
    if (d.size() <= root.size() || !dir.has_parent_path() || dir.parent_path() == dir) break;
    dir = dir.parent_path();
  }
  for (const std::string& d : visited) memo_[d] = found;
  return found;
}

}  // namespace gv
