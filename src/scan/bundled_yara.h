// The YARA rules shipped with gouvernante (rules/yara/*.yar), compiled into
// the binary by CMakeLists.txt so -heuristic needs no install path.
#pragma once

#include <string_view>
#include <vector>

namespace gv {

struct BundledYara {
  std::string_view file;  // "decoded-exec.yar"
  std::string_view text;  // the rule source
};

const std::vector<BundledYara>& bundled_yara();

}  // namespace gv
