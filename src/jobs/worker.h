// jobs::Worker: the import worker on the service's loop. It leases download tasks from the
// store (a visibility timeout, as Azure queues), runs each as a jobs::TaskRun, extends the lease
// while the run makes progress and polls again after a named interval, or at once on wake()
// (a task was just enqueued). stop() abandons runs without completing them: their leases expire
// and the next process resumes them from their checkpoints.
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "core/clock.h"
#include "core/limits.h"
#include "core/metrics.h"
#include "core/rand.h"
#include "core/result.h"
#include "http/client.h"
#include "jobs/task_run.h"
#include "m365/aad_token_client.h"
#include "m365/aad_token_provider.h"
#include "m365/blob_uploader.h"
#include "m365/event_api.h"
#include "store/store.h"
#include "twitter/media_fetcher.h"
#include "uv/loop.h"
#include "uv/timer.h"

namespace jobs {

struct WorkerOptions {
  // The per-task settings: X API base, version and bounded rate wait, media cap, tenant,
  // upload concurrency (CONNECTOR_UPLOAD_CONCURRENCY).
  TaskRunOptions task;
  std::string event_api_base = m365::kDefaultEventApiBase;  // CONNECTOR_EVENT_API_BASE
  uint64_t poll_interval_ms = core::limits::jobs::kPollIntervalMs;
  int64_t lease_visibility_ms = core::limits::kTaskVisibilityMs;
  size_t max_running_tasks = core::limits::jobs::kMaxRunningTasks;
  std::string owner = "worker";          // lease owner shown on the admin page
  m365::BlobUploader::Options upload;    // per-request retry and timeouts of blob storage
  m365::EventApiClient::Options events;  // base is taken from event_api_base
};

class Worker final : uv::Timer::Handler {
 public:
  // Everything by reference outlives the worker. metrics may be null.
  Worker(uv::Loop& loop, store::Store& store, http::Client& http, m365::AadTokenClient& aad,
         core::Metrics* metrics, const core::Clock& clock, core::Rng& rng, WorkerOptions options);
  // Drops everything in flight (as stop() does, without its callback).
  ~Worker();
  Worker(const Worker&) = delete;
  Worker& operator=(const Worker&) = delete;

  // Validates the options (Config with a reason in *message) and starts polling at once.
  core::Status start(std::string* message = nullptr);
  // Look for a task now instead of at the next poll (a task was just durably enqueued).
  void wake();
  // Takes no new task and abandons running ones (not completed: their leases expire). done
  // runs exactly once, later.
  void stop(std::function<void()> done);

  size_t running() const { return runs_.size(); }
  uint64_t tasks_started() const { return tasks_started_; }
  // Finished runs, most recent last (tests and the log); bounded to the last few.
  const std::vector<TaskRunResult>& recent() const { return recent_; }

 private:
  enum class State { Idle, Running, Stopping, Stopped };
  struct Run {
    std::unique_ptr<TaskRun> run;
    bool finished = false;
  };

  void on_timer(uv::Timer* timer) override;
  void poll();
  void on_leased(core::Result<std::optional<store::Lease>> lease);
  void on_run_done(TaskRun* run, const TaskRunResult& result);
  void extend_leases();
  void reap();
  void schedule_poll(uint64_t ms);

  uv::Loop& loop_;
  store::Store& store_;
  core::Metrics* metrics_;
  const core::Clock& clock_;
  WorkerOptions options_;
  m365::AadTokenProvider tokens_;
  m365::BlobUploader uploader_;
  m365::EventApiClient events_;
  twitter::MediaFetcher media_;
  TaskRunDeps deps_;
  State state_ = State::Idle;
  uv::Ptr<uv::Timer> poll_timer_;
  uv::Ptr<uv::Timer> extend_timer_;
  uv::Ptr<uv::Timer> reap_timer_;  // finished runs are destroyed on a later loop turn
  std::vector<Run> runs_;
  bool lease_in_flight_ = false;
  bool poll_again_ = false;  // wake() while a lease call was in flight
  uint64_t tasks_started_ = 0;
  std::vector<TaskRunResult> recent_;
  std::function<void()> stop_done_;
  std::shared_ptr<char> alive_ = std::make_shared<char>(0);  // guards store callbacks
};

}  // namespace jobs
