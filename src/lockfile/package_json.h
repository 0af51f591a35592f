// package.json: the ranges a project declares, not what was installed. Used
// when a project has no lockfile, and to check "overrides" (npm) — a rule's
// bad version pinned in overrides ships even if the tree was clean before.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "common/error.h"
#include "lockfile/format.h"
#include "lockfile/package.h"

namespace gv {

// Emits every declared dependency with flags kRange|kDirect (plus kDev,
// kOptional or kPeer by section) and version = the declared spec. Locations
// are "dependencies/<key>", "devDependencies/<key>", ..., and
// "overrides/<key>/<key>..." for (nested) overrides. `text` must stay
// readable for kReadPadding bytes past its end.
std::optional<Error> parse_package_json(const std::string& path, std::string_view text, PackageSink sink,
                                        ParseStats* stats);

// The chain for each location is just the package's name.
std::vector<std::vector<std::string>> package_json_dependency_paths(
    std::string_view text, const std::vector<std::string>& locations);

}  // namespace gv
