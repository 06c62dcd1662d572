// Implementation of json/json.h on top of cJSON.
#include "json/json.h"

#include <strings.h>
#include <cstdio>
#include <cstdlib>
#include <cstring>

namespace json {
namespace {

cJSON* must(cJSON* p) {
  if (!p) {
    fprintf(stderr, "fatal: out of memory in cJSON\n");
    abort();
  }
  return p;
}

}  // namespace

core::Result<Json> parse(std::string_view text) {
  const char* end = nullptr;
  Json root(cJSON_ParseWithLengthOpts(text.data(), text.size(), &end, false));
  if (!root) return core::make_error(core::Errc::Parse, "json");
  size_t used = static_cast<size_t>(end - text.data());
  for (size_t i = used; i < text.size(); ++i) {
    char c = text[i];
    if (c != ' ' && c != '\t' && c != '\n' && c != '\r' && c != '\0')
      return core::make_error(core::Errc::Parse, "json trailing data");
  }
  return root;
}

Json object() { return Json(must(cJSON_CreateObject())); }
Json array() { return Json(must(cJSON_CreateArray())); }

std::string dump(const cJSON* value) {
  char* text = cJSON_PrintUnformatted(value);
  if (!text) {
    fprintf(stderr, "fatal: out of memory serialising JSON\n");
    abort();
  }
  std::string out(text);
  cJSON_free(text);
  return out;
}

std::optional<std::string_view> get_string(const cJSON* obj, const char* key) {
  const cJSON* v = cJSON_GetObjectItemCaseSensitive(obj, key);
  if (!cJSON_IsString(v) || !v->valuestring) return std::nullopt;
  return std::string_view(v->valuestring);
}

std::optional<double> get_number(const cJSON* obj, const char* key) {
  const cJSON* v = cJSON_GetObjectItemCaseSensitive(obj, key);
  if (!cJSON_IsNumber(v)) return std::nullopt;
  return v->valuedouble;
}

std::optional<bool> get_bool(const cJSON* obj, const char* key) {
  const cJSON* v = cJSON_GetObjectItemCaseSensitive(obj, key);
  if (!cJSON_IsBool(v)) return std::nullopt;
  return cJSON_IsTrue(v) != 0;
}

const cJSON* get_object(const cJSON* obj, const char* key) {
  const cJSON* v = cJSON_GetObjectItemCaseSensitive(obj, key);
  return cJSON_IsObject(v) ? v : nullptr;
}

const cJSON* get_array(const cJSON* obj, const char* key) {
  const cJSON* v = cJSON_GetObjectItemCaseSensitive(obj, key);
  return cJSON_IsArray(v) ? v : nullptr;
}

const cJSON* get_ci(const cJSON* obj, const char* key) {
  if (!cJSON_IsObject(obj)) return nullptr;
  for (const cJSON* c = obj->child; c; c = c->next)
    if (c->string && strcasecmp(c->string, key) == 0) return c;
  return nullptr;
}

std::optional<uint64_t> parse_u64(std::string_view text) {
  if (text.empty() || text.size() > 20) return std::nullopt;
  uint64_t v = 0;
  for (char c : text) {
    if (c < '0' || c > '9') return std::nullopt;
    uint64_t d = static_cast<uint64_t>(c - '0');
    if (v > (UINT64_MAX - d) / 10) return std::nullopt;
    v = v * 10 + d;
  }
  return v;
}

std::optional<int64_t> get_int(const cJSON* obj, const char* key) {
  const cJSON* v = cJSON_GetObjectItemCaseSensitive(obj, key);
  constexpr double kMaxExact = 9007199254740992.0;  // 2^53
  if (cJSON_IsNumber(v)) {
    double d = v->valuedouble;
    if (d != static_cast<double>(static_cast<int64_t>(d)) || d > kMaxExact || d < -kMaxExact)
      return std::nullopt;
    return static_cast<int64_t>(d);
  }
  if (cJSON_IsString(v) && v->valuestring) {
    std::string_view s(v->valuestring);
    bool neg = !s.empty() && s[0] == '-';
    auto u = parse_u64(neg ? s.substr(1) : s);
    if (!u || *u > static_cast<uint64_t>(INT64_MAX)) return std::nullopt;
    return neg ? -static_cast<int64_t>(*u) : static_cast<int64_t>(*u);
  }
  return std::nullopt;
}

Json string(std::string_view value) {
  // cJSON needs a NUL-terminated copy; values with embedded NULs are cut there by cJSON itself.
  std::string tmp(value);
  return Json(must(cJSON_CreateString(tmp.c_str())));
}

cJSON* add(cJSON* obj, const char* key, Json child) {
  cJSON* raw = child.release();
  if (!cJSON_AddItemToObject(obj, key, raw)) {
    fprintf(stderr, "fatal: out of memory in cJSON\n");
    abort();
  }
  return raw;
}

cJSON* push(cJSON* array, Json child) {
  cJSON* raw = child.release();
  if (!cJSON_AddItemToArray(array, raw)) {
    fprintf(stderr, "fatal: out of memory in cJSON\n");
    abort();
  }
  return raw;
}

cJSON* add_string(cJSON* obj, const char* key, std::string_view value) {
  return add(obj, key, string(value));
}
cJSON* add_number(cJSON* obj, const char* key, double value) {
  return add(obj, key, Json(must(cJSON_CreateNumber(value))));
}
cJSON* add_bool(cJSON* obj, const char* key, bool value) {
  return add(obj, key, Json(must(cJSON_CreateBool(value))));
}
cJSON* add_null(cJSON* obj, const char* key) {
  return add(obj, key, Json(must(cJSON_CreateNull())));
}

}  // namespace json
