// pnpm-lock.yaml parser: see docs/lockfiles.md for the format's quirks.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "common/error.h"
#include "lockfile/format.h"
#include "lockfile/package.h"

namespace gv {

// Calls sink once per resolved package; errors name path:line:col.
std::optional<Error> parse_pnpm_lock(const std::string& path, std::string_view text, PackageSink sink,
                               ParseStats* stats, bool graph_flags = true);

// Slow path for lockfiles with findings: see dependency_paths() in format.h.
std::vector<std::vector<std::string>> pnpm_lock_dependency_paths(std::string_view text,
                                                             const std::vector<std::string>& locations);

}  // namespace gv
