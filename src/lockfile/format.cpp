// Dispatch from a LockfileKind to its parser. Formats this build cannot read
// yet are reported as "not scanned:" errors so a caller never mistakes them
// for clean.
#include "lockfile/format.h"

#include <unordered_map>

#include "lockfile/bun_lock.h"
#include "lockfile/npm_lock.h"
#include "lockfile/package_json.h"
#include "lockfile/pnpm_lock.h"
#include "lockfile/yarn_berry.h"
#include "lockfile/yarn_classic.h"

namespace gv {

namespace {

// Yarn 2+ ("berry") lockfiles are YAML with a __metadata block; classic
// (v1) ones are yarn's own format. Both are named yarn.lock.
bool is_yarn_berry(std::string_view text) {
  std::string_view head = text.substr(0, 64 * 1024);
  return head.starts_with("__metadata:") || head.find("\n__metadata:") != std::string_view::npos;
}

}  // namespace

std::optional<Error> parse_lockfile(LockfileKind kind, const std::string& path, std::string_view text,
                                    PackageSink sink, ParseStats* stats, const ParseOptions& opts) {
  if (stats != nullptr) *stats = ParseStats{};
  switch (kind) {
    case LockfileKind::kNpmLock:
    case LockfileKind::kNpmShrinkwrap: return parse_npm_lock(path, text, sink, stats);
    case LockfileKind::kPackageJson: return parse_package_json(path, text, sink, stats);
    case LockfileKind::kPnpm: return parse_pnpm_lock(path, text, sink, stats, opts.graph_flags);
    case LockfileKind::kYarn:
      return is_yarn_berry(text) ? parse_yarn_berry(path, text, sink, stats, opts.graph_flags)
                                 : parse_yarn_classic(path, text, sink, stats);
    case LockfileKind::kBunText: return parse_bun_lock(path, text, sink, stats);
    case LockfileKind::kBunBinary:
      return Error{path, 0, 0,
                   "not scanned: bun.lockb is binary; convert it with `bun install --save-text-lockfile` "
                   "and scan bun.lock"};
    case LockfileKind::kUnknown: break;
  }
  return Error{path, 0, 0, "not scanned: not a lockfile format this build recognises"};
}

std::vector<std::vector<std::string>> dependency_paths(LockfileKind kind, std::string_view text,
                                                       const std::vector<std::string>& locations) {
  switch (kind) {
    case LockfileKind::kNpmLock:
    case LockfileKind::kNpmShrinkwrap: return npm_lock_dependency_paths(text, locations);
    case LockfileKind::kPackageJson: return package_json_dependency_paths(text, locations);
    case LockfileKind::kPnpm: return pnpm_lock_dependency_paths(text, locations);
    case LockfileKind::kYarn:
      return is_yarn_berry(text) ? yarn_berry_dependency_paths(text, locations)
                                 : yarn_classic_dependency_paths(text, locations);
    case LockfileKind::kBunText: return bun_lock_dependency_paths(text, locations);
    default: return std::vector<std::vector<std::string>>(locations.size());
  }
}

bool flags_deferred(LockfileKind kind, std::string_view text) {
  return kind == LockfileKind::kPnpm || (kind == LockfileKind::kYarn && is_yarn_berry(text));
}

std::vector<uint8_t> graph_flags(LockfileKind kind, std::string_view text, const std::vector<std::string>& locations) {
  std::vector<uint8_t> out(locations.size());
  std::unordered_map<std::string_view, std::vector<size_t>> wanted;
  for (size_t i = 0; i < locations.size(); ++i) wanted[locations[i]].push_back(i);
  auto sink = [&](const PackageRef& p) {
    if (auto it = wanted.find(p.location); it != wanted.end())
      for (size_t i : it->second) out[i] = p.flags;
  };
  ParseStats stats;
  (void)parse_lockfile(kind, "lockfile", text, PackageSink(sink), &stats, ParseOptions{.graph_flags = true});
  return out;
}

}  // namespace gv
