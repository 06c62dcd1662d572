// Implementation of twitter/text.h.
#include "twitter/text.h"

#include <cstdio>
#include <cstring>

#include "core/clock.h"

namespace twitter {
namespace {

void append_utf8(uint32_t cp, std::string* out) {
  if (cp < 0x80) {
    out->push_back(static_cast<char>(cp));
  } else if (cp < 0x800) {
    out->push_back(static_cast<char>(0xC0 | (cp >> 6)));
    out->push_back(static_cast<char>(0x80 | (cp & 0x3F)));
  } else if (cp < 0x10000) {
    out->push_back(static_cast<char>(0xE0 | (cp >> 12)));
    out->push_back(static_cast<char>(0x80 | ((cp >> 6) & 0x3F)));
    out->push_back(static_cast<char>(0x80 | (cp & 0x3F)));
  } else {
    out->push_back(static_cast<char>(0xF0 | (cp >> 18)));
    out->push_back(static_cast<char>(0x80 | ((cp >> 12) & 0x3F)));
    out->push_back(static_cast<char>(0x80 | ((cp >> 6) & 0x3F)));
    out->push_back(static_cast<char>(0x80 | (cp & 0x3F)));
  }
}

// Decodes one entity starting at text[0] == '&'. Returns the bytes consumed (0 = not one).
size_t decode_one(std::string_view text, std::string* out) {
  static const struct {
    const char* name;
    char value;
  } kNamed[] = {{"&amp;", '&'},  {"&lt;", '<'},   {"&gt;", '>'},
                {"&quot;", '"'}, {"&#39;", '\''}, {"&apos;", '\''}};
  for (const auto& n : kNamed) {
    size_t len = strlen(n.name);
    if (text.substr(0, len) == n.name) {
      out->push_back(n.value);
      return len;
    }
  }
  if (text.size() < 4 || text[1] != '#') return 0;
  bool hex = text[2] == 'x' || text[2] == 'X';
  size_t i = hex ? 3 : 2;
  uint32_t cp = 0;
  size_t digits = 0;
  for (; i < text.size() && digits <= 7; ++i, ++digits) {
    char c = text[i];
    int v = c >= '0' && c <= '9'          ? c - '0'
            : hex && c >= 'a' && c <= 'f' ? c - 'a' + 10
            : hex && c >= 'A' && c <= 'F' ? c - 'A' + 10
                                          : -1;
    if (v < 0) break;
    cp = cp * (hex ? 16 : 10) + static_cast<uint32_t>(v);
  }
  if (digits == 0 || digits > 7 || i >= text.size() || text[i] != ';') return 0;
  // Surrogates, NUL and values past Unicode are not characters: keep the text as written.
  if (cp == 0 || cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF)) return 0;
  append_utf8(cp, out);
  return i + 1;
}

// Length of the UTF-8 sequence starting at s[i], 1 for an invalid byte.
size_t seq_len(std::string_view s, size_t i) {
  unsigned char c = static_cast<unsigned char>(s[i]);
  size_t n = c < 0x80 ? 1 : (c >> 5) == 0x6 ? 2 : (c >> 4) == 0xE ? 3 : (c >> 3) == 0x1E ? 4 : 1;
  if (i + n > s.size()) return 1;
  for (size_t k = 1; k < n; ++k)
    if ((static_cast<unsigned char>(s[i + k]) & 0xC0) != 0x80) return 1;
  return n;
}

bool read_int(std::string_view s, size_t pos, size_t len, int* out) {
  if (pos + len > s.size()) return false;
  int v = 0;
  for (size_t i = pos; i < pos + len; ++i) {
    if (s[i] < '0' || s[i] > '9') return false;
    v = v * 10 + (s[i] - '0');
  }
  *out = v;
  return true;
}

std::optional<int64_t> civil_to_unix(int y, int mo, int d, int h, int mi, int s) {
  static const int kDays[] = {31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
  if (y < 1970 || y > 9999 || mo < 1 || mo > 12 || d < 1 || d > kDays[mo - 1] || h > 23 ||
      mi > 59 || s > 60)
    return std::nullopt;
  bool leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
  if (mo == 2 && d == 29 && !leap) return std::nullopt;
  int64_t days = core::days_from_civil(y, static_cast<unsigned>(mo), static_cast<unsigned>(d));
  return days * 86400 + h * 3600 + mi * 60 + s;
}

void civil(int64_t unix_s, int64_t* y, unsigned* mo, unsigned* d, int* sod) {
  int64_t days = unix_s >= 0 ? unix_s / 86400 : (unix_s - 86399) / 86400;
  *sod = static_cast<int>(unix_s - days * 86400);
  core::civil_from_days(days, y, mo, d);
}

}  // namespace

std::string decode_html_entities(std::string_view text) {
  std::string out;
  out.reserve(text.size());
  for (size_t i = 0; i < text.size();) {
    if (text[i] == '&') {
      size_t used = decode_one(text.substr(i), &out);
      if (used) {
        i += used;
        continue;
      }
    }
    out.push_back(text[i++]);
  }
  return out;
}

std::string_view slice_code_points(std::string_view text, uint32_t begin, uint32_t end) {
  size_t pos = 0, cp = 0, from = text.size(), to = text.size();
  while (pos < text.size()) {
    if (cp == begin) from = pos;
    if (cp == end) {
      to = pos;
      break;
    }
    pos += seq_len(text, pos);
    ++cp;
  }
  if (from > to) return {};
  return text.substr(from, to - from);
}

size_t count_code_points(std::string_view text) {
  size_t n = 0;
  for (size_t pos = 0; pos < text.size(); pos += seq_len(text, pos)) ++n;
  return n;
}

std::optional<int64_t> parse_v1_date(std::string_view s) {
  // "Wed Apr 24 08:30:23 +0000 2019": fixed columns.
  static const char* kMonths = "JanFebMarAprMayJunJulAugSepOctNovDec";
  if (s.size() != 30 || s[3] != ' ' || s[7] != ' ' || s[10] != ' ' || s[13] != ':' ||
      s[16] != ':' || s[19] != ' ' || s[25] != ' ' || (s[20] != '+' && s[20] != '-'))
    return std::nullopt;
  int mo = 0;
  for (int m = 0; m < 12; ++m)
    if (s.substr(4, 3) == std::string_view(kMonths + m * 3, 3)) mo = m + 1;
  int d, h, mi, sec, oh, om, y;
  if (!mo || !read_int(s, 8, 2, &d) || !read_int(s, 11, 2, &h) || !read_int(s, 14, 2, &mi) ||
      !read_int(s, 17, 2, &sec) || !read_int(s, 21, 2, &oh) || !read_int(s, 23, 2, &om) ||
      !read_int(s, 26, 4, &y) || oh > 23 || om > 59)
    return std::nullopt;
  auto t = civil_to_unix(y, mo, d, h, mi, sec);
  if (!t) return std::nullopt;
  int64_t offset = (oh * 3600 + om * 60) * (s[20] == '-' ? -1 : 1);
  return *t - offset;
}

std::optional<int64_t> parse_rfc3339(std::string_view s) {
  int y, mo, d, h, mi, sec;
  if (s.size() < 20 || s[4] != '-' || s[7] != '-' || (s[10] != 'T' && s[10] != 't') ||
      s[13] != ':' || s[16] != ':' || !read_int(s, 0, 4, &y) || !read_int(s, 5, 2, &mo) ||
      !read_int(s, 8, 2, &d) || !read_int(s, 11, 2, &h) || !read_int(s, 14, 2, &mi) ||
      !read_int(s, 17, 2, &sec))
    return std::nullopt;
  size_t i = 19;
  if (s[i] == '.') {
    size_t start = ++i;
    while (i < s.size() && s[i] >= '0' && s[i] <= '9') ++i;
    if (i == start || i - start > 9) return std::nullopt;
  }
  auto t = civil_to_unix(y, mo, d, h, mi, sec);
  if (!t || i >= s.size()) return std::nullopt;
  std::string_view zone = s.substr(i);
  if (zone == "Z" || zone == "z") return t;
  int oh, om;
  if (zone.size() != 6 || (zone[0] != '+' && zone[0] != '-') || zone[3] != ':' ||
      !read_int(zone, 1, 2, &oh) || !read_int(zone, 4, 2, &om) || oh > 23 || om > 59)
    return std::nullopt;
  return *t - (oh * 3600 + om * 60) * (zone[0] == '-' ? -1 : 1);
}

std::string format_sent_time(int64_t unix_s) {
  int64_t y;
  unsigned mo, d;
  int sod;
  civil(unix_s, &y, &mo, &d, &sod);
  char buf[40];
  snprintf(buf, sizeof buf, "%04lld-%02u-%02uT%02d:%02d:%02d", static_cast<long long>(y), mo, d,
           sod / 3600, sod / 60 % 60, sod % 60);
  return buf;
}

std::string format_rfc3339(int64_t unix_s) { return format_sent_time(unix_s) + "Z"; }

std::optional<int64_t> snowflake_unix_ms(uint64_t id) {
  // Twitter's epoch (2010-11-04T01:42:54.657Z); the top 41 bits are ms since it. Sequential
  // ids from before snowflakes are far smaller than 2^22 * (ms since epoch).
  constexpr int64_t kTwepochMs = 1288834974657;
  if (id < (uint64_t{1} << 32)) return std::nullopt;
  return static_cast<int64_t>(id >> 22) + kTwepochMs;
}

}  // namespace twitter
