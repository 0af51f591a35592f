// RuleIndex: package name -> the rule entries that name it.
//
// Matching cost is per package, not per rule: a scan does one hash lookup per
// package it reads, and only on a hit parses the version and checks the few
// ranges stored for that name. A 200,000-entry feed therefore costs about the
// same per package as a small one: BM_ScanLockfileAgainstRules measures ~15%
// more per package than with 1,000 entries, the Bloom filter no longer
// staying in L1/L2 while the lockfile streams through.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
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

  // Entries naming `name`, or nullptr. The hot path, run for every package
  // of every lockfile. Almost every lookup misses, and a 100,000-name hash
  // map does not fit in cache, so a miss there costs main-memory round
  // trips; a blocked Bloom filter (~10 bits per name, one 64-byte block per
  // lookup, L2-resident) answers most misses first.
  const std::vector<RuleEntry>* lookup(std::string_view name) const {
    const size_t h = std::hash<std::string_view>{}(name);
    if (!bloom_maybe(h)) return nullptr;
    return find(name, h);
  }

  size_t names() const { return names_.size(); }
  size_t entries() const { return entries_; }

 private:
  // The name table is open addressing over plain arrays, not an
  // unordered_map<std::string, ...>: with 200,000 names the map's three
  // allocations per name (node, key copy, entry vector), its rehashes and
  // their frees were a third of a feed's load time (docs/performance.md,
  // "Rule scale"). Keys are views of the rules' own package_name strings,
  // which outlive the index as the RuleEntry pointers already require.
  struct Slot {
    uint32_t tag = 0;    // high half of the name's hash, to skip most string compares
    uint32_t group = 0;  // index into groups_ plus one; 0 = empty
  };
  const std::vector<RuleEntry>* find(std::string_view name, size_t h) const;
  size_t slot_of(size_t h) const { return (h * 0x9E3779B97F4A7C15ull) >> slot_shift_; }

  struct alignas(64) BloomBlock {
    uint64_t words[8];
  };
  // Bits of one name within its block: block from the low bits of h, four
  // bit positions from the high bits.
  bool bloom_maybe(size_t h) const {
    const BloomBlock& b = bloom_[h & bloom_mask_];
    for (int k = 0; k < 4; ++k) {
      const unsigned bit = static_cast<unsigned>(h >> (28 + 9 * k)) & 511u;
      if (!(b.words[bit >> 6] & (uint64_t{1} << (bit & 63)))) return false;
    }
    return true;
  }
  void bloom_add(size_t h) {
    BloomBlock& b = bloom_[h & bloom_mask_];
    for (int k = 0; k < 4; ++k) {
      const unsigned bit = static_cast<unsigned>(h >> (28 + 9 * k)) & 511u;
      b.words[bit >> 6] |= uint64_t{1} << (bit & 63);
    }
  }

  std::vector<std::string_view> names_;          // one per distinct name
  std::vector<std::vector<RuleEntry>> groups_;  // parallel to names_
  std::vector<Slot> slots_;                     // power of two, at most half full
  unsigned slot_shift_ = 64;
  std::vector<BloomBlock> bloom_;
  size_t bloom_mask_ = 0;
  size_t entries_ = 0;
};

// Does a package rule apply to lockfiles of `ecosystem` ("npm", "pnpm", ...)?
bool applies_to_ecosystem(const PackageRule& pr, std::string_view ecosystem);

// Every affected expression of `pr`, joined with " || " (what a dist-tag,
// which may resolve to any of them, is reported as matching).
std::string join_exprs(const PackageRule& pr);

// The affected expression of `pr` that `version` satisfies, or nullptr.
const AffectedVersion* affected_match(const PackageRule& pr, const semver::Version& version);
// The affected expression of `pr` that the declared range `declared` can
// resolve to (ranges intersect), or nullptr.
const AffectedVersion* affected_intersect(const PackageRule& pr, const semver::Range& declared);

}  // namespace gv
