// The history index's records: plain data, filled by the git walker
// (inventory/git_walk.h) and kept by a Store (inventory/store.h).
//
// One indexing run of one repository ref yields a RefIndex: the commits that
// changed a lockfile or package.json, each with the package versions it
// added or removed in which file, plus the packages present at the ref's tip.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

namespace gv::inventory {

// A commit, as the history shows it.
struct CommitInfo {
  std::string sha;           // 40 hex digits
  std::string author;        // name
  std::string author_email;
  std::string committer;     // name
  int64_t time = 0;          // committer time, seconds since the epoch (UTC)
  std::string subject;       // first line of the message
  // The pull (or merge) request that brought the commit to the branch, when
  // the history shows one: 0 when none. Found from the subject of the commit
  // itself ("... (#12)", a squash merge) or of the merge commit whose second
  // parent brought it in ("Merge pull request #12 from ...", "See merge
  // request group/project!12").
  int64_t pr = 0;
  std::string pr_commit;     // the merge or squash commit that names the PR ("" when pr == 0)
};

// One package version that appeared in or disappeared from one file.
struct PackageChange {
  std::string lockfile;  // path inside the repository, '/'-separated
  std::string package;
  std::string version;
  bool added = true;     // false: removed
};

struct CommitChanges {
  CommitInfo commit;
  std::vector<PackageChange> changes;  // sorted by (lockfile, package, version, added)
};

// A package version present at the tip of a ref.
struct TipPackage {
  std::string lockfile;
  std::string package;
  std::string version;
};

// What one indexing run learned about one ref of one repository.
struct RefIndex {
  std::string org;        // organisation (--org, or the folder holding the clones)
  std::string repo;       // repository name (folder name without ".git")
  std::string path;       // where the clone was read
  std::string ref;        // branch name, e.g. "main"
  std::string tip;        // sha of the ref's tip that was indexed
  std::string base;       // sha of the tip indexed last time ("" on the first run)
  // New commits since `base` that changed a lockfile or package.json,
  // oldest first (reverse topological order: parents before children).
  std::vector<CommitChanges> commits;
  std::vector<TipPackage> tip_packages;  // complete, not a delta
  // Stats of this run, not stored (bench/history_bench.cpp): commits walked,
  // and blobs parsed for this ref (a blob seen before in the run is not).
  size_t commits_walked = 0;
  size_t blobs_parsed = 0;
};

}  // namespace gv::inventory
