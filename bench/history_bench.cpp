// The history index at the issue's scale (issue #6):
//   - indexing a generated 20,000-commit repository (2,000 lockfile commits,
//     bench/gen_history_repo.py) with walk_repository: commits/s, and how many
//     lockfile blobs were parsed against how many lockfile changes there were
//     (the blob id decides: a blob seen before is not parsed again);
//   - the same walk saved into a fresh SQLite file: the whole `index` cost;
//   - one search (changes + tips + spans) in a SQLite store of 1,000
//     synthetic repositories, for a package most of them have and a rare one.
// Inputs are made once under /tmp/gouvernante-bench-history and reused.
#include <benchmark/benchmark.h>

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <random>
#include <set>
#include <string>
#include <tuple>

#include "inventory/git_walk.h"
#include "inventory/search.h"
#include "inventory/store.h"

namespace gv::inventory {
namespace {

namespace fs = std::filesystem;

const std::string kDir = "/tmp/gouvernante-bench-history";

// Generated into a temporary name and renamed, so an interrupted run never
// leaves a half-made input that later runs would trust.
bool make_once(const std::string& path, const auto& make) {
  if (fs::exists(path)) return true;
  std::error_code ec;
  fs::create_directories(kDir, ec);
  const std::string tmp = path + ".tmp";
  fs::remove_all(tmp, ec);
  if (!make(tmp)) return false;
  fs::rename(tmp, path, ec);
  return !ec;
}

// nullptr when the generator could not run (no python3 or git).
const std::string* history_repo() {
  static const std::string path = kDir + "/repo-20000";
  static const bool ok = make_once(path, [](const std::string& tmp) {
    const std::string cmd = "python3 '" GV_SOURCE_DIR "/bench/gen_history_repo.py' --out '" + tmp +
                            "' --commits 20000 --lockfile-commits 2000 >&2";
    return std::system(cmd.c_str()) == 0;
  });
  return ok ? &path : nullptr;
}

// What a walk found, for the counters.
struct WalkStats {
  size_t commits = 0, lockfile_commits = 0, file_changes = 0, blobs_parsed = 0;
};

WalkStats stats_of(const RefIndex& idx) {
  WalkStats s{idx.commits_walked, idx.commits.size(), 0, idx.blobs_parsed};
  for (const CommitChanges& c : idx.commits) {
    std::set<std::string> files;
    for (const PackageChange& p : c.changes) files.insert(p.lockfile);
    s.file_changes += files.size();
  }
  return s;
}

bool walk(benchmark::State& state, const std::string& repo, std::vector<RefIndex>* out) {
  std::vector<Error> problems;
  WalkOptions opt;
  opt.org = "bench";
  std::optional<Error> e = walk_repository(repo, opt, {}, out, &problems);
  if (!e && !problems.empty()) e = problems.front();
  if (!e && out->size() != 1) e = Error{repo, 0, 0, "expected one ref"};
  if (e) state.SkipWithError(e->str().c_str());
  return !e;
}

void report(benchmark::State& state, const WalkStats& s) {
  state.SetItemsProcessed(static_cast<int64_t>(state.iterations() * s.commits));
  using C = benchmark::Counter;
  state.counters["commits/s"] = C(static_cast<double>(s.commits), C::kIsIterationInvariantRate);
  state.counters["commits"] = static_cast<double>(s.commits);
  state.counters["lockfile_commits"] = static_cast<double>(s.lockfile_commits);
  // One per (commit, indexed file) changed; each needs two blobs without the cache.
  state.counters["file_changes"] = static_cast<double>(s.file_changes);
  state.counters["blobs_parsed"] = static_cast<double>(s.blobs_parsed);
}

void BM_IndexRepository(benchmark::State& state) {
  const std::string* repo = history_repo();
  if (repo == nullptr) return state.SkipWithError("cannot generate the repository (python3, git?)");
  WalkStats s;
  for (auto _ : state) {
    std::vector<RefIndex> out;
    if (!walk(state, *repo, &out)) return;
    s = stats_of(out[0]);
  }
  report(state, s);
}
BENCHMARK(BM_IndexRepository)->Unit(benchmark::kMillisecond)->UseRealTime();

// Walk, then save into a new SQLite file: what `gouvernante index` costs.
void BM_IndexRepositoryToSqlite(benchmark::State& state) {
  const std::string* repo = history_repo();
  if (repo == nullptr) return state.SkipWithError("cannot generate the repository (python3, git?)");
  const std::string db = kDir + "/index-bench.db";
  WalkStats s;
  for (auto _ : state) {
    state.PauseTiming();
    for (const char* suffix : {"", "-wal", "-shm"}) fs::remove(db + suffix);
    state.ResumeTiming();
    std::vector<RefIndex> out;
    if (!walk(state, *repo, &out)) return;
    Error error;
    std::unique_ptr<Store> store = Store::open(db, &error);
    if (!store) return state.SkipWithError(error.str().c_str());
    for (const RefIndex& idx : out) {
      if (auto e = store->save(idx)) return state.SkipWithError(e->str().c_str());
    }
    s = stats_of(out[0]);
  }
  report(state, s);
}
BENCHMARK(BM_IndexRepositoryToSqlite)->Unit(benchmark::kMillisecond)->UseRealTime();

// ---- search over 1,000 repositories ------------------------------------------

constexpr size_t kPool = 5000;  // package names; rank 0 is the most common
constexpr int kRepos = 1000, kCommits = 20, kChangesPerCommit = 30;

std::string pool_name(size_t rank) {
  static const char* const kTop[] = {"debug", "ms", "lodash", "chalk", "semver", "commander"};
  if (rank < std::size(kTop)) return kTop[rank];
  return (rank % 9 == 0 ? "@scope" + std::to_string(rank % 40) + "/pkg-" : "pkg-") + std::to_string(rank);
}

std::string sha_of(std::mt19937_64& rng) {
  char buf[41];
  std::snprintf(buf, sizeof buf, "%016llx%016llx%08llx", static_cast<unsigned long long>(rng()),
                static_cast<unsigned long long>(rng()), static_cast<unsigned long long>(rng() & 0xffffffffu));
  return buf;
}

std::string version_of(std::mt19937_64& rng) {
  return std::to_string(rng() % 10) + "." + std::to_string(rng() % 30) + "." + std::to_string(rng() % 40);
}

// One synthetic repository: a first commit adding its ~800 packages (rank r
// present with probability min(0.98, 200/(r+1)): "debug" in 98% of the
// repositories, the last ranks in ~4%), then commits each bumping ~15 of them
// (a removal and an addition: ~30 changes), popular names bumped more often.
RefIndex synthetic_repo(int n, std::mt19937_64& rng) {
  RefIndex idx;
  idx.org = "org";
  idx.repo = "repo-" + std::to_string(n);
  idx.path = "/src/" + idx.repo;
  idx.ref = "main";
  std::uniform_real_distribution<double> u(0, 1);
  std::vector<std::pair<std::string, std::string>> present;  // name, version
  for (size_t r = 0; r < kPool; ++r) {
    const double p = std::min(0.98, 200.0 / static_cast<double>(r + 1));
    if (u(rng) < p) present.emplace_back(pool_name(r), version_of(rng));
  }
  int64_t time = 1'600'000'000 + n;
  auto commit = [&](const std::string& subject) {
    CommitChanges c;
    c.commit = CommitInfo{sha_of(rng), "Dev", "dev@example.com", "GitHub", time += 3600, subject, 0, ""};
    return c;
  };
  CommitChanges first = commit("Initial commit");
  for (const auto& [name, version] : present) first.changes.push_back({"package-lock.json", name, version, true});
  idx.commits.push_back(std::move(first));
  for (int k = 1; k < kCommits; ++k) {
    const int64_t pr = n * 100 + k;
    CommitChanges c = commit("Bump dependencies (#" + std::to_string(pr) + ")");
    c.commit.pr = pr;
    c.commit.pr_commit = c.commit.sha;
    std::set<size_t> picked;
    while (picked.size() < kChangesPerCommit / 2) {
      // Weight 1/sqrt(rank): P(index <= x) ~ sqrt(x / size).
      const double x = u(rng);
      picked.insert(std::min(present.size() - 1, static_cast<size_t>(x * x * static_cast<double>(present.size()))));
    }
    for (size_t i : picked) {
      c.changes.push_back({"package-lock.json", present[i].first, present[i].second, false});
      present[i].second = version_of(rng) + "-" + std::to_string(k);  // never the same as before
      c.changes.push_back({"package-lock.json", present[i].first, present[i].second, true});
    }
    std::sort(c.changes.begin(), c.changes.end(), [](const PackageChange& a, const PackageChange& b) {
      return std::tie(a.lockfile, a.package, a.version, a.added) < std::tie(b.lockfile, b.package, b.version, b.added);
    });
    idx.commits.push_back(std::move(c));
  }
  idx.tip = idx.commits.back().commit.sha;
  for (const auto& [name, version] : present) idx.tip_packages.push_back({"package-lock.json", name, version});
  return idx;
}

const std::string* org_store() {
  static const std::string path = kDir + "/org1000.db";
  static const bool ok = make_once(path, [](const std::string& tmp) {
    Error error;
    std::unique_ptr<Store> store = Store::open(tmp, &error);
    if (!store) return false;
    std::mt19937_64 rng(1000);
    for (int n = 0; n < kRepos; ++n) {
      if (store->save(synthetic_repo(n, rng))) return false;
    }
    return true;  // the store closes here and folds its WAL into the file
  });
  return ok ? &path : nullptr;
}

// One `search` as the CLI runs it: open the store, read the package's
// changes and tip rows, turn them into spans.
void BM_SearchSqlite(benchmark::State& state, const std::string& package) {
  const std::string* db = org_store();
  if (db == nullptr) return state.SkipWithError("cannot build the 1,000-repository store");
  size_t rows = 0, tips = 0, found = 0;
  for (auto _ : state) {
    Error error;
    std::unique_ptr<Store> store = Store::open(*db, &error);
    if (!store) return state.SkipWithError(error.str().c_str());
    std::vector<ChangeRow> changes;
    std::vector<TipRow> tip_rows;
    const Filter filter{package, "", ""};
    if (auto e = store->changes(filter, &changes)) return state.SkipWithError(e->str().c_str());
    if (auto e = store->tips(filter, &tip_rows)) return state.SkipWithError(e->str().c_str());
    std::vector<Span> s = spans(changes, tip_rows, Query{package, "", std::nullopt, std::nullopt});
    rows = changes.size();
    tips = tip_rows.size();
    found = s.size();
    benchmark::DoNotOptimize(s.data());
  }
  state.counters["change_rows"] = static_cast<double>(rows);
  state.counters["tip_rows"] = static_cast<double>(tips);  // = repositories that have it now
  state.counters["spans"] = static_cast<double>(found);
}
BENCHMARK_CAPTURE(BM_SearchSqlite, popular_debug, std::string("debug"))
    ->Unit(benchmark::kMillisecond)
    ->UseRealTime();
BENCHMARK_CAPTURE(BM_SearchSqlite, rare_rank4000, pool_name(4000))->Unit(benchmark::kMillisecond)->UseRealTime();
BENCHMARK_CAPTURE(BM_SearchSqlite, absent, std::string("no-such-package"))
    ->Unit(benchmark::kMillisecond)
    ->UseRealTime();

}  // namespace
}  // namespace gv::inventory
