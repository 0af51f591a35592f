// Walking a clone's history with libgit2 (no git subprocess): for every
// commit that changed a lockfile or package.json, which package versions it
// added or removed in which file, and to which pull request it belongs.
#pragma once

#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "common/error.h"
#include "inventory/model.h"

namespace gv::inventory {

struct WalkOptions {
  std::string org;        // recorded on every RefIndex
  std::string repo;       // name to record; "" = the clone's folder name without ".git"
  bool all_refs = false;  // every branch, not only the default one
  // Blobs larger than this are reported and not parsed (a 1 GB file
  // committed by mistake must not exhaust memory).
  size_t max_blob_bytes = size_t{256} << 20;
};

// The tip indexed last time for a ref ("" when never): the walk starts after it.
using LastTip = std::function<std::string(const std::string& ref)>;

// Indexes the clone at `path` (a working tree or a bare repository): its
// default branch, or every branch with opt.all_refs. Appends one RefIndex per
// ref with new commits (or new tip packages) to *out. Problems that leave the
// rest usable -- a shallow clone, an unparsable lockfile in some commit, a
// huge blob -- go to *problems, each naming the repository (and commit and
// file); the return value is an error only when nothing could be read.
std::optional<Error> walk_repository(const std::string& path, const WalkOptions& opt,
                                     const LastTip& last_tip, std::vector<RefIndex>* out,
                                     std::vector<Error>* problems);

// The pull or merge request a commit subject or message names, as the hosts
// write them: "Merge pull request #12 from org/branch" (GitHub merge), "Title
// (#12)" (GitHub squash), "See merge request group/project!12" (GitLab).
// 0 when none.
int64_t pr_number(std::string_view message);

// The name a clone is indexed under: its folder's name without ".git"
// ("." and ".." resolved to the real folder).
std::string repository_name(const std::string& path);

// Does libgit2 open `path` itself as a repository (no search upwards)?
bool is_repository(const std::string& path);

// Lockfile or package.json, by base name: the files whose changes are indexed.
bool is_indexed_file(std::string_view path);

}  // namespace gv::inventory
