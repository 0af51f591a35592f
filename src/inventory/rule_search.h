// An incident's questions over the history index: where did anything a rule
// set names come in (search --rules), and which repositories does that make
// affected now or in the past (blast-radius). The rule matching is the
// scanner's: the same affected-version expressions, ecosystems and droppers.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "common/error.h"
#include "inventory/search.h"
#include "inventory/store.h"
#include "rules/index.h"

namespace gv::inventory {

// Spans of one package matching `q`, within `scope` (org, repo; its package
// field is ignored).
std::optional<Error> search_package(Store& store, const Filter& scope, const Query& q, std::vector<Span>* out);

struct RuleHit {
  const Rule* rule = nullptr;
  std::string matched;  // the affected expression that matched; "*" for a dropper
};

struct RuleSpan {
  Span span;
  std::vector<RuleHit> hits;  // in rule-file order
};

// A version of a package a rule names that could not be checked (not a
// semver version: a git URL, a local path): said, never silently dropped.
struct Unchecked {
  Span span;
  std::string rule_id;
  std::string reason;
};

struct RuleSearch {
  std::vector<RuleSpan> matches;  // sorted as spans() sorts
  std::vector<Unchecked> unchecked;
  size_t names_indexed = 0;       // distinct package names in the store
  size_t names_looked_up = 0;     // of those, named by a rule
};

// Every span, within `scope`, of a package version the rules match; `window`
// carries only the introduction-date window (package and versions unused).
std::optional<Error> search_rules(Store& store, const RuleIndex& index, const Filter& scope,
                                  const Query& window, RuleSearch* out);

// One repository an incident touches.
struct AffectedRepo {
  std::string org, repo;
  // Some matching version is at a tip now; otherwise it was in the history
  // (and so in CI) and was removed.
  bool still_affected = false;
  Severity severity = Severity::kLow;        // the worst among its rules
  std::vector<RuleSpan> spans;               // present ones first, then by introduction
  std::vector<const Rule*> rules;            // distinct, worst first
  int64_t first_introduced = 0;              // earliest known introduction (0 = unknown)
  int64_t last_removed = 0;                  // latest removal (past spans)
};

// The prioritised list: still affected first, then affected in the past;
// within each, worst severity first; then the longest exposure first (still
// affected: earliest introduction) or the most recent (past: latest removal,
// whose secrets are likeliest still valid); then by org and repo.
std::vector<AffectedRepo> blast_radius(const std::vector<RuleSpan>& matches);

// What this repository must do, from its own facts: which file to fix, on
// which ref, and the window whose secrets to rotate.
std::vector<std::string> repo_actions(const AffectedRepo& repo);

// The ecosystem a rule's lockfile_ecosystems speaks of, from the file's base
// name: npm, pnpm, yarn, bun; "" for package.json (every rule applies).
std::string_view ecosystem_of(std::string_view lockfile_path);

}  // namespace gv::inventory
