// Rule paths for `file` host indicators (expand_host_path): `~`, $VAR, ${VAR}
// and %VAR% expansion against an environment the input supplies. The first
// line is the path; each further line "NAME=value" sets a variable. Expansion
// is total (a path or a reason), and a path with nothing to expand is kept.
#include <cstddef>
#include <cstdint>
#include <map>
#include <optional>
#include <string>

#include "scan/host_ioc.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string text(reinterpret_cast<const char*>(data), size);
  size_t cut = text.find('\n');
  const std::string raw = text.substr(0, cut);
  std::map<std::string, std::string> env;
  while (cut != std::string::npos) {
    const size_t start = cut + 1;
    cut = text.find('\n', start);
    const std::string line = text.substr(start, cut == std::string::npos ? std::string::npos : cut - start);
    const size_t eq = line.find('=');
    if (eq != std::string::npos) env[line.substr(0, eq)] = line.substr(eq + 1);
  }
  gv::HostContext ctx;
  ctx.os = "linux";
  ctx.getenv = [&env](const std::string& name) -> std::optional<std::string> {
    auto it = env.find(name);
    if (it == env.end()) return std::nullopt;
    return it->second;
  };
  gv::ExpandedPath p;
  if (std::optional<std::string> err = gv::expand_host_path(raw, ctx, &p)) {
    if (err->empty()) __builtin_trap();
    return 0;
  }
  // Values are escaped in the glob pattern, never shortened.
  if (p.pattern.size() < p.path.size()) __builtin_trap();
  if (p.has_glob && p.path.find_first_of("*?[") == std::string::npos) __builtin_trap();
  if (raw.find_first_of("~$%") == std::string::npos && (p.path != raw || p.pattern != raw)) __builtin_trap();
  return 0;
}
