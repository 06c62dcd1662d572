// GET /api/Jobs: every job with its account, cursor, last task, counters and queue, for the
// admin's jobs page. Never a token or secret. Shape:
//   {"Jobs":[{"JobId","TenantId","AccountId","AccountName","SinceId","CreatedUtc","UpdatedUtc",
//     "LastTaskId","LastWindowStartUtc","LastWindowEndUtc","LastResult","LastMessage",
//     "ItemsImported","TasksSucceeded","TasksTemporaryFailed","TasksPermanentFailed",
//     "QueuedTasks","ParkedTasks","NextExpectedRunUtc"}]}
// Times are ISO 8601 UTC with 'Z' ("2026-12-04T16:00:00.000Z"), null when unknown.
#pragma once

#include <cstdint>
#include <optional>
#include <vector>

#include "http/router.h"
#include "json/json.h"
#include "store/store.h"

namespace connector {

// When the platform is expected to send the job's next task: the last window's end plus the
// period between the last two windows' ends (the platform schedules at a fixed interval).
// nullopt until two tasks finished, or when the last two windows did not move forward.
std::optional<int64_t> next_expected_run_ms(const store::Job& job);

// The response body for the jobs (ordered as given) and the task queue.
json::Json jobs_view(const std::vector<store::Job>& jobs, const std::vector<store::Task>& tasks);

class JobsApi {
 public:
  // store must outlive the api; the api must outlive the routes and the store's callbacks.
  explicit JobsApi(store::Store& store) : store_(store) {}
  http::Handler list_handler();

 private:
  void list(http::Responder res);
  store::Store& store_;
};

}  // namespace connector
