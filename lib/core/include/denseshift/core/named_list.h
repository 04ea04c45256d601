#pragma once
// Lookup by name in a registry (a vector of entries with a `name` member): what the
// parametrization, model and dataset registries share.

#include <string>
#include <vector>

#include "denseshift/core/error.h"

namespace denseshift {

/// Every entry's name, in order.
template <class Entry>
std::vector<std::string> names_of(const std::vector<Entry>& list) {
  std::vector<std::string> names;
  for (const auto& entry : list) names.push_back(entry.name);
  return names;
}

/// The entry called `name`; throws InvalidArgument "unknown <what> '<name>' (allowed: ...)".
template <class Entry>
const Entry& find_by_name(const std::vector<Entry>& list, const std::string& what, const std::string& name) {
  for (const auto& entry : list) {
    if (entry.name == name) return entry;
  }
  throw_unknown_name(what, name, names_of(list));
}

}  // namespace denseshift
