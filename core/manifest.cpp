#include "core/manifest.h"

#include <set>
#include <sstream>

#include "core/checksum.h"
#include "core/error.h"

namespace curlrl {
namespace {

constexpr const char* kHeaderV1 = "curlrl checkpoint v1";
constexpr const char* kHeaderV2 = "curlrl checkpoint v2";

bool plain_name(const std::string& name) {
  if (name.empty() || name == "." || name == ".." || name.size() > 255) return false;
  for (const char ch : name) {
    const bool ok = (ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z') || (ch >= '0' && ch <= '9') || ch == '.' ||
                    ch == '_' || ch == '-';
    if (!ok) return false;
  }
  return true;
}

// A decimal number without sign, spaces or overflow.
std::optional<uint64_t> parse_size(const std::string& text) {
  if (text.empty() || text.size() > 19) return std::nullopt;
  uint64_t n = 0;
  for (const char ch : text) {
    if (ch < '0' || ch > '9') return std::nullopt;
    n = n * 10 + static_cast<uint64_t>(ch - '0');
  }
  return n;
}

// "crc32c=" and eight hex digits.
std::optional<uint32_t> parse_crc(const std::string& text) {
  const std::string prefix = "crc32c=";
  if (text.size() != prefix.size() + 8 || text.compare(0, prefix.size(), prefix) != 0) return std::nullopt;
  uint32_t v = 0;
  for (size_t i = prefix.size(); i < text.size(); ++i) {
    const char ch = text[i];
    uint32_t d;
    if (ch >= '0' && ch <= '9') {
      d = static_cast<uint32_t>(ch - '0');
    } else if (ch >= 'a' && ch <= 'f') {
      d = static_cast<uint32_t>(ch - 'a' + 10);
    } else {
      return std::nullopt;
    }
    v = (v << 4) | d;
  }
  return v;
}

std::vector<std::string> words(const std::string& line) {
  std::vector<std::string> out;
  std::istringstream in(line);
  for (std::string w; in >> w;) out.push_back(w);
  return out;
}

}  // namespace

std::string format_manifest(const Manifest& manifest) {
  std::string text = std::string(kHeaderV2) + "\n";
  for (const auto& f : manifest.files) {
    text += "file " + f.name + " " + std::to_string(f.size) + " crc32c=" + hex32(f.crc32c.value_or(0)) + "\n";
  }
  for (const auto& [key, value] : manifest.config) text += "config " + key + "=" + value + "\n";
  text += "end crc32c=" + hex32(crc32c(text)) + "\n";
  return text;
}

Manifest parse_manifest(const std::string& text, const std::string& where) {
  const auto bad = [&](const std::string& what) { return Error(where + ": " + what); };
  const size_t first_end = text.find('\n');
  const std::string header = text.substr(0, first_end);
  Manifest m;
  std::set<std::string> names;
  if (header == kHeaderV1) {
    m.version = 1;
    std::istringstream in(text.substr(first_end == std::string::npos ? text.size() : first_end + 1));
    int line_no = 1;
    for (std::string line; std::getline(in, line);) {
      ++line_no;
      const auto w = words(line);
      if (w.empty()) continue;
      const auto size = w.size() == 2 ? parse_size(w[1]) : std::nullopt;
      if (!size || !plain_name(w[0])) throw bad("line " + std::to_string(line_no) + " is not 'NAME SIZE'");
      if (!names.insert(w[0]).second) throw bad("file " + w[0] + " listed twice");
      m.files.push_back({w[0], *size, std::nullopt});
    }
    return m;
  }
  if (header != kHeaderV2) throw bad("not a curlrl checkpoint manifest (first line: '" + header.substr(0, 40) + "')");
  // The end line seals everything before it.
  const size_t end_at = text.rfind("\nend ");
  if (end_at == std::string::npos) throw bad("incomplete: no end line");
  const std::string sealed = text.substr(0, end_at + 1);
  std::string end_line = text.substr(end_at + 1);
  if (!end_line.empty() && end_line.back() == '\n') end_line.pop_back();
  const auto end_words = words(end_line);
  const auto recorded = end_words.size() == 2 ? parse_crc(end_words[1]) : std::nullopt;
  if (!recorded || end_line.find('\n') != std::string::npos) throw bad("damaged end line");
  if (*recorded != crc32c(sealed)) throw bad("damaged (its own checksum does not match)");

  std::istringstream in(sealed.substr(first_end + 1));
  int line_no = 1;
  for (std::string line; std::getline(in, line);) {
    ++line_no;
    const std::string where_line = "line " + std::to_string(line_no);
    if (line.rfind("file ", 0) == 0) {
      const auto w = words(line);
      const auto size = w.size() == 4 ? parse_size(w[2]) : std::nullopt;
      const auto crc = w.size() == 4 ? parse_crc(w[3]) : std::nullopt;
      if (!size || !crc || !plain_name(w[1])) throw bad(where_line + " is not 'file NAME SIZE crc32c=HEX'");
      if (!names.insert(w[1]).second) throw bad("file " + w[1] + " listed twice");
      m.files.push_back({w[1], *size, crc});
    } else if (line.rfind("config ", 0) == 0) {
      const std::string entry = line.substr(7);
      const size_t eq = entry.find('=');
      if (eq == std::string::npos || eq == 0) throw bad(where_line + " is not 'config KEY=VALUE'");
      if (!m.config.emplace(entry.substr(0, eq), entry.substr(eq + 1)).second) {
        throw bad("key " + entry.substr(0, eq) + " listed twice");
      }
    } else {
      throw bad(where_line + " is not understood");
    }
  }
  return m;
}

}  // namespace curlrl
