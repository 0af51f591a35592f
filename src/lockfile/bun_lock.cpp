// Placeholder until the bun.lock parser lands: reports the file as not scanned.
#include "lockfile/bun_lock.h"

namespace gv {

std::optional<Error> parse_bun_lock(const std::string& path, std::string_view, PackageSink, ParseStats*) {
  return Error{path, 0, 0, "not scanned: bun.lock is not supported by this build yet"};
}

std::vector<std::vector<std::string>> bun_lock_dependency_paths(std::string_view,
                                                             const std::vector<std::string>& locations) {
  return std::vector<std::vector<std::string>>(locations.size());
}

}  // namespace gv
