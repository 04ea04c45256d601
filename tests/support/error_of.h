#pragma once
// error_of(f): the message of the denseshift::InvalidArgument that f() throws;
// records a test failure if it throws nothing.

#include <gtest/gtest.h>

#include <string>

#include "denseshift/core/error.h"

template <typename F>
std::string error_of(F f) {
  try {
    f();
  } catch (const denseshift::InvalidArgument& e) {
    return e.what();
  }
  ADD_FAILURE() << "expected denseshift::InvalidArgument";
  return "";
}

/// Checks that `message` contains `part`.
#define EXPECT_MENTIONS(message, part) \
  EXPECT_NE(std::string(message).find(part), std::string::npos) << "message: " << (message)
