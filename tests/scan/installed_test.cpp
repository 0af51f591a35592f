// Installed packages and caches. The layouts are real: tests/scan/testdata/installed/
// was written by npm, pnpm 9 and 10, yarn 1 and 4 and bun
// (scripts/gen-installed-fixtures.sh; versions in tool-versions.txt) for one
// dependency set, so each layout must yield exactly that set. Hostile trees
// (loops, links to /, bad manifests, corrupt cache lines) are built here.
#include "scan/installed.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <openssl/evp.h>
#include <unistd.h>

#include <algorithm>
#include <filesystem>
#include <map>

#include "common/temp_dir.h"
#include "scan/installed_reader.h"

namespace gv {
namespace {

namespace fs = std::filesystem;
using ::testing::Contains;
using ::testing::ElementsAre;
using ::testing::ElementsAreArray;
using ::testing::HasSubstr;
using ::testing::IsEmpty;
using ::testing::Pair;
using testing::source_path;
using testing::TempDir;

}  // namespace

void PrintTo(InstallKind k, std::ostream* os) { *os << install_kind_name(k); }

namespace {

std::string fixture(const std::string& rel) { return source_path("tests/scan/testdata/installed/" + rel); }

// The dependency set every tool installed: is-number, ms, debug (which wants
// ms@2.1.2), @types/ms and utf-8-validate (with node-gyp-build).
const std::vector<std::string> kBase = {
    "@types/ms@0.7.34", "debug@4.3.4",          "is-number@7.0.0",    "ms@2.1.2",
    "ms@2.1.3",         "node-gyp-build@4.8.4", "utf-8-validate@6.0.5",
};
// Yarn 4 adds node-gyp and its dependencies (utf-8-validate's install script
// names node-gyp-build, which yarn takes for a node-gyp call).
const std::vector<std::string> kBerry = {
    "@isaacs/fs-minipass@4.0.1", "@types/ms@0.7.34",  "abbrev@5.0.0",       "chownr@3.0.0",
    "debug@4.3.4",               "env-paths@2.2.1",   "exponential-backoff@3.1.3",
    "fdir@6.5.0",                "graceful-fs@4.2.12", "is-number@7.0.0",   "isexe@4.0.0",
    "minipass@7.1.3",            "minizlib@3.1.0",    "ms@2.1.2",           "ms@2.1.3",
    "node-gyp-build@4.8.4",      "node-gyp@13.1.0",   "nopt@10.0.1",        "picomatch@4.0.7",
    "proc-log@7.0.0",            "semver@7.8.6",      "tar@7.5.23",         "tinyglobby@0.2.17",
    "undici@8.12.4",             "utf-8-validate@6.0.5", "which@7.0.0",     "yallist@5.0.0",
};

InstalledScan read_root(const std::string& path, InstallKind kind) { return list_installed({{path, kind}}, {}); }

// Sorted "name@version", duplicates kept (a double count shows).
std::vector<std::string> ids(const InstalledScan& s) {
  std::vector<std::string> out;
  for (const InstalledPackage& p : s.packages) out.push_back(p.name + "@" + p.version);
  std::sort(out.begin(), out.end());
  return out;
}

std::vector<std::string> ids_of_kind(const InstalledScan& s, InstallKind k, const std::string& under = "") {
  std::vector<std::string> out;
  for (const InstalledPackage& p : s.packages)
    if (p.kind == k && p.path.starts_with(under)) out.push_back(p.name + "@" + p.version);
  std::sort(out.begin(), out.end());
  return out;
}

const InstalledPackage* find(const InstalledScan& s, const std::string& name, const std::string& version) {
  for (const InstalledPackage& p : s.packages)
    if (p.name == name && p.version == version) return &p;
  return nullptr;
}

std::string skips(const InstalledScan& s) {
  std::string out;
  for (const auto& [path, why] : s.skipped) out += path + ": " + why + "\n";
  return out;
}

void expect_layout(const std::string& rel, InstallKind kind, const std::vector<std::string>& expected) {
  SCOPED_TRACE(rel);
  InstalledScan s = read_root(fixture(rel), kind);
  EXPECT_THAT(ids(s), ElementsAreArray(expected));
  EXPECT_THAT(s.skipped, IsEmpty()) << skips(s);
  for (const InstalledPackage& p : s.packages) EXPECT_EQ(p.kind, kind) << p.name;
  EXPECT_THAT(s.roots_read, ElementsAre(fixture(rel)));
  EXPECT_THAT(s.roots_absent, IsEmpty());
}

std::string pkg_json(const std::string& name, const std::string& version, const std::string& extra = "") {
  return R"({"name":")" + name + R"(","version":")" + version + "\"" + extra + "}\n";
}

// --- the layouts the tools write ------------------------------------------------

TEST(Installed, NpmNodeModulesIncludingNested) {
  expect_layout("npm/node_modules", InstallKind::kNodeModules, kBase);
  InstalledScan s = read_root(fixture("npm/node_modules"), InstallKind::kNodeModules);
  const InstalledPackage* nested = find(s, "ms", "2.1.2");
  ASSERT_NE(nested, nullptr);
  EXPECT_EQ(nested->path, fixture("npm/node_modules/debug/node_modules/ms"));
  EXPECT_GT(s.files_read, 0u);
  EXPECT_GT(s.dirs, 0u);
}

TEST(Installed, InstallScriptsFromPackageJson) {
  InstalledScan s = read_root(fixture("npm/node_modules"), InstallKind::kNodeModules);
  for (const InstalledPackage& p : s.packages) {
    EXPECT_TRUE(p.scripts_known) << p.name;
    EXPECT_EQ(p.has_install_scripts, p.name == "utf-8-validate") << p.name;  // "install": "node-gyp-build"
    EXPECT_EQ(p.installed_as, "") << p.name;
  }
}

TEST(Installed, Yarn1AndBunHoistedNodeModules) {
  expect_layout("yarn1/node_modules", InstallKind::kNodeModules, kBase);
  expect_layout("bun/node_modules", InstallKind::kNodeModules, kBase);
}

TEST(Installed, PnpmVirtualStoreCountedOnceDespiteTopLevelSymlinks) {
  expect_layout("pnpm10/node_modules", InstallKind::kNodeModules, kBase);
  expect_layout("pnpm9/node_modules", InstallKind::kNodeModules, kBase);
  InstalledScan s = read_root(fixture("pnpm10/node_modules"), InstallKind::kNodeModules);
  ASSERT_NE(find(s, "debug", "4.3.4"), nullptr);
  EXPECT_EQ(find(s, "debug", "4.3.4")->path, fixture("pnpm10/node_modules/.pnpm/debug@4.3.4/node_modules/debug"));
}

TEST(Installed, BunIsolatedVirtualStore) {
  expect_layout("bun-isolated/node_modules", InstallKind::kNodeModules, kBase);
}

TEST(Installed, YarnBerryPnpmLinkerStore) {
  expect_layout("berry-pnpm/node_modules", InstallKind::kNodeModules, kBerry);
}

TEST(Installed, YarnBerryUnplugged) {
  expect_layout("berry-pnp/.yarn/unplugged", InstallKind::kNodeModules, {"node-gyp@13.1.0", "utf-8-validate@6.0.5"});
}

TEST(Installed, GlobalInstalls) {
  expect_layout("home/.nvm/versions/node/v20.20.2/lib/node_modules", InstallKind::kGlobal,
                {"@types/ms@0.7.34", "ms@2.1.3"});
  // pnpm 10's global folder keeps its virtual store beside node_modules
  // ("virtualStoreDir": "../.pnpm" in .modules.yaml).
  expect_layout("home/.local/share/pnpm/global/5/node_modules", InstallKind::kGlobal,
                {"debug@4.3.4", "is-number@7.0.0", "ms@2.1.2"});
  expect_layout("home/.bun/install/global/node_modules", InstallKind::kGlobal, {"is-number@7.0.0"});
  expect_layout("home/.config/yarn/global/node_modules", InstallKind::kGlobal, {"ms@2.1.3"});
}

TEST(Installed, WhatNpxAndPnpmDlxInstalledToRun) {
  InstalledScan s = list_installed({{fixture("home/.npm/_npx/*/node_modules"), InstallKind::kGlobal},
                                    {fixture("home/.cache/pnpm/dlx/*/*/node_modules"), InstallKind::kGlobal}},
                                   {});
  EXPECT_THAT(ids(s), ElementsAre("ms@2.1.3", "ms@2.1.3"));
  EXPECT_EQ(s.roots_read.size(), 2u);  // dlx's "pkg" link to the latest run is not a second root
  EXPECT_THAT(s.skipped, IsEmpty()) << skips(s);
}

TEST(Installed, NpmCacheFromIndexEntries) {
  expect_layout("home/.npm/_cacache", InstallKind::kNpmCache, kBase);
  InstalledScan s = read_root(fixture("home/.npm/_cacache"), InstallKind::kNpmCache);
  for (const InstalledPackage& p : s.packages) {
    EXPECT_THAT(p.path, HasSubstr("/_cacache/index-v5/"));
    EXPECT_FALSE(p.scripts_known);
  }
}

TEST(Installed, PnpmStoreV3AndV10) {
  // pnpm 9 (v3) and 10 (v10) share the store folder; 10's global install
  // added nothing new to v10.
  std::vector<std::string> both = kBase;
  both.insert(both.end(), kBase.begin(), kBase.end());
  std::sort(both.begin(), both.end());
  expect_layout("home/.local/share/pnpm/store", InstallKind::kPnpmStore, both);
  InstalledScan v10 = read_root(fixture("home/.local/share/pnpm/store/v10"), InstallKind::kPnpmStore);
  EXPECT_THAT(ids(v10), ElementsAreArray(kBase));
  const InstalledPackage* u = find(v10, "utf-8-validate", "6.0.5");
  ASSERT_NE(u, nullptr);
  EXPECT_TRUE(u->scripts_known);
  EXPECT_TRUE(u->has_install_scripts);  // requiresBuild
  EXPECT_THAT(u->path, HasSubstr("-utf-8-validate@6.0.5.json"));
  EXPECT_FALSE(find(v10, "ms", "2.1.3")->has_install_scripts);
}

TEST(Installed, YarnClassicCache) {
  expect_layout("home/.cache/yarn", InstallKind::kYarnCache, kBase);
  expect_layout("home/.cache/yarn/v6", InstallKind::kYarnCache, kBase);
}

TEST(Installed, YarnBerryCacheZipNames) {
  // @isaacs-fs-minipass-npm-...zip is ambiguous by name; its (trimmed) archive
  // says node_modules/@isaacs/fs-minipass/.
  expect_layout("home/.yarn/berry/cache", InstallKind::kBerryCache, kBerry);
}

TEST(Installed, YarnBerryProjectCacheReportsWhatItCannotName) {
  // The project cache's zips are empty files in the fixture: the ambiguous
  // one cannot be opened, so it is reported, not guessed.
  InstalledScan s = read_root(fixture("berry-pnpm/.yarn/cache"), InstallKind::kBerryCache);
  std::vector<std::string> expected = kBerry;
  std::erase(expected, "@isaacs/fs-minipass@4.0.1");
  EXPECT_THAT(ids(s), ElementsAreArray(expected));
  ASSERT_EQ(s.skipped.size(), 1u) << skips(s);
  EXPECT_THAT(s.skipped[0].first, HasSubstr("@isaacs-fs-minipass-npm-4.0.1-677026e841-c25b6dc159.zip"));
  EXPECT_THAT(s.skipped[0].second, HasSubstr("@isaacs-fs-minipass@4.0.1"));
  EXPECT_THAT(s.skipped[0].second, HasSubstr("empty or truncated"));
}

TEST(Installed, BunCache) {
  InstalledScan s = read_root(fixture("home/.bun/install/cache"), InstallKind::kBunCache);
  EXPECT_THAT(ids_of_kind(s, InstallKind::kBunCache), ElementsAreArray(kBase));
  // What bunx installed to run a command, in the cache's .bunx-<uid>/: it ran.
  EXPECT_THAT(ids_of_kind(s, InstallKind::kGlobal), ElementsAre("ms@2.1.3"));
  EXPECT_EQ(s.packages.size(), kBase.size() + 1);
  EXPECT_THAT(s.skipped, IsEmpty()) << skips(s);
  EXPECT_EQ(find(s, "@types/ms", "0.7.34")->path, fixture("home/.bun/install/cache/@types/ms@0.7.34@@@1"));
}

// --- where to look -----------------------------------------------------------------

std::function<std::optional<std::string>(const std::string&)> env_of(std::map<std::string, std::string> m) {
  return [m = std::move(m)](const std::string& k) -> std::optional<std::string> {
    auto it = m.find(k);
    return it == m.end() ? std::nullopt : std::optional(it->second);
  };
}

TEST(Installed, DefaultRootsFindEveryLayoutInAHome) {
  const std::string home = fixture("home");
  std::vector<InstallRoot> roots = default_install_roots({fixture("npm")}, env_of({{"HOME", home}}));
  InstalledScan s = list_installed(roots, {});
  // Filtered by folder: the machine's own /usr/lib/node_modules, /tmp/.yarn-cache, ... are read too.
  EXPECT_THAT(ids_of_kind(s, InstallKind::kNodeModules, fixture("npm")), ElementsAreArray(kBase));
  EXPECT_THAT(ids_of_kind(s, InstallKind::kGlobal, home),
              ElementsAre("@types/ms@0.7.34", "debug@4.3.4", "is-number@7.0.0", "is-number@7.0.0", "ms@2.1.2",
                          "ms@2.1.3", "ms@2.1.3", "ms@2.1.3", "ms@2.1.3", "ms@2.1.3"));  // nvm, yarn, npx, dlx, bunx
  EXPECT_THAT(ids_of_kind(s, InstallKind::kNpmCache, home), ElementsAreArray(kBase));
  EXPECT_EQ(ids_of_kind(s, InstallKind::kPnpmStore, home).size(), 2 * kBase.size());
  EXPECT_THAT(ids_of_kind(s, InstallKind::kYarnCache, home), ElementsAreArray(kBase));
  EXPECT_THAT(ids_of_kind(s, InstallKind::kBerryCache, home), ElementsAreArray(kBerry));
  EXPECT_THAT(ids_of_kind(s, InstallKind::kBunCache, home), ElementsAreArray(kBase));
  for (const auto& [path, why] : s.skipped) EXPECT_FALSE(path.starts_with(home)) << path << ": " << why;
  // Looked for and not there: reported with why.
  EXPECT_THAT(s.roots_absent, Contains(Pair(home + "/.volta/tools/image/node", "does not exist")));
  EXPECT_THAT(s.roots_absent, Contains(Pair(home + "/.npm-global/lib/node_modules", "does not exist")).Times(0));
  EXPECT_THAT(s.roots_read, Contains(home + "/.nvm/versions/node/v20.20.2/lib/node_modules"));
}

TEST(Installed, DefaultRootsFollowTheEnvironment) {
  TempDir t;
  t.write("npmrc", "; comment\nprefix = ~/.npm-global\ncache=\"${CACHE_BASE}/npm\"\nstore-dir=/rc/store\n");
  auto roots = default_install_roots(
      {}, env_of({{"HOME", "/h"}, {"NPM_CONFIG_PREFIX", "/p"}, {"npm_config_cache", "/c"}, {"CACHE_BASE", "/cb"},
                  {"npm_config_userconfig", t.str() + "/npmrc"}, {"NVM_DIR", "/nvm"}, {"VOLTA_HOME", "/v"},
                  {"PNPM_HOME", "/pn"}, {"XDG_DATA_HOME", "/xd"}, {"XDG_CACHE_HOME", "/xc"},
                  {"YARN_CACHE_FOLDER", "/yc"}, {"BUN_INSTALL", "/b"}, {"FNM_DIR", "/f"}}));
  auto has = [&](const std::string& path, InstallKind k) {
    return std::any_of(roots.begin(), roots.end(), [&](const InstallRoot& r) { return r.path == path && r.kind == k; });
  };
  constexpr InstallKind G = InstallKind::kGlobal;
  EXPECT_TRUE(has("/p/lib/node_modules", G));
  EXPECT_TRUE(has("/h/.npm-global/lib/node_modules", G));  // ~/.npmrc prefix=
  EXPECT_TRUE(has("/usr/lib/node_modules", G));
  EXPECT_TRUE(has("/usr/local/lib/node_modules", G));
  EXPECT_TRUE(has("/nvm/versions/node/*/lib/node_modules", G));
  EXPECT_TRUE(has("/h/.nvm/versions/node/*/lib/node_modules", G));  // the default too
  EXPECT_TRUE(has("/v/tools/image/packages/*/lib/node_modules", G));
  EXPECT_TRUE(has("/f/node-versions/*/installation/lib/node_modules", G));
  EXPECT_TRUE(has("/xd/fnm/node-versions/*/installation/lib/node_modules", G));
  EXPECT_TRUE(has("/pn/global/*/node_modules", G));
  EXPECT_TRUE(has("/xd/pnpm/global/*/node_modules", G));
  EXPECT_TRUE(has("/b/install/global/node_modules", G));
  EXPECT_TRUE(has("/c/_npx/*/node_modules", G));
  EXPECT_TRUE(has("/h/.npm/_npx/*/node_modules", G));
  EXPECT_TRUE(has("/xc/pnpm/dlx/*/*/node_modules", G));
  EXPECT_TRUE(has("/tmp/bunx-" + std::to_string(::geteuid()) + "-*/node_modules", G));
  EXPECT_TRUE(has("/c/_cacache", InstallKind::kNpmCache));
  EXPECT_TRUE(has("/cb/npm/_cacache", InstallKind::kNpmCache));
  EXPECT_TRUE(has("/h/.npm/_cacache", InstallKind::kNpmCache));
  EXPECT_TRUE(has("/rc/store", InstallKind::kPnpmStore));
  EXPECT_TRUE(has("/pn/store", InstallKind::kPnpmStore));
  EXPECT_TRUE(has("/h/.local/share/pnpm/store", InstallKind::kPnpmStore));
  EXPECT_TRUE(has("/yc", InstallKind::kYarnCache));
  EXPECT_TRUE(has("/yc", InstallKind::kBerryCache));  // berry's cacheFolder reads the same variable
  EXPECT_TRUE(has("/xc/yarn", InstallKind::kYarnCache));
  EXPECT_TRUE(has("/xd/yarn/berry/cache", InstallKind::kBerryCache));
  EXPECT_TRUE(has("/h/.yarn/berry/cache", InstallKind::kBerryCache));
  EXPECT_TRUE(has("/b/install/cache", InstallKind::kBunCache));
  EXPECT_TRUE(has("/xc/.bun/install/cache", InstallKind::kBunCache));
  EXPECT_TRUE(has("/h/.bun/install/cache", InstallKind::kBunCache));
}

TEST(Installed, DefaultRootsSearchProjectsButNotInsideNodeModules) {
  TempDir t;
  t.write("p/node_modules/a/package.json", pkg_json("a", "1.0.0"));
  t.write("p/node_modules/a/node_modules/b/package.json", pkg_json("b", "1.0.0"));
  t.write("p/packages/app/node_modules/c/package.json", pkg_json("c", "1.0.0"));
  t.write("p/.git/node_modules/d/package.json", pkg_json("d", "1.0.0"));
  t.write("p/tools/.yarn/unplugged/e-npm-1.0.0-0123456789/node_modules/e/package.json", pkg_json("e", "1.0.0"));
  t.write("p/tools/.yarn/cache/f-npm-1.0.0-0123456789-10c0.zip", "");
  t.write("q/README", "");
  std::vector<InstallRoot> roots = default_install_roots({t.str() + "/p", t.str() + "/q"}, env_of({}));
  std::vector<std::pair<std::string, InstallKind>> mine;
  for (const InstallRoot& r : roots)
    if (r.path.starts_with(t.str())) mine.emplace_back(r.path.substr(t.str().size()), r.kind);
  EXPECT_THAT(mine, ElementsAre(Pair("/p/node_modules", InstallKind::kNodeModules),
                                Pair("/p/packages/app/node_modules", InstallKind::kNodeModules),
                                Pair("/p/tools/.yarn/cache", InstallKind::kBerryCache),
                                Pair("/p/tools/.yarn/unplugged", InstallKind::kNodeModules),
                                Pair("/q/node_modules", InstallKind::kNodeModules)));
  std::vector<InstallRoot> only_mine;
  for (const InstallRoot& r : roots)
    if (r.path.starts_with(t.str())) only_mine.push_back(r);
  InstalledScan s = list_installed(only_mine, {});
  EXPECT_THAT(ids(s), ElementsAre("a@1.0.0", "b@1.0.0", "c@1.0.0", "e@1.0.0", "f@1.0.0"));
  EXPECT_THAT(s.roots_absent, ElementsAre(Pair(t.str() + "/q/node_modules", "does not exist")));
}

TEST(Installed, GlobRootsReportWhatIsMissing) {
  TempDir t;
  t.write("empty/.keep", "");
  t.write("nvm/versions/node/v1/lib/node_modules/x/package.json", pkg_json("x", "1.0.0"));
  t.write("nvm/versions/node/v2/bin/node", "");
  t.write("tmp/bunx-0-ms@2.1.3/node_modules/ms/package.json", pkg_json("ms", "2.1.3"));
  t.write("tmp/bunx-1-ms@2.1.2/node_modules/ms/package.json", pkg_json("ms", "2.1.2"));
  InstalledScan s = list_installed({{t.str() + "/nope/versions/node/*/lib/node_modules", InstallKind::kGlobal},
                                    {t.str() + "/empty/*/lib/node_modules", InstallKind::kGlobal},
                                    {t.str() + "/nvm/versions/node/*/lib/node_modules", InstallKind::kGlobal},
                                    {t.str() + "/tmp/bunx-0-*/node_modules", InstallKind::kGlobal}},
                                   {});
  EXPECT_THAT(ids(s), ElementsAre("ms@2.1.3", "x@1.0.0"));
  EXPECT_THAT(s.roots_read, ElementsAre(t.str() + "/nvm/versions/node/v1/lib/node_modules",
                                        t.str() + "/tmp/bunx-0-ms@2.1.3/node_modules"));
  EXPECT_THAT(s.roots_absent,
              ElementsAre(Pair(t.str() + "/nope/versions/node", "does not exist"),
                          Pair(t.str() + "/empty/*/lib/node_modules", "no folder matches")));
}

// --- hostile and broken trees ----------------------------------------------------------

TEST(Installed, BadPackageJsonIsReportedWithItsLine) {
  TempDir t;
  t.write("node_modules/good/package.json", pkg_json("good", "1.0.0"));
  t.write("node_modules/broken/package.json", "{\n  \"name\": \"broken\",\n  \"version\": 1.0.0\n}\n");
  t.write("node_modules/noversion/package.json", R"({"name":"noversion"})");
  t.write("node_modules/badname/package.json", pkg_json("../../etc", "1.0.0"));
  t.write("node_modules/@s/typed/package.json", R"({"name":["x"],"version":"1.0.0"})");
  t.write("node_modules/empty/README.md", "");
  InstalledScan s = read_root(t.str() + "/node_modules", InstallKind::kNodeModules);
  EXPECT_THAT(ids(s), ElementsAre("good@1.0.0"));
  std::map<std::string, std::string> why(s.skipped.begin(), s.skipped.end());
  const std::string nm = t.str() + "/node_modules/";
  EXPECT_THAT(why[nm + "broken/package.json"], HasSubstr("broken/package.json:3:"));
  EXPECT_THAT(why[nm + "noversion/package.json"], HasSubstr("no \"version\""));
  EXPECT_THAT(why[nm + "badname/package.json"], HasSubstr("not a package name"));
  EXPECT_THAT(why[nm + "@s/typed/package.json"], HasSubstr("/name: expected a string"));
  EXPECT_THAT(why[nm + "empty"], HasSubstr("no package.json"));
  EXPECT_EQ(s.skipped.size(), 5u) << skips(s);
}

TEST(Installed, SymlinkLoopsAndLinksOutOfTheTreeAreReportedNotFollowed) {
  TempDir t;
  const std::string nm = t.str() + "/node_modules";
  t.write("node_modules/real/package.json", pkg_json("real", "1.0.0"));
  t.write("packages/util/package.json", pkg_json("util", "1.0.0"));
  fs::create_directory_symlink("/", nm + "/evil");
  fs::create_directory_symlink("loop-b", nm + "/loop-a");
  fs::create_directory_symlink("loop-a", nm + "/loop-b");
  fs::create_directory_symlink("self", nm + "/self");
  fs::create_directory_symlink("gone", nm + "/dangling");
  fs::create_directory_symlink("real", nm + "/alias-of-real");  // lands on a package read here
  fs::create_directories(nm + "/@app");
  fs::create_directory_symlink("../../packages/util", nm + "/@app/util");  // a workspace link
  fs::create_directories(nm + "/real/node_modules");
  fs::create_directory_symlink("/", nm + "/real/node_modules/deep-evil");
  InstalledScan s = read_root(nm, InstallKind::kNodeModules);
  EXPECT_THAT(ids(s), ElementsAre("real@1.0.0"));
  std::map<std::string, std::string> why(s.skipped.begin(), s.skipped.end());
  EXPECT_THAT(why[nm + "/evil"], HasSubstr("symlink to /"));
  EXPECT_THAT(why[nm + "/real/node_modules/deep-evil"], HasSubstr("symlink to /"));
  EXPECT_THAT(why[nm + "/loop-a"], HasSubstr("symlink loop"));
  EXPECT_THAT(why[nm + "/loop-b"], HasSubstr("symlink loop"));
  EXPECT_THAT(why[nm + "/self"], HasSubstr("symlink loop"));
  EXPECT_THAT(why[nm + "/dangling"], HasSubstr("dangling symlink to gone"));
  EXPECT_THAT(why[nm + "/@app/util"], HasSubstr("workspace or linked package"));
  EXPECT_EQ(why.count(nm + "/alias-of-real"), 0u);
  EXPECT_EQ(s.skipped.size(), 7u) << skips(s);
}

TEST(Installed, ARootThatIsASymlinkedNodeModulesIsNotFollowed) {
  TempDir t;
  t.write("elsewhere/x/package.json", pkg_json("x", "1.0.0"));
  fs::create_directory_symlink(t.str() + "/elsewhere", t.str() + "/node_modules");
  InstalledScan s = read_root(t.str() + "/node_modules", InstallKind::kNodeModules);
  EXPECT_THAT(ids(s), IsEmpty());
  ASSERT_EQ(s.skipped.size(), 1u);
  EXPECT_THAT(s.skipped[0].second, HasSubstr("symlink to"));
  // A cache or global folder behind a symlink is the user's configuration: read.
  InstalledScan g = read_root(t.str() + "/node_modules", InstallKind::kGlobal);
  EXPECT_THAT(ids(g), ElementsAre("x@1.0.0"));
}

TEST(Installed, OnlyNodeModulesStructureIsWalked) {
  TempDir t;
  t.write("node_modules/a/package.json", pkg_json("a", "1.0.0"));
  t.write("node_modules/a/dist/esm/package.json", R"({"type":"module"})");
  t.write("node_modules/a/lib/node_modules/hidden/package.json", pkg_json("hidden", "1.0.0"));
  t.write("node_modules/a/node_modules/b/package.json", pkg_json("b", "2.0.0"));
  t.write("node_modules/a/node_modules/b/node_modules/@s/c/package.json", pkg_json("@s/c", "3.0.0"));
  t.write("node_modules/.package-lock.json", "{}");
  t.write("node_modules/.cache/x/package.json", pkg_json("x", "1.0.0"));
  InstalledScan s = read_root(t.str() + "/node_modules", InstallKind::kNodeModules);
  EXPECT_THAT(ids(s), ElementsAre("@s/c@3.0.0", "a@1.0.0", "b@2.0.0"));
  ASSERT_EQ(s.skipped.size(), 1u) << skips(s);
  EXPECT_EQ(s.skipped[0].first, t.str() + "/node_modules/.cache");
}

TEST(Installed, AliasesAndImplicitInstallScripts) {
  TempDir t;
  t.write("node_modules/my-ms/package.json", pkg_json("ms", "2.1.3"));
  t.write("node_modules/native/package.json", pkg_json("native", "1.0.0"));
  t.write("node_modules/native/binding.gyp", "{}");
  t.write("node_modules/hooked/package.json", pkg_json("hooked", "1.0.0", R"(,"scripts":{"postinstall":"node x.js"})"));
  t.write("node_modules/tested/package.json", pkg_json("tested", "1.0.0", R"(,"scripts":{"test":"x","install":7})"));
  InstalledScan s = read_root(t.str() + "/node_modules", InstallKind::kNodeModules);
  ASSERT_EQ(s.packages.size(), 4u) << skips(s);
  EXPECT_EQ(find(s, "ms", "2.1.3")->installed_as, "my-ms");
  EXPECT_TRUE(find(s, "native", "1.0.0")->has_install_scripts);  // npm runs node-gyp rebuild
  EXPECT_TRUE(find(s, "hooked", "1.0.0")->has_install_scripts);
  EXPECT_FALSE(find(s, "tested", "1.0.0")->has_install_scripts);  // a non-string script does not run
  EXPECT_FALSE(find(s, "ms", "2.1.3")->has_install_scripts);
}

TEST(Installed, DeepNestingIsCutAndReported) {
  TempDir t;
  std::string rel = "node_modules";
  for (int i = 0; i < 70; ++i) {
    rel += "/a";
    t.write(rel + "/package.json", pkg_json("a", std::to_string(i) + ".0.0"));
    rel += "/node_modules";
  }
  InstalledScan s = read_root(t.str() + "/node_modules", InstallKind::kNodeModules);
  EXPECT_EQ(s.packages.size(), 65u);
  ASSERT_EQ(s.skipped.size(), 1u) << skips(s);
  EXPECT_THAT(s.skipped[0].second, HasSubstr("nested deeper than 64"));
}

// --- caches: damaged and unusual entries ----------------------------------------------

std::string sha1(const std::string& s) {
  unsigned char md[EVP_MAX_MD_SIZE];
  unsigned len = 0;
  EVP_Digest(s.data(), s.size(), md, &len, EVP_sha1(), nullptr);
  std::string hex;
  for (unsigned i = 0; i < len; ++i) {
    static const char* d = "0123456789abcdef";
    hex += d[md[i] >> 4];
    hex += d[md[i] & 15];
  }
  return hex;
}

std::string index_line(const std::string& key, const std::string& integrity = "\"sha512-x\"") {
  const std::string json = R"({"key":")" + key + R"(","integrity":)" + integrity + R"(,"time":1,"size":1})";
  return "\n" + sha1(json) + "\t" + json;
}

TEST(Installed, NpmCacheIndexLinesAreCheckedAndReducedLikeCacache) {
  TempDir t;
  const std::string rc = "make-fetch-happen:request-cache:";
  const std::string corrupt_json = R"({"key":")" + rc + R"(https://registry.npmjs.org/evil/-/evil-6.6.6.tgz"})";
  t.write("_cacache/index-v5/aa/bb/one",
          index_line(rc + "https://registry.npmjs.org/ms/-/ms-2.1.3.tgz") +
              "\n0000000000000000000000000000000000000000\t" + corrupt_json +
              index_line(rc + "https://registry.npmjs.org/debug/-/debug-4.3.4.tgz") +
              index_line(rc + "https://registry.npmjs.org/debug/-/debug-4.3.4.tgz", "null") +  // removed
              index_line(rc + "https://registry.npmjs.org/ms") +                                 // packument
              index_line(rc + "https://registry.npmjs.org/@types%2fms") +
              index_line("pacote:tarball:is-number@7.0.0") +
              index_line(rc + "https://npm.example.com/api/npm/remote/@scope%2fpkg/-/pkg-1.0.0-beta.1.tgz") +
              index_line(rc + "https://registry.npmjs.org/@types/ms/-/ms-0.7.34.tgz?x=1") +
              index_line(rc + "https://registry.npmjs.org/foo/-/bar-1.0.0.tgz") + "\n");
  t.write("_cacache/index-v5/cc/dd/two", "\nnot a line at all\n");
  InstalledScan s = read_root(t.str() + "/_cacache", InstallKind::kNpmCache);
  EXPECT_THAT(ids(s), ElementsAre("@scope/pkg@1.0.0-beta.1", "@types/ms@0.7.34", "ms@2.1.3"));
  std::map<std::string, std::string> why(s.skipped.begin(), s.skipped.end());
  const std::string one = t.str() + "/_cacache/index-v5/aa/bb/one";
  EXPECT_THAT(why[one + ":3"], HasSubstr("corrupt index line"));
  EXPECT_THAT(why[one + ":11"], HasSubstr("does not start with its package name"));
  EXPECT_THAT(why[t.str() + "/_cacache/index-v5/cc/dd/two:2"], HasSubstr("corrupt index line"));
  EXPECT_EQ(s.skipped.size(), 3u) << skips(s);
}

// The line and key parsers alone (fuzz/cacache_index_fuzz.cpp calls them too).
TEST(Installed, CacacheLineAndKeyParsers) {
  using namespace installed;
  std::string why;
  const std::string json = R"({"key":"a","integrity":null,"key":"b"})";
  std::optional<CacacheLine> l = parse_cacache_line(sha1(json) + "\t" + json, &why);
  ASSERT_TRUE(l) << why;
  EXPECT_EQ(l->key, "b");  // a repeated key: the last, as JSON.parse
  EXPECT_FALSE(l->live);
  EXPECT_FALSE(parse_cacache_line(sha1(json) + "\t" + json + " ", &why));
  EXPECT_THAT(why, HasSubstr("corrupt index line"));
  const std::string nokey = R"({"integrity":"x"})";
  EXPECT_FALSE(parse_cacache_line(sha1(nokey) + "\t" + nokey, &why));
  EXPECT_EQ(why, "index line that is not an entry npm can read (no key)");

  std::string name, version;
  EXPECT_EQ(classify_cacache_key("make-fetch-happen:request-cache:https://r.example/x/@s%2fp/-/p-1.0.0.tgz", &name,
                                 &version, &why),
            CacacheKeyKind::kTarball);
  EXPECT_EQ(name + "@" + version, "@s/p@1.0.0");
  EXPECT_EQ(classify_cacache_key("make-fetch-happen:request-cache:https://r.example/-/.tgz", &name, &version, &why),
            CacacheKeyKind::kBadTarball);
  EXPECT_EQ(classify_cacache_key("make-fetch-happen:request-cache:https://r.example", &name, &version, &why),
            CacacheKeyKind::kMetadata);
}

TEST(Installed, BerryCacheNameParser) {
  using namespace installed;
  std::string why;
  std::optional<BerryCacheName> n = parse_berry_cache_name("@types-ms-npm-0.7.34-46f5141bfd-ac80bd9001.zip", &why);
  ASSERT_TRUE(n) << why;
  EXPECT_EQ(n->name.value_or(""), "@types/ms");
  ASSERT_EQ(n->candidates.size(), 1u);
  EXPECT_EQ(n->candidates[0].version, "0.7.34");
  n = parse_berry_cache_name("@isaacs-fs-minipass-npm-4.0.1-677026e841-c25b6dc159.zip", &why);
  ASSERT_TRUE(n) << why;
  EXPECT_FALSE(n->name);  // @isaacs/fs-minipass or @isaacs-fs/minipass: the archive says
  EXPECT_FALSE(parse_berry_cache_name("a-npm-1.0.0-012345678-x.zip", &why));
  EXPECT_EQ(why, "not a yarn berry cache file name (no locator hash)");
}

// A zip holding only the given (folder) entries: enough for the central directory.
std::string tiny_zip(const std::vector<std::string>& names) {
  auto le = [](std::string* b, uint32_t v, int bytes) {
    for (int i = 0; i < bytes; ++i) *b += static_cast<char>((v >> (8 * i)) & 0xff);
  };
  std::string local, central;
  for (const std::string& n : names) {
    const uint32_t off = static_cast<uint32_t>(local.size());
    local += "PK\x03\x04";
    le(&local, 10, 2), le(&local, 0, 2), le(&local, 0, 2), le(&local, 0, 4), le(&local, 0, 4), le(&local, 0, 4);
    le(&local, 0, 4), le(&local, static_cast<uint32_t>(n.size()), 2), le(&local, 0, 2);
    local += n;
    central += "PK\x01\x02";
    le(&central, 20, 2), le(&central, 10, 2), le(&central, 0, 2), le(&central, 0, 2), le(&central, 0, 4);
    le(&central, 0, 4), le(&central, 0, 4), le(&central, 0, 4), le(&central, static_cast<uint32_t>(n.size()), 2);
    le(&central, 0, 2), le(&central, 0, 2), le(&central, 0, 2), le(&central, 0, 2), le(&central, 0, 4);
    le(&central, off, 4);
    central += n;
  }
  std::string out = local + central + "PK\x05\x06";
  le(&out, 0, 2), le(&out, 0, 2), le(&out, static_cast<uint32_t>(names.size()), 2);
  le(&out, static_cast<uint32_t>(names.size()), 2), le(&out, static_cast<uint32_t>(central.size()), 4);
  le(&out, static_cast<uint32_t>(local.size()), 4), le(&out, 0, 2);
  return out;
}

TEST(Installed, BerryCacheFileNames) {
  TempDir t;
  t.write("c/foo-npm-1.0.0-0123456789-10c0.zip", "");
  t.write("c/foo-npm-1.0.0-rc.1-0123456789-8.zip", "");
  t.write("c/name-with-npm-npm-1.2.3-0123456789-10c0.zip", "");
  t.write("c/@s-x-npm-3.0.0-0123456789-b4686d0d30.zip", "");
  t.write("c/@a-b-c-npm-1.0.0-0123456789-10c0.zip", "");
  t.write("c/@a-b-c-npm-2.0.0-0123456789-10c0.zip",
          tiny_zip({"node_modules/", "node_modules/@a-b/", "node_modules/@a-b/c/",
                    "node_modules/@a-b/c/package.json"}));
  t.write("c/typescript-patch-0123456789-10c0.zip", "");
  t.write("c/.gitignore", "");
  t.write("c/stray.zip", "");
  InstalledScan s = read_root(t.str() + "/c", InstallKind::kBerryCache);
  EXPECT_THAT(ids(s), ElementsAre("@a-b/c@2.0.0", "@s/x@3.0.0", "foo@1.0.0", "foo@1.0.0-rc.1", "name-with-npm@1.2.3"));
  std::map<std::string, std::string> why(s.skipped.begin(), s.skipped.end());
  EXPECT_THAT(why[t.str() + "/c/@a-b-c-npm-1.0.0-0123456789-10c0.zip"], HasSubstr("does not say which package"));
  EXPECT_THAT(why[t.str() + "/c/typescript-patch-0123456789-10c0.zip"], HasSubstr("'patch' package"));
  EXPECT_THAT(why[t.str() + "/c/stray.zip"], HasSubstr("not a yarn berry cache file name"));
  EXPECT_EQ(s.skipped.size(), 3u) << skips(s);
}

TEST(Installed, PnpmStoreEntriesWithoutNameOrUnknownLayoutAreReported) {
  TempDir t;
  t.write("store/v10/index/00/abc-ok@1.0.0.json", R"({"name":"ok","version":"1.0.0","files":{}})");
  t.write("store/v10/index/00/def-x.json", R"({"files":{"package.json":{}}})");
  t.write("store/v3/files/00/abc-index.json", "{\"name\":\"trunc");
  t.write("store/v3/files/00/abcdef", "content");
  t.write("store/v7/files/.keep", "");
  InstalledScan s = read_root(t.str() + "/store", InstallKind::kPnpmStore);
  EXPECT_THAT(ids(s), ElementsAre("ok@1.0.0"));
  EXPECT_FALSE(s.packages[0].scripts_known);  // no requiresBuild
  std::map<std::string, std::string> why(s.skipped.begin(), s.skipped.end());
  EXPECT_THAT(why[t.str() + "/store/v10/index/00/def-x.json"], HasSubstr("no \"name\""));
  EXPECT_THAT(why[t.str() + "/store/v3/files/00/abc-index.json"], HasSubstr("abc-index.json:1:"));
  EXPECT_THAT(why[t.str() + "/store/v7"], HasSubstr("not known"));
  EXPECT_EQ(s.skipped.size(), 3u) << skips(s);
}

TEST(Installed, OverlappingRootsAreReadOnce) {
  const std::string nm = fixture("npm/node_modules");
  InstalledScan s = list_installed({{nm, InstallKind::kNodeModules}, {nm + "/", InstallKind::kNodeModules},
                                    {nm + "/debug/node_modules", InstallKind::kNodeModules}},
                                   {});
  EXPECT_THAT(ids(s), ElementsAreArray(kBase));
  EXPECT_THAT(s.skipped, IsEmpty()) << skips(s);
}

TEST(Installed, KindNames) {
  EXPECT_EQ(install_kind_name(InstallKind::kNodeModules), "node_modules");
  EXPECT_EQ(install_kind_name(InstallKind::kGlobal), "global");
  EXPECT_EQ(install_kind_name(InstallKind::kNpmCache), "npm-cache");
  EXPECT_EQ(install_kind_name(InstallKind::kPnpmStore), "pnpm-store");
  EXPECT_EQ(install_kind_name(InstallKind::kYarnCache), "yarn-cache");
  EXPECT_EQ(install_kind_name(InstallKind::kBerryCache), "yarn-berry-cache");
  EXPECT_EQ(install_kind_name(InstallKind::kBunCache), "bun-cache");
}

}  // namespace
}  // namespace gv
