#include "inventory/search.h"

#include <algorithm>
#include <map>
#include <set>
#include <tuple>

namespace gv::inventory {

namespace {

bool is_package_json(const std::string& path) {
  return path == "package.json" || path.ends_with("/package.json");
}

// Does `version` (a resolved version, or a declared range in package.json)
// answer the query's version expression?
bool version_matches(const std::optional<semver::Range>& want, const std::string& version, bool declared) {
  if (!want) return true;
  if (!declared) return want->satisfies(version);
  std::optional<semver::Range> have = semver::Range::parse(version);
  return have && want->intersects(*have);
}

}  // namespace

bool parse_package_query(const std::string& text, Query* q, std::string* error) {
  // The version part starts at the first '@' after the name's first byte
  // (a scoped name starts with '@').
  size_t at = text.find('@', 1);
  q->package = text.substr(0, at);
  q->versions = at == std::string::npos ? "" : text.substr(at + 1);
  if (q->package.empty()) {
    *error = "no package name in '" + text + "'";
    return false;
  }
  if (at != std::string::npos && q->versions.empty()) {
    *error = "empty version after '@' in '" + text + "' (leave out '@' for every version)";
    return false;
  }
  std::string why;
  if (!q->versions.empty() && !semver::Range::parse(q->versions, &why)) {
    *error = "invalid version or range '" + q->versions + "': " + why;
    return false;
  }
  return true;
}

std::vector<Span> spans(const std::vector<ChangeRow>& rows, const std::vector<TipRow>& tips,
                        const Query& query) {
  std::optional<semver::Range> want;
  if (!query.versions.empty()) want = semver::Range::parse(query.versions);
  std::set<std::tuple<std::string, std::string, std::string, std::string, std::string>> at_tip;
  for (const TipRow& t : tips) {
    at_tip.emplace(t.org, t.repo, t.ref, t.package.lockfile, t.package.version);
  }
  std::vector<Span> out;
  size_t i = 0;
  while (i < rows.size()) {
    // One ref's rows, in commit order.
    size_t end = i;
    while (end < rows.size() && rows[end].org == rows[i].org && rows[end].repo == rows[i].repo &&
           rows[end].ref == rows[i].ref) {
      ++end;
    }
    // Open spans by (lockfile, version): index into `out`.
    std::map<std::pair<std::string, std::string>, size_t> open;
    size_t k = i;
    while (k < end) {
      size_t commit_end = k;
      while (commit_end < end && rows[commit_end].seq == rows[k].seq) ++commit_end;
      // Removals first: a version removed here and added elsewhere in the
      // same commit moved, and keeps its span.
      std::map<std::string, std::vector<size_t>> moved;  // version -> spans closed here
      for (size_t r = k; r < commit_end; ++r) {
        const ChangeRow& row = rows[r];
        if (row.change.added) continue;
        auto it = open.find({row.change.lockfile, row.change.version});
        if (it == open.end()) continue;  // introduced before the index began, or not matched
        out[it->second].removed_by = row.commit;
        moved[row.change.version].push_back(it->second);
        open.erase(it);
      }
      for (size_t r = k; r < commit_end; ++r) {
        const ChangeRow& row = rows[r];
        if (!row.change.added) continue;
        const bool declared = is_package_json(row.change.lockfile);
        if (!version_matches(want, row.change.version, declared)) continue;
        // A move from a file of the same kind (lockfile to lockfile,
        // package.json to package.json): the span closed above reopens at
        // its new path and keeps its first introduction.
        if (auto m = moved.find(row.change.version); m != moved.end()) {
          auto from = std::find_if(m->second.begin(), m->second.end(),
                                   [&](size_t idx) { return out[idx].declared == declared; });
          if (from != m->second.end()) {
            Span& old = out[*from];
            old.lockfile = row.change.lockfile;
            old.removed_by.reset();
            open[{old.lockfile, old.version}] = *from;
            m->second.erase(from);
            continue;
          }
        }
        Span s;
        s.org = row.org;
        s.repo = row.repo;
        s.ref = row.ref;
        s.lockfile = row.change.lockfile;
        s.package = row.change.package;
        s.version = row.change.version;
        s.declared = declared;
        s.introduced_by = row.commit;
        open[{s.lockfile, s.version}] = out.size();
        out.push_back(std::move(s));
      }
      k = commit_end;
    }
    for (auto& [key, idx] : open) {
      Span& s = out[idx];
      s.present_at_tip = at_tip.count({s.org, s.repo, s.ref, s.lockfile, s.version}) > 0;
    }
    i = end;
  }
  // A version at the tip that no indexed commit introduced: a shallow
  // clone's cut, or a merge that resolved a conflict by changing the lockfile
  // (merges carry no changes of their own). It is there all the same, so it
  // is answered, with its introduction unknown -- and whatever the date
  // window, since its date is unknown.
  std::set<std::tuple<std::string, std::string, std::string, std::string, std::string>> open_at_end;
  for (const Span& s : out) {
    if (!s.removed_by) open_at_end.emplace(s.org, s.repo, s.ref, s.lockfile, s.version);
  }
  for (const TipRow& t : tips) {
    const bool declared = is_package_json(t.package.lockfile);
    if (!version_matches(want, t.package.version, declared)) continue;
    if (open_at_end.count({t.org, t.repo, t.ref, t.package.lockfile, t.package.version})) continue;
    Span s;
    s.org = t.org;
    s.repo = t.repo;
    s.ref = t.ref;
    s.lockfile = t.package.lockfile;
    s.package = t.package.package;
    s.version = t.package.version;
    s.declared = declared;
    s.present_at_tip = true;  // introduced_by stays empty: unknown
    out.push_back(std::move(s));
  }
  // The date window applies to the introduction.
  std::erase_if(out, [&](const Span& s) {
    if (s.introduced_by.sha.empty()) return false;
    return (query.since && s.introduced_by.time < *query.since) ||
           (query.until && s.introduced_by.time > *query.until);
  });
  std::sort(out.begin(), out.end(), [](const Span& a, const Span& b) {
    return std::tie(a.org, a.repo, a.ref, a.lockfile, a.version, a.introduced_by.time) <
           std::tie(b.org, b.repo, b.ref, b.lockfile, b.version, b.introduced_by.time);
  });
  return out;
}

}  // namespace gv::inventory
