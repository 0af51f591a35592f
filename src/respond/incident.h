// respond/: one incident from a rule set over everything the inventory holds
// (docs/respond.md).
//
// Data flow: build_incident() asks the inventory three questions -- which
// repositories' histories hold a version the rules name (the history index,
// inventory/rule_search.h), which recorded CI runs reached the rules'
// network indicators (recorded egress, egress/queries.h), which hosts'
// latest reports found the rules (ingested reports) -- and returns plain
// data. render.h turns it into text, Markdown or JSON; alerts.h into what
// each sink receives; outbox.h delivers it through the database.
//
// Nothing searched is not "clean": each source that holds nothing (no
// repository indexed, no run recorded, no host reported) and each indicator
// that cannot be searched is listed in not_checked, and the caller says so.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "common/error.h"
#include "inventory/model.h"
#include "inventory/store.h"
#include "rules/load.h"

namespace gv::respond {

// One affected (repository, ref, lockfile, package, version).
struct RepoItem {
  std::string org, repo, ref, lockfile, package, version;
  bool present_at_tip = false;  // still there: the repository must change
  bool declared = false;        // package.json: `version` is a declared range
  inventory::CommitInfo introduced_by;  // sha "" when unknown (shallow history)
  std::optional<inventory::CommitInfo> removed_by;
  std::vector<std::string> rule_ids;
  Severity severity = Severity::kLow;
  // Written for this repository: which file to change and to what, and
  // which secrets to rotate (from the runs of this repository below).
  std::vector<std::string> remediation;
};

// One recorded run that reached an indicator (one per run and destination).
struct RunItem {
  std::string run_id, org, repo, job;
  int64_t time_ns = 0;     // the first matching event
  std::string destination;  // what matched: a name, or address:port
  std::string indicator;    // the rule's indicator value
  std::string rule_id;
  std::string exe;          // the program that made the call
  size_t events = 0;
};

struct HostItem {
  std::string host, report_id;
  int64_t ingested_ns = 0;
  std::vector<inventory::HostFinding> findings;
};

struct RuleRef {
  std::string id, title;
  Severity severity = Severity::kLow;
  Remediation remediation;
};

struct Incident {
  std::string id;        // stable for the same rules and the same affected items
  int64_t created = 0;   // seconds since the epoch
  std::vector<RuleRef> rules;
  std::optional<Severity> severity;  // the worst rule with an affected item; none when nothing is
  std::vector<RepoItem> repos;       // still affected first, then in the past (blast-radius order)
  std::vector<RunItem> runs;         // by time
  std::vector<HostItem> hosts;       // by host
  // What was searched, for the summary.
  size_t repositories_searched = 0, refs_searched = 0, runs_searched = 0, hosts_searched = 0;
  std::vector<std::string> not_checked;  // sources empty, indicators unusable, versions not semver
};

// Which part of the inventory to look at (empty = all).
struct Scope {
  std::string org, repo;
};

std::optional<Error> build_incident(inventory::Store& store, const RuleSet& rules, const Scope& scope,
                                    int64_t now, Incident* out);

// Anything affected at all: decides exit 2 versus 0.
bool affected(const Incident& inc);

// The (rule, item) pairs of an incident, for watch: one key per affected
// item ("repo:org/repo@ref:lockfile:package@version", "run:ID:destination",
// "host:NAME:kind:package@version:path").
struct ItemKey {
  std::string rule_id, key;
};
std::vector<ItemKey> item_keys(const Incident& inc);

// The incident keeping only items with a key in `keep` (watch: the new ones);
// the id is recomputed from what is left.
Incident restricted(const Incident& inc, const std::vector<ItemKey>& keep);

// "inc-" + 16 hex digits of SHA-256 over the rule ids and item keys: the same
// facts give the same id, so responding twice does not alert twice.
std::string incident_id(const Incident& inc);

}  // namespace gv::respond
