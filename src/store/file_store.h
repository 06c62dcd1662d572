// FileStore: the embedded default backend, one append-only log under CONNECTOR_DATA_DIR.
// Each call's changes are one checksummed record; records written in the same loop turns are
// group-committed with one write + fdatasync on libuv's thread pool (uv_queue_work), strictly
// in order, one batch in flight. When the log outgrows the live data it is rewritten as a
// snapshot (temp file, fsync, rename, fsync of the directory). Startup loads and checks the
// whole log synchronously, before the server listens. Format: docs/internals/store.md.
#pragma once

#include <uv.h>

#include <memory>
#include <optional>
#include <string>

#include "core/limits.h"
#include "store/indexed_store.h"

namespace store {

class FileStore final : public IndexedStore {
 public:
  struct Options {
    std::string dir;               // the data dir (CONNECTOR_DATA_DIR)
    SecretCodec* codec = nullptr;  // seals secrets on disk; nullptr = stored as-is (0600)
    // Rewrite the log once it exceeds this and twice the last snapshot (tests lower it).
    size_t compact_min_bytes = core::limits::kStoreCompactMinBytes;
    // Changes queued behind the write in flight before calls get Busy (tests lower it).
    size_t max_pending_bytes = core::limits::kMaxStorePendingBytes;
  };

  // Prepares the dir, takes the lock and loads the log (blocking). On failure *problem holds
  // a message for the admin: what is wrong, in which file and at which offset, what to do.
  // loop, clock and codec must outlive the store.
  static core::Result<std::unique_ptr<FileStore>> open(uv_loop_t* loop, const core::Clock& clock,
                                                       Options options, std::string* problem);
  ~FileStore() override;

  static constexpr const char* kLogName = "state.log";
  static constexpr const char* kTmpName = "state.log.tmp";
  static constexpr const char* kMarkName = "state.mark";

  // Size of the log file as written so far.
  size_t log_bytes() const { return log_bytes_; }
  // Number of snapshot rewrites done since open.
  size_t compactions() const { return compactions_; }
  // The next commit fails with this errno (as if write(2) had), to test the failure path.
  void fail_next_write_for_test(int err) { fail_next_errno_ = err; }

 private:
  struct WriteJob;
  FileStore(uv_loop_t* loop, const core::Clock& clock, Options options);
  core::Status load(std::string* problem);
  core::Status check_mark(size_t good_end, uint64_t base, std::string* problem);
  core::Status create_log(std::string* problem);
  core::Status rewrite_log_now(std::string* problem);
  core::Status write_mark_now(std::string* problem);
  core::Result<std::string> serialize(json::Json ops);
  core::Result<std::string> snapshot_bytes(uint64_t generation);

  void commit(json::Json ops, uint64_t seq) override;
  core::Status admit() override;
  bool commit_in_flight() const override { return job_ != nullptr; }
  void close_backend() override;
  void start_write();
  static void work(uv_work_t* req);
  static void after_work(uv_work_t* req, int status);
  void on_written(WriteJob* job);

  Options opt_;
  std::string log_path_, tmp_path_, mark_path_;
  int lock_fd_ = -1;
  int log_fd_ = -1;
  int mark_fd_ = -1;
  uint64_t generation_ = 0;    // of the current log (its header says so)
  uint64_t mark_counter_ = 0;  // writes of the commit mark
  size_t log_bytes_ = 0;       // bytes in the log file (durable or being written)
  size_t snapshot_bytes_ = 0;  // size of the log right after the last rewrite
  std::string batch_;          // framed records waiting for the next write
  uint64_t batch_seq_ = 0;     // highest commit seq inside batch_
  WriteJob* job_ = nullptr;    // the write in flight (one at a time keeps the order)
  size_t compactions_ = 0;
  int fail_next_errno_ = 0;
  std::optional<core::Error> pending_error_;  // a change that could not be serialised
};

}  // namespace store
