// Where installed packages are (default_install_roots) and the loop over
// them (list_installed). The readers are in installed_*.cpp.
//
// Locations come from the tools' own code, read for the versions we target
// (npm 11, pnpm 9/10, yarn 1.22 and 4, bun 1.x): each tool's environment
// override first, then its default. Both are listed when they differ, since
// an install made under another environment (another shell, CI, sudo) is
// still on disk; a location absent is reported, not dropped.
#include "scan/installed.h"

#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <climits>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <set>

#include "common/file.h"
#include "scan/installed_reader.h"
#include "scan/tree_walk.h"

namespace gv {
namespace {

namespace fs = std::filesystem;
using installed::join;
using Getenv = std::function<std::optional<std::string>(const std::string&)>;

// Project folders are searched this deep for node_modules.
constexpr uint32_t kMaxProjectDepth = 32;

std::string normal(const std::string& p) {
  std::string s = fs::path(p).lexically_normal().string();
  while (s.size() > 1 && s.back() == '/') s.pop_back();
  return s;
}

std::optional<std::string> env(const Getenv& getenv, const std::string& name) {
  std::optional<std::string> v = getenv ? getenv(name) : std::nullopt;
  if (v && v->empty()) v.reset();
  return v;
}

// npm reads npm_config_* case-insensitively; the two spellings people use.
std::optional<std::string> npm_env(const Getenv& getenv, const std::string& key) {
  if (auto v = env(getenv, "npm_config_" + key)) return v;
  std::string upper = "NPM_CONFIG_" + key;
  for (char& c : upper) c = (c >= 'a' && c <= 'z') ? static_cast<char>(c - 'a' + 'A') : c;
  return env(getenv, upper);
}

// "~/x" and "${VAR}" as npm expands them in .npmrc values.
std::string expand(std::string v, const std::optional<std::string>& home, const Getenv& getenv) {
  for (size_t p = v.find("${"); p != std::string::npos; p = v.find("${", p)) {
    const size_t e = v.find('}', p);
    if (e == std::string::npos) break;
    const std::string val = env(getenv, v.substr(p + 2, e - p - 2)).value_or("");
    v.replace(p, e - p + 1, val);
    p += val.size();
  }
  if (home && (v == "~" || v.starts_with("~/"))) v = *home + v.substr(1);
  return v;
}

// prefix=, cache=, store-dir= of the user's .npmrc (pnpm reads it too).
struct Npmrc {
  std::optional<std::string> prefix, cache, store_dir;
};
Npmrc read_npmrc(const std::string& path, const std::optional<std::string>& home, const Getenv& getenv) {
  Npmrc rc;
  FileBuffer buf;
  if (read_file(path, &buf, size_t{1} << 20)) return rc;
  const std::string_view text = buf.view();
  size_t pos = 0;
  while (pos < text.size()) {
    size_t end = text.find('\n', pos);
    if (end == std::string_view::npos) end = text.size();
    std::string_view line = text.substr(pos, end - pos);
    pos = end + 1;
    const size_t eq = line.find('=');
    if (eq == std::string_view::npos) continue;
    auto trim = [](std::string_view s) {
      while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
      while (!s.empty() && (s.back() == ' ' || s.back() == '\t' || s.back() == '\r')) s.remove_suffix(1);
      return s;
    };
    const std::string_view key = trim(line.substr(0, eq));
    std::string_view val = trim(line.substr(eq + 1));
    if (val.size() >= 2 && (val.front() == '"' || val.front() == '\'') && val.back() == val.front())
      val = val.substr(1, val.size() - 2);
    if (key.empty() || key[0] == ';' || key[0] == '#' || val.empty()) continue;
    std::optional<std::string>* slot = key == "prefix" ? &rc.prefix : key == "cache" ? &rc.cache
                                     : key == "store-dir" ? &rc.store_dir : nullptr;
    if (slot != nullptr) *slot = expand(std::string(val), home, getenv);
  }
  return rc;
}

class RootList {
 public:
  void add(const std::string& path, InstallKind kind) {
    if (path.empty()) return;
    std::string p = normal(path);
    if (seen_.emplace(p, static_cast<int>(kind)).second) roots_.push_back({std::move(p), kind});
  }
  std::vector<InstallRoot> take() { return std::move(roots_); }

