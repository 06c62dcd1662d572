// cJSON ownership and typed access. A Json owns one cJSON tree (unique_ptr with cJSON_Delete);
// accessors return views into the tree that stay valid while the Json lives. cJSON stores
// numbers as doubles, so 64-bit ids must be read from strings (get_id), never from numbers.
#pragma once

#include <cJSON.h>

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>

#include "core/result.h"

namespace json {

struct CJsonDeleter {
  void operator()(cJSON* p) const { cJSON_Delete(p); }
};
using Json = std::unique_ptr<cJSON, CJsonDeleter>;

// Parses exactly one JSON value; trailing non-space bytes are an error. Input need not be
// NUL-terminated. Nesting is bounded by cJSON (CJSON_NESTING_LIMIT, 1000).
core::Result<Json> parse(std::string_view text);

Json object();
Json array();

// Serialises without whitespace; aborts on allocation failure (house rule: OOM aborts).
std::string dump(const cJSON* value);

// Typed getters on an object member; nullopt when missing or of another type.
std::optional<std::string_view> get_string(const cJSON* obj, const char* key);
std::optional<double> get_number(const cJSON* obj, const char* key);
std::optional<bool> get_bool(const cJSON* obj, const char* key);
const cJSON* get_object(const cJSON* obj, const char* key);
const cJSON* get_array(const cJSON* obj, const char* key);
// Case-insensitive member lookup, for the platform's ASP.NET-style bodies ("jobId" / "JobId").
const cJSON* get_ci(const cJSON* obj, const char* key);

// An integer that fits exactly in a double (|v| <= 2^53), from a number or a decimal string.
std::optional<int64_t> get_int(const cJSON* obj, const char* key);
// A 64-bit unsigned id from a decimal string ("1212092628029698048"); numbers are refused
// because they have already lost precision when parsed.
std::optional<uint64_t> parse_u64(std::string_view text);

// Builders that abort on allocation failure and return the added child.
cJSON* add_string(cJSON* obj, const char* key, std::string_view value);
cJSON* add_number(cJSON* obj, const char* key, double value);
cJSON* add_bool(cJSON* obj, const char* key, bool value);
cJSON* add_null(cJSON* obj, const char* key);
cJSON* add(cJSON* obj, const char* key, Json child);
cJSON* push(cJSON* array, Json child);
Json string(std::string_view value);

}  // namespace json
