// Implementation of connector/jobs_api.h: two store reads (jobs, then tasks) and a pure view.
// The task counts come from the same read for every job, so a page shows one moment's queue.
#include "connector/jobs_api.h"

#include <map>
#include <memory>
#include <string>

#include "connector/platform_api.h"
#include "connector/schedule_request.h"
#include "core/log.h"

namespace connector {
namespace log = core::log;

namespace {

void add_opt_string(cJSON* o, const char* key, const std::string& v) {
  if (v.empty())
    json::add_null(o, key);
  else
    json::add_string(o, key, v);
}

// Store times are unix ms with 0 for "never" (created/updated are set on the first write).
void add_time(cJSON* o, const char* key, std::optional<int64_t> ms) {
  if (ms)
    json::add_string(o, key, format_utc(*ms));
  else
    json::add_null(o, key);
}

std::optional<int64_t> known(int64_t ms) {
  return ms > 0 ? std::optional<int64_t>(ms) : std::nullopt;
}

struct Counts {
  uint64_t queued = 0;
  uint64_t parked = 0;
};

json::Json job_view(const store::Job& j, const Counts& c) {
  json::Json o = json::object();
  cJSON* p = o.get();
  json::add_string(p, "JobId", j.job_id);
  add_opt_string(p, "TenantId", j.tenant_id);
  add_opt_string(p, "AccountId", j.twitter_user_id);
  add_opt_string(p, "AccountName", j.screen_name);
  json::add_string(p, "SinceId", std::to_string(j.since_id));
  add_time(p, "CreatedUtc", known(j.created_ms));
  add_time(p, "UpdatedUtc", known(j.updated_ms));
  // A window is known once a task finished; its start may legitimately be the epoch.
  bool ran = !j.last_task_id.empty();
  add_opt_string(p, "LastTaskId", j.last_task_id);
  add_time(p, "LastWindowStartUtc",
           ran ? std::optional<int64_t>(j.last_window_start_ms) : std::nullopt);
  add_time(p, "LastWindowEndUtc",
           ran ? std::optional<int64_t>(j.last_window_end_ms) : std::nullopt);
  if (j.last_result == store::TaskResult::None)
    json::add_null(p, "LastResult");
  else
    json::add_string(p, "LastResult", store::task_result_name(j.last_result));
  add_opt_string(p, "LastMessage", j.last_message);
  json::add_number(p, "ItemsImported", static_cast<double>(j.items_imported));
  json::add_number(p, "TasksSucceeded", static_cast<double>(j.tasks_succeeded));
  json::add_number(p, "TasksTemporaryFailed", static_cast<double>(j.tasks_temporary_failed));
  json::add_number(p, "TasksPermanentFailed", static_cast<double>(j.tasks_permanent_failed));
  json::add_number(p, "QueuedTasks", static_cast<double>(c.queued));
  json::add_number(p, "ParkedTasks", static_cast<double>(c.parked));
  add_time(p, "NextExpectedRunUtc", next_expected_run_ms(j));
  return o;
}

}  // namespace

std::optional<int64_t> next_expected_run_ms(const store::Job& job) {
  if (job.last_task_id.empty() || !job.previous_window_end_ms) return std::nullopt;
  int64_t period = job.last_window_end_ms - *job.previous_window_end_ms;
  if (period <= 0) return std::nullopt;
  // Dates are within .NET's range (years 1-9999), so this cannot overflow.
  return job.last_window_end_ms + period;
}

json::Json jobs_view(const std::vector<store::Job>& jobs, const std::vector<store::Task>& tasks) {
  std::map<std::string, Counts> counts;
  for (const store::Task& t : tasks) {
    Counts& c = counts[t.job_id];
    if (t.parked)
      ++c.parked;
    else
      ++c.queued;
  }
  json::Json list = json::array();
  for (const store::Job& j : jobs) {
    auto it = counts.find(j.job_id);
    json::push(list.get(), job_view(j, it == counts.end() ? Counts{} : it->second));
  }
  json::Json out = json::object();
  json::add(out.get(), "Jobs", std::move(list));
  return out;
}

http::Handler JobsApi::list_handler() {
  return [this](http::Request&, http::Responder res) { list(std::move(res)); };
}

void JobsApi::list(http::Responder res) {
  auto held = std::make_shared<http::Responder>(std::move(res));
  auto fail = [held](const core::Error& e) {
    log::error("api/Jobs: cannot read the store", {log::f("error", e.where)});
    held->respond(message_response(503, "the job store is unavailable; retry later"));
  };
  store_.list_jobs([this, held, fail](core::Result<std::vector<store::Job>> jobs) {
    if (!jobs.ok()) return fail(jobs.error());
    auto kept = std::make_shared<std::vector<store::Job>>(std::move(*jobs));
    store_.list_tasks([held, fail, kept](core::Result<std::vector<store::Task>> tasks) {
      if (!tasks.ok()) return fail(tasks.error());
      json::Json view = jobs_view(*kept, *tasks);
      http::Response r = http::Response::json(200, view.get());
      r.headers.set("Cache-Control", "no-store");
      held->respond(std::move(r));
    });
  });
}

}  // namespace connector
