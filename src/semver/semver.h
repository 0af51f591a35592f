// npm semver, with node-semver's semantics (https://github.com/npm/node-semver).
//
// A scanner casts the wider net: ranges are evaluated the way node-semver does
// with {includePrerelease: true}, so "^1.2.3" matches 1.3.0-beta.1 (a hijacked
// prerelease inside an affected range is still affected). Versions and ranges
// are parsed loosely where node-semver's loose mode would ("v1.2.3", "=1.2.3",
// surrounding spaces), because rule authors and lockfiles write them that way.
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace gv::semver {

struct Identifier {
  bool numeric = false;
  uint64_t number = 0;   // when numeric
  std::string text;      // when not numeric
  bool operator==(const Identifier&) const = default;
};

struct Version {
  uint64_t major = 0, minor = 0, patch = 0;
  std::vector<Identifier> prerelease;  // empty for a release
  std::string build;                   // ignored by comparisons
  std::string str() const;             // canonical "1.2.3-beta.1" (no build)
};

// Parses one version ("1.2.3", "v1.2.3", "=1.2.3", "1.2.3-rc.1+build.5").
// Returns nullopt when it is not a valid version.
std::optional<Version> parse_version(std::string_view text);

// node-semver's compare(): -1, 0, 1; build metadata ignored.
int compare(const Version& a, const Version& b);

// A range: a union (||) of comparator sets. Each set is an interval in the
// total order of versions (prereleases included), which makes satisfies and
// intersects exact interval arithmetic.
class Range {
 public:
  // Parses any node-semver range: "*", "", "1.x", "1.2.*", "1", "^1.2.3",
  // "~1.2", ">=1.2.3 <2", "1.2.3 - 2.3.4", "1.2.3 || >=2.0.0-beta",
  // "=1.2.3", "v1.2.3". On failure returns nullopt and sets *err to a short
  // reason ("invalid version in comparator '>=1.2.x.5'").
  static std::optional<Range> parse(std::string_view text, std::string* err = nullptr);

  // node-semver satisfies(v, range, {includePrerelease: true}).
  bool satisfies(const Version& v) const;
  bool satisfies(std::string_view version) const;  // false for an invalid version

  // node-semver intersects(a, b, {includePrerelease: true}): could some
  // version satisfy both?
  bool intersects(const Range& other) const;

  // True when the range admits exactly one version (e.g. "=1.2.3", "1.2.3");
  // lets the rule index store exact versions in a hash set.
  std::optional<Version> exact() const;

  struct Bound {
    Version v;
    bool inclusive = true;
    bool unbounded = true;  // -infinity for lower, +infinity for upper
  };
  struct Interval {
    Bound lo, hi;
  };
  const std::vector<Interval>& intervals() const;

 private:
  // Immutable once parsed and shared by copies: a feed of 200,000 advisories
  // repeats a few expressions ("=1.0.0", ">=0"), and the loader copies the
  // first parse of each, so a copy must cost a reference, not 176 bytes an
  // interval (docs/performance.md, "Rule scale"). Null = matches nothing.
  std::shared_ptr<const std::vector<Interval>> intervals_;
};

}  // namespace gv::semver
