// Implementation of jobs/task_run.h. Each state has one action (advance()) and the callbacks
// only record what happened and pick the next state. Store callbacks are guarded by alive_,
// since the store cannot cancel them; every other component drops its callbacks when the run
// destroys it.
#include "jobs/task_run.h"

#include <algorithm>
#include <utility>

#include "core/log.h"

namespace jobs {
namespace log = core::log;
using store::TaskResult;

const char* run_kind_name(TaskRunResult::Kind k) {
  switch (k) {
    case TaskRunResult::Kind::Completed: return "completed";
    case TaskRunResult::Kind::Released: return "released";
    case TaskRunResult::Kind::Dropped: return "dropped";
  }
  return "?";
}

bool tweet_id_less(const std::string& a, const std::string& b) {
  if (a.size() != b.size()) return a.size() < b.size();
  return a < b;
}

int64_t retry_delay_ms(uint32_t attempt, int64_t base_ms, int64_t max_ms) {
  int64_t d = base_ms;
  for (uint32_t i = 1; i < attempt && d < max_ms; ++i) d *= 2;
  return std::min(d, max_ms);
}

TaskRun::TaskRun(TaskRunDeps deps, TaskRunOptions options, store::Lease lease, DoneFn done)
    : deps_(deps), options_(std::move(options)), lease_(std::move(lease)), done_(std::move(done)) {}

TaskRun::~TaskRun() {
  if (event_id_) deps_.events.cancel(*event_id_);
  walk_.reset();
  queue_.reset();
}

core::Status TaskRun::start() {
  if (state_ != State::Idle) return core::make_error(core::Errc::InvalidArgument, "task run");
  if (lease_.task.task_id.empty() || lease_.task.job_id.empty())
    return core::make_error(core::Errc::InvalidArgument, "task run: lease without ids");
  state_ = State::LoadJob;
  advance();  // only issues the store call: its callback comes later
  return core::ok_status();
}

void TaskRun::abandon(const std::string& why) {
  if (state_ == State::Done) return;
  finish(TaskRunResult::Kind::Dropped, why);
}

void TaskRun::advance() {
  switch (state_) {
    case State::LoadJob: return load_job();
    case State::LoadSettings: return load_settings();
    case State::LoadCheckpoint: return load_checkpoint();
    case State::Walk: return start_walk();
    case State::Flush: return flush();
    case State::Report: return report(reporting_);
    case State::Complete: return complete();
    case State::Release: return release();
    case State::Idle:
    case State::Done: return;
  }
}

// --- loading ---------------------------------------------------------------------------------

void TaskRun::load_job() { deps_.store.get_job(lease_.task.job_id, guarded(&TaskRun::on_job)); }

void TaskRun::on_job(core::Result<store::Job> job) {
  if (state_ != State::LoadJob) return;
  if (!job.ok()) return store_failed(job.error(), "read the job");
  job_ = std::move(*job);
  state_ = State::LoadSettings;
  advance();
}

void TaskRun::load_settings() { deps_.store.get_settings(guarded(&TaskRun::on_settings)); }

void TaskRun::on_settings(core::Result<store::Settings> settings) {
  if (state_ != State::LoadSettings) return;
  if (!settings.ok()) return store_failed(settings.error(), "read the configuration");
  settings_ = std::move(*settings);
  // Reading the checkpoint first lets a permanent failure still report what was uploaded.
  state_ = State::LoadCheckpoint;
  advance();
}

void TaskRun::load_checkpoint() {
  deps_.store.get_checkpoint(lease_.task.task_id, guarded(&TaskRun::on_checkpoint));
}

void TaskRun::on_checkpoint(core::Result<store::Checkpoint> checkpoint) {
  if (state_ != State::LoadCheckpoint) return;
  if (!checkpoint.ok()) return store_failed(checkpoint.error(), "read the task checkpoint");
  for (store::UploadedItem& u : checkpoint->uploaded)
    if (uploaded_ids_.insert(u.id).second) before_.push_back(std::move(u));
  checkpoint_newest_ = checkpoint->newest_id_seen;
  progress_newest_ = checkpoint_newest_;
  progress_token_ = checkpoint->page_token;
  if (!before_.empty())
    log::info("task resumes from its checkpoint",
              {log::f("task_id", lease_.task.task_id), log::f("job_id", lease_.task.job_id),
               log::f("uploaded_before", before_.size())});

  std::string missing;
  if (settings_.twitter_api_key.empty() || settings_.twitter_api_secret_key.empty())
    missing =
        "the Twitter API key and secret are not configured; enter them on the connector's "
        "configuration page";
  else if (job_.user_token.empty() || job_.user_token_secret.empty())
    missing =
        "the job has no connected Twitter account (no access token); sign in with Twitter again "
        "from the connector setup page";
  else if (options_.twitter_version == twitter::ApiVersion::V2 && job_.twitter_user_id.empty())
    missing = "the job's Twitter user id is unknown; sign in with Twitter again";
  if (!missing.empty()) {
    fail(FailureKind::Permanent, missing);
    return decide();
  }
  state_ = State::Walk;
  advance();
}

// --- walking and uploading ---------------------------------------------------------------------

void TaskRun::start_walk() {
  twitter::ApiSettings s;
  s.base = options_.twitter_base;
  s.version = options_.twitter_version;
  s.max_rate_wait_ms = options_.max_rate_wait_ms;
  api_ = std::make_unique<twitter::ApiClient>(
      deps_.loop, deps_.http,
      twitter::Credentials{settings_.twitter_api_key, settings_.twitter_api_secret_key,
                           job_.user_token, job_.user_token_secret},
      s, deps_.clock, deps_.rng, deps_.metrics);
  queue_ = std::make_unique<m365::UploadQueue>(deps_.uploader, options_.upload_concurrency);
  make_walk();
  core::Status st = walk_->start();
  if (!st.ok()) {
    walk_.reset();
    walk_done_ = true;
    fail(FailureKind::Permanent,
         std::string("cannot start reading the timeline: ") + core::errc_message(st.error().code));
    return flush();
  }
}

// The timeline walk over the task's window, starting at the checkpoint's page when there is one.
void TaskRun::make_walk() {
  twitter::TimelineWindow window;
  if (job_.since_id > 0) window.since_id = job_.since_id;
  window.start_time_s = lease_.task.start_ms / 1000;
  // end_ms is inclusive; a tweet at end_ms + 0.5 s has the same second, so round up.
  window.end_time_s = (lease_.task.end_ms + 999) / 1000;
  window.resume_token = progress_token_;  // from the checkpoint: skip the pages already done
  std::string user =
      options_.twitter_version == twitter::ApiVersion::V2 ? job_.twitter_user_id : std::string();
  walk_ = std::make_unique<twitter::TimelineWalk>(
      *api_, user, window,
      [this](const twitter::Page& p, const twitter::PageOutcome& o) { return on_page(p, o); },
      [this](twitter::WalkResult& r) { on_walk_done(r); });
  resumed_from_token_ = !window.resume_token.empty();
}

core::Status TaskRun::on_page(const twitter::Page& page, const twitter::PageOutcome& outcome) {
  if (failure_.kind != FailureKind::None)
    return core::make_error(core::Errc::Cancelled, "task failing");
  if (core::Counter* c = counter("connector_tweets_fetched_total",
                                 "Tweets of a task's window read from the X API"))
    c->inc(static_cast<double>(outcome.accepted.size()));
  uint64_t seq = first_page_seq_ + pages_.size();
  PageTrack track;
  track.next_token = page.meta.next_token;
  for (size_t index : outcome.accepted) {
    const twitter::Tweet& tweet = page.tweets[index];
    track.newest = std::max(track.newest, tweet.id);
    std::string id = std::to_string(tweet.id);
    if (uploaded_ids_.count(id)) continue;  // uploaded before an interruption: never twice
    twitter::Item item = twitter::map_tweet(tweet, page, options_.map);
    m365::UploadRequest req;
    req.sas_uri = lease_.task.blob_sas_uri;
    req.job_id = lease_.task.job_id;
    req.task_id = lease_.task.task_id;
    req.name = id;
    std::string sent = item.sent_time_utc;
    auto& report = media_reports_[id];
    report = std::make_unique<ItemStreamReport>();
    req.source = make_item_stream(std::move(item), deps_.media, {options_.format}, report.get());
    std::string message;
    core::Status st = queue_->submit(
        std::move(req),
        [this, seq, id, sent](m365::UploadResult& r) mutable {
          on_uploaded(seq, std::move(id), std::move(sent), r);
        },
        &message);
    if (!st.ok()) {
      // The SAS URI or a name is unusable: no retry can fix the request itself.
      fail(st.error().code == core::Errc::Busy ? FailureKind::Transient : FailureKind::Permanent,
           "cannot upload to the task's blob container: " + message);
      pages_.push_back(std::move(track));
      return core::make_error(core::Errc::Cancelled, "upload refused");
    }
    ++submitted_;
    ++track.outstanding;
  }
  pages_.push_back(std::move(track));
  pop_finished_pages();
  if (pending() >= options_.max_pending_uploads && walk_) walk_->pause();
  return core::ok_status();
}

void TaskRun::on_uploaded(uint64_t page_seq, std::string id, std::string sent_utc,
                          m365::UploadResult& result) {
  if (state_ == State::Done) return;
  ++finished_;
  if (page_seq >= first_page_seq_ && page_seq - first_page_seq_ < pages_.size())
    --pages_[page_seq - first_page_seq_].outstanding;
  const ItemStreamReport* media = nullptr;
  if (auto it = media_reports_.find(id); it != media_reports_.end()) media = it->second.get();
  if (result.ok) {
    if (media && media->media_missing > 0) {
      media_missing_ += media->media_missing;
      for (const std::string& m : media->messages)
        log::warn("item archived without one of its media",
                  {log::f("task_id", lease_.task.task_id), log::f("item", id), log::f("why", m)});
    }
    store::UploadedItem u{id, std::move(sent_utc), result.file_name};
    uploaded_ids_.insert(id);
    uploaded_now_.push_back(u);
    unsaved_.push_back(std::move(u));
    if (core::Counter* c =
            counter("connector_items_uploaded_total", "Items uploaded to blob storage"))
      c->inc();
    if (core::Counter* c =
            counter("connector_upload_bytes_total", "Item bytes uploaded to blob storage"))
      c->inc(static_cast<double>(result.bytes));
  } else if (failure_.kind == FailureKind::None) {
    // The uploader's message names the blob with the SAS signature redacted.
    fail(result.failure == m365::FailureClass::Permanent ? FailureKind::Permanent
                                                         : FailureKind::Transient,
         "upload of item " + id + " failed: " + result.message +
             (media && !media->failure.empty() ? " (media: " + media->failure + ")" : ""));
    stop_walk();
  }
  pop_finished_pages();
  if (walk_ && walk_->held() && pending() <= options_.resume_pending_uploads) walk_->resume();
  if (walk_done_ && pending() == 0) {
    state_ = State::Flush;
    return advance();
  }
  maybe_save(false);
}

// A page's progress may be recorded once every item of it and of the pages before it is up.
void TaskRun::pop_finished_pages() {
  while (!pages_.empty() && pages_.front().outstanding == 0) {
    progress_newest_ = std::max(progress_newest_, pages_.front().newest);
    progress_token_ = std::move(pages_.front().next_token);
    progress_dirty_ = true;
    pages_.pop_front();
    ++first_page_seq_;
  }
}

void TaskRun::on_walk_done(twitter::WalkResult& result) {
  if (state_ != State::Walk) return;
  walk_done_ = true;
  if (result.rate_waits > 0)
    if (core::Counter* c = counter("connector_rate_limit_waits_total",
                                   "Bounded waits for an X API rate-limit window to reset"))
      c->inc(static_cast<double>(result.rate_waits));
  switch (result.kind) {
    case twitter::WalkResult::Kind::Done:
      walk_newest_ = result.newest_id;
      log::info("timeline read",
                {log::f("task_id", lease_.task.task_id), log::f("pages", result.pages),
                 log::f("tweets", result.tweets), log::f("rate_waits", result.rate_waits)});
      break;
    case twitter::WalkResult::Kind::RateLimited: {
      int64_t wait = result.failure.rate_limited_until_s * 1000 - deps_.clock.now_unix_ms();
      wait = std::clamp<int64_t>(wait, 0, options_.max_rate_release_ms);
      fail(FailureKind::Transient, result.failure.message, wait);
      break;
    }
    case twitter::WalkResult::Kind::Failed: {
      if (resumed_from_token_ && result.pages == 0 && result.failure.api.http_status == 400)
        return restart_walk_from_top(result.failure.message);
      core::Errc code = result.failure.error.code;
      bool permanent = result.failure.api.needs_relogin || code == core::Errc::Unauthorized ||
                       code == core::Errc::Forbidden || code == core::Errc::TlsUntrusted ||
                       code == core::Errc::TlsHostname;
      if (code != core::Errc::Cancelled || failure_.kind == FailureKind::None)
        fail(permanent ? FailureKind::Permanent : FailureKind::Transient,
             "reading the timeline failed: " + result.failure.message);
      break;
    }
  }
  // The walk is finished and may be destroyed later, not inside its own callback.
  if (pending() == 0) {
    state_ = State::Flush;
    advance();
  }
}

// X refused the checkpoint's pagination token (expired, or the timeline changed under it):
// read the window again from the newest page; uploaded tweets are still skipped.
void TaskRun::restart_walk_from_top(const std::string& why) {
  log::warn("the checkpoint's page token was refused; reading the window from the top",
            {log::f("task_id", lease_.task.task_id), log::f("reason", why)});
  progress_token_.clear();
  walk_done_ = false;
  make_walk();
  core::Status st = walk_->start();
  if (!st.ok()) {
    walk_.reset();
    walk_done_ = true;
    fail(FailureKind::Permanent,
         std::string("cannot start reading the timeline: ") + core::errc_message(st.error().code));
    return flush();
  }
}

void TaskRun::stop_walk() {
  if (!walk_ || walk_done_) return;
  walk_.reset();  // never called from inside the walk's callbacks
  walk_done_ = true;
}

// --- checkpoint ---------------------------------------------------------------------------------

void TaskRun::maybe_save(bool force) {
  if (save_in_flight_ || state_ == State::Done) return;
  bool due = unsaved_.size() >= options_.checkpoint_batch ||
             (force && (!unsaved_.empty() || progress_dirty_));
  if (!due) return;
  store::Checkpoint delta;
  delta.newest_id_seen = progress_newest_;
  delta.page_token = progress_token_;
  delta.uploaded = std::move(unsaved_);
  unsaved_.clear();
  progress_dirty_ = false;
  save_in_flight_ = true;
  deps_.store.save_progress(lease_.task.task_id, lease_.lease_id, std::move(delta),
                            guarded(&TaskRun::on_saved));
}

void TaskRun::on_saved(core::Status st) {
  save_in_flight_ = false;
  if (state_ == State::Done) return;
  if (!st.ok()) {
    if (st.error().code == core::Errc::NotFound)
      return finish(TaskRunResult::Kind::Dropped,
                    "the task's lease was lost or its job was deleted while it ran");
    if (failure_.kind == FailureKind::None)
      fail(FailureKind::Transient,
           std::string("cannot save the task's progress: ") + core::errc_message(st.error().code));
    stop_walk();
  }
  if (state_ == State::Flush || (state_ == State::Walk && walk_done_ && pending() == 0)) {
    state_ = State::Flush;
    return advance();
  }
  maybe_save(false);
}

// Every upload has finished: write what is not durable yet, then decide.
void TaskRun::flush() {
  state_ = State::Flush;
  if (save_in_flight_) return;  // on_saved comes back here
  if (!unsaved_.empty() || progress_dirty_) {
    maybe_save(true);
    return;
  }
  decide();
}

// --- outcome ---------------------------------------------------------------------------------

bool TaskRun::final_attempt() const {
  // attempts counts the leases so far, this one included; the store parks the task instead of
  // leasing it once more.
  return lease_.task.attempts >= core::limits::kMaxTaskAttempts;
}

void TaskRun::decide() {
  switch (failure_.kind) {
    case FailureKind::None:
      reporting_ = TaskResult::Success;
      report_message_ =
          "imported " + std::to_string(before_.size() + uploaded_now_.size()) + " items";
      if (media_missing_ > 0)
        report_message_ += "; " + std::to_string(media_missing_) +
                           " media could not be downloaded for good and are left out (see the log)";
      break;
    case FailureKind::Permanent:
      reporting_ = TaskResult::PermanentFailure;
      report_message_ = failure_.message;
      break;
    case FailureKind::Transient:
      if (!final_attempt()) {
        state_ = State::Release;
        release_delay_ms_ = std::max(
            failure_.retry_after_ms,
            retry_delay_ms(lease_.task.attempts, options_.retry_base_ms, options_.retry_max_ms));
        return advance();
      }
      reporting_ = TaskResult::TemporaryFailure;
      report_message_ = failure_.message + " (gave up after " +
                        std::to_string(lease_.task.attempts) + " attempts)";
      break;
  }
  state_ = State::Report;
  advance();
}

std::vector<m365::ItemMetadata> TaskRun::metadata() const {
  std::vector<m365::ItemMetadata> items;
  items.reserve(before_.size() + uploaded_now_.size());
  for (const auto* list : {&before_, &uploaded_now_})
    for (const store::UploadedItem& u : *list) items.push_back({u.id, u.modified_utc, u.file_name});
  std::sort(items.begin(), items.end(),
            [](const auto& a, const auto& b) { return tweet_id_less(a.id, b.id); });
  return items;
}

void TaskRun::report(TaskResult status) {
  m365::Completion c;
  c.tenant = options_.tenant;
  c.job_id = lease_.task.job_id;
  c.task_id = lease_.task.task_id;
  c.status = static_cast<m365::TaskStatus>(static_cast<int>(status));
  c.items = metadata();
  std::string message;
  auto id = deps_.events.send(
      std::move(c), [this](m365::EventResult& r) { on_reported(r); }, &message);
  if (!id.ok()) {
    // The completion itself is malformed (ids or item count beyond limits): cannot be fixed by
    // retrying. Record it on the job so the admin sees it.
    reporting_ = TaskResult::PermanentFailure;
    report_message_ = "cannot build the completion for the Event API: " + message;
    state_ = State::Complete;
    return advance();
  }
  event_id_ = *id;
}

void TaskRun::on_reported(m365::EventResult& result) {
  event_id_.reset();
  if (state_ != State::Report) return;
  if (result.acknowledged) {
    state_ = State::Complete;
    return advance();
  }
  if (result.failure == m365::FailureClass::Permanent) {
    // The platform cannot be told (AAD configuration, a 4xx): record it on the job and end the
    // task without moving the cursor; the platform asks again on its schedule.
    reporting_ = TaskResult::PermanentFailure;
    report_message_ = "the Event API did not accept the completion: " + result.message;
    state_ = State::Complete;
    return advance();
  }
  fail(FailureKind::Transient,
       "the Event API did not acknowledge the completion: " + result.message);
  state_ = State::Release;
  release_delay_ms_ =
      retry_delay_ms(lease_.task.attempts, options_.retry_base_ms, options_.retry_max_ms);
  advance();
}

void TaskRun::complete() {
  store::TaskOutcome o;
  o.result = reporting_;
  o.message = report_message_;
  o.items = before_.size() + uploaded_now_.size();
  if (reporting_ == TaskResult::Success) {
    uint64_t newest = std::max(checkpoint_newest_, progress_newest_);
    if (walk_newest_) newest = std::max(newest, *walk_newest_);
    o.new_since_id = newest;
  }
  deps_.store.complete_task(lease_.task.task_id, lease_.lease_id, std::move(o),
                            guarded(&TaskRun::on_completed));
}

void TaskRun::on_completed(core::Status st) {
  if (state_ != State::Complete) return;
  if (!st.ok()) return store_failed(st.error(), "record the task's completion");
  const char* label = reporting_ == TaskResult::Success            ? "success"
                      : reporting_ == TaskResult::TemporaryFailure ? "temporary_failure"
                                                                   : "permanent_failure";
  if (deps_.metrics) {
    deps_.metrics
        ->counter("connector_tasks_total", "Download tasks completed, by reported result",
                  {{"result", label}})
        .inc();
    if (reporting_ == TaskResult::Success)
      deps_.metrics
          ->gauge("connector_job_last_success_timestamp_seconds",
                  "Unix time of the job's last successful import", {{"job", lease_.task.job_id}})
          .set(static_cast<double>(deps_.clock.now_unix_ms() / 1000));
  }
  finish(TaskRunResult::Kind::Completed, report_message_);
}

void TaskRun::release() {
  deps_.store.release_task(lease_.task.task_id, lease_.lease_id, release_delay_ms_,
                           guarded(&TaskRun::on_released));
}

void TaskRun::on_released(core::Status st) {
  if (state_ != State::Release) return;
  // A failed release leaves the lease to expire: the task comes back either way.
  if (!st.ok() && st.error().code != core::Errc::NotFound)
    log::warn("cannot release the task; it reappears when its lease expires",
              {log::f("task_id", lease_.task.task_id),
               log::f("error", core::errc_message(st.error().code))});
  if (!st.ok() && st.error().code == core::Errc::NotFound)
    return finish(TaskRunResult::Kind::Dropped,
                  "the task's lease was lost or its job was deleted while it ran");
  finish(TaskRunResult::Kind::Released, failure_.message);
}

void TaskRun::fail(FailureKind kind, std::string message, int64_t retry_after_ms) {
  if (failure_.kind == FailureKind::Permanent) return;  // the first permanent reason stays
  if (failure_.kind == FailureKind::Transient && kind == FailureKind::Transient) return;
  failure_.kind = kind;
  failure_.message = std::move(message);
  failure_.retry_after_ms = retry_after_ms;
}

void TaskRun::store_failed(const core::Error& e, const char* what) {
  if (e.code == core::Errc::NotFound)
    return finish(TaskRunResult::Kind::Dropped,
                  std::string("the task or its job no longer exists (cannot ") + what + ")");
  fail(FailureKind::Transient,
       std::string("the store could not ") + what + ": " + core::errc_message(e.code));
  if (state_ == State::Complete || state_ == State::Release || state_ == State::LoadJob ||
      state_ == State::LoadSettings || state_ == State::LoadCheckpoint) {
    state_ = State::Release;
    release_delay_ms_ =
        retry_delay_ms(lease_.task.attempts, options_.retry_base_ms, options_.retry_max_ms);
    return advance();
  }
}

void TaskRun::finish(TaskRunResult::Kind kind, std::string message) {
  state_ = State::Done;
  if (event_id_) {
    deps_.events.cancel(*event_id_);
    event_id_.reset();
  }
  TaskRunResult r;
  r.kind = kind;
  r.reported = kind == TaskRunResult::Kind::Completed ? reporting_ : TaskResult::None;
  r.message = std::move(message);
  r.uploaded_now = uploaded_now_.size();
  r.uploaded_before = before_.size();
  r.release_delay_ms = kind == TaskRunResult::Kind::Released ? release_delay_ms_ : 0;
  auto write = (kind == TaskRunResult::Kind::Completed && reporting_ == TaskResult::Success)
                   ? &log::info
                   : &log::warn;
  write(
      "task finished",
      {log::f("task_id", lease_.task.task_id), log::f("job_id", lease_.task.job_id),
       log::f("outcome", run_kind_name(kind)),
       log::f("result", kind == TaskRunResult::Kind::Completed ? store::task_result_name(reporting_)
                                                               : "none"),
       log::f("items", before_.size() + uploaded_now_.size()),
       log::f("uploaded_now", uploaded_now_.size()),
       log::f("retry_in_ms", static_cast<long long>(r.release_delay_ms)),
       log::f("reason", r.message)});
  DoneFn done = std::move(done_);
  if (done) done(r);
}

core::Counter* TaskRun::counter(const char* name, const char* help) {
  return deps_.metrics ? &deps_.metrics->counter(name, help) : nullptr;
}

}  // namespace jobs
