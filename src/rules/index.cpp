#include "rules/index.h"

#include <algorithm>
#include <bit>
#include <functional>

namespace gv {

RuleIndex::RuleIndex(const std::vector<Rule>& rules) {
  for (const Rule& r : rules) entries_ += r.package_rules.size() + r.dropper_packages.size();
  // Sized once for the worst case (every entry a new name): no rehash, and
  // the table stays at most half full, so a probe sequence is short.
  size_t table = 16;
  while (table < entries_ * 2) table <<= 1;
  slots_.assign(table, Slot{});
  slot_shift_ = 64 - static_cast<unsigned>(std::countr_zero(table));
  names_.reserve(entries_);
  groups_.reserve(entries_);

  auto add = [&](std::string_view name, const RuleEntry& e) {
    const size_t h = std::hash<std::string_view>{}(name);
    const uint32_t tag = static_cast<uint32_t>(h >> 32);
    for (size_t i = slot_of(h);; i = (i + 1) & (slots_.size() - 1)) {
      Slot& s = slots_[i];
      if (s.group == 0) {
        s = Slot{tag, static_cast<uint32_t>(groups_.size() + 1)};
        names_.push_back(name);
        groups_.emplace_back(1, e);
        return;
      }
      if (s.tag == tag && names_[s.group - 1] == name) {
        groups_[s.group - 1].push_back(e);
        return;
      }
    }
  };
  for (const Rule& r : rules) {
    for (const PackageRule& pr : r.package_rules) add(pr.package_name, RuleEntry{&r, &pr, nullptr});
    for (const DropperPackage& d : r.dropper_packages) {
      add(d.package_name, RuleEntry{&r, nullptr, &d});
    }
  }

  // 512 bits per block; aim for ~16 bits per name (4 probes: ~0.5% false
  // positives, which then cost one table probe). Power of two for masking.
  size_t blocks = 1;
  while (blocks * 512 < names_.size() * 16) blocks <<= 1;
  bloom_.assign(blocks, BloomBlock{});
  bloom_mask_ = blocks - 1;
  for (std::string_view name : names_) bloom_add(std::hash<std::string_view>{}(name));
}

const std::vector<RuleEntry>* RuleIndex::find(std::string_view name, size_t h) const {
  if (slots_.empty()) return nullptr;
  const uint32_t tag = static_cast<uint32_t>(h >> 32);
  for (size_t i = slot_of(h);; i = (i + 1) & (slots_.size() - 1)) {
    const Slot& s = slots_[i];
    if (s.group == 0) return nullptr;
    if (s.tag == tag && names_[s.group - 1] == name) return &groups_[s.group - 1];
  }
}

bool applies_to_ecosystem(const PackageRule& pr, std::string_view ecosystem) {
  if (pr.lockfile_ecosystems.empty()) return true;
  return std::find(pr.lockfile_ecosystems.begin(), pr.lockfile_ecosystems.end(), ecosystem) !=
         pr.lockfile_ecosystems.end();
}

std::string join_exprs(const PackageRule& pr) {
  std::string out;
  for (const AffectedVersion& av : pr.affected_versions) {
    if (!out.empty()) out += " || ";
    out += av.expr;
  }
  return out;
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
