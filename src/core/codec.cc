// Implementation of core/codec.h.
#include "core/codec.h"

#include <cstdint>

namespace core {
namespace {

constexpr char kB64[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
constexpr char kB64Url[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
constexpr char kHexUpper[] = "0123456789ABCDEF";
constexpr char kHexLower[] = "0123456789abcdef";

std::string encode(std::string_view in, const char* alphabet, bool pad) {
  std::string out;
  out.reserve((in.size() + 2) / 3 * 4);
  size_t i = 0;
  for (; i + 3 <= in.size(); i += 3) {
    uint32_t v = static_cast<uint8_t>(in[i]) << 16 | static_cast<uint8_t>(in[i + 1]) << 8 |
                 static_cast<uint8_t>(in[i + 2]);
    out += alphabet[v >> 18];
    out += alphabet[(v >> 12) & 63];
    out += alphabet[(v >> 6) & 63];
    out += alphabet[v & 63];
  }
  size_t rest = in.size() - i;
  if (rest > 0) {
    uint32_t v = static_cast<uint8_t>(in[i]) << 16;
    if (rest == 2) v |= static_cast<uint8_t>(in[i + 1]) << 8;
    out += alphabet[v >> 18];
    out += alphabet[(v >> 12) & 63];
    if (rest == 2) out += alphabet[(v >> 6) & 63];
    if (pad) out.append(rest == 1 ? "==" : "=");
  }
  return out;
}

int b64_value(char c, bool url) {
  if (c >= 'A' && c <= 'Z') return c - 'A';
  if (c >= 'a' && c <= 'z') return c - 'a' + 26;
  if (c >= '0' && c <= '9') return c - '0' + 52;
  if (c == (url ? '-' : '+')) return 62;
  if (c == (url ? '_' : '/')) return 63;
  return -1;
}

Result<std::string> decode(std::string_view in, bool url) {
  size_t len = in.size();
  size_t pad = 0;
  while (len > 0 && in[len - 1] == '=' && pad < 2) {
    --len;
    ++pad;
  }
  if (!url && pad > 0 && (len + pad) % 4 != 0) return make_error(Errc::Parse, "base64 padding");
  if (len % 4 == 1) return make_error(Errc::Parse, "base64 length");
  std::string out;
  out.reserve(len * 3 / 4);
  uint32_t acc = 0;
  int bits = 0;
  for (size_t i = 0; i < len; ++i) {
    int v = b64_value(in[i], url);
    if (v < 0) return make_error(Errc::Parse, "base64 character");
    acc = (acc << 6) | static_cast<uint32_t>(v);
    bits += 6;
    if (bits >= 8) {
      bits -= 8;
      out += static_cast<char>((acc >> bits) & 0xff);
    }
  }
  // Leftover bits must be zero, otherwise two encodings would decode to the same bytes.
  if (bits > 0 && (acc & ((1u << bits) - 1)) != 0)
    return make_error(Errc::Parse, "base64 trailing bits");
  return out;
}

int hex_value(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

bool unreserved(unsigned char c) {
  return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' ||
         c == '.' || c == '_' || c == '~';
}

}  // namespace

std::string base64_encode(std::string_view in) { return encode(in, kB64, true); }
std::string base64url_encode(std::string_view in) { return encode(in, kB64Url, false); }
Result<std::string> base64_decode(std::string_view in) { return decode(in, false); }
Result<std::string> base64url_decode(std::string_view in) { return decode(in, true); }

std::string hex_encode(std::string_view in) {
  std::string out;
  out.reserve(in.size() * 2);
  for (unsigned char c : in) {
    out += kHexLower[c >> 4];
    out += kHexLower[c & 15];
  }
  return out;
}

void percent_encode_to(std::string_view in, std::string* out) {
  for (unsigned char c : in) {
    if (unreserved(c)) {
      *out += static_cast<char>(c);
    } else {
      *out += '%';
      *out += kHexUpper[c >> 4];
      *out += kHexUpper[c & 15];
    }
  }
}

std::string percent_encode(std::string_view in) {
  std::string out;
  out.reserve(in.size() * 3 / 2);
  percent_encode_to(in, &out);
  return out;
}

Result<std::string> percent_decode(std::string_view in, bool plus_as_space) {
  std::string out;
  out.reserve(in.size());
  for (size_t i = 0; i < in.size(); ++i) {
    char c = in[i];
    if (c == '%') {
      if (i + 2 >= in.size()) return make_error(Errc::Parse, "percent escape");
      int hi = hex_value(in[i + 1]), lo = hex_value(in[i + 2]);
      if (hi < 0 || lo < 0) return make_error(Errc::Parse, "percent escape");
      out += static_cast<char>(hi << 4 | lo);
      i += 2;
    } else if (c == '+' && plus_as_space) {
      out += ' ';
    } else {
      out += c;
    }
  }
  return out;
}

bool constant_time_equal(std::string_view a, std::string_view b) {
  // Compare over the longer length so timing does not reveal the common prefix.
  size_t n = a.size() > b.size() ? a.size() : b.size();
  unsigned char diff = a.size() == b.size() ? 0 : 1;
  for (size_t i = 0; i < n; ++i) {
    unsigned char x = i < a.size() ? static_cast<unsigned char>(a[i]) : 0;
    unsigned char y = i < b.size() ? static_cast<unsigned char>(b[i]) : 0;
    diff |= x ^ y;
  }
  return diff == 0;
}

}  // namespace core
