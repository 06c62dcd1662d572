// The body of POST /data/OnDownloadRequest, a ScheduleTaskRequest (m365-connector-protocol.md
// §7.3), parsed and validated without I/O. Binding follows the reference's Newtonsoft rules:
// property names are case-insensitive, unknown properties are ignored, dates are ISO 8601
// (with or without a fraction; `Z`, an offset or no zone = UTC) or "\/Date(ms)\/". Every
// problem comes back as a sentence for the caller that says what is wrong and what to send.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "core/result.h"
#include "store/types.h"

namespace connector {

struct ScheduleTaskRequest {
  std::string job_id;
  std::string task_id;
  int64_t start_ms = 0;      // unix ms UTC
  int64_t end_ms = 0;        // unix ms UTC, >= start_ms
  std::string blob_sas_uri;  // a validated container SAS (https, container, sig)
  std::vector<std::string> dirty_entities;
};

// Parses a date as the platform may send it and returns unix milliseconds UTC:
//   "2019-12-01T00:00:00Z", "2019-12-01T00:00:00.1234567Z", "2019-12-01T01:00:00+01:00",
//   "+0100" and "+01" offsets, no zone (= UTC, as the reference treats it), lowercase 't'/'z',
//   and Newtonsoft's "/Date(1575158400000)/" (an optional "+HHMM" after the number is ignored,
//   the number is already UTC). Years 0001-9999 (.NET DateTime's range). A fraction of up to
//   nine digits is cut to milliseconds. Errc::Parse for anything else.
core::Result<int64_t> parse_platform_time(std::string_view text);

// "2019-12-01T00:00:00.000Z" (what parse_platform_time returned, for messages and the jobs API).
std::string format_utc(int64_t unix_ms);

// Errors, with *message set to the sentence for the caller:
//   Errc::TooLarge   the body is over limits::kMaxScheduleRequestBodyBytes (answer 413);
//   Errc::Parse      not JSON, not an object, a property of the wrong type, a bad date;
//   Errc::InvalidArgument  a missing, empty, over-long or malformed value, EndTime before
//                    StartTime, a BlobSasUri that is not an https container SAS with `sig`.
core::Result<ScheduleTaskRequest> parse_schedule_task_request(std::string_view body,
                                                              std::string* message);

// The store's task for a parsed request; tenant_id is the configured tenant (protocol §7.4).
store::Task to_task(const ScheduleTaskRequest& request, const std::string& tenant_id);

}  // namespace connector
