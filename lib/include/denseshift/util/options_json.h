#pragma once
// Options structs to and from JSON through their one key list (core/option_visitor.h):
// reading validates every key (type, range, allowed names; unknown keys are errors with
// the closest valid spelling), writing gives every key, defaults included.
//
// Example:
//   OptimOptions o;
//   JsonSection s(j, "optim");
//   read_options(s, [&](OptionVisitor& v) { o.visit_keys(v); });   // finishes s
//   nlohmann::json back = write_options([&](OptionVisitor& v) { o.visit_keys(v); });

#include <nlohmann/json.hpp>

#include <functional>

#include "denseshift/core/option_visitor.h"
#include "denseshift/util/json_reader.h"

namespace denseshift {

/// Reads the keys `visit` lists from `section`, then finishes it (an unknown key throws).
void read_options(JsonSection& section, const std::function<void(OptionVisitor&)>& visit);
/// Every key `visit` lists with its current value.
nlohmann::json write_options(const std::function<void(OptionVisitor&)>& visit);

}  // namespace denseshift
