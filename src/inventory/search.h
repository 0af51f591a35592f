// Where did a package version come in: the history index's rows for one
// package, turned into spans -- introduced by this commit (and PR), removed
// by that one or still present at the tip.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "inventory/store.h"
#include "semver/semver.h"

namespace gv::inventory {

// One stay of one package version in one file of one ref.
struct Span {
  std::string org, repo, ref, lockfile, package, version;
  // Empty sha when no indexed commit introduced it (a shallow clone's cut,
  // a merge's conflict resolution) but it is at the tip.
  CommitInfo introduced_by;
  std::optional<CommitInfo> removed_by;  // nullopt while still there
  bool present_at_tip = false;
  // package.json declares ranges, not installed versions: `version` is the
  // declared range there, and it matched when it admits the query.
  bool declared = false;
};

// What to look for: a package and optionally a version or range
// ("" = every version), with an introduction-date window.
struct Query {
  std::string package;
  std::string versions;          // "", "1.2.3", "^1.2.0", ">=1 <2 || 3.0.0" ...
  std::optional<int64_t> since;  // introduced at or after (seconds since the epoch)
  std::optional<int64_t> until;  // introduced at or before
};

// The spans of rows (one package's changes, ordered by org, repo, ref, seq,
// as Store::changes returns them) that match `query`. A removal and an
// addition of the same version in one commit, in different files, is a move
// (a renamed lockfile): the span continues with its first introduction.
// Sorted by org, repo, ref, lockfile, version, introduction time.
std::vector<Span> spans(const std::vector<ChangeRow>& rows, const std::vector<TipRow>& tips,
                        const Query& query);

// Parses "name", "name@1.2.3", "@scope/name@^1", "name@>=1 <2"; false on an
// invalid version expression (with *error).
bool parse_package_query(const std::string& text, Query* q, std::string* error);

}  // namespace gv::inventory
