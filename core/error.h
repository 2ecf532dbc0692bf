// curlrl's user-facing error: a one-line message naming what was wrong. The program prints it and exits non-zero.
#pragma once

#include <stdexcept>
#include <string>

namespace curlrl {

class Error : public std::runtime_error {
 public:
  explicit Error(const std::string& message) : std::runtime_error(message) {}
};

// A configuration error (unknown key, wrong type, bad YAML): exit code 2, like a usage error.
class ConfigError : public Error {
 public:
  using Error::Error;
};

// The first line of a library's message (LibTorch appends a C++ backtrace to its own), for a one-line Error.
inline std::string first_line(const std::string& message) { return message.substr(0, message.find('\n')); }

}  // namespace curlrl
