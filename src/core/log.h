// Structured logging: one JSON object per line on stdout, {"time","level","msg",...fields}.
// Lines are formatted with snprintf into a fixed buffer (limits::kMaxLogLineBytes) and
// written with one write(2), so lines never interleave or allocate. Secrets must never be
// passed as fields; URLs go through http::redact_url first.
#pragma once

#include <cstdint>
#include <initializer_list>
#include <string_view>

namespace core::log {

enum class Level { Debug = 0, Info = 1, Warn = 2, Error = 3, Off = 4 };

struct Field {
  enum class Kind { Str, Int, Uint, Bool, Double };
  const char* key;
  Kind kind;
  std::string_view s;
  int64_t i = 0;
  uint64_t u = 0;
  double d = 0;
};

inline Field f(const char* key, std::string_view v) { return {key, Field::Kind::Str, v}; }
inline Field f(const char* key, const char* v) { return {key, Field::Kind::Str, v ? v : ""}; }
inline Field f(const char* key, int v) { return {key, Field::Kind::Int, {}, v}; }
inline Field f(const char* key, long v) { return {key, Field::Kind::Int, {}, v}; }
inline Field f(const char* key, long long v) { return {key, Field::Kind::Int, {}, v}; }
inline Field f(const char* key, unsigned v) { return {key, Field::Kind::Uint, {}, 0, v}; }
inline Field f(const char* key, unsigned long v) { return {key, Field::Kind::Uint, {}, 0, v}; }
inline Field f(const char* key, unsigned long long v) { return {key, Field::Kind::Uint, {}, 0, v}; }
inline Field f(const char* key, bool v) { return {key, Field::Kind::Bool, {}, v ? 1 : 0}; }
inline Field f(const char* key, double v) { return {key, Field::Kind::Double, {}, 0, 0, v}; }

// Where lines go; the default writes to fd 1. Tests install a capturing sink.
class Sink {
 public:
  virtual ~Sink() = default;
  virtual void write_line(std::string_view line) = 0;  // includes the trailing '\n'
};
void set_sink(Sink* sink);  // nullptr restores stdout

void set_level(Level level);
Level level();
// "debug" | "info" | "warn" | "error" | "off" (case-insensitive); false if unknown.
bool parse_level(std::string_view text, Level* out);
inline bool enabled(Level l) { return l >= level(); }

void write(Level level, std::string_view msg, std::initializer_list<Field> fields = {});
inline void debug(std::string_view m, std::initializer_list<Field> fs = {}) {
  if (enabled(Level::Debug)) write(Level::Debug, m, fs);
}
inline void info(std::string_view m, std::initializer_list<Field> fs = {}) {
  write(Level::Info, m, fs);
}
inline void warn(std::string_view m, std::initializer_list<Field> fs = {}) {
  write(Level::Warn, m, fs);
}
inline void error(std::string_view m, std::initializer_list<Field> fs = {}) {
  write(Level::Error, m, fs);
}

// Appends s to out as JSON string content (no quotes), escaping per RFC 8259; invalid UTF-8
// bytes become U+FFFD so a log line is always valid JSON. Returns the new length (<= cap); an
// escape or character that would not fit is left out whole. *consumed (optional) receives how
// many input bytes were written, so consumed < s.size() means the value was cut.
size_t json_escape(std::string_view s, char* out, size_t len, size_t cap,
                   size_t* consumed = nullptr);

}  // namespace core::log
