// RuleIndex: package name -> the rule entries that name it.
//
// Matching cost is per package, not per rule: a scan does one hash lookup per
// package it reads, and only on a hit parses the version and checks the few
// ranges stored for that name. A 100,000-entry feed therefore costs the same
// per package as a single rule.
#pragma once

#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "rules/rule.h"
#include "semver/semver.h"

namespace gv {

struct RuleEntry {
  const Rule* rule = nullptr;
  const PackageRule* package_rule = nullptr;  // set for a package rule
  const DropperPackage* dropper = nullptr;    // set for a dropper (any version matches)
};

// Why an entry matched, for the report.
struct RuleMatch {
  const RuleEntry* entry = nullptr;
  std::string_view matched_expr;  // the affected_versions expression that matched; "*" for droppers
};

class RuleIndex {
 public:
  explicit RuleIndex(const std::vector<Rule>& rules);

  // Entries naming `name`, or nullptr. The hot path: one hash lookup.
  const std::vector<RuleEntry>* lookup(std::string_view name) const {
    auto it = by_name_.find(name);
    return it == by_name_.end() ? nullptr : &it->second;
  }

  size_t names() const { return by_name_.size(); }
  size_t entries() const { return entries_; }

 private:
  struct Hash {
    using is_transparent = void;
    size_t operator()(std::string_view s) const { return std::hash<std::string_view>{}(s); }
  };
  std::unordered_map<std::string, std::vector<RuleEntry>, Hash, std::equal_to<>> by_name_;
  size_t entries_ = 0;
};

// Does a package rule apply to lockfiles of `ecosystem` ("npm", "pnpm", ...)?
bool applies_to_ecosystem(const PackageRule& pr, std::string_view ecosystem);

// The affected expression of `pr` that `version` satisfies, or nullptr.
const AffectedVersion* affected_match(const PackageRule& pr, const semver::Version& version);
// The affected expression of `pr` that the declared range `declared` can
// resolve to (ranges intersect), or nullptr.
const AffectedVersion* affected_intersect(const PackageRule& pr, const semver::Range& declared);

}  // namespace gv
