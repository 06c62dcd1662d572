// JSON-lines logger (see log.h). The clock is the system wall clock: log timestamps are for
// humans and log collectors, never for logic.
#include "core/log.h"

#include <unistd.h>

#include <cstdio>
#include <cstring>

#include "core/clock.h"
#include "core/limits.h"

namespace core::log {
namespace {

Level g_level = Level::Info;
Sink* g_sink = nullptr;
constexpr const char* kLevelNames[] = {"debug", "info", "warn", "error", "off"};

size_t put(char* out, size_t len, size_t cap, std::string_view s) {
  size_t n = s.size() < cap - len ? s.size() : cap - len;
  memcpy(out + len, s.data(), n);
  return len + n;
}

// Length of a valid UTF-8 sequence starting at s[i], or 0 if invalid.
size_t utf8_len(std::string_view s, size_t i) {
  auto b = [&](size_t k) { return static_cast<unsigned char>(s[k]); };
  unsigned char c = b(i);
  size_t n = c < 0xC2 ? 0 : c < 0xE0 ? 2 : c < 0xF0 ? 3 : c < 0xF5 ? 4 : 0;
  if (n == 0 || i + n > s.size()) return 0;
  for (size_t k = 1; k < n; ++k)
    if ((b(i + k) & 0xC0) != 0x80) return 0;
  if (n == 3 && ((c == 0xE0 && b(i + 1) < 0xA0) || (c == 0xED && b(i + 1) > 0x9F))) return 0;
  if (n == 4 && ((c == 0xF0 && b(i + 1) < 0x90) || (c == 0xF4 && b(i + 1) > 0x8F))) return 0;
  return n;
}

}  // namespace

void set_sink(Sink* sink) { g_sink = sink; }
void set_level(Level level) { g_level = level; }
Level level() { return g_level; }

bool parse_level(std::string_view text, Level* out) {
  for (int i = 0; i <= 4; ++i) {
    std::string_view name = kLevelNames[i];
    if (name.size() != text.size()) continue;
    bool eq = true;
    for (size_t k = 0; k < name.size(); ++k)
      if ((text[k] | 0x20) != name[k]) eq = false;
    if (eq) {
      *out = static_cast<Level>(i);
      return true;
    }
  }
  return false;
}

size_t json_escape(std::string_view s, char* out, size_t len, size_t cap, size_t* consumed) {
  size_t i = 0;
  while (i < s.size()) {
    unsigned char c = static_cast<unsigned char>(s[i]);
    char esc[8];
    std::string_view piece;
    size_t adv = 1;
    if (c == '"' || c == '\\') {
      esc[0] = '\\', esc[1] = static_cast<char>(c);
      piece = {esc, 2};
    } else if (c < 0x20) {
      int n = c == '\n'   ? snprintf(esc, sizeof esc, "\\n")
              : c == '\t' ? snprintf(esc, sizeof esc, "\\t")
              : c == '\r' ? snprintf(esc, sizeof esc, "\\r")
                          : snprintf(esc, sizeof esc, "\\u%04x", c);
      piece = {esc, static_cast<size_t>(n)};
    } else if (c < 0x80) {
      piece = s.substr(i, 1);
    } else if (size_t n = utf8_len(s, i)) {
      piece = s.substr(i, n);
      adv = n;
    } else {
      piece = "\xEF\xBF\xBD";
    }
    if (len + piece.size() > cap) break;  // never split an escape or a character
    len = put(out, len, cap, piece);
    i += adv;
  }
  if (consumed) *consumed = i;
  return len;
}

namespace {

// Appends to a fixed line buffer. A field that does not fit is rolled back whole and the line
// is marked truncated, so the output is always one valid JSON object.
class LineWriter {
 public:
  LineWriter(char* buf, size_t cap) : buf_(buf), cap_(cap) {}
  void raw(std::string_view s) {
    if (full_ || len_ + s.size() > cap_) {
      full_ = true;
      return;
    }
    len_ = put(buf_, len_, cap_, s);
  }
  // Quoted and escaped. The message may be cut (the closing quote always fits); other values
  // are all-or-nothing through mark()/rollback().
  void str(std::string_view s) {
    raw("\"");
    if (full_) return;
    size_t consumed = 0;
    len_ = json_escape(s, buf_, len_, cap_ - 1, &consumed);
    if (consumed < s.size()) full_ = true;
    buf_[len_++] = '"';
  }
  size_t mark() const { return len_; }
  void rollback(size_t mark) { len_ = mark; }
  bool full() const { return full_; }
  size_t len() const { return len_; }

 private:
  char* buf_;
  size_t cap_;
  size_t len_ = 0;
  bool full_ = false;
};

}  // namespace

void write(Level level, std::string_view msg, std::initializer_list<Field> fields) {
  if (level < g_level || level == Level::Off) return;
  constexpr size_t kCap = limits::kMaxLogLineBytes;
  constexpr size_t kTail = sizeof(",\"truncated\":true}\n");
  char line[kCap];
  char ts[40];
  format_iso8601_ms(SystemClock::instance().now_unix_ms(), ts, sizeof ts);
  LineWriter w(line, kCap - kTail);
  w.raw("{\"time\":\"");
  w.raw(ts);
  w.raw("\",\"level\":\"");
  w.raw(kLevelNames[static_cast<int>(level)]);
  w.raw("\",\"msg\":");
  w.str(msg);
  for (const Field& fd : fields) {
    if (w.full()) break;
    size_t mark = w.mark();
    char num[48];
    int n = 0;
    w.raw(",");
    w.str(fd.key);
    w.raw(":");
    switch (fd.kind) {
      case Field::Kind::Str: w.str(fd.s); break;
      case Field::Kind::Bool: w.raw(fd.i ? "true" : "false"); break;
      case Field::Kind::Int: n = snprintf(num, sizeof num, "%lld", (long long)fd.i); break;
      case Field::Kind::Uint:
        n = snprintf(num, sizeof num, "%llu", (unsigned long long)fd.u);
        break;
      case Field::Kind::Double: n = snprintf(num, sizeof num, "%.6g", fd.d); break;
    }
    if (n > 0) w.raw({num, static_cast<size_t>(n)});
    if (w.full()) w.rollback(mark);
  }
  size_t len = w.len();
  if (w.full()) len = put(line, len, kCap, ",\"truncated\":true");
  len = put(line, len, kCap, "}\n");
  std::string_view out(line, len);
  if (g_sink) {
    g_sink->write_line(out);
    return;
  }
  size_t off = 0;
  while (off < out.size()) {
    ssize_t n = ::write(1, out.data() + off, out.size() - off);
    if (n <= 0) return;  // stdout gone: logging must never take the service down
    off += static_cast<size_t>(n);
  }
}

}  // namespace core::log
