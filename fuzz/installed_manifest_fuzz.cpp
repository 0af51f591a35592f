// Installed package.json manifests and pnpm store index files (the Reader's
// parse_manifest): a manifest or an error naming the file, never a crash; a
// manifest always came with a name and a version.
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "common/file.h"
#include "scan/installed_reader.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  // Padded as FileBuffer pads, which parse_manifest relies on (simdjson).
  std::string buf(reinterpret_cast<const char*>(data), size);
  buf.append(gv::kReadPadding, '\0');
  const std::string_view text(buf.data(), size);
  gv::installed::Manifest m;
  if (std::optional<gv::Error> err = gv::installed::parse_manifest("fuzz/package.json", text, &m)) {
    if (err->file != "fuzz/package.json" || err->what.empty()) __builtin_trap();
    return 0;
  }
  // The name and version are JSON strings: their text is in the input (unescaped, it may differ).
  if (m.name.size() > size || m.version.size() > size) __builtin_trap();
  (void)gv::installed::plausible_package_name(m.name);
  return 0;
}
