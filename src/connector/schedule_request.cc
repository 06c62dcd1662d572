// Implementation of connector/schedule_request.h. Dates are parsed by hand (no locale, no
// <regex>): the forms Newtonsoft's DateTimeParser accepts, checked field by field, then
// shifted by the offset to UTC. The SAS URI is checked by m365::parse_container_sas, the same
// parser the uploader uses, so a task accepted here can be uploaded later.
#include "connector/schedule_request.h"

#include <cJSON.h>
#include <strings.h>

#include "core/clock.h"
#include "core/limits.h"
#include "json/json.h"
#include "m365/blob_address.h"

namespace connector {
namespace {

namespace lim = core::limits;
using core::Errc;
using core::make_error;

// .NET DateTime's range, 0001-01-01T00:00:00Z .. 9999-12-31T23:59:59.999Z, in unix ms.
constexpr int64_t kMinUnixMs = -62135596800000;
constexpr int64_t kMaxUnixMs = 253402300799999;
// An offset beyond ±14:00 does not exist (DateTimeOffset refuses it too).
constexpr int kMaxOffsetMinutes = 14 * 60;

constexpr char kShape[] =
    "a ScheduleTaskRequest needs JobId, TaskId, StartTime, EndTime and BlobSasUri, e.g. "
    "{\"JobId\":\"...\",\"TaskId\":\"...\",\"StartTime\":\"2019-12-01T00:00:00Z\","
    "\"EndTime\":\"2019-12-02T00:00:00Z\",\"BlobSasUri\":\"https://ACCOUNT.blob.core.windows.net/"
    "CONTAINER?sv=...&sig=...\"}";
constexpr char kDateForms[] =
    "send ISO 8601 such as \"2019-12-01T00:00:00Z\" (a fraction, an offset such as +01:00, or "
    "no zone for UTC are accepted) or \"\\/Date(1575158400000)\\/\"";

// Reads exactly `len` digits at text[*pos]; advances *pos.
bool digits(std::string_view text, size_t* pos, size_t len, int* out) {
  if (*pos + len > text.size()) return false;
  int v = 0;
  for (size_t i = *pos; i < *pos + len; ++i) {
    if (text[i] < '0' || text[i] > '9') return false;
    v = v * 10 + (text[i] - '0');
  }
  *pos += len;
  *out = v;
  return true;
}

bool expect(std::string_view text, size_t* pos, char a, char b = '\0') {
  if (*pos >= text.size() || (text[*pos] != a && (b == '\0' || text[*pos] != b))) return false;
  ++*pos;
  return true;
}

bool valid_day(int y, int mo, int d) {
  static const int kDays[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
  if (mo < 1 || mo > 12 || d < 1) return false;
  bool leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
  return d <= kDays[mo - 1] + (mo == 2 && leap ? 1 : 0);
}

// Zone after the time: "Z", "+HH", "+HHMM", "+HH:MM" (and '-'); empty = UTC. Minutes east.
bool parse_zone(std::string_view text, size_t* pos, int* offset_minutes) {
  *offset_minutes = 0;
  if (*pos == text.size()) return true;
  if (expect(text, pos, 'Z', 'z')) return *pos == text.size();
  char sign = text[*pos];
  if (sign != '+' && sign != '-') return false;
  ++*pos;
  int hh = 0, mm = 0;
  if (!digits(text, pos, 2, &hh)) return false;
  if (*pos < text.size()) {
    expect(text, pos, ':');
    if (!digits(text, pos, 2, &mm)) return false;
  }
  if (*pos != text.size() || mm > 59 || hh * 60 + mm > kMaxOffsetMinutes) return false;
  *offset_minutes = (sign == '-' ? -1 : 1) * (hh * 60 + mm);
  return true;
}

core::Result<int64_t> parse_iso(std::string_view t) {
  size_t pos = 0;
  int y, mo, d, h, mi, s;
  if (!digits(t, &pos, 4, &y) || !expect(t, &pos, '-') || !digits(t, &pos, 2, &mo) ||
      !expect(t, &pos, '-') || !digits(t, &pos, 2, &d) || !expect(t, &pos, 'T', 't') ||
      !digits(t, &pos, 2, &h) || !expect(t, &pos, ':') || !digits(t, &pos, 2, &mi) ||
      !expect(t, &pos, ':') || !digits(t, &pos, 2, &s))
    return make_error(Errc::Parse, "date");
  if (y < 1 || !valid_day(y, mo, d) || h > 23 || mi > 59 || s > 59)
    return make_error(Errc::Parse, "date");
  int64_t frac_ms = 0;
  if (expect(t, &pos, '.')) {
    size_t start = pos;
    while (pos < t.size() && t[pos] >= '0' && t[pos] <= '9') {
      if (pos - start < 3) frac_ms = frac_ms * 10 + (t[pos] - '0');
      ++pos;
    }
    size_t n = pos - start;
    if (n == 0 || n > 9) return make_error(Errc::Parse, "date");
    for (size_t k = n; k < 3; ++k) frac_ms *= 10;
  }
  int offset = 0;
  if (!parse_zone(t, &pos, &offset)) return make_error(Errc::Parse, "date");
  int64_t days = core::days_from_civil(y, static_cast<unsigned>(mo), static_cast<unsigned>(d));
  int64_t local_s = days * 86400 + h * 3600 + mi * 60 + s;
  int64_t ms = (local_s - int64_t{offset} * 60) * 1000 + frac_ms;
  if (ms < kMinUnixMs || ms > kMaxUnixMs) return make_error(Errc::Parse, "date");
  return ms;
}

// "/Date(1575158400000)/", "/Date(-1000)/", "/Date(1575158400000+0100)/".
core::Result<int64_t> parse_ms_date(std::string_view t) {
  constexpr std::string_view kOpen = "/Date(", kClose = ")/";
  if (t.substr(0, kOpen.size()) != kOpen || t.size() < kOpen.size() + kClose.size() ||
      t.substr(t.size() - kClose.size()) != kClose)
    return make_error(Errc::Parse, "date");
  std::string_view in = t.substr(kOpen.size(), t.size() - kOpen.size() - kClose.size());
  size_t pos = 0;
  bool negative = expect(in, &pos, '-');
  int64_t v = 0;
  size_t start = pos;
  while (pos < in.size() && in[pos] >= '0' && in[pos] <= '9') {
    if (pos - start >= 15) return make_error(Errc::Parse, "date");  // beyond DateTime's range
    v = v * 10 + (in[pos] - '0');
    ++pos;
  }
  if (pos == start) return make_error(Errc::Parse, "date");
  if (pos < in.size()) {  // "+HHMM": the writer's local offset; the number is UTC already
    int zone = 0;
    if ((in[pos] != '+' && in[pos] != '-') || in.size() - pos != 5)
      return make_error(Errc::Parse, "date");
    ++pos;
    if (!digits(in, &pos, 4, &zone)) return make_error(Errc::Parse, "date");
  }
  int64_t ms = negative ? -v : v;
  if (ms < kMinUnixMs || ms > kMaxUnixMs) return make_error(Errc::Parse, "date");
  return ms;
}

// A value echoed in a message: cut to kMaxEchoedValueBytes without splitting UTF-8.
std::string echo(std::string_view v) {
  if (v.size() <= lim::kMaxEchoedValueBytes) return std::string(v);
  size_t n = lim::kMaxEchoedValueBytes;
  while (n > 0 && (static_cast<unsigned char>(v[n]) & 0xC0) == 0x80) --n;
  return std::string(v.substr(0, n)) + "...";
}

// Reads the body's properties case-insensitively and collects the first problem.
class Binder {
 public:
  Binder(const cJSON* obj, std::string* message) : obj_(obj), message_(message) {}

  // The member named `name` (any casing), or nullptr when absent or JSON null. A name that
  // occurs twice is a problem: which one the reference would take is not obvious.
  const cJSON* member(const char* name) {
    const cJSON* found = nullptr;
    for (const cJSON* c = obj_->child; c; c = c->next) {
      if (!c->string || strcasecmp(c->string, name) != 0) continue;
      if (found) {
        fail(Errc::InvalidArgument, std::string(name) +
                                        " appears more than once (property names are "
                                        "case-insensitive); send it once");
        return found;  // reported; not "missing" as well
      }
      found = c;
    }
    return cJSON_IsNull(found) ? nullptr : found;
  }

  // A required string property; records it as missing, or the wrong type, or empty.
  std::string string(const char* name) {
    const cJSON* m = member(name);
    if (!m) {
      if (!missing_.empty()) missing_ += ", ";
      missing_ += name;
      return {};
    }
    if (!cJSON_IsString(m) || !m->valuestring) {
      fail(Errc::Parse, std::string(name) + " must be a JSON string");
      return {};
    }
    if (m->valuestring[0] == '\0') fail(Errc::InvalidArgument, std::string(name) + " is empty");
    return m->valuestring;
  }

  // Job and task ids become store keys and blob folder names ({jobId}/{taskId}/...).
  void check_id(const char* name, const std::string& v) {
    if (v.empty()) return;  // already reported
    if (v.size() > lim::kMaxStoreIdBytes)
      return fail(Errc::InvalidArgument,
                  std::string(name) + " is " + std::to_string(v.size()) + " bytes long; at most " +
                      std::to_string(lim::kMaxStoreIdBytes) + " are accepted");
    for (unsigned char c : v)
      if (c < 0x20 || c == 0x7f || c == '/')
        return fail(Errc::InvalidArgument,
                    std::string(name) + " \"" + echo(v) +
                        "\" contains '/' or a control character; it names a folder in the "
                        "blob container, so send the id alone");
    if (v == "." || v == "..")
      fail(Errc::InvalidArgument, std::string(name) + " cannot be \".\" or \"..\"");
  }

  int64_t date(const char* name, const std::string& v) {
    if (v.empty()) return 0;
    auto ms = v.size() > lim::kMaxScheduleDateBytes ? core::Result<int64_t>(make_error(Errc::Parse))
                                                    : parse_platform_time(v);
    if (!ms.ok()) {
      fail(Errc::Parse, std::string(name) + " \"" + echo(v) + "\" is not a date; " + kDateForms);
      return 0;
    }
    return *ms;
  }

  std::vector<std::string> dirty_entities() {
    std::vector<std::string> out;
    const cJSON* m = member("DirtyEntities");
    if (!m) return out;
    if (!cJSON_IsArray(m)) {
      fail(Errc::Parse, "DirtyEntities must be an array of strings, or null");
      return out;
    }
    if (static_cast<size_t>(cJSON_GetArraySize(m)) > lim::kMaxDirtyEntities) {
      fail(Errc::InvalidArgument,
           "DirtyEntities has more than " + std::to_string(lim::kMaxDirtyEntities) + " entries");
      return out;
    }
    for (const cJSON* c = m->child; c; c = c->next) {
      if (!cJSON_IsString(c) || !c->valuestring) {
        fail(Errc::Parse, "DirtyEntities must be an array of strings, or null");
        return out;
      }
      std::string_view v = c->valuestring;
      if (v.empty()) continue;  // names nothing; the Twitter import ignores the list anyway
      bool bad = v.size() > lim::kMaxStoreIdBytes;
      for (unsigned char ch : v) bad = bad || ch < 0x20 || ch == 0x7f;
      if (bad) {
        fail(Errc::InvalidArgument, "a DirtyEntities entry is longer than " +
                                        std::to_string(lim::kMaxStoreIdBytes) +
                                        " bytes or contains a control character");
        return out;
      }
      out.emplace_back(v);
    }
    return out;
  }

  void fail(Errc code, std::string message) {
    if (failed_) return;
    failed_ = true;
    code_ = code;
    *message_ = std::move(message);
  }
  // The first problem: a missing property outranks the others (it explains them).
  core::Status status() {
    if (!missing_.empty()) {
      *message_ = "missing " + missing_ + "; " + kShape;
      return make_error(Errc::InvalidArgument, "schedule task request");
    }
    if (failed_) return make_error(code_, "schedule task request");
    return core::ok_status();
  }

 private:
  const cJSON* obj_;
  std::string* message_;
  std::string missing_;
  bool failed_ = false;
  Errc code_ = Errc::InvalidArgument;
};

}  // namespace

core::Result<int64_t> parse_platform_time(std::string_view text) {
  if (text.size() > lim::kMaxScheduleDateBytes) return make_error(Errc::Parse, "date");
  if (text.substr(0, 1) == "/") return parse_ms_date(text);
  return parse_iso(text);
}

std::string format_utc(int64_t unix_ms) {
  char buf[40];
  int n = core::format_iso8601_ms(unix_ms, buf, sizeof buf);
  return std::string(buf, n > 0 ? static_cast<size_t>(n) : 0);
}

core::Result<ScheduleTaskRequest> parse_schedule_task_request(std::string_view body,
                                                              std::string* message) {
  if (body.size() > lim::kMaxScheduleRequestBodyBytes) {
    *message = "the body is " + std::to_string(body.size()) + " bytes; a ScheduleTaskRequest " +
               "may have at most " + std::to_string(lim::kMaxScheduleRequestBodyBytes);
    return make_error(Errc::TooLarge, "schedule task request");
  }
  auto doc = json::parse(body);
  if (!doc.ok()) {
    *message = std::string("the body is not valid JSON; ") + kShape;
    return make_error(Errc::Parse, "schedule task request");
  }
  if (!cJSON_IsObject(doc->get())) {
    *message = std::string("the body must be a JSON object; ") + kShape;
    return make_error(Errc::Parse, "schedule task request");
  }
  Binder b(doc->get(), message);
  ScheduleTaskRequest r;
  r.job_id = b.string("JobId");
  r.task_id = b.string("TaskId");
  std::string start = b.string("StartTime");
  std::string end = b.string("EndTime");
  r.blob_sas_uri = b.string("BlobSasUri");
  TC_TRY(b.status());
  b.check_id("JobId", r.job_id);
  b.check_id("TaskId", r.task_id);
  r.start_ms = b.date("StartTime", start);
  r.end_ms = b.date("EndTime", end);
  r.dirty_entities = b.dirty_entities();
  TC_TRY(b.status());
  if (r.blob_sas_uri.size() > lim::kMaxStoreUriBytes) {
    b.fail(Errc::InvalidArgument, "BlobSasUri is " + std::to_string(r.blob_sas_uri.size()) +
                                      " bytes long; at most " +
                                      std::to_string(lim::kMaxStoreUriBytes) + " are accepted");
  } else {
    std::string why;
    auto sas = m365::parse_container_sas(r.blob_sas_uri, &why);
    if (!sas.ok()) b.fail(Errc::InvalidArgument, "BlobSasUri: " + why);
  }
  if (r.end_ms < r.start_ms)
    b.fail(Errc::InvalidArgument, "EndTime (" + format_utc(r.end_ms) + ") is before StartTime (" +
                                      format_utc(r.start_ms) +
                                      "); send a window that ends at or after its start");
  TC_TRY(b.status());
  return r;
}

store::Task to_task(const ScheduleTaskRequest& request, const std::string& tenant_id) {
  store::Task t;
  t.task_id = request.task_id;
  t.job_id = request.job_id;
  t.tenant_id = tenant_id;
  t.start_ms = request.start_ms;
  t.end_ms = request.end_ms;
  t.blob_sas_uri = request.blob_sas_uri;
  t.dirty_entities = request.dirty_entities;
  return t;
}

}  // namespace connector
