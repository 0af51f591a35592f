#include "lockfile/package.h"

namespace gv {

std::string_view source_kind_name(SourceKind k) {
  switch (k) {
    case SourceKind::kRegistry: return "registry";
    case SourceKind::kGit: return "git";
    case SourceKind::kFile: return "file";
    case SourceKind::kLink: return "link";
    case SourceKind::kTarball: return "tarball";
    case SourceKind::kUnknown: return "unknown";
  }
  return "unknown";
}

}  // namespace gv
