// The key list of an options struct drives the documentation rows: paths, defaults,
// ranges as a reader sees them.
#include "denseshift/core/option_visitor.h"

#include <gtest/gtest.h>

using namespace denseshift;

namespace {

struct Inner {
  int bits = 3;
  std::string kind = "a";
  void visit_keys(OptionVisitor& v) {
    v.integer32("bits", bits, 2, 5, "weight bits");
    v.choice("kind", kind, {"a", "b"}, "which");
  }
};

struct Outer {
  double lr = 0.1;
  std::optional<double> decay;
  int64_t count = 0;
  bool on = true;
  std::vector<std::string> names{"x"};
  Inner inner;
  void visit_keys(OptionVisitor& v) {
    v.number("lr", lr, 0.0, 100.0, "rate");
    v.optional_number("decay", decay, 0.0, 1.0, "decay");
    v.integer("count", count, 0, kUnboundedCount, "count");
    v.flag("on", on, "switch");
    v.strings("names", names, "names");
    v.section("inner", [this](OptionVisitor& s) { inner.visit_keys(s); }, {}, "nested");
  }
};

}  // namespace

TEST(OptionVisitor, DocumentsEveryKeyWithPathDefaultAndRange) {
  Outer o;
  const auto keys = document_keys([&](OptionVisitor& v) { o.visit_keys(v); });
  ASSERT_EQ(keys.size(), 7u);
  EXPECT_EQ(keys[0].path, "lr");
  EXPECT_EQ(keys[0].default_value, "0.1");
  EXPECT_EQ(keys[0].allowed, "0 to 100");
  EXPECT_EQ(keys[1].default_value, "null");
  EXPECT_EQ(keys[1].allowed, "null or 0 to 1");
  EXPECT_EQ(keys[2].allowed, "≥ 0");  // no practical upper bound
  EXPECT_EQ(keys[3].default_value, "true");
  EXPECT_EQ(keys[4].default_value, "[\"x\"]");
  EXPECT_EQ(keys[5].path, "inner.bits");
  EXPECT_EQ(keys[5].allowed, "2 to 5");
  EXPECT_EQ(keys[6].path, "inner.kind");
  EXPECT_EQ(keys[6].default_value, "\"a\"");
  EXPECT_EQ(keys[6].allowed, "a, b");
  EXPECT_EQ(keys[6].doc, "which");
}
