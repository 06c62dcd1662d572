// jobs::TaskRun: one leased download task as an explicit state machine (docs/internals/jobs.md):
// LoadJob → LoadSettings → LoadCheckpoint → Walk (timeline pages → map → bounded upload queue,
// progress checkpointed in batches) → Flush → Report (Event API) → Complete, or Release with
// backoff after a transient failure. A run destroyed at any instant (or a crashed process) loses
// nothing: uploads are idempotent by name, every acknowledged upload reaches the checkpoint
// before the task completes, and the job's cursor moves only after the Event API's 2xx.
#pragma once

#include <cstdint>
#include <deque>
#include <functional>
#include <memory>
#include <string>
#include <unordered_map>
#include <unordered_set>
#include <vector>

#include "core/clock.h"
#include "core/limits.h"
#include "core/metrics.h"
#include "core/rand.h"
#include "http/client.h"
#include "jobs/item_stream.h"
#include "m365/blob_uploader.h"
#include "m365/event_api.h"
#include "m365/upload_queue.h"
#include "store/store.h"
#include "twitter/api_client.h"
#include "twitter/item.h"
#include "twitter/item_mapper.h"
#include "twitter/media_fetcher.h"
#include "uv/loop.h"

namespace jobs {

// Everything a run borrows; owned by the Worker (or a test) and outliving every run.
struct TaskRunDeps {
  uv::Loop& loop;
  store::Store& store;
  http::Client& http;
  m365::BlobUploader& uploader;
  m365::EventApiClient& events;
  twitter::MediaFetcher& media;  // attachments embedded into the item bodies
  const core::Clock& clock;
  core::Rng& rng;
  core::Metrics* metrics = nullptr;  // may be null
};

struct TaskRunOptions {
  std::string twitter_base = "https://api.twitter.com";  // no trailing '/'
  twitter::ApiVersion twitter_version = twitter::ApiVersion::V2;
  int64_t max_rate_wait_ms = core::limits::kDefaultRateLimitMaxWaitMs;
  size_t media_max_bytes = core::limits::kDefaultMediaMaxBytes;
  std::string tenant;  // the deployment's tenant: whose AAD token the Event API gets
  size_t upload_concurrency = core::limits::m365::kDefaultUploadConcurrency;
  size_t max_pending_uploads = core::limits::jobs::kMaxPendingUploads;
  size_t resume_pending_uploads = core::limits::jobs::kResumePendingUploads;
  size_t checkpoint_batch = core::limits::jobs::kCheckpointBatchItems;
  int64_t retry_base_ms = core::limits::jobs::kTaskRetryBaseMs;
  int64_t retry_max_ms = core::limits::jobs::kTaskRetryMaxMs;
  int64_t max_rate_release_ms = core::limits::jobs::kMaxRateLimitReleaseMs;
  twitter::MapOptions map;
  twitter::ItemFormat format;
};

// Why a task did not succeed, in the classes the platform knows (protocol §9, §14 #16).
enum class FailureKind { None, Transient, Permanent };

struct TaskRunResult {
  enum class Kind {
    Completed,  // reported and acknowledged; the task is gone from the queue
    Released,   // given back with a backoff; the next lease resumes from the checkpoint
    Dropped,    // the job or the lease disappeared meanwhile: nothing more to do
  };
  Kind kind = Kind::Dropped;
  store::TaskResult reported = store::TaskResult::None;  // Completed: the status sent
  std::string message;                                   // the reason, for the log and the job
  size_t uploaded_now = 0;                               // items uploaded by this run
  size_t uploaded_before = 0;                            // items found in the checkpoint
  int64_t release_delay_ms = 0;
};
const char* run_kind_name(TaskRunResult::Kind k);

// Numeric order of decimal tweet ids (shorter is smaller), as itemMetadata is sorted.
bool tweet_id_less(const std::string& a, const std::string& b);
// Backoff of the attempt-th lease (1-based): base << (attempt-1), capped at max.
int64_t retry_delay_ms(uint32_t attempt, int64_t base_ms, int64_t max_ms);

class TaskRun final {
 public:
  enum class State {
    Idle,
    LoadJob,
    LoadSettings,
    LoadCheckpoint,
    Walk,
    Flush,
    Report,
    Complete,
    Release,
    Done
  };
  // done runs exactly once, later, unless start() fails; the run must not be destroyed inside
  // done (the Worker destroys it from a later loop turn: done can come from inside a callback of
  // an object the run owns).
  using DoneFn = std::function<void(const TaskRunResult&)>;

