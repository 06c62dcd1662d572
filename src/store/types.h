// The records the store keeps: configuration, jobs, pending OAuth sign-ins, queued tasks and
// their progress checkpoints. Plain values with no behaviour; the semantics live in
// store/state.h and the Store interface (store/store.h). Ids are strings as the platform and
// Twitter send them; tweet ids are uint64 (kept as decimal strings on disk, never as doubles).
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

namespace store {

// The six settings of the reference (protocol §2) plus named extras added later. Empty = unset.
struct Settings {
  std::string twitter_api_key;              // secret
  std::string twitter_api_secret_key;       // secret
  std::string twitter_access_token;         // secret
  std::string twitter_access_token_secret;  // secret
  std::string aad_app_id;
  std::string aad_app_secret;                // secret
  std::map<std::string, std::string> extra;  // non-secret name -> value
  int64_t updated_ms = 0;                    // set by the store on write
};

// Outcome of a task as reported to the Event API (protocol §9: 0, 1, 2); None = never run.
enum class TaskResult { None = -1, Success = 0, TemporaryFailure = 1, PermanentFailure = 2 };
const char* task_result_name(TaskResult r);

// One connected Twitter account (reference: PageJobMappingTable row + SourceInfoTwitter).
struct Job {
  std::string job_id;  // platform job id (key)
  std::string tenant_id;
  std::string twitter_user_id;  // decimal
  std::string screen_name;
  std::string user_token;         // secret: the user's OAuth access token
  std::string user_token_secret;  // secret
  uint64_t since_id = 0;          // cursor: newest tweet id acknowledged by the Event API
  int64_t created_ms = 0;         // set by the store on first write
  int64_t updated_ms = 0;         // set by the store on every write
  // Last finished task, for the admin page.
  std::string last_task_id;
  int64_t last_window_start_ms = 0;
  int64_t last_window_end_ms = 0;
  // End of the window of the task finished before the last one; with last_window_end_ms it
  // gives the platform's schedule period (api/Jobs' NextExpectedRunUtc). nullopt until two
  // tasks have finished (and in records written before the field existed).
  std::optional<int64_t> previous_window_end_ms;
  TaskResult last_result = TaskResult::None;
  std::string last_message;
  // Counters since the job was created.
  uint64_t items_imported = 0;
  uint64_t tasks_succeeded = 0;
  uint64_t tasks_temporary_failed = 0;
  uint64_t tasks_permanent_failed = 0;
};

// A started OAuth 1.0a sign-in, keyed by the request token (protocol §14 #5, #6).
struct PendingAuth {
  std::string request_token;         // key
  std::string request_token_secret;  // secret
  std::string job_id;
  std::string state;       // anti-CSRF value bound to the admin's browser
  int64_t created_ms = 0;  // set by the store; expires kPendingAuthTtlMs later
};

// A download task from POST /data/OnDownloadRequest (protocol §7.3/§7.4).
struct Task {
  std::string task_id;  // key; the platform may resend the same id
  std::string job_id;
  std::string tenant_id;
  int64_t start_ms = 0;  // ingestion window [start, end], unix ms UTC
  int64_t end_ms = 0;
  std::string blob_sas_uri;
  std::vector<std::string> dirty_entities;
  // Kept by the store.
  int64_t enqueued_ms = 0;
  uint32_t attempts = 0;  // leases so far (persisted: survives crashes)
  bool parked = false;    // poison: attempts exhausted; kept for the admin
  std::string park_reason;
  std::string lease_owner;      // empty when not leased (leases do not survive a restart)
  int64_t lease_expiry_ms = 0;  // unix ms at which the lease ends (informational)
};

// A leased task: the lease_id must accompany every later call about the task, so a worker
// whose lease expired (and was taken by another) cannot complete or checkpoint it.
struct Lease {
  Task task;
  std::string lease_id;
};

// One item uploaded to the blob container, as reported in itemMetadata (protocol §9.1).
struct UploadedItem {
  std::string id;            // tweet id
  std::string modified_utc;  // SentTimeUtc, "yyyy-MM-ddTHH:mm:ss"
  std::string file_name;     // blob leaf name
};

// Progress of a task, so a crashed import resumes without re-uploading and still reports
// every item it uploaded before the crash.
struct Checkpoint {
  uint64_t newest_id_seen = 0;  // newest tweet id seen in this task (the cursor to be)
  std::string page_token;       // where paging stopped (v2 pagination_token or max_id)
  std::vector<UploadedItem> uploaded;
};

// What complete_task records on the job, atomically with removing the task.
struct TaskOutcome {
  TaskResult result = TaskResult::Success;
  std::string message;        // cut to kMaxResultMessageBytes
  uint64_t items = 0;         // items reported to the Event API
  uint64_t new_since_id = 0;  // cursor after acknowledgement; 0 or older = unchanged
};

// Result of enqueue_task: the platform may resend a task it already sent.
enum class EnqueueOutcome { Queued, AlreadyQueued, AlreadyDone };

}  // namespace store
