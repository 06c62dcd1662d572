// Implementation of store/state.h. Mutations validate against the current index, build ops
// and run them through apply(); apply() trusts nothing (it also reads replayed logs).
#include "store/state.h"

#include <algorithm>
#include <cassert>
#include <cstring>

#include "core/limits.h"
#include "core/log.h"
#include "json/json.h"
#include "store/records.h"

namespace store {
namespace {

namespace lim = core::limits;
using core::Errc;
using core::make_error;

json::Json make_op(const char* kind) {
  json::Json op = json::object();
  json::add_string(op.get(), "op", kind);
  return op;
}

json::Json op_with_id(const char* kind, const std::string& id) {
  json::Json op = make_op(kind);
  json::add_string(op.get(), "id", id);
  return op;
}

core::Status check_len(const std::string& v, size_t max, const char* where) {
  if (v.size() > max || memchr(v.data(), '\0', v.size()))
    return make_error(Errc::InvalidArgument, where);
  return core::ok_status();
}

// Optional id-like field: empty is fine, otherwise the id rules apply.
core::Status check_opt_id(const std::string& v, const char* where) {
  return v.empty() ? core::ok_status() : check_id(v, where);
}

// Cuts a message to the limit without splitting a UTF-8 sequence.
std::string cut_message(std::string m) {
  if (m.size() <= lim::kMaxResultMessageBytes) return m;
  size_t n = lim::kMaxResultMessageBytes;
  while (n > 0 && (static_cast<unsigned char>(m[n]) & 0xC0) == 0x80) --n;
  m.resize(n);
  return m;
}

core::Status check_job(Job& j) {
  TC_TRY(check_id(j.job_id, "job id"));
  TC_TRY(check_opt_id(j.tenant_id, "job tenant id"));
  TC_TRY(check_opt_id(j.twitter_user_id, "job twitter user id"));
  TC_TRY(check_opt_id(j.screen_name, "job screen name"));
  TC_TRY(check_opt_id(j.last_task_id, "job last task id"));
  TC_TRY(check_len(j.user_token, lim::kMaxStoreValueBytes, "job user token"));
  TC_TRY(check_len(j.user_token_secret, lim::kMaxStoreValueBytes, "job user token secret"));
  TC_TRY(check_len(j.last_message, SIZE_MAX, "job last message"));
  j.last_message = cut_message(std::move(j.last_message));
  return core::ok_status();
}

int64_t clamp_visibility(int64_t v) { return std::min<int64_t>(v, lim::kMaxTaskVisibilityMs); }

}  // namespace

core::Result<Job> State::job(const std::string& job_id) const {
  auto it = jobs_.find(job_id);
  if (it == jobs_.end()) return make_error(Errc::NotFound, "job");
  return it->second;
}

std::vector<Job> State::jobs() const {
  std::vector<Job> out;
  out.reserve(jobs_.size());
  for (const auto& [id, j] : jobs_) out.push_back(j);
  return out;
}

std::vector<Task> State::tasks() const {
  std::vector<Task> out;
  out.reserve(queue_.size());
  uint64_t now = clock_.monotonic_ms();
  for (const auto& [seq, id] : queue_) {
    const TaskEntry& e = tasks_.at(id);
    Task t = e.task;
    if (e.lease_id.empty() || now >= e.visible_at) {  // an expired lease is no lease
      t.lease_owner.clear();
      t.lease_expiry_ms = 0;
    }
    out.push_back(std::move(t));
  }
  return out;
}

core::Result<Checkpoint> State::checkpoint(const std::string& task_id) const {
  auto it = tasks_.find(task_id);
  if (it == tasks_.end()) return make_error(Errc::NotFound, "task");
  return it->second.checkpoint;
}

void State::push(cJSON* journal, cJSON* op) {
  core::Status st = apply(op);
  assert(st.ok() && "a live op must apply");
  (void)st;
  json::push(journal, json::Json(op));
}

core::Status State::put_settings(Settings s, cJSON* journal) {
  const size_t max = lim::kMaxStoreValueBytes;
  TC_TRY(check_len(s.twitter_api_key, max, "setting TwitterApiKey"));
  TC_TRY(check_len(s.twitter_api_secret_key, max, "setting TwitterApiSecretKey"));
  TC_TRY(check_len(s.twitter_access_token, max, "setting TwitterAccessToken"));
  TC_TRY(check_len(s.twitter_access_token_secret, max, "setting TwitterAccessTokenSecret"));
  TC_TRY(check_len(s.aad_app_id, max, "setting AADAppId"));
  TC_TRY(check_len(s.aad_app_secret, max, "setting AADAppSecret"));
  if (s.extra.size() > lim::kMaxExtraSettings) return make_error(Errc::TooLarge, "extra settings");
  for (const auto& [k, v] : s.extra) {
    TC_TRY(check_id(k, "extra setting name"));
    TC_TRY(check_len(v, max, "extra setting value"));
  }
  s.updated_ms = clock_.now_unix_ms();
  json::Json op = make_op("settings");
  json::add(op.get(), "v", settings_to_json(s));
  push(journal, op.release());
  return core::ok_status();
}

core::Status State::put_job(Job job, cJSON* journal) {
  TC_TRY(check_job(job));
  auto it = jobs_.find(job.job_id);
  if (it == jobs_.end() && jobs_.size() >= lim::kMaxStoreJobs)
    return make_error(Errc::Busy, "job count limit");
  int64_t now = clock_.now_unix_ms();
  job.created_ms = it == jobs_.end() ? now : it->second.created_ms;
  job.updated_ms = now;
  json::Json op = make_op("job");
  json::add(op.get(), "v", job_to_json(job));
  push(journal, op.release());
  return core::ok_status();
}

core::Status State::link_account(Job job, cJSON* journal) {
  auto it = jobs_.find(job.job_id);
  if (it == jobs_.end()) return put_job(std::move(job), journal);
  Job merged = it->second;
  merged.tenant_id = std::move(job.tenant_id);
  merged.twitter_user_id = std::move(job.twitter_user_id);
  merged.screen_name = std::move(job.screen_name);
  merged.user_token = std::move(job.user_token);
  merged.user_token_secret = std::move(job.user_token_secret);
  return put_job(std::move(merged), journal);
}

core::Status State::delete_job(const std::string& job_id, cJSON* journal) {
  if (!jobs_.count(job_id)) return make_error(Errc::NotFound, "job");
  push(journal, op_with_id("job_del", job_id).release());
  return core::ok_status();
}

void State::purge_expired_auths() {
  int64_t now = clock_.now_unix_ms();
  for (auto it = auths_.begin(); it != auths_.end();) {
    if (now - it->second.created_ms >= lim::kPendingAuthTtlMs)
      it = auths_.erase(it);
    else
      ++it;
  }
}

core::Status State::put_pending_auth(PendingAuth auth, cJSON* journal) {
  TC_TRY(check_id(auth.request_token, "request token"));
  TC_TRY(check_len(auth.request_token_secret, lim::kMaxStoreValueBytes, "request token secret"));
  TC_TRY(check_opt_id(auth.job_id, "sign-in job id"));
  TC_TRY(check_opt_id(auth.state, "sign-in state"));
  purge_expired_auths();
  if (auths_.count(auth.request_token)) return make_error(Errc::AlreadyExists, "request token");
  if (auths_.size() >= lim::kMaxPendingAuths)
    return make_error(Errc::Busy, "pending sign-in limit");
  auth.created_ms = clock_.now_unix_ms();
  json::Json op = make_op("auth");
  json::add(op.get(), "v", auth_to_json(auth));
  push(journal, op.release());
  return core::ok_status();
}

core::Result<PendingAuth> State::take_pending_auth(const std::string& token, cJSON* journal) {
  purge_expired_auths();
  auto it = auths_.find(token);
  if (it == auths_.end()) return make_error(Errc::NotFound, "pending sign-in");
  PendingAuth out = it->second;
  push(journal, op_with_id("auth_del", token).release());
  return out;
}

core::Result<PendingAuth> State::take_latest_pending_auth_for_job(const std::string& job_id,
                                                                  cJSON* journal) {
  purge_expired_auths();
  const PendingAuth* latest = nullptr;
  for (const auto& [token, a] : auths_) {
    // The map is ordered by token, so ">=" keeps the greatest token among equal times.
    if (a.job_id == job_id && (!latest || a.created_ms >= latest->created_ms)) latest = &a;
  }
  if (!latest) return make_error(Errc::NotFound, "pending sign-in of the job");
  PendingAuth out = *latest;
  push(journal, op_with_id("auth_del", out.request_token).release());
  return out;
}

size_t State::delete_pending_auths_for_job(const std::string& job_id, cJSON* journal) {
  std::vector<std::string> tokens;
  for (const auto& [token, a] : auths_)
    if (a.job_id == job_id) tokens.push_back(token);
  for (const auto& t : tokens) push(journal, op_with_id("auth_del", t).release());
  return tokens.size();
}

core::Result<EnqueueOutcome> State::enqueue_task(Task task, cJSON* journal) {
  TC_TRY(check_id(task.task_id, "task id"));
  TC_TRY(check_id(task.job_id, "task job id"));
  TC_TRY(check_opt_id(task.tenant_id, "task tenant id"));
  TC_TRY(check_len(task.blob_sas_uri, lim::kMaxStoreUriBytes, "task blob SAS URI"));
  if (task.blob_sas_uri.empty()) return make_error(Errc::InvalidArgument, "task blob SAS URI");
  if (task.end_ms < task.start_ms)
    return make_error(Errc::InvalidArgument, "task window ends before it starts");
  if (task.dirty_entities.size() > lim::kMaxDirtyEntities)
    return make_error(Errc::TooLarge, "task dirty entities");
  for (const auto& d : task.dirty_entities) TC_TRY(check_id(d, "task dirty entity"));
  if (tasks_.count(task.task_id)) return EnqueueOutcome::AlreadyQueued;
  if (done_ids_.count(task.task_id)) return EnqueueOutcome::AlreadyDone;
  if (!jobs_.count(task.job_id)) return make_error(Errc::NotFound, "job");
  if (tasks_.size() >= lim::kMaxStoreTasks) return make_error(Errc::Busy, "task queue limit");
  task.enqueued_ms = clock_.now_unix_ms();
  task.attempts = 0;
  task.parked = false;
  task.park_reason.clear();
  json::Json op = make_op("task");
  json::add(op.get(), "v", task_to_json(task));
  json::add_string(op.get(), "seq", std::to_string(next_seq_));
  push(journal, op.release());
  return EnqueueOutcome::Queued;
}

core::Result<std::optional<Lease>> State::lease_task(const std::string& owner,
                                                     int64_t visibility_ms, cJSON* journal) {
  TC_TRY(check_id(owner, "lease owner"));
  if (visibility_ms <= 0 || visibility_ms > lim::kMaxTaskVisibilityMs)
    return make_error(Errc::InvalidArgument, "visibility timeout");
  uint64_t now = clock_.monotonic_ms();
  std::vector<std::string> order;
  for (const auto& [seq, id] : queue_) order.push_back(id);
  for (const auto& id : order) {
    TaskEntry& e = tasks_.at(id);
    if (!visible(e, now)) continue;
    if (e.task.attempts >= lim::kMaxTaskAttempts) {
      std::string reason =
          "leased " + std::to_string(e.task.attempts) + " times without completing";
      core::log::error("store: task parked as poison; unpark or delete it from the admin page",
                       {core::log::f("task_id", id), core::log::f("job_id", e.task.job_id),
                        core::log::f("attempts", e.task.attempts)});
      json::Json op = op_with_id("park", id);
      json::add_string(op.get(), "reason", reason);
      push(journal, op.release());
      continue;
    }
    json::Json op = op_with_id("attempt", id);
    json::add_number(op.get(), "n", e.task.attempts + 1);
    push(journal, op.release());
    e.lease_id = "L" + std::to_string(++lease_counter_);
    e.visible_at = now + static_cast<uint64_t>(visibility_ms);
    e.task.lease_owner = owner;
    e.task.lease_expiry_ms = clock_.now_unix_ms() + visibility_ms;
    return std::optional<Lease>(Lease{e.task, e.lease_id});
  }
  return std::optional<Lease>();
}

core::Status State::check_lease(const std::string& task_id, const std::string& lease_id,
                                TaskEntry** out) {
  auto it = tasks_.find(task_id);
  // A lease is lost once another lease replaced it, or it was released, or the task is gone.
  if (it == tasks_.end() || lease_id.empty() || it->second.lease_id != lease_id ||
      it->second.task.parked)
    return make_error(Errc::NotFound, "task lease");
  *out = &it->second;
  return core::ok_status();
}

core::Status State::extend_lease(const std::string& task_id, const std::string& lease_id,
                                 int64_t visibility_ms) {
  if (visibility_ms <= 0 || visibility_ms > lim::kMaxTaskVisibilityMs)
    return make_error(Errc::InvalidArgument, "visibility timeout");
  TaskEntry* e = nullptr;
  TC_TRY(check_lease(task_id, lease_id, &e));
  e->visible_at = clock_.monotonic_ms() + static_cast<uint64_t>(clamp_visibility(visibility_ms));
  e->task.lease_expiry_ms = clock_.now_unix_ms() + visibility_ms;
  return core::ok_status();
}

core::Status State::release_task(const std::string& task_id, const std::string& lease_id,
                                 int64_t delay_ms) {
  if (delay_ms < 0 || delay_ms > lim::kMaxTaskVisibilityMs)
    return make_error(Errc::InvalidArgument, "release delay");
  TaskEntry* e = nullptr;
  TC_TRY(check_lease(task_id, lease_id, &e));
  e->lease_id.clear();
  e->task.lease_owner.clear();
  e->task.lease_expiry_ms = 0;
  e->visible_at = clock_.monotonic_ms() + static_cast<uint64_t>(delay_ms);
  return core::ok_status();
}

core::Status State::save_progress(const std::string& task_id, const std::string& lease_id,
                                  const Checkpoint& delta, cJSON* journal) {
  TaskEntry* e = nullptr;
  TC_TRY(check_lease(task_id, lease_id, &e));
  TC_TRY(check_len(delta.page_token, lim::kMaxStoreValueBytes, "checkpoint page token"));
  if (e->checkpoint.uploaded.size() + delta.uploaded.size() > lim::kMaxCheckpointItems)
    return make_error(Errc::TooLarge, "checkpoint items");
  for (const auto& it : delta.uploaded) {
    TC_TRY(check_id(it.id, "checkpoint item id"));
    TC_TRY(check_id(it.modified_utc, "checkpoint item time"));
    TC_TRY(check_id(it.file_name, "checkpoint item file name"));
  }
  json::Json op = op_with_id("progress", task_id);
  json::add_string(op.get(), "newest", std::to_string(delta.newest_id_seen));
  json::add_string(op.get(), "page", delta.page_token);
  json::add(op.get(), "items", items_to_json(delta.uploaded));
  push(journal, op.release());
  // Durable progress proves the task is not poison: only leases in a row that end without any
  // (crashes at the same place) count towards parking it. A process killed now and then
  // during a long task must not lose the task.
  if (!delta.uploaded.empty() && e->task.attempts > 1) {
    json::Json reset = op_with_id("attempt", task_id);
    json::add_number(reset.get(), "n", 1);
    push(journal, reset.release());
  }
  return core::ok_status();
}

core::Status State::complete_task(const std::string& task_id, const std::string& lease_id,
                                  const TaskOutcome& outcome, cJSON* journal) {
  TaskEntry* e = nullptr;
  TC_TRY(check_lease(task_id, lease_id, &e));
  if (static_cast<int>(outcome.result) < 0 || static_cast<int>(outcome.result) > 2)
    return make_error(Errc::InvalidArgument, "task outcome");
  auto jit = jobs_.find(e->task.job_id);
  if (jit != jobs_.end()) {  // the job may have been deleted while the task ran
    Job j = jit->second;
    j.since_id = std::max(j.since_id, outcome.new_since_id);  // the cursor never moves back
    if (!j.last_task_id.empty()) j.previous_window_end_ms = j.last_window_end_ms;
    j.last_task_id = task_id;
    j.last_window_start_ms = e->task.start_ms;
    j.last_window_end_ms = e->task.end_ms;
    j.last_result = outcome.result;
    j.last_message = cut_message(outcome.message);
    j.items_imported += outcome.items;
    if (outcome.result == TaskResult::Success)
      ++j.tasks_succeeded;
    else if (outcome.result == TaskResult::TemporaryFailure)
      ++j.tasks_temporary_failed;
    else
      ++j.tasks_permanent_failed;
    j.updated_ms = clock_.now_unix_ms();
    json::Json op = make_op("job");
    json::add(op.get(), "v", job_to_json(j));
    push(journal, op.release());
  }
  push(journal, op_with_id("task_del", task_id).release());
  json::Json done = op_with_id("done", task_id);
  json::add_number(done.get(), "at", static_cast<double>(clock_.now_unix_ms()));
  push(journal, done.release());
  return core::ok_status();
}

core::Status State::unpark_task(const std::string& task_id, cJSON* journal) {
  auto it = tasks_.find(task_id);
  if (it == tasks_.end()) return make_error(Errc::NotFound, "task");
  if (!it->second.task.parked) return make_error(Errc::InvalidArgument, "task is not parked");
  push(journal, op_with_id("unpark", task_id).release());
  it->second.visible_at = 0;
  it->second.lease_id.clear();
  return core::ok_status();
}

core::Status State::delete_task(const std::string& task_id, cJSON* journal) {
  if (!tasks_.count(task_id)) return make_error(Errc::NotFound, "task");
  push(journal, op_with_id("task_del", task_id).release());
  return core::ok_status();
}

void State::erase_task(const std::string& task_id) {
  auto it = tasks_.find(task_id);
  if (it == tasks_.end()) return;
  queue_.erase(it->second.seq);
  tasks_.erase(it);
}

void State::remember_done(const std::string& task_id, int64_t at_ms) {
  if (done_ids_.insert(task_id).second) done_.emplace_back(task_id, at_ms);
  while (done_.size() > lim::kMaxRememberedTasks) {
    done_ids_.erase(done_.front().first);
    done_.pop_front();
  }
}

core::Status State::apply(const cJSON* op) {
  auto kind = json::get_string(op, "op");
  if (!kind) return make_error(Errc::Corrupt, "op without kind");
  auto id_str = json::get_string(op, "id");
  std::string id = id_str ? std::string(*id_str) : std::string();
  const cJSON* v = json::get_object(op, "v");
  if (*kind == "settings") {
    auto s = settings_from_json(v);
    if (!s) return s.error();
    settings_ = std::move(*s);
  } else if (*kind == "job") {
    auto j = job_from_json(v);
    if (!j) return j.error();
    jobs_[j->job_id] = std::move(*j);
  } else if (*kind == "auth") {
    auto a = auth_from_json(v);
    if (!a) return a.error();
    auths_[a->request_token] = std::move(*a);
  } else if (*kind == "task") {
    auto t = task_from_json(v);
    auto seq_s = json::get_string(op, "seq");
    auto seq = seq_s ? json::parse_u64(*seq_s) : std::nullopt;
    if (!t) return t.error();
    if (!seq || *seq == 0) return make_error(Errc::Corrupt, "task.seq");
    erase_task(t->task_id);
    if (queue_.count(*seq)) return make_error(Errc::Corrupt, "task.seq reused");
    queue_[*seq] = t->task_id;
    TaskEntry& e = tasks_[t->task_id];
    e.task = std::move(*t);
    e.seq = *seq;
    next_seq_ = std::max(next_seq_, *seq + 1);
  } else if (id.empty()) {
    return make_error(Errc::Corrupt, "op without id");
  } else if (*kind == "job_del") {
    jobs_.erase(id);
    std::vector<std::string> doomed;
    for (const auto& [tid, e] : tasks_)
      if (e.task.job_id == id) doomed.push_back(tid);
    for (const auto& tid : doomed) erase_task(tid);
    for (auto it = auths_.begin(); it != auths_.end();)
      it = it->second.job_id == id ? auths_.erase(it) : std::next(it);
  } else if (*kind == "auth_del") {
    auths_.erase(id);
  } else if (*kind == "done") {
    auto at = json::get_int(op, "at");
    if (!at) return make_error(Errc::Corrupt, "done.at");
    remember_done(id, *at);
  } else {
    // The rest act on an existing task.
    auto it = tasks_.find(id);
    if (it == tasks_.end()) return make_error(Errc::Corrupt, "op names an unknown task");
    TaskEntry& e = it->second;
    if (*kind == "task_del") {
      erase_task(id);
    } else if (*kind == "attempt") {
      auto n = json::get_int(op, "n");
      if (!n || *n < 0 || *n > 1000000) return make_error(Errc::Corrupt, "attempt.n");
      e.task.attempts = static_cast<uint32_t>(*n);
    } else if (*kind == "park") {
      auto reason = json::get_string(op, "reason");
      if (!reason) return make_error(Errc::Corrupt, "park.reason");
      e.task.parked = true;
      e.task.park_reason = std::string(*reason);
      e.lease_id.clear();
      e.task.lease_owner.clear();
      e.task.lease_expiry_ms = 0;
    } else if (*kind == "unpark") {
      e.task.parked = false;
      e.task.park_reason.clear();
      e.task.attempts = 0;
    } else if (*kind == "progress") {
      auto newest_s = json::get_string(op, "newest");
      auto newest = newest_s ? json::parse_u64(*newest_s) : std::nullopt;
      auto page = json::get_string(op, "page");
      auto items = items_from_json(json::get_array(op, "items"));
      if (!newest || !page || !items) return make_error(Errc::Corrupt, "progress");
      if (e.checkpoint.uploaded.size() + items->size() > lim::kMaxCheckpointItems)
        return make_error(Errc::Corrupt, "progress exceeds the checkpoint limit");
      e.checkpoint.newest_id_seen = std::max(e.checkpoint.newest_id_seen, *newest);
      e.checkpoint.page_token = std::string(*page);
      for (auto& item : *items) e.checkpoint.uploaded.push_back(std::move(item));
    } else {
      return make_error(Errc::Corrupt, "unknown op");
    }
  }
  return core::ok_status();
}

void State::snapshot(cJSON* journal) const {
  json::Json s = make_op("settings");
  json::add(s.get(), "v", settings_to_json(settings_));
  json::push(journal, std::move(s));
  for (const auto& [id, j] : jobs_) {
    json::Json op = make_op("job");
    json::add(op.get(), "v", job_to_json(j));
    json::push(journal, std::move(op));
  }
  for (const auto& [token, a] : auths_) {
    json::Json op = make_op("auth");
    json::add(op.get(), "v", auth_to_json(a));
    json::push(journal, std::move(op));
  }
  for (const auto& [seq, id] : queue_) {
    const TaskEntry& e = tasks_.at(id);
    json::Json op = make_op("task");
    json::add(op.get(), "v", task_to_json(e.task));
    json::add_string(op.get(), "seq", std::to_string(seq));
    json::push(journal, std::move(op));
    const Checkpoint& c = e.checkpoint;
    if (c.newest_id_seen == 0 && c.page_token.empty() && c.uploaded.empty()) continue;
    json::Json p = op_with_id("progress", id);
    json::add_string(p.get(), "newest", std::to_string(c.newest_id_seen));
    json::add_string(p.get(), "page", c.page_token);
    json::add(p.get(), "items", items_to_json(c.uploaded));
    json::push(journal, std::move(p));
  }
  for (const auto& [id, at] : done_) {
    json::Json op = op_with_id("done", id);
    json::add_number(op.get(), "at", static_cast<double>(at));
    json::push(journal, std::move(op));
  }
}

}  // namespace store
