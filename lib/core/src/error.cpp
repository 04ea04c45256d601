#include "denseshift/core/error.h"

#include <cstdint>
#include <cstdio>

namespace denseshift {

std::string join(const std::vector<std::string>& items, const std::string& separator) {
  std::string out;
  for (size_t i = 0; i < items.size(); ++i) {
    if (i > 0) out += separator;
    out += items[i];
  }
  return out;
}

std::string excerpt(const std::string& text, size_t max_chars) {
  if (text.size() <= max_chars) return text;
  size_t cut = max_chars;
  while (cut > 0 && (static_cast<unsigned char>(text[cut]) & 0xC0) == 0x80) --cut;  // not inside a UTF-8 sequence
  return text.substr(0, cut) + "... (" + std::to_string(text.size()) + " bytes)";
}

namespace {
// The length of the well-formed UTF-8 sequence at text[i], or 0 if there is none.
size_t utf8_sequence_length(const std::string& text, size_t i) {
  const auto c = static_cast<unsigned char>(text[i]);
  size_t extra = 0;
  uint32_t code = 0;
  if (c < 0x80) {
    return 1;
  } else if ((c & 0xE0) == 0xC0) {
    extra = 1, code = c & 0x1F;
  } else if ((c & 0xF0) == 0xE0) {
    extra = 2, code = c & 0x0F;
  } else if ((c & 0xF8) == 0xF0) {
    extra = 3, code = c & 0x07;
  } else {
    return 0;
  }
  if (i + extra >= text.size()) return 0;  // the sequence runs past the end
  for (size_t k = 1; k <= extra; ++k) {
    const auto next = static_cast<unsigned char>(text[i + k]);
    if ((next & 0xC0) != 0x80) return 0;
    code = (code << 6) | (next & 0x3F);
  }
  // Overlong forms, surrogates and code points beyond U+10FFFF are not UTF-8.
  static constexpr uint32_t kMinimum[4] = {0, 0x80, 0x800, 0x10000};
  if (code < kMinimum[extra] || code > 0x10FFFF || (code >= 0xD800 && code <= 0xDFFF)) return 0;
  return extra + 1;
}
}  // namespace

bool is_valid_utf8(const std::string& text) {
  for (size_t i = 0; i < text.size();) {
    const size_t n = utf8_sequence_length(text, i);
    if (n == 0) return false;
    i += n;
  }
  return true;
}

std::string printable(const std::string& text) {
  std::string out;
  for (size_t i = 0; i < text.size();) {
    const size_t n = utf8_sequence_length(text, i);
    const auto c = static_cast<unsigned char>(text[i]);
    if (n == 0 || (n == 1 && (c < 0x20 || c == 0x7F))) {
      char hex[8];
      std::snprintf(hex, sizeof hex, "\\x%02x", c);
      out += hex;
      ++i;
    } else {
      out.append(text, i, n);
      i += n;
    }
  }
  return out;
}

void throw_unknown_name(const std::string& what, const std::string& value,
                        const std::vector<std::string>& allowed) {
  throw InvalidArgument("unknown " + what + " '" + value + "' (allowed: " + join(allowed) + ")");
}

}  // namespace denseshift
