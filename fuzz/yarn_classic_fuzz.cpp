// yarn.lock (classic, v1): detect, parse (detected and forced kind) and, for
// small inputs, dependency_paths. Seed with
// tests/lockfile/testdata/yarn-classic.
#include "fuzz_input.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  gv::fuzz::parse_all_ways(data, size, gv::LockfileKind::kYarn);
  return 0;
}
