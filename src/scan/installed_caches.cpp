// Package-manager caches other than npm's (installed_npm_cache.cpp). Each
// holds package copies a later install links or extracts from, so a bad
// version sitting in one is one install away from a project.
//
//   pnpm store v3 (pnpm 7-9)   files/<xx>/<hash>-index.json among the content
//                              files; v10 (pnpm 10) index/<xx>/<hash>-<name>@<ver>.json.
//                              Both hold {"name","version","requiresBuild","files"}:
//                              name and version are read from there, not the
//                              file name ("@types+ms" is already lossy).
//   yarn 1                     v6/npm-<name>-<ver>-<hash>-integrity/node_modules/<name>/
//                              (a whole package folder: its package.json is
//                              read, since "-" in names makes the folder name
//                              ambiguous).
//   yarn berry                 <slug>-npm-<version>-<hash10>-<cacheKey|checksum>.zip,
//                              slug "@scope-name" for scoped packages. A slug
//                              with more than one '-' after the '@' does not
//                              say where the scope ends (@isaacs-fs-minipass:
//                              @isaacs/fs-minipass or @isaacs-fs/minipass?);
//                              then the archive's central directory does
//                              (node_modules/@isaacs/fs-minipass/...). Other
//                              protocols (patch, git, file) carry no version
//                              in the name and are reported.
//   bun                        <name>@<ver>@@@<n>/ and @scope/<name>@<ver>@@@<n>/
//                              package folders (package.json read), beside
//                              <name>/ folders of links to them and *.npm
//                              manifest files; .bunx-<uid>/<spec>/node_modules/
//                              holds what bunx installed to run (listed as
//                              global: it ran).
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <filesystem>

#include "common/fd.h"
#include "scan/installed_reader.h"
#include "semver/semver.h"

