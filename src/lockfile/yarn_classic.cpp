// Placeholder until the yarn.lock (classic, v1) parser lands: reports the file as not scanned.
#include "lockfile/yarn_classic.h"

namespace gv {

std::optional<Error> parse_yarn_classic(const std::string& path, std::string_view, PackageSink, ParseStats*) {
  return Error{path, 0, 0, "not scanned: yarn.lock (classic, v1) is not supported by this build yet"};
}

std::vector<std::vector<std::string>> yarn_classic_dependency_paths(std::string_view,
                                                             const std::vector<std::string>& locations) {
  return std::vector<std::vector<std::string>>(locations.size());
}

}  // namespace gv
