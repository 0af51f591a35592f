// Version expressions come from rule files and lockfiles; parsing must be
// total (a value or a reason) and matching must agree with itself.
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "semver/semver.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view in(reinterpret_cast<const char*>(data), size);
  const size_t cut = in.find('\n');
  std::string_view range_text = in.substr(0, cut);
  std::string_view version_text = cut == std::string_view::npos ? "1.2.3" : in.substr(cut + 1);
  std::string err;
  auto range = gv::semver::Range::parse(range_text, &err);
  auto version = gv::semver::parse_version(version_text);
  if (range && version) {
    const bool sat = range->satisfies(*version);
    // A range intersects itself iff it admits some version; if v satisfies it, it must.
    if (sat && !range->intersects(*range)) __builtin_trap();
    if (auto exact = range->exact(); exact && sat && gv::semver::compare(*exact, *version) != 0)
      __builtin_trap();
  }
  if (version) {
    auto again = gv::semver::parse_version(version->str());
    if (!again || gv::semver::compare(*again, *version) != 0) __builtin_trap();
  }
  return 0;
}
