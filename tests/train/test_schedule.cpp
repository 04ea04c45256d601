#include "denseshift/train/schedule.h"

#include <gtest/gtest.h>

using denseshift::train::Schedule;

TEST(Schedule, LinearWarmupThenCosineToZero) {
  const Schedule s{0.1, "cosine", 110, 10};
  EXPECT_NEAR(s.lr_at(0), 0.01, 1e-12);   // (0+1)/10 of the base
  EXPECT_NEAR(s.lr_at(9), 0.1, 1e-12);    // end of warm-up
  EXPECT_NEAR(s.lr_at(10), 0.1, 1e-12);   // cosine starts at the base
  EXPECT_NEAR(s.lr_at(60), 0.05, 1e-12);  // half way: cos(pi/2) = 0
  EXPECT_NEAR(s.lr_at(110), 0.0, 1e-12);
}

TEST(Schedule, ConstantKeepsTheBase) {
  const Schedule s{0.3, "constant", 100, 0};
  EXPECT_DOUBLE_EQ(s.lr_at(0), 0.3);
  EXPECT_DOUBLE_EQ(s.lr_at(99), 0.3);
}