namespace gv::installed {
namespace {

bool all_of(std::string_view s, bool (*pred)(char)) {
  if (s.empty()) return false;
  for (char c : s)
    if (!pred(c)) return false;
  return true;
}
bool is_digit(char c) { return c >= '0' && c <= '9'; }
bool is_lower_hex(char c) { return is_digit(c) || (c >= 'a' && c <= 'f'); }
bool is_alnum(char c) { return is_digit(c) || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z'); }

// "v3", "v10": a versioned layout folder.
bool layout_version(std::string_view name) {
  return name.size() >= 2 && name[0] == 'v' && all_of(name.substr(1), is_digit);
}

std::string basename_of(const std::string& path) { return std::filesystem::path(path).filename().string(); }

// --- yarn berry cache file names ---------------------------------------------

// The package name a slug stands for, when it can only be one.
std::optional<std::string> unambiguous_name(const std::string& slug) {
  if (slug[0] != '@') return plausible_package_name(slug) ? std::optional(slug) : std::nullopt;
  const size_t dash = slug.find('-');
  if (dash == std::string::npos || slug.find('-', dash + 1) != std::string::npos) return std::nullopt;
  std::string name = slug;
  name[dash] = '/';
  return plausible_package_name(name) ? std::optional(name) : std::nullopt;
}

uint32_t le16(const std::string& b, size_t at) {
  return static_cast<uint32_t>(static_cast<unsigned char>(b[at])) |
         static_cast<uint32_t>(static_cast<unsigned char>(b[at + 1])) << 8;
}
uint32_t le32(const std::string& b, size_t at) { return le16(b, at) | le16(b, at + 2) << 16; }

bool pread_all(int fd, std::string* buf, size_t n, off_t at) {
  buf->resize(n);
  size_t done = 0;
  while (done < n) {
    const ssize_t r = ::pread(fd, buf->data() + done, n - done, at + static_cast<off_t>(done));
    if (r < 0 && errno == EINTR) continue;
    if (r <= 0) return false;
    done += static_cast<size_t>(r);
  }
  return true;
}

// The package folder an archive holds ("node_modules/@s/n/..." -> "@s/n"),
// from the zip central directory: names only, nothing is extracted.
std::optional<std::string> zip_package_name(const std::string& path, std::string* why, uint64_t* bytes) {
  UniqueFd f{::open(path.c_str(), O_RDONLY | O_NOFOLLOW | O_CLOEXEC)};
  if (f.fd < 0) {
    *why = std::strerror(errno);
    return std::nullopt;
  }
  struct stat st {};
  if (::fstat(f.fd, &st) != 0 || !S_ISREG(st.st_mode)) {
    *why = "not a regular file";
    return std::nullopt;
  }
  const size_t size = static_cast<size_t>(st.st_size);
  if (size < 22) {
    *why = "the archive is empty or truncated";
    return std::nullopt;
  }
  const size_t tail = std::min(size, size_t{22 + 65535});
  std::string b;
  if (!pread_all(f.fd, &b, tail, static_cast<off_t>(size - tail))) {
    *why = "the archive cannot be read";
    return std::nullopt;
  }
  *bytes += tail;
  size_t eocd = std::string::npos;
  for (size_t i = tail - 22 + 1; i-- > 0;)
    if (b.compare(i, 4, "PK\x05\x06") == 0) {
      eocd = i;
      break;
    }
  if (eocd == std::string::npos) {
    *why = "not a zip archive (no end of central directory)";
    return std::nullopt;
  }
  const uint64_t cd_size = le32(b, eocd + 12), cd_off = le32(b, eocd + 16);
  if (cd_size == 0xffffffffu || cd_off == 0xffffffffu || cd_off + cd_size > size) {
    *why = "zip64 or damaged central directory";
    return std::nullopt;
  }
  // The package folder is among the first entries; 1 MB of names is plenty.
  const size_t n = static_cast<size_t>(std::min<uint64_t>(cd_size, uint64_t{1} << 20));
  if (!pread_all(f.fd, &b, n, static_cast<off_t>(cd_off))) {
    *why = "the archive cannot be read";
    return std::nullopt;
  }
  *bytes += n;
  constexpr std::string_view kPrefix = "node_modules/";
  for (size_t p = 0; p + 46 <= n && b.compare(p, 4, "PK\x01\x02") == 0;) {
    const size_t len = le16(b, p + 28), next = p + 46 + len + le16(b, p + 30) + le16(b, p + 32);
    if (p + 46 + len > n) break;
    const std::string_view name = std::string_view(b).substr(p + 46, len);
    p = next;
    if (!name.starts_with(kPrefix)) continue;
    const std::string_view rest = name.substr(kPrefix.size());
    const size_t s1 = rest.find('/');
    if (s1 == std::string_view::npos || s1 == 0) continue;
    if (rest[0] != '@') return std::string(rest.substr(0, s1));
    const size_t s2 = rest.find('/', s1 + 1);
    if (s2 == std::string_view::npos || s2 == s1 + 1) continue;
    return std::string(rest.substr(0, s2));
  }
  *why = "the archive holds no node_modules/<name>/ folder";
  return std::nullopt;
}

}  // namespace

// Splits "<slug>-npm-<version>-<hash10>-<key>.zip". Every "-npm-" whose
// right side is a valid version is a candidate (a name may hold "-npm-", a
// prerelease may too).
std::optional<BerryCacheName> parse_berry_cache_name(std::string_view file, std::string* why) {
  if (!file.ends_with(".zip")) {
    *why = "not a .zip archive";
    return std::nullopt;
  }
  std::string_view stem = file.substr(0, file.size() - 4);
  size_t d = stem.rfind('-');
  if (d == std::string_view::npos || !all_of(stem.substr(d + 1), is_alnum)) {
    *why = "not a yarn berry cache file name (no cache key or checksum)";
    return std::nullopt;
  }
  stem = stem.substr(0, d);
  d = stem.rfind('-');
  if (d == std::string_view::npos || stem.size() - d - 1 != 10 || !all_of(stem.substr(d + 1), is_lower_hex)) {
    *why = "not a yarn berry cache file name (no locator hash)";
    return std::nullopt;
  }
  const std::string_view rest = stem.substr(0, d);
  BerryCacheName out;
  for (size_t i = rest.find("-npm-"); i != std::string_view::npos; i = rest.find("-npm-", i + 1)) {
    const std::string_view slug = rest.substr(0, i), ver = rest.substr(i + 5);
    if (slug.empty() || ver.empty() || !is_digit(ver[0]) || !semver::parse_version(ver)) continue;
    out.candidates.push_back({std::string(slug), std::string(ver)});
  }
  if (out.candidates.size() == 1) out.name = unambiguous_name(out.candidates[0].slug);
  if (!out.candidates.empty()) return out;
  const size_t p = rest.rfind('-');
  const std::string_view protocol = p == std::string_view::npos ? rest : rest.substr(p + 1);
  *why = protocol == "npm" ? "an npm package whose version is not in the file name, not read"
                           : "a '" + std::string(protocol) +
                                 "' package (not from the npm registry): its version is not in the file name, not read";
  return std::nullopt;
}

std::string berry_slug(const std::string& name) {
  std::string s = name;
  if (!s.empty() && s[0] == '@')
    if (size_t slash = s.find('/'); slash != std::string::npos) s[slash] = '-';
  return s;
}

// --- pnpm store --------------------------------------------------------------

void Reader::pnpm_store(const std::string& root) {
  const std::string base = basename_of(root);
  if (layout_version(base)) {
    return pnpm_store_layout(root, base);
  }
  std::vector<DirEntry> entries;
  if (!list(root, &entries)) return;
  bool any = false;
  for (const DirEntry& e : entries) {
    if (e.type != EntryType::kDir || !layout_version(e.name)) continue;
    any = true;
    const std::string path = join(root, e.name);
    pnpm_store_layout(path, e.name);
  }
  if (!any) trace("installed: " + root + ": no v3/ or v10/ store inside");
}

namespace {
// Lists <dir>/<xx>/ and calls `f` for each file whose name ends in `suffix`.
template <typename F>
void each_bucket_file(Reader& r, const std::string& dir, std::string_view suffix, F f) {
  std::vector<DirEntry> buckets, files;
  if (!r.list(dir, &buckets)) return;
  for (const DirEntry& b : buckets) {
    if (b.type != EntryType::kDir) continue;
    const std::string bdir = join(dir, b.name);
    if (!r.list(bdir, &files)) continue;
    for (const DirEntry& e : files)
      if (e.name.ends_with(suffix) && e.type == EntryType::kFile) f(join(bdir, e.name));
  }
}
}  // namespace

// v3 (pnpm 7-9): files/xx/<hash>-index.json; v10 (pnpm 10): index/xx/<hash>-<name>@<version>.json.
// Both index files carry the package's name and version (and requiresBuild).
void Reader::pnpm_store_layout(const std::string& dir, const std::string& version) {
  if (version != "v3" && version != "v10") return skip(dir, "pnpm store layout " + version + " is not known, not read");
  const bool v3 = version == "v3";
  size_t n = 0;
  each_bucket_file(*this, join(dir, v3 ? "files" : "index"), v3 ? "-index.json" : ".json", [&](const std::string& path) {
    ++n;
    std::optional<Manifest> m = manifest(path);
    if (!m) return;
    InstalledPackage p{m->name, m->version, path, InstallKind::kPnpmStore};
    p.has_install_scripts = m->requires_build.value_or(false);
    p.scripts_known = m->requires_build.has_value();
    emit(std::move(p));
  });
  trace("installed: " + dir + ": " + std::to_string(n) + " store index files");
}

// --- yarn 1 cache ------------------------------------------------------------

void Reader::yarn_cache(const std::string& root) {
  std::vector<DirEntry> entries, inner;
  const std::string base = basename_of(root);
  if (!layout_version(base)) {
    if (!list(root, &entries)) return;
    bool any = false;
    for (const DirEntry& e : entries) {
      if (e.type != EntryType::kDir || !layout_version(e.name)) continue;
      any = true;
      if (e.name == "v6") yarn_cache(join(root, e.name));
      else skip(join(root, e.name), "yarn cache layout " + e.name + " (yarn 1.22 writes v6), not read");
    }
    if (!any) trace("installed: " + root + ": no v6/ cache inside");
    return;
  }
  if (base != "v6") return skip(root, "yarn cache layout " + base + " (yarn 1.22 writes v6), not read");
  if (!list(root, &entries)) return;
  for (const DirEntry& e : entries) {
    const std::string path = join(root, e.name);
    if (e.type == EntryType::kSymlink) {
      link(path);
      continue;
    }
    if (e.type != EntryType::kDir || e.name[0] == '.') continue;  // .tmp
    if (!list(path, &inner)) continue;
    bool found = false;
    for (const DirEntry& i : inner) {
      if (i.name != "node_modules") continue;
      found = true;
      if (i.type == EntryType::kDir) node_modules(join(path, i.name), InstallKind::kYarnCache, 1);
      else if (i.type == EntryType::kSymlink) link(join(path, i.name));
    }
    if (!found) skip(path, "yarn cache entry without node_modules, not read");
  }
}

// --- yarn berry cache ------------------------------------------------------------

void Reader::berry_cache(const std::string& root) {
  std::vector<DirEntry> entries;
  if (!list(root, &entries)) return;
  for (const DirEntry& e : entries) {
    const std::string path = join(root, e.name);
    switch (e.type) {
      case EntryType::kSymlink: skip(path, "symlink in a yarn berry cache, not followed"); continue;
      case EntryType::kOther: skip(path, "not a regular file or folder (device, FIFO or socket), not opened"); continue;
      case EntryType::kDir:
        // v6/: yarn 1's layout when YARN_CACHE_FOLDER serves both (read as a yarn-cache root).
        if (!layout_version(e.name)) skip(path, "folder in a yarn berry cache: not a cache archive, not read");
        continue;
      case EntryType::kFile: break;
    }
    if (!e.name.ends_with(".zip")) continue;  // .gitignore
    std::string why;
    std::optional<BerryCacheName> parsed = parse_berry_cache_name(e.name, &why);
    if (!parsed) {
      skip(path, why);
      continue;
    }
    const std::vector<BerryCandidate>& cands = parsed->candidates;
    std::optional<std::string> name = parsed->name;
    const BerryCandidate* pick = name ? &cands[0] : nullptr;
    if (!name) {
      // The file name alone is ambiguous: ask the archive.
      uint64_t bytes = 0;
      std::optional<std::string> inside = zip_package_name(path, &why, &bytes);
      count_read(bytes);
      if (inside && plausible_package_name(*inside))
        for (const BerryCandidate& c : cands)
          if (c.slug == berry_slug(*inside)) {
            pick = &c;
            name = inside;
          }
      if (pick == nullptr) {
        std::string reason = "file name does not say which package it holds (";
        for (size_t i = 0; i < cands.size(); ++i) reason += (i ? " or " : "") + cands[i].slug + "@" + cands[i].version;
        reason += ") and the archive does not either";
        if (!why.empty()) reason += ": " + why;
        else if (inside) reason += ": it holds " + *inside;
        skip(path, reason + ", not read");
        continue;
      }
    }
    InstalledPackage p{*name, pick->version, path, InstallKind::kBerryCache};
    emit(std::move(p));
  }
}

// --- bun cache -------------------------------------------------------------------

void Reader::bun_cache(const std::string& root) {
  std::vector<DirEntry> entries, inner;
  if (!list(root, &entries)) return;
  for (const DirEntry& e : entries) {
    const std::string path = join(root, e.name);
    if (e.type == EntryType::kSymlink) {
      link(path);
      continue;
    }
    if (e.type == EntryType::kOther) {
      skip(path, "not a regular file or folder (device, FIFO or socket), not opened");
      continue;
    }
    if (e.type != EntryType::kDir) continue;  // *.npm manifests
    if (e.name.starts_with(".bunx-")) {
      bunx_dir(path);
    } else if (e.name[0] == '.') {
      continue;
    } else if (e.name.find('@', 1) != std::string::npos) {
      bun_entry(path);
    } else if (e.name[0] == '@') {  // a scope: its packages, and its name folders of links
      if (!list(path, &inner)) continue;
      for (const DirEntry& i : inner) {
        const std::string sub = join(path, i.name);
        if (i.type == EntryType::kSymlink) link(sub);
        else if (i.type == EntryType::kDir && i.name.find('@', 1) != std::string::npos) bun_entry(sub);
      }
    }
    // else <name>/: links "<version>@@@1" to the package folders read above
  }
}

void Reader::bun_entry(const std::string& dir) { package_dir(dir, "", InstallKind::kBunCache, 1); }

// bunx (bun 1.2+): .bunx-<uid>/<spec>/node_modules/, a small install per
// command run. Those packages ran: listed as global, not as cache entries.
void Reader::bunx_dir(const std::string& dir) {
  std::vector<DirEntry> entries, inner;
  if (!list(dir, &entries)) return;
  for (const DirEntry& e : entries) {
    if (e.type != EntryType::kDir) continue;
    const std::string path = join(dir, e.name);
    if (!list(path, &inner)) continue;
    for (const DirEntry& i : inner)
      if (i.name == "node_modules" && i.type == EntryType::kDir)
        node_modules(join(path, i.name), InstallKind::kGlobal, 1);
  }
}

}  // namespace gv::installed
