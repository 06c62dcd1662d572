// Implementation of jobs/worker.h. One poll timer (lease when there is room), one extension
// timer (every visibility / kLeaseExtendDivisor while runs exist) and one reap timer that
// destroys finished runs on the next loop turn, so a run never dies inside its own callback.
#include "jobs/worker.h"

#include <algorithm>
#include <utility>

#include "core/log.h"

namespace jobs {
namespace log = core::log;

namespace {
// Finished runs kept in recent() for tests and diagnostics.
constexpr size_t kRecentRuns = 16;

m365::EventApiClient::Options event_options(const WorkerOptions& o) {
  m365::EventApiClient::Options e = o.events;
  e.base = o.event_api_base;
  return e;
}
}  // namespace

Worker::Worker(uv::Loop& loop, store::Store& store, http::Client& http, m365::AadTokenClient& aad,
               core::Metrics* metrics, const core::Clock& clock, core::Rng& rng,
               WorkerOptions options)
    : loop_(loop),
      store_(store),
      metrics_(metrics),
      clock_(clock),
      options_(std::move(options)),
      tokens_(loop, aad),
      uploader_(loop, http, options_.upload),
      events_(loop, http, tokens_, event_options(options_)),
      media_(http, options_.task.media_max_bytes),
      deps_{loop, store, http, uploader_, events_, media_, clock, rng, metrics} {}

Worker::~Worker() { runs_.clear(); }

core::Status Worker::start(std::string* message) {
  auto bad = [&](std::string why) {
    if (message) *message = std::move(why);
    return core::make_error(core::Errc::Config, "worker options");
  };
  if (state_ != State::Idle) return bad("the worker was started already");
  if (options_.poll_interval_ms == 0) return bad("the poll interval must be positive");
  if (options_.lease_visibility_ms <= 0 ||
      options_.lease_visibility_ms > core::limits::kMaxTaskVisibilityMs)
    return bad("the lease visibility timeout must be between 1 ms and 24 hours");
  if (options_.max_running_tasks == 0) return bad("at least one task must be allowed to run");
  if (options_.task.upload_concurrency == 0 ||
      options_.task.upload_concurrency > core::limits::m365::kMaxUploadConcurrency)
    return bad("CONNECTOR_UPLOAD_CONCURRENCY must be between 1 and " +
               std::to_string(core::limits::m365::kMaxUploadConcurrency));
  std::string why;
  if (!m365::download_complete_url(options_.event_api_base, "job", &why).ok())
    return bad("CONNECTOR_EVENT_API_BASE: " + why);
  poll_timer_ = uv::Timer::create(loop_.get(), this);
  extend_timer_ = uv::Timer::create(loop_.get(), this);
  reap_timer_ = uv::Timer::create(loop_.get(), this);
  if (!poll_timer_ || !extend_timer_ || !reap_timer_)
    return bad("cannot create the worker's timers");
  state_ = State::Running;
  uint64_t every =
      static_cast<uint64_t>(options_.lease_visibility_ms / core::limits::jobs::kLeaseExtendDivisor);
  extend_timer_->start(std::max<uint64_t>(every, 1), std::max<uint64_t>(every, 1));
  schedule_poll(0);
  log::info("import worker started",
            {log::f("poll_ms", static_cast<unsigned long long>(options_.poll_interval_ms)),
             log::f("lease_ms", static_cast<long long>(options_.lease_visibility_ms)),
             log::f("upload_concurrency", options_.task.upload_concurrency),
             log::f("max_running_tasks", options_.max_running_tasks)});
  return core::ok_status();
}

void Worker::wake() {
  if (state_ != State::Running) return;
  schedule_poll(0);  // from a timer: never inside the caller (an HTTP handler)
}

void Worker::stop(std::function<void()> done) {
  if (state_ == State::Stopping || state_ == State::Stopped) {
    // Already stopping: still answer once, later.
    if (done) {
      auto prev = std::move(stop_done_);
      stop_done_ = [prev, done] {
        if (prev) prev();
        done();
      };
      if (state_ == State::Stopped && reap_timer_) reap_timer_->start(0);
    }
    return;
  }
  bool had_timers = reap_timer_ != nullptr;
  state_ = State::Stopping;
  stop_done_ = std::move(done);
  size_t abandoned = 0;
  for (Run& r : runs_)
    if (!r.finished) {
      ++abandoned;
      r.run->abandon("the service is stopping; the task resumes from its checkpoint");
    }
  log::info("import worker stopping", {log::f("abandoned_tasks", abandoned)});
  if (poll_timer_) poll_timer_->stop();
  if (extend_timer_) extend_timer_->stop();
  if (!had_timers) reap_timer_ = uv::Timer::create(loop_.get(), this);
  reap_timer_->start(0);
}

void Worker::schedule_poll(uint64_t ms) {
  if (state_ != State::Running || !poll_timer_) return;
  poll_timer_->start(ms);
}

void Worker::on_timer(uv::Timer* timer) {
  if (timer == poll_timer_.get()) return poll();
  if (timer == extend_timer_.get()) return extend_leases();
  if (timer == reap_timer_.get()) return reap();
}

void Worker::poll() {
  if (state_ != State::Running) return;
  if (lease_in_flight_) {
    poll_again_ = true;
    return;
  }
  size_t active =
      std::count_if(runs_.begin(), runs_.end(), [](const Run& r) { return !r.finished; });
  if (active >= options_.max_running_tasks) return;  // a finishing run polls again
  lease_in_flight_ = true;
  std::weak_ptr<char> alive = alive_;
  store_.lease_task(options_.owner, options_.lease_visibility_ms,
                    [this, alive](core::Result<std::optional<store::Lease>> r) {
                      if (!alive.expired()) on_leased(std::move(r));
                    });
}

void Worker::on_leased(core::Result<std::optional<store::Lease>> lease) {
  lease_in_flight_ = false;
  if (state_ != State::Running) return;
  if (!lease.ok()) {
    log::warn("cannot lease a task from the store; trying again at the next poll",
              {log::f("error", core::errc_message(lease.error().code))});
    return schedule_poll(options_.poll_interval_ms);
  }
  if (!*lease) {
    if (poll_again_) {
      poll_again_ = false;
      return schedule_poll(0);
    }
    return schedule_poll(options_.poll_interval_ms);
  }
  poll_again_ = false;
  store::Lease l = std::move(**lease);
  log::info("task leased", {log::f("task_id", l.task.task_id), log::f("job_id", l.task.job_id),
                            log::f("attempt", l.task.attempts)});
  // The callback names its own run: the cell is filled right after construction.
  auto cell = std::make_shared<TaskRun*>(nullptr);
  auto run =
      std::make_unique<TaskRun>(deps_, options_.task, std::move(l),
                                [this, cell](const TaskRunResult& r) { on_run_done(*cell, r); });
  TaskRun* raw = run.get();
  *cell = raw;
  ++tasks_started_;
  core::Status st = run->start();
  if (!st.ok()) {
    log::error("cannot start the task; it reappears when its lease expires",
               {log::f("task_id", raw->lease().task.task_id)});
    return schedule_poll(options_.poll_interval_ms);
  }
  runs_.push_back(Run{std::move(run), false});
  schedule_poll(0);  // room for another task, or the next poll finds none
}

void Worker::on_run_done(TaskRun* run, const TaskRunResult& result) {
  for (Run& r : runs_)
    if (r.run.get() == run) r.finished = true;
  recent_.push_back(result);
  if (recent_.size() > kRecentRuns) recent_.erase(recent_.begin());
  if (reap_timer_) reap_timer_->start(0);
}

void Worker::reap() {
  runs_.erase(std::remove_if(runs_.begin(), runs_.end(), [](const Run& r) { return r.finished; }),
              runs_.end());
  if (state_ == State::Stopping || state_ == State::Stopped) {
    runs_.clear();
    state_ = State::Stopped;
    poll_timer_.reset();
    extend_timer_.reset();
    reap_timer_.reset();
    auto done = std::move(stop_done_);
    stop_done_ = nullptr;
    if (done) done();
    return;
  }
  schedule_poll(0);  // a slot is free
}

void Worker::extend_leases() {
  std::weak_ptr<char> alive = alive_;
  for (Run& r : runs_) {
    if (r.finished) continue;
    TaskRun* run = r.run.get();
    const store::Lease& l = run->lease();
    store_.extend_lease(
        l.task.task_id, l.lease_id, options_.lease_visibility_ms,
        [this, alive, run](core::Status st) {
          if (alive.expired() || st.ok()) return;
          for (Run& x : runs_) {
            if (x.run.get() != run || x.finished) continue;
            if (st.error().code == core::Errc::NotFound)
              run->abandon("the task's lease was lost or its job was deleted while it ran");
            else
              log::warn("cannot extend the task's lease; trying again",
                        {log::f("task_id", run->lease().task.task_id),
                         log::f("error", core::errc_message(st.error().code))});
          }
        });
  }
}

}  // namespace jobs
