// GoogleTest main for the LibTorch suites: one intra-op thread and a fixed seed,
// so results do not depend on the machine or on test order.
#include <ATen/ATen.h>
#include <ATen/Parallel.h>
#include <gtest/gtest.h>

int main(int argc, char** argv) {
  ::testing::InitGoogleTest(&argc, argv);
  at::set_num_threads(1);
  at::manual_seed(20261123);
  return RUN_ALL_TESTS();
}
