// Installed packages: what actually landed on this machine, as opposed to
// what a lockfile says should. -host lists them and the scan matches them
// against the rules like lockfile entries.
//
// Where they are (docs/installed.md has each layout, verified against the
// tools that write it):
//   node_modules trees   npm, yarn 1, bun (hoisted), pnpm and bun isolated
//                        (.pnpm/ and .bun/ virtual stores), yarn berry's
//                        pnpm linker (.store/) and unplugged folders
//   global installs      npm prefixes (/usr, /usr/local, $NPM_CONFIG_PREFIX,
//                        ~/.npmrc prefix=), nvm, volta, fnm, asdf, mise,
//                        pnpm and bun and yarn 1 global folders, and what
//                        npx, pnpm dlx and bunx installed to run a command
//   caches               npm's _cacache (index entries), the pnpm store (v3
//                        and v10 index files), yarn 1's cache, yarn berry's
//                        zips, bun's cache
//
// Reading an installed tree is reading attacker-shaped input. Nothing is
// followed: a symlink is checked after the walk against the set of folders
// read as packages (pnpm's top-level links into .pnpm/ land on a folder read
// there, so nothing is counted twice); anything else — a loop, a link to /,
// a workspace link out of the tree — is reported as skipped with its target.
// Only node_modules structure is walked, never package source folders. A
// package.json that does not parse is a skip with file:line:col, never a
// silent drop. Every root looked for and absent is reported too, so an empty
// list can be told apart from "nowhere to look".
#pragma once

#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace gv {

enum class InstallKind { kNodeModules, kGlobal, kNpmCache, kPnpmStore, kYarnCache, kBerryCache, kBunCache };
// "node_modules", "global", "npm-cache", "pnpm-store", "yarn-cache", "yarn-berry-cache", "bun-cache"
std::string_view install_kind_name(InstallKind k);

struct InstalledPackage {
  std::string name, version;  // raw, as the package manager wrote them (escape them for output)
  std::string path;           // package folder; or the cache entry (index file, zip, folder)
  InstallKind kind = InstallKind::kNodeModules;
  // preinstall/install/postinstall in its package.json, or a binding.gyp
  // beside it (npm then runs `node-gyp rebuild` as the install script); for
  // the pnpm store, the index's requiresBuild (the same test, made by pnpm).
  bool has_install_scripts = false;
  bool scripts_known = false;  // false when no manifest was read (npm cache, berry zips)
  // The folder name it is installed under when that is not `name` (an npm:
  // alias, "my-lodash" -> lodash); empty otherwise.
  std::string installed_as;
};

struct InstallRoot {
  // A folder to read as `kind`. A path segment "*" (or "prefix*") stands for
  // every folder at that place (nvm's versions/node/*/lib/node_modules);
  // list_installed expands it without following symlinks.
  //   kNodeModules  a node_modules folder, or a project's .yarn/unplugged
  //   kGlobal       a global node_modules folder
  //   kNpmCache     the _cacache folder
  //   kPnpmStore    the store folder (holding v3/, v10/), or one v<N>/ in it
  //   kYarnCache    yarn 1's cache folder (holding v6/), or v6/ itself
  //   kBerryCache   a folder of yarn berry .zip archives
  //   kBunCache     bun's install cache folder (what bunx installed in its
  //                 .bunx-<uid>/ comes out as kGlobal: it ran)
  std::string path;
  InstallKind kind;
};

struct InstalledScan {
  std::vector<InstalledPackage> packages;
  // (path, reason): unreadable, bad package.json (with file:line:col),
  // symlink not followed (with its target), corrupt cache entry, ...
  std::vector<std::pair<std::string, std::string>> skipped;
  std::vector<std::string> roots_read;                            // roots that existed and were read
  std::vector<std::pair<std::string, std::string>> roots_absent;  // (path, why): "does not exist", ...
  uint64_t files_read = 0, bytes_read = 0, dirs = 0;
};

// Where to look. From the project folders (-dir values): <dir>/node_modules
// (reported when absent) and every node_modules, .yarn/unplugged and
// .yarn/cache below them, found without entering node_modules, .git or
// symlinks; a folder that cannot be read while looking becomes a
// kNodeModules root, so list_installed reports it. From the environment:
// global installs and caches at the locations the tools would use with this
// environment AND at their defaults (an install made under another
// environment is still on disk). Reads ~/.npmrc (prefix=, cache=,
// store-dir=). `getenv` is injectable for tests.
std::vector<InstallRoot> default_install_roots(
    const std::vector<std::string>& project_dirs,
    const std::function<std::optional<std::string>(const std::string&)>& getenv);

// Reads every root (duplicates by real path read once). `trace` gets one
// line per root and per summary; it may be empty.
InstalledScan list_installed(const std::vector<InstallRoot>& roots,
                             const std::function<void(const std::string&)>& trace);

}  // namespace gv
