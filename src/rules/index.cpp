#include "rules/index.h"

#include <algorithm>

namespace gv {

RuleIndex::RuleIndex(const std::vector<Rule>& rules) {
  by_name_.reserve(rules.size() * 2);
  for (const Rule& r : rules) {
    for (const PackageRule& pr : r.package_rules) {
      by_name_[pr.package_name].push_back(RuleEntry{&r, &pr, nullptr});
      ++entries_;
    }
    for (const DropperPackage& d : r.dropper_packages) {
      by_name_[d.package_name].push_back(RuleEntry{&r, nullptr, &d});
      ++entries_;
    }
  }
  // 512 bits per block; aim for ~16 bits per name (4 probes: ~0.5% false
  // positives, which then cost one map lookup). Power of two for masking.
  size_t blocks = 1;
  while (blocks * 512 < by_name_.size() * 16) blocks <<= 1;
  bloom_.assign(blocks, BloomBlock{});
  bloom_mask_ = blocks - 1;
  for (const auto& [name, entries] : by_name_) bloom_add(std::hash<std::string_view>{}(name));
}

bool applies_to_ecosystem(const PackageRule& pr, std::string_view ecosystem) {
  if (pr.lockfile_ecosystems.empty()) return true;
  return std::find(pr.lockfile_ecosystems.begin(), pr.lockfile_ecosystems.end(), ecosystem) !=
         pr.lockfile_ecosystems.end();
}

const AffectedVersion* affected_match(const PackageRule& pr, const semver::Version& version) {
  for (const AffectedVersion& av : pr.affected_versions)
    if (av.range.satisfies(version)) return &av;
  return nullptr;
}

const AffectedVersion* affected_intersect(const PackageRule& pr, const semver::Range& declared) {
  for (const AffectedVersion& av : pr.affected_versions)
    if (av.range.intersects(declared)) return &av;
  return nullptr;
}

}  // namespace gv
