// Implementation of store/indexed_store.h: call ordering, deferred delivery, close.
#include "store/indexed_store.h"

#include <utility>

namespace store {

using core::Errc;
using core::make_error;

IndexedStore::IndexedStore(uv_loop_t* loop, const core::Clock& clock)
    : loop_(loop), state_(clock), timer_(uv::Timer::create(loop, this)) {}

IndexedStore::~IndexedStore() {
  if (alive_) *alive_ = false;  // destroyed from inside a callback: flush() must stop
}

template <class T>
void IndexedStore::finish(Callback<T> cb, core::Result<T> result) {
  pending_.push_back(
      Pending{issued_, [cb = std::move(cb), r = std::move(result)](const core::Error* e) mutable {
                if (e)
                  cb(core::Result<T>(*e));
                else
                  cb(std::move(r));
              }});
  schedule();
}

template <class T>
bool IndexedStore::refuse(Callback<T>& cb) {
  if (closing_ || closed_) {
    finish(std::move(cb), core::Result<T>(make_error(Errc::Cancelled, "store is closed")));
    return true;
  }
  if (failed_) {
    finish(std::move(cb), core::Result<T>(*failed_));
    return true;
  }
  return false;
}

template <class T, class F>
void IndexedStore::mutate(Callback<T> cb, F&& f) {
  if (refuse(cb)) return;
  core::Status admitted = admit();
  if (!admitted) return finish(std::move(cb), core::Result<T>(admitted.error()));
  json::Json journal = json::array();
  core::Result<T> result = f(journal.get());
  if (cJSON_GetArraySize(journal.get()) > 0) commit(std::move(journal), ++issued_);
  finish(std::move(cb), std::move(result));
}

void IndexedStore::schedule() {
  if (pending_.empty() || (pending_.front().after > durable_ && !failed_)) return;
  if (!timer_)
    timer_ = uv::Timer::create(loop_, this);  // a call after close(): answered, then dropped
  if (!timer_->active()) timer_->start(0);
}

void IndexedStore::on_timer(uv::Timer*) { flush(); }

void IndexedStore::flush() {
  bool alive = true;
  alive_ = &alive;
  while (!pending_.empty()) {
    Pending& p = pending_.front();
    const core::Error* err = nullptr;
    if (p.after > durable_) {
      if (!failed_) break;  // still waiting for the disk
      err = &*failed_;
    }
    core::Error copy = err ? *err : core::Error{};
    auto deliver = std::move(p.deliver);
    pending_.pop_front();
    deliver(err ? &copy : nullptr);
    if (!alive) return;  // a callback destroyed the store
  }
  alive_ = nullptr;
  if (closed_) timer_.reset();  // nothing may stay open after close()
  maybe_finish_close();
}

void IndexedStore::on_durable(uint64_t seq) {
  if (seq > durable_) durable_ = seq;
  flush();
}

void IndexedStore::on_failed(core::Error error) {
  if (!failed_) failed_ = error;
  flush();
}

void IndexedStore::close(DoneCallback cb) {
  if (closing_ || closed_) {
    finish(std::move(cb), core::Status(make_error(Errc::Cancelled, "store is closed")));
    return;
  }
  closing_ = true;
  close_cb_ = std::move(cb);
  if (timer_ && !timer_->active()) timer_->start(0);  // finish on a later turn, never inside
}

void IndexedStore::maybe_finish_close() {
  if (!closing_ || closed_ || !pending_.empty() || commit_in_flight()) return;
  if (durable_ < issued_ && !failed_) return;
  closed_ = true;
  close_backend();
  timer_.reset();
  DoneCallback cb = std::move(close_cb_);
  core::Status st = failed_ ? core::Status(*failed_) : core::ok_status();
  cb(st);  // may destroy *this: nothing after this line
}

// --- reads ---------------------------------------------------------------------------------

void IndexedStore::get_settings(Callback<Settings> cb) {
  if (refuse(cb)) return;
  finish(std::move(cb), core::Result<Settings>(state_.settings()));
}

void IndexedStore::get_job(std::string job_id, Callback<Job> cb) {
  if (refuse(cb)) return;
  finish(std::move(cb), state_.job(job_id));
}

void IndexedStore::list_jobs(Callback<std::vector<Job>> cb) {
  if (refuse(cb)) return;
  finish(std::move(cb), core::Result<std::vector<Job>>(state_.jobs()));
}

void IndexedStore::get_checkpoint(std::string task_id, Callback<Checkpoint> cb) {
  if (refuse(cb)) return;
  finish(std::move(cb), state_.checkpoint(task_id));
}

void IndexedStore::list_tasks(Callback<std::vector<Task>> cb) {
  if (refuse(cb)) return;
  finish(std::move(cb), core::Result<std::vector<Task>>(state_.tasks()));
}

// --- writes --------------------------------------------------------------------------------

void IndexedStore::put_settings(Settings s, DoneCallback cb) {
  mutate(std::move(cb), [&](cJSON* j) { return state_.put_settings(std::move(s), j); });
}

void IndexedStore::put_job(Job job, DoneCallback cb) {
  mutate(std::move(cb), [&](cJSON* j) { return state_.put_job(std::move(job), j); });
}

void IndexedStore::link_account(Job job, DoneCallback cb) {
  mutate(std::move(cb), [&](cJSON* j) { return state_.link_account(std::move(job), j); });
}

void IndexedStore::delete_job(std::string job_id, DoneCallback cb) {
  mutate(std::move(cb), [&](cJSON* j) { return state_.delete_job(job_id, j); });
}

void IndexedStore::put_pending_auth(PendingAuth auth, DoneCallback cb) {
  mutate(std::move(cb), [&](cJSON* j) { return state_.put_pending_auth(std::move(auth), j); });
}

void IndexedStore::take_pending_auth(std::string token, Callback<PendingAuth> cb) {
  mutate(std::move(cb), [&](cJSON* j) { return state_.take_pending_auth(token, j); });
}

void IndexedStore::take_latest_pending_auth_for_job(std::string job_id, Callback<PendingAuth> cb) {
  mutate(std::move(cb),
         [&](cJSON* j) { return state_.take_latest_pending_auth_for_job(job_id, j); });
}

void IndexedStore::delete_pending_auths_for_job(std::string job_id, Callback<size_t> cb) {
  mutate(std::move(cb), [&](cJSON* j) {
    return core::Result<size_t>(state_.delete_pending_auths_for_job(job_id, j));
  });
}

void IndexedStore::enqueue_task(Task task, Callback<EnqueueOutcome> cb) {
  mutate(std::move(cb), [&](cJSON* j) { return state_.enqueue_task(std::move(task), j); });
}

void IndexedStore::lease_task(std::string owner, int64_t visibility_ms,
                              Callback<std::optional<Lease>> cb) {
  mutate(std::move(cb), [&](cJSON* j) { return state_.lease_task(owner, visibility_ms, j); });
}

void IndexedStore::extend_lease(std::string task_id, std::string lease_id, int64_t visibility_ms,
                                DoneCallback cb) {
  mutate(std::move(cb),
         [&](cJSON*) { return state_.extend_lease(task_id, lease_id, visibility_ms); });
}

void IndexedStore::release_task(std::string task_id, std::string lease_id, int64_t delay_ms,
                                DoneCallback cb) {
  mutate(std::move(cb), [&](cJSON*) { return state_.release_task(task_id, lease_id, delay_ms); });
}

void IndexedStore::save_progress(std::string task_id, std::string lease_id, Checkpoint delta,
                                 DoneCallback cb) {
  mutate(std::move(cb),
         [&](cJSON* j) { return state_.save_progress(task_id, lease_id, delta, j); });
}

void IndexedStore::complete_task(std::string task_id, std::string lease_id, TaskOutcome outcome,
                                 DoneCallback cb) {
  mutate(std::move(cb),
         [&](cJSON* j) { return state_.complete_task(task_id, lease_id, outcome, j); });
}

void IndexedStore::unpark_task(std::string task_id, DoneCallback cb) {
  mutate(std::move(cb), [&](cJSON* j) { return state_.unpark_task(task_id, j); });
}

void IndexedStore::delete_task(std::string task_id, DoneCallback cb) {
  mutate(std::move(cb), [&](cJSON* j) { return state_.delete_task(task_id, j); });
}

}  // namespace store
