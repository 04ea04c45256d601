#pragma once
// Error types shared by the library and the command line. Messages name the
// offending value and what would have been accepted, so that a user can fix
// the input without reading the source.

#include <stdexcept>
#include <string>
#include <vector>

namespace denseshift {

/// Base of every error the library throws on purpose.
class Error : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

/// Bad user input: an unknown name, an out-of-range number, a forbidden combination.
/// The command line maps it to exit code 2.
class InvalidArgument : public Error {
 public:
  using Error::Error;
};

/// "a, b, c"
std::string join(const std::vector<std::string>& items, const std::string& separator = ", ");

/// `text`, or its first `max_chars` bytes and its length when longer (for error messages).
std::string excerpt(const std::string& text, size_t max_chars);
/// Whether `text` is well-formed UTF-8 (no overlong forms, surrogates or code points > U+10FFFF).
bool is_valid_utf8(const std::string& text);
/// `text` with control characters and bytes that are not UTF-8 written as \xNN: safe to print.
std::string printable(const std::string& text);

/// Throws InvalidArgument("unknown <what> 'value' (allowed: a, b, c)").
[[noreturn]] void throw_unknown_name(const std::string& what, const std::string& value,
                                     const std::vector<std::string>& allowed);

}  // namespace denseshift
