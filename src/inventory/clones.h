// Which git clones an `index` argument names: a clone (working tree or bare),
// or a folder of clones -- an organisation, as a folder per org holding one
// clone per repository is how mirrors and CI caches are usually laid out.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "common/error.h"

namespace gv::inventory {

struct Clone {
  std::string path;  // as given, or folder/child
  std::string org;   // the organisation it is indexed under
  std::string repo;  // folder name without ".git"
};

// `path` is a clone: one Clone, in `org` or (when empty) in the name of the
// folder holding it. `path` is a folder of clones: each child that is a
// clone (sorted by name; hidden entries and symlinks skipped, one level
// deep), in `org` or (when empty) the folder's own name; children that are
// not clones, and symlinks, go to *skipped (nothing is left out unsaid).
// Anything else -- a missing path, a folder without any clone -- is an error
// naming it.
std::optional<Error> find_clones(const std::string& path, const std::string& org, std::vector<Clone>* out,
                                 std::vector<Error>* skipped);

}  // namespace gv::inventory
