// Placeholder until the pnpm-lock.yaml parser lands: reports the file as not scanned.
#include "lockfile/pnpm_lock.h"

namespace gv {

std::optional<Error> parse_pnpm_lock(const std::string& path, std::string_view, PackageSink, ParseStats*) {
  return Error{path, 0, 0, "not scanned: pnpm-lock.yaml is not supported by this build yet"};
}

std::vector<std::vector<std::string>> pnpm_lock_dependency_paths(std::string_view,
                                                             const std::vector<std::string>& locations) {
  return std::vector<std::vector<std::string>>(locations.size());
}

}  // namespace gv
