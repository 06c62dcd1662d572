// Implementation of store/records.h.
#include "store/records.h"

#include <cstring>
#include <string>

#include "core/codec.h"
#include "core/limits.h"

namespace store {
namespace {

namespace lim = core::limits;
using core::Errc;
using core::make_error;

constexpr const char* kSecretFields[] = {"twitter_api_key",      "twitter_api_secret_key",
                                         "twitter_access_token", "twitter_access_token_secret",
                                         "aad_app_secret",       "user_token",
                                         "user_token_secret",    "request_token_secret"};

std::string u64_str(uint64_t v) { return std::to_string(v); }

// Decoding helpers: each reads one member and fails with Corrupt naming the field.
struct Reader {
  const cJSON* obj;
  const char* bad = nullptr;  // first field that failed

  std::string str(const char* key, size_t max, bool required = true) {
    auto v = json::get_string(obj, key);
    if (!v) {
      if (required && !bad) bad = key;
      return {};
    }
    if (v->size() > max && !bad) bad = key;
    return std::string(*v);
  }
  int64_t i64(const char* key) {
    auto v = json::get_int(obj, key);
    if (!v) {
      if (!bad) bad = key;
      return 0;
    }
    return *v;
  }
  uint64_t u64(const char* key) {
    auto s = json::get_string(obj, key);
    auto v = s ? json::parse_u64(*s) : std::nullopt;
    if (!v) {
      if (!bad) bad = key;
      return 0;
    }
    return *v;
  }
  core::Status status(const char* what) const {
    if (bad) return make_error(Errc::Corrupt, what);
    return core::ok_status();
  }
};

// Replaces member `item` of `obj` by `with`, keeping its key; returns the new member.
cJSON* replace_member(cJSON* obj, cJSON* item, json::Json with) {
  std::string key(item->string);
  cJSON* raw = with.release();
  cJSON_ReplaceItemInObjectCaseSensitive(obj, key.c_str(), raw);
  return raw;
}

}  // namespace

const char* task_result_name(TaskResult r) {
  switch (r) {
    case TaskResult::None: return "None";
    case TaskResult::Success: return "Success";
    case TaskResult::TemporaryFailure: return "TemporaryFailure";
    case TaskResult::PermanentFailure: return "PermanentFailure";
  }
  return "None";
}

core::Status check_id(std::string_view id, const char* where) {
  if (id.empty() || id.size() > lim::kMaxStoreIdBytes)
    return make_error(Errc::InvalidArgument, where);
  for (char c : id)
    if (static_cast<unsigned char>(c) < 0x20 || c == 0x7f)
      return make_error(Errc::InvalidArgument, where);
  return core::ok_status();
}

bool is_secret_field(std::string_view name) {
  for (const char* f : kSecretFields)
    if (name == f) return true;
  return false;
}

json::Json settings_to_json(const Settings& s) {
  json::Json o = json::object();
  json::add_string(o.get(), "twitter_api_key", s.twitter_api_key);
  json::add_string(o.get(), "twitter_api_secret_key", s.twitter_api_secret_key);
  json::add_string(o.get(), "twitter_access_token", s.twitter_access_token);
  json::add_string(o.get(), "twitter_access_token_secret", s.twitter_access_token_secret);
  json::add_string(o.get(), "aad_app_id", s.aad_app_id);
  json::add_string(o.get(), "aad_app_secret", s.aad_app_secret);
  json::Json extra = json::object();
  for (const auto& [k, v] : s.extra) json::add_string(extra.get(), k.c_str(), v);
  json::add(o.get(), "extra", std::move(extra));
  json::add_number(o.get(), "updated_ms", static_cast<double>(s.updated_ms));
  return o;
}

core::Result<Settings> settings_from_json(const cJSON* v) {
  Reader r{v};
  Settings s;
  const size_t max = lim::kMaxStoreValueBytes;
  s.twitter_api_key = r.str("twitter_api_key", max);
  s.twitter_api_secret_key = r.str("twitter_api_secret_key", max);
  s.twitter_access_token = r.str("twitter_access_token", max);
  s.twitter_access_token_secret = r.str("twitter_access_token_secret", max);
  s.aad_app_id = r.str("aad_app_id", max);
  s.aad_app_secret = r.str("aad_app_secret", max);
  s.updated_ms = r.i64("updated_ms");
  const cJSON* extra = json::get_object(v, "extra");
  if (!extra) return make_error(Errc::Corrupt, "settings.extra");
  for (const cJSON* c = extra->child; c; c = c->next) {
    if (!cJSON_IsString(c) || !c->valuestring || s.extra.size() >= lim::kMaxExtraSettings)
      return make_error(Errc::Corrupt, "settings.extra");
    s.extra[c->string] = c->valuestring;
  }
  TC_TRY(r.status("settings"));
  return s;
}

json::Json job_to_json(const Job& j) {
  json::Json o = json::object();
  cJSON* p = o.get();
  json::add_string(p, "job_id", j.job_id);
  json::add_string(p, "tenant_id", j.tenant_id);
  json::add_string(p, "twitter_user_id", j.twitter_user_id);
  json::add_string(p, "screen_name", j.screen_name);
  json::add_string(p, "user_token", j.user_token);
  json::add_string(p, "user_token_secret", j.user_token_secret);
  json::add_string(p, "since_id", u64_str(j.since_id));
  json::add_number(p, "created_ms", static_cast<double>(j.created_ms));
  json::add_number(p, "updated_ms", static_cast<double>(j.updated_ms));
  json::add_string(p, "last_task_id", j.last_task_id);
  json::add_number(p, "last_window_start_ms", static_cast<double>(j.last_window_start_ms));
  json::add_number(p, "last_window_end_ms", static_cast<double>(j.last_window_end_ms));
  if (j.previous_window_end_ms)
    json::add_number(p, "previous_window_end_ms", static_cast<double>(*j.previous_window_end_ms));
  else
    json::add_null(p, "previous_window_end_ms");
  json::add_number(p, "last_result", static_cast<int>(j.last_result));
  json::add_string(p, "last_message", j.last_message);
  json::add_string(p, "items_imported", u64_str(j.items_imported));
  json::add_string(p, "tasks_succeeded", u64_str(j.tasks_succeeded));
  json::add_string(p, "tasks_temporary_failed", u64_str(j.tasks_temporary_failed));
  json::add_string(p, "tasks_permanent_failed", u64_str(j.tasks_permanent_failed));
  return o;
}

core::Result<Job> job_from_json(const cJSON* v) {
  Reader r{v};
  Job j;
  const size_t id = lim::kMaxStoreIdBytes;
  j.job_id = r.str("job_id", id);
  j.tenant_id = r.str("tenant_id", id);
  j.twitter_user_id = r.str("twitter_user_id", id);
  j.screen_name = r.str("screen_name", id);
  j.user_token = r.str("user_token", lim::kMaxStoreValueBytes);
  j.user_token_secret = r.str("user_token_secret", lim::kMaxStoreValueBytes);
  j.since_id = r.u64("since_id");
  j.created_ms = r.i64("created_ms");
  j.updated_ms = r.i64("updated_ms");
  j.last_task_id = r.str("last_task_id", id);
  j.last_window_start_ms = r.i64("last_window_start_ms");
  j.last_window_end_ms = r.i64("last_window_end_ms");
  // Added later: absent in older records, null while unknown.
  const cJSON* prev = cJSON_GetObjectItemCaseSensitive(v, "previous_window_end_ms");
  if (prev && !cJSON_IsNull(prev)) j.previous_window_end_ms = r.i64("previous_window_end_ms");
  int64_t res = r.i64("last_result");
  if (res < -1 || res > 2) return make_error(Errc::Corrupt, "job.last_result");
  j.last_result = static_cast<TaskResult>(res);
  j.last_message = r.str("last_message", lim::kMaxResultMessageBytes);
  j.items_imported = r.u64("items_imported");
  j.tasks_succeeded = r.u64("tasks_succeeded");
  j.tasks_temporary_failed = r.u64("tasks_temporary_failed");
  j.tasks_permanent_failed = r.u64("tasks_permanent_failed");
  TC_TRY(r.status("job"));
  if (!check_id(j.job_id, "").ok()) return make_error(Errc::Corrupt, "job.job_id");
  return j;
}

json::Json auth_to_json(const PendingAuth& a) {
  json::Json o = json::object();
  json::add_string(o.get(), "request_token", a.request_token);
  json::add_string(o.get(), "request_token_secret", a.request_token_secret);
  json::add_string(o.get(), "job_id", a.job_id);
  json::add_string(o.get(), "state", a.state);
  json::add_number(o.get(), "created_ms", static_cast<double>(a.created_ms));
  return o;
}

core::Result<PendingAuth> auth_from_json(const cJSON* v) {
  Reader r{v};
  PendingAuth a;
  a.request_token = r.str("request_token", lim::kMaxStoreIdBytes);
  a.request_token_secret = r.str("request_token_secret", lim::kMaxStoreValueBytes);
  a.job_id = r.str("job_id", lim::kMaxStoreIdBytes);
  a.state = r.str("state", lim::kMaxStoreIdBytes);
  a.created_ms = r.i64("created_ms");
  TC_TRY(r.status("pending_auth"));
  if (!check_id(a.request_token, "").ok())
    return make_error(Errc::Corrupt, "pending_auth.request_token");
  return a;
}

json::Json task_to_json(const Task& t) {
  json::Json o = json::object();
  cJSON* p = o.get();
  json::add_string(p, "task_id", t.task_id);
  json::add_string(p, "job_id", t.job_id);
  json::add_string(p, "tenant_id", t.tenant_id);
  json::add_number(p, "start_ms", static_cast<double>(t.start_ms));
  json::add_number(p, "end_ms", static_cast<double>(t.end_ms));
  json::add_string(p, "blob_sas_uri", t.blob_sas_uri);
  json::Json dirty = json::array();
  for (const auto& d : t.dirty_entities) json::push(dirty.get(), json::string(d));
  json::add(p, "dirty_entities", std::move(dirty));
  json::add_number(p, "enqueued_ms", static_cast<double>(t.enqueued_ms));
  json::add_number(p, "attempts", t.attempts);
  json::add_bool(p, "parked", t.parked);
  json::add_string(p, "park_reason", t.park_reason);
  return o;
}

core::Result<Task> task_from_json(const cJSON* v) {
  Reader r{v};
  Task t;
  const size_t id = lim::kMaxStoreIdBytes;
  t.task_id = r.str("task_id", id);
  t.job_id = r.str("job_id", id);
  t.tenant_id = r.str("tenant_id", id);
  t.start_ms = r.i64("start_ms");
  t.end_ms = r.i64("end_ms");
  t.blob_sas_uri = r.str("blob_sas_uri", lim::kMaxStoreUriBytes);
  t.enqueued_ms = r.i64("enqueued_ms");
  int64_t attempts = r.i64("attempts");
  if (attempts < 0 || attempts > 1000000) return make_error(Errc::Corrupt, "task.attempts");
  t.attempts = static_cast<uint32_t>(attempts);
  auto parked = json::get_bool(v, "parked");
  if (!parked) return make_error(Errc::Corrupt, "task.parked");
  t.parked = *parked;
  t.park_reason = r.str("park_reason", lim::kMaxResultMessageBytes);
  const cJSON* dirty = json::get_array(v, "dirty_entities");
  if (!dirty) return make_error(Errc::Corrupt, "task.dirty_entities");
  for (const cJSON* c = dirty->child; c; c = c->next) {
    if (!cJSON_IsString(c) || !c->valuestring)
      return make_error(Errc::Corrupt, "task.dirty_entities");
    t.dirty_entities.emplace_back(c->valuestring);
  }
  TC_TRY(r.status("task"));
  if (!check_id(t.task_id, "").ok()) return make_error(Errc::Corrupt, "task.task_id");
  return t;
}

json::Json items_to_json(const std::vector<UploadedItem>& items) {
  json::Json a = json::array();
  for (const auto& it : items) {
    json::Json row = json::array();
    json::push(row.get(), json::string(it.id));
    json::push(row.get(), json::string(it.modified_utc));
    json::push(row.get(), json::string(it.file_name));
    json::push(a.get(), std::move(row));
  }
  return a;
}

core::Result<std::vector<UploadedItem>> items_from_json(const cJSON* v) {
  if (!cJSON_IsArray(v)) return make_error(Errc::Corrupt, "checkpoint.items");
  std::vector<UploadedItem> out;
  for (const cJSON* row = v->child; row; row = row->next) {
    if (cJSON_GetArraySize(row) != 3) return make_error(Errc::Corrupt, "checkpoint.items");
    const cJSON* f[3] = {row->child, row->child->next, row->child->next->next};
    for (const cJSON* x : f)
      if (!cJSON_IsString(x) || !x->valuestring)
        return make_error(Errc::Corrupt, "checkpoint.items");
    out.push_back(UploadedItem{f[0]->valuestring, f[1]->valuestring, f[2]->valuestring});
  }
  return out;
}

core::Status seal_secrets(cJSON* tree, SecretCodec* codec) {
  if (!codec || !tree) return core::ok_status();
  for (cJSON* c = tree->child; c; c = c->next) {
    if (c->string && is_secret_field(c->string) && cJSON_IsString(c) && c->valuestring &&
        c->valuestring[0] != '\0') {
      auto sealed = codec->seal(c->valuestring, c->string);
      if (!sealed) return sealed.error();
      json::Json box = json::object();
      json::add_string(box.get(), "sealed", core::base64_encode(*sealed));
      c = replace_member(tree, c, std::move(box));
    } else if (cJSON_IsObject(c) || cJSON_IsArray(c)) {
      TC_TRY(seal_secrets(c, codec));
    }
  }
  return core::ok_status();
}

bool has_plain_secrets(const cJSON* tree) {
  if (!tree) return false;
  for (const cJSON* c = tree->child; c; c = c->next) {
    if (c->string && is_secret_field(c->string) && cJSON_IsString(c) && c->valuestring &&
        c->valuestring[0])
      return true;
    if ((cJSON_IsObject(c) || cJSON_IsArray(c)) && has_plain_secrets(c)) return true;
  }
  return false;
}

core::Status open_secrets(cJSON* tree, SecretCodec* codec) {
  if (!tree) return core::ok_status();
  for (cJSON* c = tree->child; c; c = c->next) {
    if (!cJSON_IsObject(c) && !cJSON_IsArray(c)) continue;
    auto sealed = json::get_string(c, "sealed");
    if (!c->string || !is_secret_field(c->string) || !sealed) {
      TC_TRY(open_secrets(c, codec));
      continue;
    }
    if (!codec) return make_error(Errc::Crypto, "secrets are encrypted: start with the data key");
    auto raw = core::base64_decode(*sealed);
    if (!raw) return make_error(Errc::Corrupt, "sealed secret is not base64");
    auto plain = codec->open(*raw, c->string);
    if (!plain) return make_error(Errc::Crypto, "secret does not open with the data key");
    json::Json s = json::string(*plain);
    c = replace_member(tree, c, std::move(s));
  }
  return core::ok_status();
}

}  // namespace store
