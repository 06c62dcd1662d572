// Store on top of the in-memory State (store/state.h): the part MemoryStore and FileStore
// share. It runs each call against the index at once (so consecutive calls see each other),
// hands the resulting ops to the backend's commit(), and delivers callbacks in call order on a
// later loop turn, each only once every write issued up to its call is durable. After a
// failed write the index may hold changes the disk does not: the store then fails every
// pending and later call with that error (the process should exit; the next open reloads what
// is durable), as retrying an fsync cannot be trusted.
#pragma once

#include <uv.h>

#include <deque>
#include <functional>
#include <optional>

#include "core/clock.h"
#include "json/json.h"
#include "store/state.h"
#include "store/store.h"
#include "uv/timer.h"

namespace store {

class IndexedStore : public Store, private uv::Timer::Handler {
 public:
  ~IndexedStore() override;

  // Finishes every call made so far (their callbacks run first), closes the store's handles
  // and files, then calls cb. Later calls fail with Errc::Cancelled. Call it once; the store
  // may be destroyed after cb. Destroying it without close() drops pending callbacks.
  void close(DoneCallback cb);
  // The write error that stopped the store, if any.
  std::optional<core::Error> failure() const { return failed_; }

  void get_settings(Callback<Settings> cb) override;
  void put_settings(Settings settings, DoneCallback cb) override;
  void get_job(std::string job_id, Callback<Job> cb) override;
  void list_jobs(Callback<std::vector<Job>> cb) override;
  void put_job(Job job, DoneCallback cb) override;
  void link_account(Job job, DoneCallback cb) override;
  void delete_job(std::string job_id, DoneCallback cb) override;
  void put_pending_auth(PendingAuth auth, DoneCallback cb) override;
  void take_pending_auth(std::string request_token, Callback<PendingAuth> cb) override;
  void take_latest_pending_auth_for_job(std::string job_id, Callback<PendingAuth> cb) override;
  void delete_pending_auths_for_job(std::string job_id, Callback<size_t> cb) override;
  void enqueue_task(Task task, Callback<EnqueueOutcome> cb) override;
  void lease_task(std::string owner, int64_t visibility_ms,
                  Callback<std::optional<Lease>> cb) override;
  void extend_lease(std::string task_id, std::string lease_id, int64_t visibility_ms,
                    DoneCallback cb) override;
  void release_task(std::string task_id, std::string lease_id, int64_t delay_ms,
                    DoneCallback cb) override;
  void save_progress(std::string task_id, std::string lease_id, Checkpoint delta,
                     DoneCallback cb) override;
  void get_checkpoint(std::string task_id, Callback<Checkpoint> cb) override;
  void complete_task(std::string task_id, std::string lease_id, TaskOutcome outcome,
                     DoneCallback cb) override;
  void list_tasks(Callback<std::vector<Task>> cb) override;
  void unpark_task(std::string task_id, DoneCallback cb) override;
  void delete_task(std::string task_id, DoneCallback cb) override;

 protected:
  IndexedStore(uv_loop_t* loop, const core::Clock& clock);

  // Backend hooks. commit() makes `ops` (a non-empty JSON array) durable as one atomic
  // record after every earlier commit, then calls on_durable(seq) or on_failed() from a later
  // loop callback (never from inside commit). admit() may refuse new writes (Busy).
  virtual void commit(json::Json ops, uint64_t seq) = 0;
  virtual core::Status admit() { return core::ok_status(); }
  // Called once by close() when every commit has finished; releases files. Default: nothing.
  virtual void close_backend() {}
  // Whether a commit is still running (close waits for it).
  virtual bool commit_in_flight() const = 0;
  void on_durable(uint64_t seq);
  // For backends that are durable at once (memory): records it without delivering anything.
  void set_durable(uint64_t seq) {
    if (seq > durable_) durable_ = seq;
  }
  void on_failed(core::Error error);
  State& state() { return state_; }
  uv_loop_t* loop() { return loop_; }

 private:
  struct Pending {
    uint64_t after;                                   // delivered once durable_ >= after
    std::function<void(const core::Error*)> deliver;  // error = store failed before `after`
  };

  template <class T>
  void finish(Callback<T> cb, core::Result<T> result);
  // Runs f(journal) against the index and commits what it changed.
  template <class T, class F>
  void mutate(Callback<T> cb, F&& f);
  template <class T>
  bool refuse(Callback<T>& cb);  // true (and cb answered) when closed or failed
  void schedule();
  void flush();
  void maybe_finish_close();
  void on_timer(uv::Timer* timer) override;

  uv_loop_t* loop_;
  State state_;
  uv::Ptr<uv::Timer> timer_;     // zero-delay timer that delivers callbacks on a later turn
  std::deque<Pending> pending_;  // callbacks in call order
  uint64_t issued_ = 0;          // seq of the last commit handed to the backend
  uint64_t durable_ = 0;         // every commit <= durable_ is on disk
  std::optional<core::Error> failed_;
  bool closing_ = false;
  bool closed_ = false;
  DoneCallback close_cb_;
  bool* alive_ = nullptr;  // set while flush() runs user callbacks (destroy-safety)
};

}  // namespace store
