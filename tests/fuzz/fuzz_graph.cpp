// libFuzzer entry point of the 'graph' target (targets.h); run by scripts/fuzz.sh.
#include "targets.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  denseshift::fuzz::graph(data, size);
  return 0;
}
