// The rule model: plain data mirroring gouvernante's rule schema 1.0.0
// (docs/rule-format.md), plus the runbook's looser variants normalised on load:
// references as plain URL strings become {type:"other", url}, aliases as plain
// strings become {type:"other", value}, OS "darwin" becomes "macos".
#pragma once

#include <string>
#include <vector>

#include "common/str.h"
#include "semver/semver.h"

namespace gv {

enum class Severity { kLow, kMedium, kHigh, kCritical };
std::string_view severity_name(Severity s);  // "low" ... "critical"

struct Alias {
  Str type;  // cve, ghsa, snyk, article, internal, other
  Str value;
};

struct Reference {
  Str type;  // advisory, article, vendor, repository, other
  Str url;
};

struct AffectedVersion {
  Str expr;     // as written in the rule, e.g. "=2.3.1" or ">=1.0.0 <1.0.5"
  semver::Range range;  // parsed
};

struct PackageRule {
  Str package_name;
  std::vector<AffectedVersion> affected_versions;
  std::vector<std::string> lockfile_ecosystems;  // empty = all; values npm, pnpm, yarn, bun
  Str notes;
  uint32_t line = 0;  // where the entry starts in the rule file
};

struct DropperPackage {
  Str package_name;
  Str notes;
  uint32_t line = 0;
};

struct FileHash {
  std::string algorithm;  // md5, sha1, sha256, sha512
  std::string value;      // lower-case hex
};

struct HostIndicator {
  std::string type;  // file, process, registry, network, environment
  std::string path;
  std::string file_name;
  std::string value;
  std::vector<std::string> oses;  // linux, macos, windows
  std::vector<FileHash> hashes;
  std::string confidence;  // low, medium, high (empty when not given)
  std::string notes;
};

struct Remediation {
  Str summary;
  std::vector<std::string> steps;
};

struct Rule {
  Str id;
  Str title;
  Str kind;       // compromised-release, malicious-package, vulnerability, dropper, suspicious-artifact
  Str ecosystem;  // npm
  Severity severity = Severity::kCritical;
  Str summary;
  std::vector<Alias> aliases;
  std::vector<Reference> references;
  std::vector<PackageRule> package_rules;
  std::vector<DropperPackage> dropper_packages;
  std::vector<HostIndicator> host_indicators;
  Remediation remediation;
  // YARA rule files or folders -heuristic runs along with the bundled rules
  // ("yara_rules"), resolved against the rule file's folder: paths relative
  // to the current directory as loaded, or absolute. Checked to exist at load.
  std::vector<std::string> yara_rules;
  Str published_at;
  Str last_updated_at;
  Str file;   // the rule file it came from
  uint32_t line = 0;  // line of the rule object in that file
};

}  // namespace gv
