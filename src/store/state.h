// The store's semantics without I/O: an in-memory index of settings, jobs, sign-ins, tasks
// and checkpoints that every local backend shares (MemoryStore as is, FileStore with a log).
// Every change is expressed as JSON "ops" and applied through apply(), the same path the file
// backend replays at open, so what is replayed is exactly what ran. Mutations append their ops
// to a journal array; the caller makes the journal durable as one atomic record.
#pragma once

#include <cJSON.h>

#include <cstdint>
#include <deque>
#include <map>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "core/clock.h"
#include "core/result.h"
#include "store/types.h"

namespace store {

class State {
 public:
  explicit State(const core::Clock& clock) : clock_(clock) {}
  State(const State&) = delete;
  State& operator=(const State&) = delete;

  // Reads (copies, so callers may keep them across loop turns).
  Settings settings() const { return settings_; }
  core::Result<Job> job(const std::string& job_id) const;
  std::vector<Job> jobs() const;
  std::vector<Task> tasks() const;
  core::Result<Checkpoint> checkpoint(const std::string& task_id) const;
  size_t job_count() const { return jobs_.size(); }
  size_t task_count() const { return tasks_.size(); }
  size_t pending_auth_count() const { return auths_.size(); }

  // Mutations: validate, then apply and append the ops to `journal` (a JSON array). A failed
  // mutation changes nothing and appends nothing.
  core::Status put_settings(Settings s, cJSON* journal);
  core::Status put_job(Job job, cJSON* journal);
  core::Status link_account(Job job, cJSON* journal);
  core::Status delete_job(const std::string& job_id, cJSON* journal);
  core::Status put_pending_auth(PendingAuth auth, cJSON* journal);
  core::Result<PendingAuth> take_pending_auth(const std::string& token, cJSON* journal);
  // Newest by created_ms; among sign-ins created in the same millisecond, the greatest token
  // (deterministic, and either is as good: both were started for this job by an admin).
  core::Result<PendingAuth> take_latest_pending_auth_for_job(const std::string& job_id,
                                                             cJSON* journal);
  size_t delete_pending_auths_for_job(const std::string& job_id, cJSON* journal);
  core::Result<EnqueueOutcome> enqueue_task(Task task, cJSON* journal);
  core::Result<std::optional<Lease>> lease_task(const std::string& owner, int64_t visibility_ms,
                                                cJSON* journal);
  // Lease changes that need no durability (leases end with the process): no journal.
  core::Status extend_lease(const std::string& task_id, const std::string& lease_id,
                            int64_t visibility_ms);
  core::Status release_task(const std::string& task_id, const std::string& lease_id,
                            int64_t delay_ms);
  core::Status save_progress(const std::string& task_id, const std::string& lease_id,
                             const Checkpoint& delta, cJSON* journal);
  core::Status complete_task(const std::string& task_id, const std::string& lease_id,
                             const TaskOutcome& outcome, cJSON* journal);
  core::Status unpark_task(const std::string& task_id, cJSON* journal);
  core::Status delete_task(const std::string& task_id, cJSON* journal);

  // Applies one op (live or replayed). Errc::Corrupt for an op that does not parse.
  core::Status apply(const cJSON* op);
  // Ops that rebuild the whole current state (for compaction), appended to `journal`.
  void snapshot(cJSON* journal) const;
  // Drops expired sign-ins (in memory; replay re-derives the same result from created_ms).
  void purge_expired_auths();

 private:
  struct TaskEntry {
    Task task;
    uint64_t seq = 0;         // queue order
    std::string lease_id;     // empty when never leased
    uint64_t visible_at = 0;  // monotonic ms; leased while now < visible_at
    Checkpoint checkpoint;
  };
  core::Status check_lease(const std::string& task_id, const std::string& lease_id,
                           TaskEntry** out);
  bool visible(const TaskEntry& e, uint64_t now) const {
    return !e.task.parked && now >= e.visible_at;
  }
  void push(cJSON* journal, cJSON* op);  // applies op, then moves it into journal
  void remember_done(const std::string& task_id, int64_t at_ms);
  void erase_task(const std::string& task_id);

  const core::Clock& clock_;
  Settings settings_;
  std::map<std::string, Job> jobs_;
  std::map<std::string, PendingAuth> auths_;
  std::map<std::string, TaskEntry> tasks_;
  std::map<uint64_t, std::string> queue_;  // seq -> task id, oldest first
  uint64_t next_seq_ = 1;
  uint64_t lease_counter_ = 0;
  std::deque<std::pair<std::string, int64_t>> done_;  // completed task ids, oldest first
  std::set<std::string> done_ids_;
};

}  // namespace store
