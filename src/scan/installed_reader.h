// The reader behind list_installed (installed.h), shared by installed_*.cpp;
// not an API. The pure parsers of untrusted text it uses (manifests, npm
// cache index lines and keys, yarn berry cache file names) are declared here
// too, so tests and the fuzz targets (fuzz/) can call them without a tree on
// disk. One Reader reads every root of one list_installed call, so
// that a symlink in one tree can be checked against the package folders read
// in all of them (a pnpm workspace package's node_modules links into the
// root's .pnpm/), and a folder reached twice is read once.
#pragma once

#include <sys/types.h>

#include <cstdint>
#include <functional>
#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <unordered_set>
#include <utility>
#include <vector>

#include "common/error.h"
#include "common/file.h"
#include "scan/installed.h"
#include "scan/tree_walk.h"

namespace gv::installed {

// Nested node_modules deeper than this are reported, not read. npm 2 trees
// nest one level per dependency edge; 64 is far beyond real ones.
inline constexpr uint32_t kMaxNesting = 64;
// package.json and cache index files larger than this are reported, not read.
inline constexpr size_t kMaxManifestBytes = size_t{64} << 20;

std::string join(const std::string& dir, std::string_view name);

// A valid npm name shape for building paths and reporting: non-empty, no
// NUL, no '/' except one after a "@scope", no "." or ".." part.
bool plausible_package_name(std::string_view name);

// What the readers take from a package.json or a pnpm store index file.
struct Manifest {
  std::string name, version;
  bool scripts = false;                // preinstall/install/postinstall (a string)
  std::optional<bool> requires_build;  // pnpm store index files
};

// Parses `text` (padded for simdjson, as FileBuffer is). Errors say
// file:line:col. A missing name or version is an error.
std::optional<Error> parse_manifest(const std::string& path, std::string_view text, Manifest* out);

// One non-empty line of an npm cache (cacache) index-v5 bucket,
// "<sha1 hex of json>\t<json>" (installed_npm_cache.cpp).
struct CacacheLine {
  std::string key;    // never empty
  bool live = false;  // "integrity" is not null; a null one removes the key
};
// The entry, or nullopt with *why saying why npm ignores the line (its hash
// does not match, or the JSON is not an entry).
std::optional<CacacheLine> parse_cacache_line(std::string_view line, std::string* why);

enum class CacacheKeyKind { kTarball, kBadTarball, kMetadata, kOther };
// Classifies one cache key; for a registry tarball fills *name (a
// plausible_package_name) and *version, for a tarball URL that does not name
// them fills *why.
CacacheKeyKind classify_cacache_key(std::string_view key, std::string* name, std::string* version, std::string* why);

// A yarn berry cache file name, "<slug>-npm-<version>-<hash10>-<key>.zip"
// (installed_caches.cpp).
struct BerryCandidate {
  std::string slug, version;  // slug: "name" or "@scope-name"; never empty
};
struct BerryCacheName {
  std::vector<BerryCandidate> candidates;  // every reading of the name; never empty
  // The package, when the name can only be one (one candidate whose slug
  // names one package); otherwise the archive must say.
  std::optional<std::string> name;
};
// The readings of `file`, or nullopt with *why saying why it names no
// npm package version.
std::optional<BerryCacheName> parse_berry_cache_name(std::string_view file, std::string* why);
// "@scope/name" -> "@scope-name": the slug berry writes for a package name.
std::string berry_slug(const std::string& name);

class Reader {
 public:
  Reader(InstalledScan* out, const std::function<void(const std::string&)>& trace) : out_(out), trace_(trace) {}

  // Reads one root; `canon` is its real path (symlinks resolved).
  void read_root(const std::string& path, const std::string& canon, InstallKind kind);
  // After the last root: every symlink met is checked against the folders
  // read as packages; the ones that do not land on one are reported.
  void finish_links();

  void trace(const std::string& line) const {
    if (trace_) trace_(line);
  }
  void skip(const std::string& path, const std::string& reason) { out_->skipped.emplace_back(path, reason); }
  void emit(InstalledPackage p) { out_->packages.push_back(std::move(p)); }
  // list_dir, counted; a failure is reported as a skip.
  bool list(const std::string& dir, std::vector<DirEntry>* out);
  // read_file, counted; a failure is reported as a skip.
  bool read(const std::string& path, FileBuffer* buf, size_t max_bytes = kMaxManifestBytes);
  // A package.json or store index read and parsed; failures reported.
  std::optional<Manifest> manifest(const std::string& path);
  void count_read(uint64_t bytes) {
    ++out_->files_read;
    out_->bytes_read += bytes;
  }
  size_t packages() const { return out_->packages.size(); }
  size_t skips() const { return out_->skipped.size(); }

  // --- node_modules structure (installed_node_modules.cpp) ---------------
  void node_modules(const std::string& dir, InstallKind kind, uint32_t depth);
  // `installed_as`: the name the folder position gives ("@s/n", "n"); empty
  // where the position says nothing (cache entries, berry's .store/x/package).
  void package_dir(const std::string& dir, const std::string& installed_as, InstallKind kind, uint32_t depth);
  void unplugged(const std::string& dir);
  // A symlink met where a package could be: checked in finish_links().
  void link(const std::string& path);

  // --- caches (installed_npm_cache.cpp, installed_caches.cpp) ------------
  void npm_cache(const std::string& root);
  void pnpm_store(const std::string& root);
  void yarn_cache(const std::string& root);
  void berry_cache(const std::string& root);
  void bun_cache(const std::string& root);

 private:
  struct Link {
    std::string path, raw, target;  // raw: as written; target: real path
  };
  // The real path of `path`, a path under the root being read.
  std::string canon(const std::string& path) const;
  bool first_visit(const std::string& dir);  // false when this folder was read already
  void scope_dir(const std::string& dir, const std::string& scope, InstallKind kind, uint32_t depth);
  void virtual_store(const std::string& dir, InstallKind kind, uint32_t depth);
  void berry_store(const std::string& dir, InstallKind kind, uint32_t depth);
  std::string pnpm_virtual_store(const std::string& dir, InstallKind kind, uint32_t depth);
  void pnpm_store_layout(const std::string& dir, const std::string& version);  // "v3", "v10"
  void bun_entry(const std::string& dir);
  void bunx_dir(const std::string& dir);

  InstalledScan* out_;
  const std::function<void(const std::string&)>& trace_;
  std::string root_path_, root_canon_;
  std::unordered_set<std::string> package_dirs_;  // real paths of folders read as packages
  std::set<std::pair<dev_t, ino_t>> seen_;        // node_modules folders read
  std::vector<Link> links_;
  FileBuffer buf_;
  std::string scratch_;
};

}  // namespace gv::installed
