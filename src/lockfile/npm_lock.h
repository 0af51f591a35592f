// package-lock.json and npm-shrinkwrap.json, lockfileVersion 1, 2 and 3.
//
// v2/v3 list every installed folder in "packages", keyed by its path
// ("node_modules/a/node_modules/b"); v1 nests "dependencies" objects the way
// node_modules folders nest. v2 carries both; "packages" is authoritative and
// the v1 tree is then ignored so nothing is counted twice. The parse is
// on-demand (simdjson): one forward pass, reading only the fields we need,
// handing string_views into the parser's buffers to the sink.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "common/error.h"
#include "lockfile/format.h"
#include "lockfile/package.h"

namespace gv {

// `text` must stay readable for kReadPadding bytes past its end.
std::optional<Error> parse_npm_lock(const std::string& path, std::string_view text, PackageSink sink,
                                    ParseStats* stats);

// See dependency_paths() in format.h. Builds a DOM: slow path only.
std::vector<std::vector<std::string>> npm_lock_dependency_paths(
    std::string_view text, const std::vector<std::string>& locations);

}  // namespace gv
