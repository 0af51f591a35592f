// libFuzzer inputs are not padded; the parsers may read kReadPadding bytes
// past the end (simdjson), so every target copies into a padded buffer first.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "common/file.h"
#include "lockfile/format.h"

namespace gv::fuzz {

inline void parse_all_ways(const uint8_t* data, size_t size, LockfileKind forced) {
  std::string buf(reinterpret_cast<const char*>(data), size);
  buf.append(kReadPadding, '\0');
  std::string_view text(buf.data(), size);
  size_t n = 0;
  auto sink = [&](const PackageRef& p) { n += p.name.size() + p.version.size() + p.location.size(); };
  LockfileKind detected = detect_lockfile("fuzz-input.json", text.substr(0, 65536));
  (void)parse_lockfile(detected, "fuzz", text, sink);
  (void)parse_lockfile(forced, "fuzz", text, sink);
  if (size < 4096) (void)dependency_paths(forced, text, {"node_modules/a", "dependencies/a"});
}

}  // namespace gv::fuzz
