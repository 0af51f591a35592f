#include "fuzz_input.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  gv::fuzz::parse_all_ways(data, size, gv::LockfileKind::kBunText);
  return 0;
}
