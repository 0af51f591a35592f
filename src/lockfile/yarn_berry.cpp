// Placeholder until the yarn.lock (berry, yarn 2+) parser lands: reports the file as not scanned.
#include "lockfile/yarn_berry.h"

namespace gv {

std::optional<Error> parse_yarn_berry(const std::string& path, std::string_view, PackageSink, ParseStats*) {
  return Error{path, 0, 0, "not scanned: yarn.lock (berry, yarn 2+) is not supported by this build yet"};
}

std::vector<std::vector<std::string>> yarn_berry_dependency_paths(std::string_view,
                                                             const std::vector<std::string>& locations) {
  return std::vector<std::vector<std::string>>(locations.size());
}

}  // namespace gv
