#include "respond/incident.h"

#include <fmt/format.h>
#include <openssl/evp.h>

#include <algorithm>
#include <map>
#include <set>
#include <tuple>
#include <unordered_map>

#include "common/utc.h"
#include "egress/queries.h"
#include "inventory/rule_search.h"
#include "respond/targets.h"
#include "rules/index.h"
#include "semver/semver.h"

namespace gv::respond {

namespace {

std::string short_sha(const std::string& sha) { return sha.substr(0, 12); }

// Item keys say *what* is affected, not its state: a version later removed
// from a branch is the same item, so watch does not alert on it twice.
std::string repo_key(const RepoItem& r) {
  return fmt::format("repo:{}/{}@{}:{}:{}@{}", r.org, r.repo, r.ref, r.lockfile, r.package, r.version);
}
std::string run_key(const RunItem& r) { return "run:" + r.run_id + ":" + r.destination; }
std::string host_key(const HostItem& h, const inventory::HostFinding& f) {
  return fmt::format("host:{}:{}:{}@{}:{}", h.host, f.kind, f.package, f.version, f.path);
}

void set_severity(Incident* inc);

std::string commit_text(const inventory::CommitInfo& c) {
  if (c.sha.empty()) return "an unknown commit (history cut short)";
  std::string s = short_sha(c.sha);
  if (c.pr != 0) s += fmt::format(" (PR #{})", c.pr);
  return s + " on " + iso_utc(c.time);
}

// ---- repositories ----

// What one package's history says about its versions, for "move to X".
struct PackageFacts {
  std::vector<inventory::ChangeRow> changes;
  std::vector<inventory::TipRow> tips;
};

// The version this lockfile held before `item` came in: the one the
// introducing commit removed from the same file.
std::string previous_version(const PackageFacts& f, const RepoItem& item) {
  if (item.introduced_by.sha.empty()) return "";
  for (const inventory::ChangeRow& c : f.changes) {
    if (c.commit.sha == item.introduced_by.sha && !c.change.added && c.org == item.org && c.repo == item.repo &&
        c.ref == item.ref && c.change.lockfile == item.lockfile && c.change.version != item.version)
      return c.change.version;
  }
  return "";
}

bool version_affected(const Rule& rule, const std::string& package, const std::string& version) {
  for (const DropperPackage& d : rule.dropper_packages)
    if (d.package_name == package) return true;
  for (const PackageRule& p : rule.package_rules) {
    if (p.package_name != package) continue;
    for (const AffectedVersion& a : p.affected_versions)
      if (a.range.satisfies(version)) return true;
  }
  return false;
}

bool is_dropper(const Rule& rule, const std::string& package) {
  return std::any_of(rule.dropper_packages.begin(), rule.dropper_packages.end(),
                     [&](const DropperPackage& d) { return d.package_name == package; });
}

// The newest version of the package indexed anywhere that none of the
// rules matches: a version some repository of the organisation already runs.
std::string newest_unaffected(const PackageFacts& f, const std::vector<const Rule*>& rules,
                              const std::string& package) {
  std::optional<semver::Version> best;
  auto consider = [&](const std::string& v) {
    auto parsed = semver::parse_version(v);
    if (!parsed || !parsed->prerelease.empty()) return;
    for (const Rule* r : rules)
      if (version_affected(*r, package, v)) return;
    if (!best || semver::compare(*parsed, *best) > 0) best = *parsed;
  };
  for (const auto& c : f.changes)
    if (c.change.lockfile.find("package.json") == std::string::npos) consider(c.change.version);
  for (const auto& t : f.tips)
    if (t.package.lockfile.find("package.json") == std::string::npos) consider(t.package.version);
  return best ? best->str() : "";
}

std::string affected_text(const std::vector<const Rule*>& rules, const std::string& package) {
  std::vector<std::string> exprs;
  for (const Rule* r : rules) {
    if (is_dropper(*r, package)) exprs.push_back("every version (dropper)");
    for (const PackageRule& p : r->package_rules)
      if (p.package_name == package)
        for (const AffectedVersion& a : p.affected_versions) exprs.push_back(a.expr.str());
  }
  std::sort(exprs.begin(), exprs.end());
  exprs.erase(std::unique(exprs.begin(), exprs.end()), exprs.end());
  std::string s;
  for (const std::string& e : exprs) s += (s.empty() ? "" : ", ") + e;
  return s;
}

// The file to change and to what.
std::string fix_text(const RepoItem& item, const PackageFacts& facts, const std::vector<const Rule*>& rules) {
  const std::string affected = affected_text(rules, item.package);
  if (!item.present_at_tip) {
    return fmt::format("{} on {}: {}@{} was removed by {}; nothing to change in the code", item.lockfile, item.ref,
                       item.package, item.version,
                       item.removed_by ? commit_text(*item.removed_by) : "an unknown commit");
  }
  if (std::any_of(rules.begin(), rules.end(), [&](const Rule* r) { return is_dropper(*r, item.package); }))
    return fmt::format("{} on {}: remove {} (a dropper: every version is malicious) and whatever depends on it, "
                       "reinstall from a clean cache and commit the lockfile",
                       item.lockfile, item.ref, item.package);
  if (item.declared)
    return fmt::format("{} on {}: change the declared range of {} (\"{}\") so it cannot resolve to {}, then "
                       "reinstall and commit the lockfile",
                       item.lockfile, item.ref, item.package, item.version, affected);
  std::string target;
  const std::string before = previous_version(facts, item);
  if (!before.empty() && std::none_of(rules.begin(), rules.end(), [&](const Rule* r) {
        return version_affected(*r, item.package, before);
      })) {
    target = before + " (what this lockfile had before " + short_sha(item.introduced_by.sha) + ")";
  } else if (std::string newest = newest_unaffected(facts, rules, item.package); !newest.empty()) {
    target = newest + " (the newest unaffected version indexed in the organisation)";
  } else {
    target = "a version outside " + affected;
  }
  return fmt::format("{} on {}: move {} from {} to {}, reinstall from a clean cache (npm ci, pnpm install "
                     "--frozen-lockfile ...) and commit the lockfile",
                     item.lockfile, item.ref, item.package, item.version, target);
}

// Which secrets to rotate: named by the runs of this repository that
// reached the indicators when there are any, otherwise by the window in
// which CI could have installed the version.
std::string secrets_text(const RepoItem& item, const std::vector<RunItem>& runs, bool runs_recorded) {
  std::set<std::string> jobs, dests, ids;
  for (const RunItem& r : runs) {
    if (r.org != item.org || r.repo != item.repo) continue;
    jobs.insert(r.job);
    dests.insert(r.destination);
    ids.insert(r.run_id);
  }
  auto join = [](const std::set<std::string>& s) {
    std::string out;
    for (const std::string& x : s) out += (out.empty() ? "" : ", ") + x;
    return out;
  };
  if (!jobs.empty())
    return fmt::format("CI of {} reached the attacker ({}) in job(s) {} (run(s) {}): rotate every secret those "
                       "jobs could read now -- npm and registry tokens, cloud keys, the CI token, SSH keys",
                       item.repo, join(dests), join(jobs), join(ids));
  const std::string from = item.introduced_by.sha.empty() ? "an unknown date" : iso_utc(item.introduced_by.time);
  const std::string to = item.removed_by ? iso_utc(item.removed_by->time) : "now";
  return fmt::format("rotate the secrets CI and developers of {} could reach on {} from {} to {}: {}@{} could be "
                     "installed there ({})",
                     item.repo, item.ref, from, to, item.package, item.version,
                     runs_recorded ? "no recorded run of it reached the indicators"
                                   : "no run of it is recorded, so whether it ran is unknown");
}

std::optional<Error> collect_repos(inventory::Store& store, const RuleSet& rules, const Scope& scope,
                                   Incident* inc) {
  std::vector<inventory::Store::Indexed> indexed;
  if (auto e = store.indexed(&indexed)) return e;
  std::set<std::pair<std::string, std::string>> repos;
  for (const auto& r : indexed) {
    if ((scope.org.empty() || r.org == scope.org) && (scope.repo.empty() || r.repo == scope.repo)) {
      repos.emplace(r.org, r.repo);
      ++inc->refs_searched;
    }
  }
  inc->repositories_searched = repos.size();
  if (repos.empty()) {
    inc->not_checked.push_back("repositories: none indexed" +
                               std::string(scope.org.empty() && scope.repo.empty() ? "" : " in this scope") +
                               " (gouvernante index)");
    return std::nullopt;
  }
  RuleIndex index(rules.rules);
  inventory::Filter filter;
  filter.org = scope.org;
  filter.repo = scope.repo;
  inventory::RuleSearch rs;
  if (auto e = inventory::search_rules(store, index, filter, inventory::Query{}, &rs)) return e;
  for (const inventory::Unchecked& u : rs.unchecked)
    inc->not_checked.push_back(fmt::format("{}/{} {} {}: {}@{} for rule {}: {}", u.span.org, u.span.repo,
                                           u.span.ref, u.span.lockfile, u.span.package, u.span.version, u.rule_id,
                                           u.reason));
  for (const inventory::AffectedRepo& a : inventory::blast_radius(rs.matches)) {
    for (const inventory::RuleSpan& m : a.spans) {
      RepoItem item{m.span.org, m.span.repo, m.span.ref, m.span.lockfile, m.span.package, m.span.version,
                    m.span.present_at_tip, m.span.declared, m.span.introduced_by, m.span.removed_by};
      for (const inventory::RuleHit& h : m.hits) {
        if (std::find(item.rule_ids.begin(), item.rule_ids.end(), h.rule->id.str()) == item.rule_ids.end())
          item.rule_ids.push_back(h.rule->id.str());
        item.severity = std::max(item.severity, h.rule->severity);
      }
      inc->repos.push_back(std::move(item));
    }
  }
  return std::nullopt;
}

std::optional<Error> write_remediation(inventory::Store& store, const RuleSet& rules, bool runs_recorded,
                                       Incident* inc) {
  std::map<std::string, PackageFacts> facts;
  for (RepoItem& item : inc->repos) {
    auto [it, fresh] = facts.try_emplace(item.package);
    if (fresh) {
      inventory::Filter f;
      f.package = item.package;
      if (auto e = store.changes(f, &it->second.changes)) return e;
      if (auto e = store.tips(f, &it->second.tips)) return e;
    }
    std::vector<const Rule*> item_rules;
    for (const Rule& r : rules.rules)
      if (std::find(item.rule_ids.begin(), item.rule_ids.end(), r.id.str()) != item.rule_ids.end())
        item_rules.push_back(&r);
    item.remediation.push_back(fix_text(item, it->second, item_rules));
    item.remediation.push_back(secrets_text(item, inc->runs, runs_recorded));
    for (const Rule* r : item_rules)
      if (!r->remediation.summary.empty())
        item.remediation.push_back(fmt::format("rule {}: {}", r->id.str(), r->remediation.summary.str()));
  }
  return std::nullopt;
}

// ---- runs ----

std::optional<Error> collect_runs(inventory::Store& store, const RuleSet& rules, const Scope& scope,
                                  bool* recorded, Incident* inc) {
  inventory::EventFilter filter;
  filter.org = scope.org;
  filter.repo = scope.repo;
  std::vector<inventory::RunRecord> runs;
  if (auto e = store.runs(filter, &runs)) return e;
  inc->runs_searched = runs.size();
  *recorded = !runs.empty();
  std::vector<Target> targets;
  std::vector<UnusableIndicator> unusable;
  network_targets(rules, &targets, &unusable);
  for (const UnusableIndicator& u : unusable)
    inc->not_checked.push_back(
        fmt::format("runs: rule {} network indicator '{}': {}", u.rule_id, u.value, u.reason));
  if (runs.empty()) {
    inc->not_checked.push_back("runs: none recorded" +
                               std::string(scope.org.empty() && scope.repo.empty() ? "" : " in this scope") +
                               " (gouvernante run, gouvernante net import)");
    return std::nullopt;
  }
  if (targets.empty()) {
    inc->not_checked.push_back("runs: the rules name no network indicator to search recorded egress for");
    return std::nullopt;
  }
  std::vector<inventory::EventRow> rows;
  if (auto e = store.net_events(filter, &rows)) return e;
  std::map<std::tuple<std::string, std::string, std::string>, size_t> seen;
  for (const inventory::EventRow& row : rows) {
    for (const Target& t : targets) {
      std::string dest;
      if (!egress::search_matches(t.endpoint, row.event, &dest)) continue;
      auto [it, fresh] = seen.try_emplace({row.run_id, dest, t.rule_id}, inc->runs.size());
      if (fresh)
        inc->runs.push_back(RunItem{row.run_id, row.org, row.repo, row.job, row.event.time_ns, dest, t.value,
                                    t.rule_id, row.event.exe, 0});
      ++inc->runs[it->second].events;
    }
  }
  std::stable_sort(inc->runs.begin(), inc->runs.end(),
                   [](const RunItem& a, const RunItem& b) { return a.time_ns < b.time_ns; });
  return std::nullopt;
}

// ---- hosts ----

std::optional<Error> collect_hosts(inventory::Store& store, const RuleSet& rules, Incident* inc) {
  std::vector<inventory::HostReportRow> reports;
  if (auto e = store.host_reports({}, &reports)) return e;
  inc->hosts_searched = reports.size();
  if (reports.empty()) {
    inc->not_checked.push_back("hosts: no scan report ingested (gouvernante report ingest)");
    return std::nullopt;
  }
  for (const auto& r : reports)
    if (r.exit_code == 1)
      inc->not_checked.push_back("host " + r.host + ": its latest report says the scan was incomplete (exit 1)");
  inventory::HostFilter filter;
  for (const Rule& r : rules.rules) filter.rule_ids.push_back(r.id.str());
  std::vector<inventory::HostFindingRow> rows;
  if (auto e = store.host_findings(filter, &rows)) return e;
  for (inventory::HostFindingRow& row : rows) {
    if (inc->hosts.empty() || inc->hosts.back().host != row.host)
      inc->hosts.push_back(HostItem{row.host, row.report_id, row.ingested_ns, {}});
    inc->hosts.back().findings.push_back(std::move(row.finding));
  }
  return std::nullopt;
}

std::string hex16_sha256(const std::string& text) {
  unsigned char md[EVP_MAX_MD_SIZE];
  unsigned int n = 0;
  EVP_Digest(text.data(), text.size(), md, &n, EVP_sha256(), nullptr);
  static const char kHex[] = "0123456789abcdef";
  std::string out;
  for (unsigned i = 0; i < 8 && i < n; ++i) {
    out += kHex[md[i] >> 4];
    out += kHex[md[i] & 15];
  }
  return out;
}

void set_severity(Incident* inc) {
  std::set<std::string> hit;
  for (const ItemKey& k : item_keys(*inc)) hit.insert(k.rule_id);
  inc->severity.reset();
  for (const RuleRef& r : inc->rules)
    if (hit.contains(r.id)) inc->severity = std::max(inc->severity.value_or(Severity::kLow), r.severity);
}

}  // namespace

std::optional<Error> build_incident(inventory::Store& store, const RuleSet& rules, const Scope& scope,
                                    int64_t now, Incident* out) {
  Incident inc;
  inc.created = now;
  for (const Rule& r : rules.rules) inc.rules.push_back({r.id.str(), r.title.str(), r.severity, r.remediation});
  bool runs_recorded = false;
  if (auto e = collect_repos(store, rules, scope, &inc)) return e;
  if (auto e = collect_runs(store, rules, scope, &runs_recorded, &inc)) return e;
  if (auto e = collect_hosts(store, rules, &inc)) return e;
  if (auto e = write_remediation(store, rules, runs_recorded, &inc)) return e;
  set_severity(&inc);
  inc.id = incident_id(inc);
  *out = std::move(inc);
  return std::nullopt;
}

bool affected(const Incident& inc) { return !inc.repos.empty() || !inc.runs.empty() || !inc.hosts.empty(); }

std::vector<ItemKey> item_keys(const Incident& inc) {
  std::vector<ItemKey> keys;
  for (const RepoItem& r : inc.repos)
    for (const std::string& id : r.rule_ids) keys.push_back({id, repo_key(r)});
  for (const RunItem& r : inc.runs) keys.push_back({r.rule_id, run_key(r)});
  for (const HostItem& h : inc.hosts)
    for (const inventory::HostFinding& f : h.findings) keys.push_back({f.rule_id, host_key(h, f)});
  return keys;
}

std::string incident_id(const Incident& inc) {
  std::vector<std::string> parts;
  for (const RuleRef& r : inc.rules) parts.push_back("rule\n" + r.id);
  for (const ItemKey& k : item_keys(inc)) parts.push_back(k.rule_id + "\n" + k.key);
  std::sort(parts.begin(), parts.end());
  std::string text;
  for (const std::string& p : parts) text += p + '\0';
  return "inc-" + hex16_sha256(text);
}

Incident restricted(const Incident& inc, const std::vector<ItemKey>& keep) {
  std::set<std::pair<std::string, std::string>> k;
  for (const ItemKey& x : keep) k.emplace(x.rule_id, x.key);
  Incident out = inc;
  out.repos.clear();
  out.runs.clear();
  out.hosts.clear();
  // A repository item stays when any of its rules' pairs is kept.
  for (const RepoItem& r : inc.repos)
    if (std::any_of(r.rule_ids.begin(), r.rule_ids.end(),
                    [&](const std::string& id) { return k.contains({id, repo_key(r)}); }))
      out.repos.push_back(r);
  for (const RunItem& r : inc.runs)
    if (k.contains({r.rule_id, run_key(r)})) out.runs.push_back(r);
  for (const HostItem& h : inc.hosts) {
    HostItem kept{h.host, h.report_id, h.ingested_ns, {}};
    for (const inventory::HostFinding& f : h.findings)
      if (k.contains({f.rule_id, host_key(h, f)})) kept.findings.push_back(f);
    if (!kept.findings.empty()) out.hosts.push_back(std::move(kept));
  }
  set_severity(&out);
  out.id = incident_id(out);
  return out;
}

}  // namespace gv::respond
