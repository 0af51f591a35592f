// yarn berry cache file names ("<slug>-npm-<version>-<hash10>-<key>.zip"):
// any directory entry name is parsed to readings or a reason, and a name the
// file name alone settles is a valid package name that maps back to its slug.
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "scan/installed_reader.h"
#include "semver/semver.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  namespace in = gv::installed;
  // An exact-size copy, so reading past the end is caught by ASan.
  const std::string file(reinterpret_cast<const char*>(data), size);
  std::string why;
  std::optional<in::BerryCacheName> n = in::parse_berry_cache_name(file, &why);
  if (!n) {
    if (why.empty()) __builtin_trap();
    return 0;
  }
  if (n->candidates.empty()) __builtin_trap();
  for (const in::BerryCandidate& c : n->candidates) {
    if (c.slug.empty() || c.version.empty() || !gv::semver::parse_version(c.version)) __builtin_trap();
    // slug "-npm-" version: the candidate is a prefix of the name.
    if (!std::string_view(file).starts_with(c.slug + "-npm-" + c.version + "-")) __builtin_trap();
  }
  if (n->name) {
    if (n->candidates.size() != 1 || !in::plausible_package_name(*n->name)) __builtin_trap();
    if (in::berry_slug(*n->name) != n->candidates[0].slug) __builtin_trap();
  }
  return 0;
}
