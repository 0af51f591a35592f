// Differential fuzzing of the fast YAML tokenizer (src/lockfile/yaml_fast.h):
// on any input, YamlReader with its fast path must hand out exactly the events
// (kind, value, plain, line, col, offset) and the error that libyaml alone
// gives. A mismatch traps.
#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "lockfile/yaml_fast.h"
#include "lockfile/yaml_reader.h"

namespace {

struct Ev {
  gv::YamlEvent::Kind kind;
  std::string value;
  bool plain;
  uint32_t line, col;
  size_t offset;
  bool operator==(const Ev&) const = default;
};

// Events until the stream end or an error (recorded as a final pseudo-event).
std::vector<Ev> drain(std::string_view text, bool libyaml_only, gv::Error* err) {
  gv::YamlReader r("fuzz.yaml", text);
  if (libyaml_only) gv::YamlReaderTestPeer::force_libyaml(r);
  std::vector<Ev> out;
  for (;;) {
    std::optional<gv::YamlEvent> ev = r.next();
    if (!ev) {
      *err = r.error();
      return out;
    }
    out.push_back(Ev{ev->kind, std::string(ev->value), ev->plain, ev->line, ev->col, ev->offset});
    if (ev->kind == gv::YamlEvent::kStreamEnd) return out;
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  // An exact-size copy, so reading past the end is caught by ASan.
  std::string buf(reinterpret_cast<const char*>(data), size);
  gv::Error lib_err, fast_err;
  std::vector<Ev> lib = drain(buf, true, &lib_err);
  std::vector<Ev> fast = drain(buf, false, &fast_err);
  if (lib != fast) __builtin_trap();
  if (lib_err.str() != fast_err.str()) __builtin_trap();
  return 0;
}