  TaskRun(TaskRunDeps deps, TaskRunOptions options, store::Lease lease, DoneFn done);
  // Drops everything in flight without completing anything: the lease simply expires.
  ~TaskRun();
  TaskRun(const TaskRun&) = delete;
  TaskRun& operator=(const TaskRun&) = delete;

  core::Status start();
  // The lease was lost (extend_lease answered NotFound) or the worker stops: finish as Dropped.
  void abandon(const std::string& why);

  State state() const { return state_; }
  const store::Lease& lease() const { return lease_; }

 private:
  struct PageTrack {
    size_t outstanding = 0;  // items of the page still uploading
    uint64_t newest = 0;     // newest id accepted on the page
    std::string next_token;  // where paging goes on after it
  };
  struct Failure {
    FailureKind kind = FailureKind::None;
    std::string message;
    int64_t retry_after_ms = 0;  // at least this long before the next attempt
  };

  void advance();
  void load_job();
  void load_settings();
  void load_checkpoint();
  void start_walk();
  void flush();
  void decide();
  void report(store::TaskResult status);
  void complete();
  void release();
  void finish(TaskRunResult::Kind kind, std::string message);

  // A store callback that reaches `method` only while this run exists: the store may answer
  // after the run was destroyed.
  template <class Arg>
  std::function<void(Arg)> guarded(void (TaskRun::*method)(Arg)) {
    return [this, alive = std::weak_ptr<char>(alive_), method](Arg arg) {
      if (!alive.expired()) (this->*method)(std::move(arg));
    };
  }
  void on_job(core::Result<store::Job> job);
  void on_settings(core::Result<store::Settings> settings);
  void on_checkpoint(core::Result<store::Checkpoint> checkpoint);
  core::Status on_page(const twitter::Page& page, const twitter::PageOutcome& outcome);
  void on_walk_done(twitter::WalkResult& result);
  void on_uploaded(uint64_t page_seq, std::string id, std::string sent_utc,
                   m365::UploadResult& result);
  void on_saved(core::Status st);
  void on_reported(m365::EventResult& result);
  void on_completed(core::Status st);
  void on_released(core::Status st);

  void fail(FailureKind kind, std::string message, int64_t retry_after_ms = 0);
  // A store call failed: NotFound means the task or job is gone (drop); the rest is transient.
  void store_failed(const core::Error& e, const char* what);
  void make_walk();
  void restart_walk_from_top(const std::string& why);
  void stop_walk();
  void pop_finished_pages();
  void maybe_save(bool force);
  bool final_attempt() const;
  size_t pending() const { return submitted_ - finished_; }
  std::vector<m365::ItemMetadata> metadata() const;
  core::Counter* counter(const char* name, const char* help);

  TaskRunDeps deps_;
  TaskRunOptions options_;
  store::Lease lease_;
  DoneFn done_;
  State state_ = State::Idle;
  std::shared_ptr<char> alive_ = std::make_shared<char>(0);  // guards store callbacks

  store::Job job_;
  store::Settings settings_;
  std::vector<store::UploadedItem> before_;  // from the checkpoint
  uint64_t checkpoint_newest_ = 0;
  std::unordered_set<std::string> uploaded_ids_;  // before_ and this run's
  std::vector<store::UploadedItem> uploaded_now_;
  // What each item stream did with its media; must outlive the stream (kept for the run).
  std::unordered_map<std::string, std::unique_ptr<ItemStreamReport>> media_reports_;
  uint64_t media_missing_ = 0;

  std::unique_ptr<twitter::ApiClient> api_;
  std::unique_ptr<twitter::TimelineWalk> walk_;
  std::unique_ptr<m365::UploadQueue> queue_;
  bool walk_done_ = false;
  bool resumed_from_token_ = false;  // the walk started at the checkpoint's page token
  std::optional<uint64_t> walk_newest_;
  size_t submitted_ = 0, finished_ = 0;
  std::deque<PageTrack> pages_;
  uint64_t first_page_seq_ = 0;  // sequence number of pages_.front()

  // Checkpoint writes: one in flight; items and page progress wait in unsaved_.
  std::vector<store::UploadedItem> unsaved_;
  uint64_t progress_newest_ = 0;
  std::string progress_token_;
  bool progress_dirty_ = false;
  bool save_in_flight_ = false;

  Failure failure_;
  store::TaskResult reporting_ = store::TaskResult::None;
  std::string report_message_;
  std::optional<uint64_t> event_id_;
  int64_t release_delay_ms_ = 0;
};

}  // namespace jobs
