// pnpm-lock.yaml: never crash or hang, whatever the input. (That the shared
// YAML reader's fast tokenizer agrees with libyaml is yaml_fast_fuzz's job.)
#include "fuzz_input.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  gv::fuzz::parse_all_ways(data, size, gv::LockfileKind::kPnpm);
  return 0;
}
