// libFuzzer target for the body of POST /data/OnDownloadRequest (ScheduleTaskRequest) and the
// date forms it carries. Invariants: an accepted request satisfies every rule the store and
// the uploader rely on (ids, window order, a container SAS); a refusal always says why; a date
// that parses formats back to the same instant.
#include <cstdint>
#include <cstdlib>
#include <string_view>

#include "connector/schedule_request.h"
#include "core/limits.h"
#include "m365/blob_address.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view in(reinterpret_cast<const char*>(data), size);
  std::string message;
  auto r = connector::parse_schedule_task_request(in, &message);
  if (!r.ok()) {
    if (message.empty()) abort();  // every refusal says why
  } else {
    for (const std::string* id : {&r->job_id, &r->task_id})
      if (id->empty() || id->size() > core::limits::kMaxStoreIdBytes ||
          id->find('/') != std::string::npos)
        abort();
    if (r->end_ms < r->start_ms) abort();
    std::string why;
    if (!m365::parse_container_sas(r->blob_sas_uri, &why).ok()) abort();
    if (r->dirty_entities.size() > core::limits::kMaxDirtyEntities) abort();
  }
  // The raw input as a date: whatever parses must round-trip through the UTC form.
  auto t = connector::parse_platform_time(in);
  if (t.ok()) {
    auto back = connector::parse_platform_time(connector::format_utc(*t));
    if (!back.ok() || *back != *t) abort();
  }
  return 0;
}
