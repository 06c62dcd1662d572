// The durable store every layer above talks to: settings, jobs, pending OAuth sign-ins, the
// task queue with leases, and per-task checkpoints. Backends: FileStore (data dir, the
// default), MemoryStore (tests of upper layers); an Azure Table + Queue backend may follow, so
// nothing here assumes local files or a single process. See docs/internals/store.md.
//
// Async contract (house rule): every call completes through its callback, exactly once, on the
// loop thread, never from inside the call. Reads are asynchronous too, because a shared
// backend must ask the service. A callback reports success only once the change is durable;
// a read's callback runs only after every write issued before it is durable, so nothing
// observed through the store can be lost by a crash.
#pragma once

#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/result.h"
#include "store/types.h"

namespace store {

template <class T>
using Callback = std::function<void(core::Result<T>)>;
using DoneCallback = std::function<void(core::Status)>;

// Seals secrets before they reach the disk (AES-256-GCM in store/secret_box). `context`
// names the field and is bound to the ciphertext, so a sealed value cannot be moved to
// another field. open() fails (Errc::Crypto) for a wrong key or tampered data.
class SecretCodec {
 public:
  virtual ~SecretCodec() = default;
  virtual core::Result<std::string> seal(std::string_view plaintext, std::string_view context) = 0;
  virtual core::Result<std::string> open(std::string_view sealed, std::string_view context) = 0;
};

class Store {
 public:
  virtual ~Store() = default;

  // --- settings ---------------------------------------------------------------------------
  virtual void get_settings(Callback<Settings> cb) = 0;
  // Replaces every setting; updated_ms is set by the store.
  virtual void put_settings(Settings settings, DoneCallback cb) = 0;

  // --- jobs -------------------------------------------------------------------------------
  virtual void get_job(std::string job_id, Callback<Job> cb) = 0;  // NotFound if unknown
  virtual void list_jobs(Callback<std::vector<Job>> cb) = 0;       // ordered by job id
  // Creates or replaces the job. created_ms is kept from the existing job (or set now).
  // Busy when kMaxStoreJobs are stored already.
  virtual void put_job(Job job, DoneCallback cb) = 0;
  // Stores a (re)connected account: creates the job, or replaces only its account fields
  // (tenant, user id, screen name, tokens) and keeps cursor, counters and history.
  virtual void link_account(Job job, DoneCallback cb) = 0;
  // Deletes the job, its queued tasks, their checkpoints and its pending sign-ins (a worker
  // holding a lease on one of those tasks gets NotFound on its next call about it).
  virtual void delete_job(std::string job_id, DoneCallback cb) = 0;  // NotFound if unknown

  // --- pending OAuth sign-ins -------------------------------------------------------------
  // Busy when kMaxPendingAuths unexpired sign-ins exist; AlreadyExists for a reused token.
  virtual void put_pending_auth(PendingAuth auth, DoneCallback cb) = 0;
  // Returns and deletes the sign-in (single use). NotFound if unknown or expired.
  virtual void take_pending_auth(std::string request_token, Callback<PendingAuth> cb) = 0;
  // Returns and deletes the job's most recently created unexpired sign-in (the reference's
  // StoreToken knows only the job, not the request token). NotFound if the job has none.
  virtual void take_latest_pending_auth_for_job(std::string job_id, Callback<PendingAuth> cb) = 0;
  // Deletes every sign-in of the job; returns how many.
  virtual void delete_pending_auths_for_job(std::string job_id, Callback<size_t> cb) = 0;

  // --- task queue ---------------------------------------------------------------------------
  // Idempotent per task id. Busy when kMaxStoreTasks are queued.
  virtual void enqueue_task(Task task, Callback<EnqueueOutcome> cb) = 0;
  // Leases the oldest visible task for visibility_ms (<= kMaxTaskVisibilityMs); nullopt if
  // none. A task leased kMaxTaskAttempts times already is parked (logged) instead of leased.
  virtual void lease_task(std::string owner, int64_t visibility_ms,
                          Callback<std::optional<Lease>> cb) = 0;
  // Moves the lease end to now + visibility_ms. NotFound if the lease was lost.
  virtual void extend_lease(std::string task_id, std::string lease_id, int64_t visibility_ms,
                            DoneCallback cb) = 0;
  // Gives the task back; it becomes visible after delay_ms (backoff). NotFound if lost.
  virtual void release_task(std::string task_id, std::string lease_id, int64_t delay_ms,
                            DoneCallback cb) = 0;
  // Records the task's progress (items appended to the checkpoint). NotFound if lost;
  // TooLarge beyond kMaxCheckpointItems.
  virtual void save_progress(std::string task_id, std::string lease_id, Checkpoint delta,
                             DoneCallback cb) = 0;
  // The task's checkpoint (empty if none). NotFound if the task is unknown.
  virtual void get_checkpoint(std::string task_id, Callback<Checkpoint> cb) = 0;
  // Atomically: records the outcome on the job (cursor moves forward only, counters, last
  // result), deletes the task and its checkpoint, remembers the task id. Call it only after
  // the Event API acknowledged. NotFound if the lease was lost.
  virtual void complete_task(std::string task_id, std::string lease_id, TaskOutcome outcome,
                             DoneCallback cb) = 0;
  // Every task, in queue order, parked ones included.
  virtual void list_tasks(Callback<std::vector<Task>> cb) = 0;
  // Admin action: a parked task gets a fresh attempt budget and becomes visible.
  virtual void unpark_task(std::string task_id, DoneCallback cb) = 0;
  // Admin action: deletes a task (parked or not) and its checkpoint.
  virtual void delete_task(std::string task_id, DoneCallback cb) = 0;
};

}  // namespace store