 private:
  std::vector<InstallRoot> roots_;
  std::set<std::pair<std::string, int>> seen_;
};

// node_modules, .yarn/unplugged and .yarn/cache below a project folder.
void find_project_roots(const std::string& dir, uint32_t depth, RootList* out) {
  std::vector<DirEntry> entries, yarn;
  if (list_dir(dir, &entries)) {
    if (depth > 0) out->add(dir, InstallKind::kNodeModules);  // reported by list_installed
    return;
  }
  for (const DirEntry& e : entries) {
    if (e.type != EntryType::kDir && !(e.type == EntryType::kSymlink && e.name == "node_modules")) continue;
    const std::string path = join(dir, e.name);
    if (e.name == "node_modules") {
      out->add(path, InstallKind::kNodeModules);  // a symlinked one is reported, not followed
    } else if (e.name == ".git") {
    } else if (e.name == ".yarn") {
      if (list_dir(path, &yarn)) continue;
      for (const DirEntry& y : yarn) {
        if (y.type != EntryType::kDir) continue;
        if (y.name == "unplugged") out->add(join(path, y.name), InstallKind::kNodeModules);
        if (y.name == "cache") out->add(join(path, y.name), InstallKind::kBerryCache);
      }
    } else if (depth + 1 < kMaxProjectDepth) {
      find_project_roots(path, depth + 1, out);
    }
  }
}

// The folder at the top of the filesystem holding `path` (pnpm puts its
// store there, in .pnpm-store/, when the project is not on the home's).
std::optional<std::string> mount_root(const std::string& path) {
  struct stat st {};
  if (::stat(path.c_str(), &st) != 0) return std::nullopt;
  std::error_code ec;
  fs::path p = fs::absolute(path, ec).lexically_normal();
  if (ec) return std::nullopt;
  while (p.has_parent_path() && p.parent_path() != p) {
    struct stat up {};
    if (::stat(p.parent_path().c_str(), &up) != 0 || up.st_dev != st.st_dev) break;
    p = p.parent_path();
  }
  return p.string();
}

bool same_device(const std::string& a, const std::string& b) {
  struct stat sa {}, sb {};
  return ::stat(a.c_str(), &sa) == 0 && ::stat(b.c_str(), &sb) == 0 && sa.st_dev == sb.st_dev;
}

}  // namespace

std::string_view install_kind_name(InstallKind k) {
  switch (k) {
    case InstallKind::kNodeModules: return "node_modules";
    case InstallKind::kGlobal: return "global";
    case InstallKind::kNpmCache: return "npm-cache";
    case InstallKind::kPnpmStore: return "pnpm-store";
    case InstallKind::kYarnCache: return "yarn-cache";
    case InstallKind::kBerryCache: return "yarn-berry-cache";
    case InstallKind::kBunCache: return "bun-cache";
  }
  return "unknown";
}

std::vector<InstallRoot> default_install_roots(const std::vector<std::string>& project_dirs, const Getenv& getenv) {
  RootList roots;
  const std::optional<std::string> home = env(getenv, "HOME");
  auto in_home = [&](const std::string& rel) { return home ? join(*home, rel) : std::string(); };
  const std::optional<std::string> xdg_data = env(getenv, "XDG_DATA_HOME");
  const std::optional<std::string> xdg_cache = env(getenv, "XDG_CACHE_HOME");
  const std::optional<std::string> xdg_config = env(getenv, "XDG_CONFIG_HOME");
  const bool root_user = ::geteuid() == 0;

  // --- the projects -----------------------------------------------------------
  for (const std::string& d : project_dirs) {
    roots.add(join(d, "node_modules"), InstallKind::kNodeModules);
    find_project_roots(d, 0, &roots);
  }

  // --- global installs ----------------------------------------------------------
  const std::string userconfig = npm_env(getenv, "userconfig").value_or(in_home(".npmrc"));
  const Npmrc rc = userconfig.empty() ? Npmrc{} : read_npmrc(userconfig, home, getenv);
  constexpr InstallKind G = InstallKind::kGlobal;
  if (auto p = npm_env(getenv, "prefix")) roots.add(join(*p, "lib/node_modules"), G);
  if (rc.prefix) roots.add(join(*rc.prefix, "lib/node_modules"), G);
  roots.add("/usr/lib/node_modules", G);        // distribution node; npm's default prefix for /usr/bin/node
  roots.add("/usr/local/lib/node_modules", G);  // node from nodejs.org, n, Homebrew (Intel)
#ifdef __APPLE__
  roots.add("/opt/homebrew/lib/node_modules", G);
#endif
  auto each_manager_dir = [&](const std::optional<std::string>& set, const std::string& dflt, auto add) {
    if (set) add(*set);
    if (home && (!set || normal(*set) != normal(dflt))) add(dflt);
  };
  each_manager_dir(env(getenv, "NVM_DIR"), in_home(".nvm"),
                   [&](const std::string& d) { roots.add(join(d, "versions/node/*/lib/node_modules"), G); });
  each_manager_dir(env(getenv, "VOLTA_HOME"), in_home(".volta"), [&](const std::string& d) {
    // tools/image/packages/<name>/ is one npm prefix per tool (pnpm: 5/);
    // tools/image/node/<v>/ the node versions with their bundled npm.
    roots.add(join(d, "tools/image/node/*/lib/node_modules"), G);
    roots.add(join(d, "tools/image/packages/*/lib/node_modules"), G);
    roots.add(join(d, "tools/image/packages/*/*/lib/node_modules"), G);
    roots.add(join(d, "tools/image/packages/*/5/node_modules"), G);
    roots.add(join(d, "tools/image/packages/*/*/5/node_modules"), G);
  });
  const std::string data_home = xdg_data ? *xdg_data : in_home(".local/share");
  auto fnm = [&](const std::string& d) { roots.add(join(d, "node-versions/*/installation/lib/node_modules"), G); };
  each_manager_dir(env(getenv, "FNM_DIR"), data_home.empty() ? "" : join(data_home, "fnm"), fnm);
  if (home) fnm(in_home(".fnm"));
  each_manager_dir(env(getenv, "ASDF_DATA_DIR"), in_home(".asdf"),
                   [&](const std::string& d) { roots.add(join(d, "installs/nodejs/*/lib/node_modules"), G); });
  each_manager_dir(env(getenv, "MISE_DATA_DIR"), data_home.empty() ? "" : join(data_home, "mise"),
                   [&](const std::string& d) { roots.add(join(d, "installs/node/*/lib/node_modules"), G); });
  // pnpm's data folder: $PNPM_HOME, else $XDG_DATA_HOME/pnpm, else ~/.local/share/pnpm.
#ifdef __APPLE__
  const std::string pnpm_default = in_home("Library/pnpm");
#else
  const std::string pnpm_default = home ? join(in_home(".local/share"), "pnpm") : "";
#endif
  std::vector<std::string> pnpm_dirs;
  if (auto v = env(getenv, "PNPM_HOME")) pnpm_dirs.push_back(*v);
  if (xdg_data) pnpm_dirs.push_back(join(*xdg_data, "pnpm"));
  if (!pnpm_default.empty()) pnpm_dirs.push_back(pnpm_default);
  for (const std::string& d : pnpm_dirs) roots.add(join(d, "global/*/node_modules"), G);
  const std::optional<std::string> bun_install = env(getenv, "BUN_INSTALL");
  each_manager_dir(bun_install, in_home(".bun"),
                   [&](const std::string& d) { roots.add(join(d, "install/global/node_modules"), G); });
  // yarn 1: `yarn global add` -> <config dir>/global; root's home is /usr/local/share.
  if (xdg_config) roots.add(join(*xdg_config, "yarn/global/node_modules"), G);
  if (home) roots.add(in_home(".config/yarn/global/node_modules"), G);
  if (root_user) roots.add("/usr/local/share/.config/yarn/global/node_modules", G);

  // Packages fetched to be run (npx, pnpm dlx, bunx) are installs too, and
  // they ran: listed as global. npx: <npm cache>/_npx/<hash>/node_modules;
  // pnpm dlx: <pnpm cache>/dlx/<hash>/<stamp>/node_modules (plus a "pkg"
  // link to the latest); bun 1.1 bunx: /tmp/bunx-<uid>-<spec>/node_modules
  // (bun 1.2+ keeps them in its cache, .bunx-<uid>/: read with the cache).
  std::vector<std::string> npm_caches;
  if (auto c = npm_env(getenv, "cache")) npm_caches.push_back(*c);
  if (rc.cache) npm_caches.push_back(*rc.cache);
  if (home) npm_caches.push_back(in_home(".npm"));
  for (const std::string& c : npm_caches) roots.add(join(c, "_npx/*/node_modules"), G);
  if (xdg_cache) roots.add(join(*xdg_cache, "pnpm/dlx/*/*/node_modules"), G);
#ifdef __APPLE__
  if (home) roots.add(in_home("Library/Caches/pnpm/dlx/*/*/node_modules"), G);
#endif
  if (home) roots.add(in_home(".cache/pnpm/dlx/*/*/node_modules"), G);
  const std::string uid = std::to_string(::geteuid());
  const std::string tmp = env(getenv, "TMPDIR").value_or("/tmp");
  for (const std::string& t : {tmp, std::string("/tmp")}) roots.add(join(t, "bunx-" + uid + "-*/node_modules"), G);

  // --- caches --------------------------------------------------------------------
  for (const std::string& c : npm_caches) roots.add(join(c, "_cacache"), InstallKind::kNpmCache);

  if (auto s = npm_env(getenv, "store_dir")) roots.add(*s, InstallKind::kPnpmStore);
  if (rc.store_dir) roots.add(*rc.store_dir, InstallKind::kPnpmStore);
  for (const std::string& d : pnpm_dirs) roots.add(join(d, "store"), InstallKind::kPnpmStore);
  for (const std::string& d : project_dirs) {
    // pnpm keeps the store on the project's filesystem when it cannot
    // hard-link across to the home's: <mount point>/.pnpm-store.
    std::optional<std::string> m = mount_root(d);
    if (m && home && !same_device(d, *home)) roots.add(join(*m, ".pnpm-store"), InstallKind::kPnpmStore);
  }

  // yarn 1's cache folder: YARN_CACHE_FOLDER, else $XDG_CACHE_HOME/yarn, else
  // ~/.cache/yarn (/usr/local/share/.cache/yarn for root), else the temp folder.
  // YARN_CACHE_FOLDER is yarn berry's cacheFolder too, where zips sit directly.
  if (auto y = env(getenv, "YARN_CACHE_FOLDER")) {
    roots.add(*y, InstallKind::kYarnCache);
    roots.add(*y, InstallKind::kBerryCache);
  }
  if (xdg_cache) roots.add(join(*xdg_cache, "yarn"), InstallKind::kYarnCache);
#ifdef __APPLE__
  if (home) roots.add(in_home("Library/Caches/Yarn"), InstallKind::kYarnCache);
#endif
  if (home) roots.add(in_home(".cache/yarn"), InstallKind::kYarnCache);
  if (root_user) roots.add("/usr/local/share/.cache/yarn", InstallKind::kYarnCache);
  roots.add(join(tmp, ".yarn-cache-" + uid), InstallKind::kYarnCache);
  roots.add(join(tmp, ".yarn-cache"), InstallKind::kYarnCache);

  // yarn berry's global folder: YARN_GLOBAL_FOLDER, else $XDG_DATA_HOME/yarn/berry, else ~/.yarn/berry.
  if (auto g = env(getenv, "YARN_GLOBAL_FOLDER")) roots.add(join(*g, "cache"), InstallKind::kBerryCache);
  if (xdg_data) roots.add(join(*xdg_data, "yarn/berry/cache"), InstallKind::kBerryCache);
  if (home) roots.add(in_home(".yarn/berry/cache"), InstallKind::kBerryCache);

  // bun: BUN_INSTALL_CACHE_DIR, else $BUN_INSTALL/install/cache, else
  // $XDG_CACHE_HOME/.bun/install/cache, else ~/.bun/install/cache.
  if (auto b = env(getenv, "BUN_INSTALL_CACHE_DIR")) roots.add(*b, InstallKind::kBunCache);
  if (bun_install) roots.add(join(*bun_install, "install/cache"), InstallKind::kBunCache);
  if (xdg_cache) roots.add(join(*xdg_cache, ".bun/install/cache"), InstallKind::kBunCache);
  if (home) roots.add(in_home(".bun/install/cache"), InstallKind::kBunCache);
  return roots.take();
}

namespace {

// A glob segment: "*" (any name) or "prefix*".
bool is_glob(const std::string& seg) { return !seg.empty() && seg.back() == '*'; }

// Expands glob segments (folders only, symlinks not followed). A missing
// fixed prefix is reported as absent ("~/.nvm/versions/node: does not
// exist"), so is a pattern nothing matches.
void expand_root(const std::string& pattern, std::vector<std::string>* out,
                 std::vector<std::pair<std::string, std::string>>* absent) {
  std::vector<std::string> parts;
  for (const auto& seg : fs::path(pattern)) parts.push_back(seg.string());
  size_t first = 0;
  while (first < parts.size() && !is_glob(parts[first])) ++first;
  if (first == parts.size()) {
    out->push_back(normal(pattern));
    return;
  }
  std::string prefix;
  for (size_t i = 0; i < first; ++i) prefix = i == 0 ? parts[0] : join(prefix, parts[i]);
  std::vector<DirEntry> entries;
  if (auto err = list_dir(prefix, &entries)) {
    struct stat st {};
    absent->emplace_back(prefix, ::lstat(prefix.c_str(), &st) != 0 ? std::string("does not exist")
                                                                   : "cannot read folder: " + *err);
    return;
  }
  std::vector<std::string> current = {prefix};
  for (size_t i = first; i < parts.size(); ++i) {
    std::vector<std::string> next;
    for (const std::string& c : current) {
      if (!is_glob(parts[i])) {
        next.push_back(join(c, parts[i]));
        continue;
      }
      if (list_dir(c, &entries)) continue;  // this candidate does not match
      const std::string_view prefix = std::string_view(parts[i]).substr(0, parts[i].size() - 1);
      for (const DirEntry& e : entries)
        if (e.type == EntryType::kDir && e.name.starts_with(prefix)) next.push_back(join(c, e.name));
    }
    current = std::move(next);
  }
  for (const std::string& c : current) {
    struct stat st {};
    if (::lstat(c.c_str(), &st) == 0) out->push_back(c);
  }
  if (out->empty()) absent->emplace_back(pattern, "no folder matches");
}

}  // namespace

InstalledScan list_installed(const std::vector<InstallRoot>& roots,
                             const std::function<void(const std::string&)>& trace) {
  InstalledScan out;
  installed::Reader reader(&out, trace);
  std::set<std::pair<std::string, int>> read;  // (real path, kind)
  std::set<std::string> absent_seen;
  std::vector<std::pair<std::string, std::string>> absent;
  for (const InstallRoot& root : roots) {
    std::vector<std::string> paths;
    absent.clear();
    expand_root(root.path, &paths, &absent);
    for (auto& a : absent)
      if (absent_seen.insert(a.first).second) out.roots_absent.push_back(std::move(a));
    for (const std::string& path : paths) {
      struct stat st {};
      if (::lstat(path.c_str(), &st) != 0) {
        const int err = errno;
        if (absent_seen.insert(path).second)
          out.roots_absent.emplace_back(path, err == ENOENT || err == ENOTDIR ? std::string("does not exist")
                                                                              : std::string(std::strerror(err)));
        continue;
      }
      char buf[PATH_MAX];
      const bool resolved = ::realpath(path.c_str(), buf) != nullptr;
      const std::string canon = resolved ? std::string(buf) : path;
      if (S_ISLNK(st.st_mode)) {
        std::error_code ec;
        const std::string target = fs::read_symlink(path, ec).string();
        // A project's node_modules is project content: a link there is not
        // followed. A global folder or cache is the user's configuration.
        if (root.kind == InstallKind::kNodeModules) {
          out.skipped.emplace_back(path, "symlink to " + target + ", not followed");
          continue;
        }
        if (!resolved) {
          out.roots_absent.emplace_back(path, "symlink to " + target + " that does not resolve");
          continue;
        }
        if (trace) trace("installed: " + path + " is a symlink to " + canon + ", read there");
      }
      struct stat target {};
      if (::stat(canon.c_str(), &target) != 0 || !S_ISDIR(target.st_mode)) {
        out.roots_absent.emplace_back(path, "not a folder");
        continue;
      }
      if (!read.emplace(canon, static_cast<int>(root.kind)).second) continue;  // listed twice
      out.roots_read.push_back(path);
      reader.read_root(resolved && S_ISLNK(st.st_mode) ? canon : path, canon, root.kind);
    }
  }
  reader.finish_links();
  if (trace)
    trace("installed: " + std::to_string(out.packages.size()) + " packages from " +
          std::to_string(out.roots_read.size()) + " roots (" + std::to_string(out.roots_absent.size()) +
          " absent), " + std::to_string(out.skipped.size()) + " skipped, " + std::to_string(out.files_read) +
          " files read");
  return out;
}

}  // namespace gv
