// Dispatch from a LockfileKind to its parser. Formats this build cannot read
// yet are reported as "not scanned:" errors so a caller never mistakes them
// for clean.
#include "lockfile/format.h"

#include "lockfile/npm_lock.h"
#include "lockfile/package_json.h"

namespace gv {

std::optional<Error> parse_lockfile(LockfileKind kind, const std::string& path, std::string_view text,
                                    PackageSink sink, ParseStats* stats) {
  if (stats != nullptr) *stats = ParseStats{};
  switch (kind) {
    case LockfileKind::kNpmLock:
    case LockfileKind::kNpmShrinkwrap: return parse_npm_lock(path, text, sink, stats);
    case LockfileKind::kPackageJson: return parse_package_json(path, text, sink, stats);
    case LockfileKind::kPnpm:
      return Error{path, 0, 0, "not scanned: pnpm-lock.yaml is not supported by this build yet"};
    case LockfileKind::kYarn:
      return Error{path, 0, 0, "not scanned: yarn.lock is not supported by this build yet"};
    case LockfileKind::kBunText:
      return Error{path, 0, 0, "not scanned: bun.lock is not supported by this build yet"};
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
    default: return std::vector<std::vector<std::string>>(locations.size());
  }
}

}  // namespace gv
