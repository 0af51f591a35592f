// RuleIndex: package name -> the rule entries that name it.
//
// Matching cost is per package, not per rule: a scan does one hash lookup per
// package it reads, and only on a hit parses the version and checks the few
// ranges stored for that name. A 100,000-entry feed therefore costs the same
// per package as a single rule.
#pragma once

#include <cstdint>
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

  // Entries naming `name`, or nullptr. The hot path, run for every package
  // of every lockfile. Almost every lookup misses, and a 100,000-name hash
  // map does not fit in cache, so a miss there costs main-memory round
  // trips; a blocked Bloom filter (~10 bits per name, one 64-byte block per
  // lookup, L2-resident) answers most misses first.
  const std::vector<RuleEntry>* lookup(std::string_view name) const {
    const size_t h = std::hash<std::string_view>{}(name);
    if (!bloom_maybe(h)) return nullptr;
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

  std::unordered_map<std::string, std::vector<RuleEntry>, Hash, std::equal_to<>> by_name_;
  std::vector<BloomBlock> bloom_;
  size_t bloom_mask_ = 0;
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
