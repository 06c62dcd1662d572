// JSON form of the store's records, as written in the log (docs/internals/store.md): field
// names are snake_case, 64-bit ids are decimal strings (cJSON numbers are doubles), secrets
// are plain here and sealed by the file backend (seal_secrets / open_secrets) when it has a
// SecretCodec. Decoders check types and limits and fail with Errc::Corrupt naming the field.
#pragma once

#include <cJSON.h>

#include <string_view>

#include "core/result.h"
#include "json/json.h"
#include "store/store.h"
#include "store/types.h"

namespace store {

json::Json settings_to_json(const Settings& s);
core::Result<Settings> settings_from_json(const cJSON* v);
json::Json job_to_json(const Job& j);
core::Result<Job> job_from_json(const cJSON* v);
json::Json auth_to_json(const PendingAuth& a);
core::Result<PendingAuth> auth_from_json(const cJSON* v);
// Without lease fields: leases live in memory only.
json::Json task_to_json(const Task& t);
core::Result<Task> task_from_json(const cJSON* v);
json::Json items_to_json(const std::vector<UploadedItem>& items);
core::Result<std::vector<UploadedItem>> items_from_json(const cJSON* v);

// Field names that hold secrets; anywhere in a record tree they get sealed.
bool is_secret_field(std::string_view name);
// Replaces every non-empty secret string member with {"sealed":"<base64>"} (in place).
core::Status seal_secrets(cJSON* tree, SecretCodec* codec);
// Whether the tree holds a non-empty secret in clear (written before a codec was configured).
bool has_plain_secrets(const cJSON* tree);
// Reverses seal_secrets. A sealed value without a codec is Errc::Crypto with where =
// "secrets are encrypted: start with the data key"; a wrong key is Errc::Crypto too.
core::Status open_secrets(cJSON* tree, SecretCodec* codec);

// Checks an id-like string: non-empty, <= kMaxStoreIdBytes, no control characters.
core::Status check_id(std::string_view id, const char* where);

}  // namespace store
