// Text helpers of error messages: UTF-8 checks, excerpts, printable escapes.
#include <gtest/gtest.h>

#include "denseshift/core/error.h"

using denseshift::excerpt;
using denseshift::is_valid_utf8;
using denseshift::printable;

TEST(Utf8, AcceptsWellFormedAndRefusesMalformedSequences) {
  EXPECT_TRUE(is_valid_utf8("plain ascii"));
  EXPECT_TRUE(is_valid_utf8("\xc3\xa9t\xc3\xa9 \xe2\x82\xac \xf0\x9f\x98\x80"));  // été € 😀
  EXPECT_FALSE(is_valid_utf8("\xff\xfe"));
  EXPECT_FALSE(is_valid_utf8("\xc3"));              // cut short
  EXPECT_FALSE(is_valid_utf8("\xc0\xaf"));          // overlong '/'
  EXPECT_FALSE(is_valid_utf8("\xed\xa0\x80"));      // a surrogate
  EXPECT_FALSE(is_valid_utf8("\xf4\x90\x80\x80"));  // beyond U+10FFFF
}

TEST(Printable, EscapesControlBytesAndBrokenUtf8Only) {
  EXPECT_EQ(printable("a\xff"
                      "b\n\xc3\xa9"),
            "a\\xffb\\x0a\xc3\xa9");
  EXPECT_EQ(printable("fine"), "fine");
}

TEST(Excerpt, CutsLongTextAndSaysHowLong) {
  EXPECT_EQ(excerpt("short", 10), "short");
  EXPECT_EQ(excerpt(std::string(100, 'x'), 4), "xxxx... (100 bytes)");
  // Never inside a UTF-8 sequence: "é" is two bytes.
  EXPECT_EQ(excerpt("a\xc3\xa9"
                    "bcdef",
                    2),
            "a... (8 bytes)");
}
