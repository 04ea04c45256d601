#include "denseshift/util/error.h"

namespace denseshift {

std::string join(const std::vector<std::string>& items, const std::string& separator) {
  std::string out;
  for (size_t i = 0; i < items.size(); ++i) {
    if (i > 0) out += separator;
    out += items[i];
  }
  return out;
}

void throw_unknown_name(const std::string& what, const std::string& value,
                        const std::vector<std::string>& allowed) {
  throw InvalidArgument("unknown " + what + " '" + value + "' (allowed: " + join(allowed) + ")");
}

}  // namespace denseshift
