#include "inventory/rule_search.h"

#include <algorithm>
#include <map>
#include <set>
#include <tuple>

#include <fmt/format.h>

#include "common/utc.h"

namespace gv::inventory {

namespace {

// The rules' verdict on one span: hits, or why it could not be checked.
void judge(const std::vector<RuleEntry>& entries, const Span& s, RuleSearch* out) {
  RuleSpan rs{s, {}};
  const std::string_view eco = ecosystem_of(s.lockfile);
  std::optional<semver::Version> version;
  std::optional<semver::Range> range;
  if (s.declared) {
    range = semver::Range::parse(s.version);
  } else {
    version = semver::parse_version(s.version);
  }
  for (const RuleEntry& e : entries) {
    if (e.dropper) {
      rs.hits.push_back({e.rule, "*"});
      continue;
    }
    const PackageRule& pr = *e.package_rule;
    if (!eco.empty() && !applies_to_ecosystem(pr, eco)) continue;
    if (s.declared) {
      if (!range) {
        // A dist-tag ("latest") resolves to whatever was published at install
        // time: during an incident, possibly the hijacked release (as a scan says).
        rs.hits.push_back({e.rule, join_exprs(pr)});
      } else if (const AffectedVersion* av = affected_intersect(pr, *range)) {
        rs.hits.push_back({e.rule, std::string(av->expr)});
      }
    } else if (!version) {
      out->unchecked.push_back({s, std::string(e.rule->id), "version is not a semver version; cannot be checked"});
    } else if (const AffectedVersion* av = affected_match(pr, *version)) {
      rs.hits.push_back({e.rule, std::string(av->expr)});
    }
  }
  if (!rs.hits.empty()) out->matches.push_back(std::move(rs));
}

bool span_before(const Span& a, const Span& b) {
  return std::tie(a.org, a.repo, a.ref, a.lockfile, a.version, a.introduced_by.time) <
         std::tie(b.org, b.repo, b.ref, b.lockfile, b.version, b.introduced_by.time);
}

}  // namespace

std::string_view ecosystem_of(std::string_view path) {
  const size_t slash = path.find_last_of('/');
  const std::string_view name = slash == std::string_view::npos ? path : path.substr(slash + 1);
  if (name == "package-lock.json" || name == "npm-shrinkwrap.json") return "npm";
  if (name == "pnpm-lock.yaml") return "pnpm";
  if (name == "yarn.lock") return "yarn";
  if (name == "bun.lock" || name == "bun.lockb") return "bun";
  return "";
}

std::optional<Error> search_package(Store& store, const Filter& scope, const Query& q, std::vector<Span>* out) {
  Filter f = scope;
  f.package = q.package;
  // An exact version (the usual incident question) reads only its own rows:
  // a span of version V depends on no row of another version.
  if (!q.versions.empty()) {
    std::optional<semver::Version> v = semver::parse_version(q.versions);
    if (v && v->str() == q.versions) f.version = q.versions;
  }
  std::vector<ChangeRow> rows;
  std::vector<TipRow> tips;
  if (auto e = store.changes(f, &rows)) return e;
  if (auto e = store.tips(f, &tips)) return e;
  *out = spans(rows, tips, q);
  return std::nullopt;
}

std::optional<Error> search_rules(Store& store, const RuleIndex& index, const Filter& scope,
                                  const Query& window, RuleSearch* out) {
  std::vector<std::string> names;
  if (auto e = store.packages(&names)) return e;
  out->names_indexed = names.size();
  std::vector<Span> found;
  for (const std::string& name : names) {
    const std::vector<RuleEntry>* entries = index.lookup(name);
    if (entries == nullptr) continue;
    ++out->names_looked_up;
    Query q = window;
    q.package = name;
    q.versions.clear();
    if (auto e = search_package(store, scope, q, &found)) return e;
    for (const Span& s : found) judge(*entries, s, out);
  }
  std::sort(out->matches.begin(), out->matches.end(),
            [](const RuleSpan& a, const RuleSpan& b) { return span_before(a.span, b.span); });
  return std::nullopt;
}

std::vector<AffectedRepo> blast_radius(const std::vector<RuleSpan>& matches) {
  std::map<std::pair<std::string, std::string>, AffectedRepo> by_repo;
  for (const RuleSpan& m : matches) {
    AffectedRepo& r = by_repo[{m.span.org, m.span.repo}];
    if (r.spans.empty()) {
      r.org = m.span.org;
      r.repo = m.span.repo;
    }
    r.spans.push_back(m);
    r.still_affected = r.still_affected || m.span.present_at_tip;
    const int64_t in = m.span.introduced_by.time;
    if (!m.span.introduced_by.sha.empty() && (r.first_introduced == 0 || in < r.first_introduced)) {
      r.first_introduced = in;
    }
    if (m.span.removed_by) r.last_removed = std::max(r.last_removed, m.span.removed_by->time);
    for (const RuleHit& h : m.hits) {
      if (std::find(r.rules.begin(), r.rules.end(), h.rule) == r.rules.end()) r.rules.push_back(h.rule);
    }
  }
  std::vector<AffectedRepo> out;
  for (auto& [key, r] : by_repo) {
    std::stable_sort(r.rules.begin(), r.rules.end(),
                     [](const Rule* a, const Rule* b) { return a->severity > b->severity; });
    r.severity = r.rules.front()->severity;
    std::stable_sort(r.spans.begin(), r.spans.end(), [](const RuleSpan& a, const RuleSpan& b) {
      return std::make_tuple(!a.span.present_at_tip, a.span.introduced_by.time) <
             std::make_tuple(!b.span.present_at_tip, b.span.introduced_by.time);
    });
    out.push_back(std::move(r));
  }
  std::stable_sort(out.begin(), out.end(), [](const AffectedRepo& a, const AffectedRepo& b) {
    if (a.still_affected != b.still_affected) return a.still_affected;
    if (a.severity != b.severity) return a.severity > b.severity;
    if (a.still_affected) return a.first_introduced < b.first_introduced;
    return a.last_removed > b.last_removed;
  });
  return out;
}

std::vector<std::string> repo_actions(const AffectedRepo& repo) {
  std::vector<std::string> out;
  std::set<std::string> seen;
  auto add = [&](std::string s) {
    if (seen.insert(s).second) out.push_back(std::move(s));
  };
  for (const RuleSpan& m : repo.spans) {
    const Span& s = m.span;
    std::string matched;
    for (const RuleHit& h : m.hits) matched += (matched.empty() ? "" : ", ") + h.matched;
    if (s.present_at_tip) {
      add(s.declared
              ? fmt::format("{} on {}: change the declared range of {} (\"{}\") so it cannot resolve to {}, then "
                            "reinstall and commit the lockfile",
                            s.lockfile, s.ref, s.package, s.version, matched)
              : fmt::format("{} on {}: move {} off {} (affected: {}), reinstall from a clean cache and commit "
                            "the lockfile",
                            s.lockfile, s.ref, s.package, s.version, matched));
    }
  }
  // One window per ref, from the first introduction to the last removal (or
  // now): CI on that ref could install the versions, and their install
  // scripts could read what CI and developers had.
  struct Window {
    int64_t from = 0;
    bool from_unknown = false;
    int64_t to = 0;
    bool still = false;
    std::set<std::string> versions;
  };
  std::map<std::string, Window> by_ref;
  for (const RuleSpan& m : repo.spans) {
    const Span& s = m.span;
    auto [it, fresh] = by_ref.try_emplace(s.ref);
    Window& w = it->second;
    if (s.introduced_by.sha.empty()) {
      w.from_unknown = true;
    } else if (fresh || w.from == 0 || s.introduced_by.time < w.from) {
      w.from = s.introduced_by.time;
    }
    if (s.removed_by) w.to = std::max(w.to, s.removed_by->time);
    w.still = w.still || s.present_at_tip || !s.removed_by;
    w.versions.insert(s.package + "@" + s.version);
  }
  for (const auto& [ref, w] : by_ref) {
    std::string versions;
    for (const std::string& v : w.versions) versions += (versions.empty() ? "" : ", ") + v;
    add(fmt::format("rotate the secrets CI and developers of {} could reach on {} from {} to {}: {} could be "
                    "installed there",
                    repo.repo, ref, w.from_unknown || w.from == 0 ? "an unknown date" : iso_utc(w.from),
                    w.still ? "now (still present)" : iso_utc(w.to), versions));
  }
  return out;
}

}  // namespace gv::inventory
