// Implementation of store/file_store.h. Threads: everything runs on the loop except work(),
// which touches only its WriteJob (fds, bytes, paths), one job at a time.
#include "store/file_store.h"

#include <errno.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cstdio>
#include <cstring>

#include "core/log.h"
#include "store/data_dir.h"
#include "store/log_format.h"
#include "store/records.h"

namespace store {
namespace {

namespace lim = core::limits;
using core::Errc;
using core::make_error;

constexpr const char* kFormatName = "twitter-connector-store";
constexpr int kFormatVersion = 1;

// The first record of every log. Numbers are fixed-width strings so the header's size does
// not depend on them: `base` (the snapshot's own size, header included) is known only after
// the header is framed.
std::string header_payload(uint64_t generation, uint64_t base) {
  char gen[24], len[24];
  snprintf(gen, sizeof gen, "%020llu", static_cast<unsigned long long>(generation));
  snprintf(len, sizeof len, "%020llu", static_cast<unsigned long long>(base));
  json::Json h = json::object();
  json::add_string(h.get(), "format", kFormatName);
  json::add_number(h.get(), "version", kFormatVersion);
  json::add_string(h.get(), "generation", gen);
  json::add_string(h.get(), "base", len);
  return json::dump(h.get());
}

// Reads the header record; the version is checked by the caller (it needs its own message).
core::Status parse_header(const cJSON* h, int64_t* version, uint64_t* generation, uint64_t* base) {
  auto format = json::get_string(h, "format");
  if (!format || *format != kFormatName) return make_error(Errc::Corrupt, "not a store log header");
  auto v = json::get_int(h, "version");
  auto gen = json::get_string(h, "generation");
  auto len = json::get_string(h, "base");
  if (!v || !gen || !len) return make_error(Errc::Corrupt, "store log header fields");
  auto gen_v = json::parse_u64(*gen);
  auto len_v = json::parse_u64(*len);
  if (!gen_v || !len_v || *gen_v == 0) return make_error(Errc::Corrupt, "store log header fields");
  *version = *v;
  *generation = *gen_v;
  *base = *len_v;
  return core::ok_status();
}

// Writes the mark into its slot and syncs it. Returns 0 or an errno.
int write_mark(int fd, const CommitMark& mark) {
  std::string slot = encode_mark(mark);
  off_t at = static_cast<off_t>((mark.counter % 2) * kMarkSlotBytes);
  for (;;) {
    ssize_t n = pwrite(fd, slot.data(), slot.size(), at);
    if (n < 0 && errno == EINTR) continue;
    if (n != static_cast<ssize_t>(slot.size())) return n < 0 ? errno : EIO;
    break;
  }
  return fdatasync(fd) == 0 ? 0 : errno;
}

// write(2) until done; EINTR and short writes are retried. Returns 0 or an errno.
int write_all(int fd, const std::string& bytes) {
  size_t off = 0;
  while (off < bytes.size()) {
    ssize_t n = write(fd, bytes.data() + off, bytes.size() - off);
    if (n < 0) {
      if (errno == EINTR) continue;
      return errno;
    }
    off += static_cast<size_t>(n);
  }
  return 0;
}

// Creates `tmp` with `bytes`, fsyncs it, renames it over `path` and fsyncs the directory.
// Returns the open fd of the new file (append mode) or -errno; `where` names the failed step.
int replace_file(const std::string& dir, const std::string& tmp, const std::string& path,
                 const std::string& bytes, const char** where) {
  int fd =
      open(tmp.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_APPEND | O_CLOEXEC | O_NOFOLLOW, 0600);
  if (fd < 0) return *where = "create temp log", -errno;
  int err = write_all(fd, bytes);
  if (err)
    *where = "write temp log";
  else if (fsync(fd) != 0)
    err = errno, *where = "fsync temp log";
  else if (rename(tmp.c_str(), path.c_str()) != 0)
    err = errno, *where = "rename temp log";
  else if (!fsync_dir(dir).ok())
    err = EIO, *where = "fsync data dir";
  if (err) {
    ::close(fd);
    unlink(tmp.c_str());
    return -err;
  }
  return fd;
}

std::string at_offset(const std::string& path, size_t offset) {
  return path + " at offset " + std::to_string(offset);
}

}  // namespace

struct FileStore::WriteJob {
  uv_work_t req;
  FileStore* owner;   // nullptr once the store is gone: the job then closes the fds
  int fd;             // log fd to append to (not used when compacting)
  int mark_fd;        // commit mark, written after the log is synced
  CommitMark mark;    // what the mark says once this job is durable
  int lock_fd = -1;   // handed over by a store destroyed mid-write
  std::string bytes;  // records to append, or the whole snapshot
  bool compact = false;
  std::string dir, path, tmp;
  uint64_t seq = 0;      // durable up to this commit once done
  int preset_errno = 0;  // fail without writing (test hook)
  core::Error preset{Errc::Internal};
  bool has_preset = false;
  // Results.
  int err = 0;
  const char* where = "";
  int new_fd = -1;
};

FileStore::FileStore(uv_loop_t* loop, const core::Clock& clock, Options options)
    : IndexedStore(loop, clock), opt_(std::move(options)) {
  log_path_ = opt_.dir + "/" + kLogName;
  tmp_path_ = opt_.dir + "/" + kTmpName;
  mark_path_ = opt_.dir + "/" + kMarkName;
}

FileStore::~FileStore() {
  if (job_) {  // the thread pool still writes: hand it our fds to close when it is done
    job_->owner = nullptr;
    job_->lock_fd = lock_fd_;
    lock_fd_ = -1;
    log_fd_ = -1;   // job_->fd
    mark_fd_ = -1;  // job_->mark_fd
    job_ = nullptr;
  }
  close_backend();
}

void FileStore::close_backend() {
  if (log_fd_ >= 0) ::close(log_fd_);
  if (mark_fd_ >= 0) ::close(mark_fd_);
  if (lock_fd_ >= 0) ::close(lock_fd_);  // releases the flock
  log_fd_ = mark_fd_ = lock_fd_ = -1;
}

core::Result<std::unique_ptr<FileStore>> FileStore::open(uv_loop_t* loop, const core::Clock& clock,
                                                         Options options, std::string* problem) {
  TC_TRY(prepare_data_dir(options.dir, problem));
  std::unique_ptr<FileStore> fs(new FileStore(loop, clock, std::move(options)));
  auto lock = lock_data_dir(fs->opt_.dir, problem);
  if (!lock) return lock.error();
  fs->lock_fd_ = *lock;
  if (unlink(fs->tmp_path_.c_str()) == 0)  // a rewrite that never reached its rename
    core::log::warn("store: removed an unfinished log rewrite",
                    {core::log::f("file", fs->tmp_path_)});
  fs->mark_fd_ = ::open(fs->mark_path_.c_str(), O_RDWR | O_CLOEXEC | O_NOFOLLOW);
  bool had_mark = fs->mark_fd_ >= 0;
  if (!had_mark && errno == ENOENT) {
    fs->mark_fd_ = ::open(fs->mark_path_.c_str(), O_RDWR | O_CREAT | O_CLOEXEC | O_NOFOLLOW, 0600);
  }
  if (fs->mark_fd_ < 0) {
    *problem = "cannot open " + fs->mark_path_ + ": " + strerror(errno);
    return make_error(Errc::Io, "open commit mark", errno);
  }
  if (had_mark) TC_TRY(check_private_file(fs->mark_path_, problem));
  struct stat st;
  if (lstat(fs->log_path_.c_str(), &st) != 0 && errno == ENOENT) {
    if (had_mark && fstat(fs->mark_fd_, &st) == 0 && st.st_size > 0) {
      *problem =
          fs->log_path_ + " is missing but " + fs->mark_path_ + " records committed data: the " +
          "store was deleted or moved. Restore the data dir from a backup; or, to start over, " +
          "remove " + fs->mark_path_ + " too (jobs must then be set up again).";
      return make_error(Errc::Corrupt, "store log missing");
    }
    TC_TRY(fs->create_log(problem));
  } else {
    TC_TRY(fs->load(problem));
  }
  fs->log_fd_ = ::open(fs->log_path_.c_str(), O_WRONLY | O_APPEND | O_CLOEXEC | O_NOFOLLOW);
  if (fs->log_fd_ < 0) {
    *problem = "cannot open " + fs->log_path_ + " for writing: " + strerror(errno);
    return make_error(Errc::Io, "open store log", errno);
  }
  return fs;
}

core::Status FileStore::write_mark_now(std::string* problem) {
  int err = write_mark(mark_fd_, CommitMark{generation_, log_bytes_, ++mark_counter_});
  if (err == 0) err = fsync_dir(opt_.dir).ok() ? 0 : EIO;
  if (err) {
    *problem = "cannot write " + mark_path_ + ": " + strerror(err);
    return make_error(Errc::Io, "write commit mark", err);
  }
  return core::ok_status();
}

core::Status FileStore::create_log(std::string* problem) {
  generation_ = 1;
  auto bytes = snapshot_bytes(generation_);
  if (!bytes) {
    *problem = "cannot build a new store: " + std::string(bytes.error().where);
    return bytes.error();
  }
  const char* where = "";
  int fd = replace_file(opt_.dir, tmp_path_, log_path_, *bytes, &where);
  if (fd < 0) {
    *problem = std::string("cannot create ") + log_path_ + " (" + where + "): " + strerror(-fd);
    return make_error(Errc::Io, where, -fd);
  }
  ::close(fd);
  log_bytes_ = snapshot_bytes_ = bytes->size();
  TC_TRY(write_mark_now(problem));
  core::log::info("store: created a new store", {core::log::f("file", log_path_)});
  return core::ok_status();
}

// The log must hold at least its own snapshot and everything the mark says was acknowledged.
core::Status FileStore::check_mark(size_t good_end, uint64_t base, std::string* problem) {
  const std::string advice =
      " Acknowledged changes are missing, so the store will not start. Restore the data dir from a "
      "backup; or, to accept the loss, move " +
      mark_path_ + " aside and restart.";
  if (good_end < base) {
    *problem = log_path_ + " is truncated: its snapshot is " + std::to_string(base) +
               " bytes but only " + std::to_string(good_end) + " are intact." + advice;
    return make_error(Errc::Corrupt, "store log truncated");
  }
  std::string bytes(2 * kMarkSlotBytes, '\0');
  ssize_t n = pread(mark_fd_, bytes.data(), bytes.size(), 0);
  if (n < 0) {
    *problem = "cannot read " + mark_path_ + ": " + strerror(errno);
    return make_error(Errc::Io, "read commit mark", errno);
  }
  bytes.resize(static_cast<size_t>(n));
  if (bytes.empty()) {  // a crash between creating the log and its first mark: nothing acknowledged
    core::log::warn("store: commit mark missing; recreating it",
                    {core::log::f("file", mark_path_)});
    return core::ok_status();
  }
  auto mark = pick_mark(bytes);
  if (!mark) {
    *problem = mark_path_ +
               " is damaged (no valid slot), so the store cannot prove nothing was lost." + advice;
    return make_error(Errc::Corrupt, "commit mark damaged");
  }
  mark_counter_ = mark->counter;
  if (mark->generation == generation_) {
    if (good_end < mark->length) {
      *problem = log_path_ + " is truncated: " + std::to_string(mark->length) +
                 " bytes were acknowledged but " + "only " + std::to_string(good_end) +
                 " are intact." + advice;
      return make_error(Errc::Corrupt, "store log truncated");
    }
    return core::ok_status();
  }
  // A crash between a snapshot rewrite's rename and its mark: the snapshot is complete (base).
  if (mark->generation + 1 == generation_) return core::ok_status();
  *problem = mark_path_ + " belongs to log generation " + std::to_string(mark->generation) +
             " but " + log_path_ + " is generation " + std::to_string(generation_) +
             ": the files come from " + "different copies of the store." + advice;
  return make_error(Errc::Corrupt, "commit mark mismatch");
}

core::Status FileStore::load(std::string* problem) {
  TC_TRY(check_private_file(log_path_, problem));
  int fd = ::open(log_path_.c_str(), O_RDWR | O_CLOEXEC | O_NOFOLLOW);
  struct stat st;
  if (fd < 0 || fstat(fd, &st) != 0) {
    *problem = "cannot read " + log_path_ + ": " + strerror(errno);
    if (fd >= 0) ::close(fd);
    return make_error(Errc::Io, "open store log", errno);
  }
  if (static_cast<uint64_t>(st.st_size) > lim::kMaxStoreLogBytes) {
    ::close(fd);
    *problem = log_path_ + " is " + std::to_string(st.st_size) + " bytes, over the " +
               std::to_string(lim::kMaxStoreLogBytes) + "-byte limit; it is not a store log this " +
               "version wrote: move it aside or restore the data dir from a backup";
    return make_error(Errc::TooLarge, "store log size");
  }
  std::string bytes(static_cast<size_t>(st.st_size), '\0');
  size_t got = 0;
  while (got < bytes.size()) {
    ssize_t n = pread(fd, bytes.data() + got, bytes.size() - got, static_cast<off_t>(got));
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) {
      *problem = "cannot read " + log_path_ + ": " + (n < 0 ? strerror(errno) : "file shrank");
      ::close(fd);
      return make_error(Errc::Io, "read store log", errno);
    }
    got += static_cast<size_t>(n);
  }
  const std::string advice =
      ". The store will not start on damaged data. Restore the data dir from a backup; or, to "
      "start over, move " +
      log_path_ + " and " + mark_path_ + " aside (jobs must then be set up again " +
      "and settings re-entered).";
  LogScan scan = scan_log(bytes, lim::kMaxStoreRecordBytes);
  if (scan.corrupt) {
    ::close(fd);
    *problem = "store log is corrupt: " + std::string(scan.corrupt_reason) + " in " +
               at_offset(log_path_, scan.corrupt_offset) + advice;
    return make_error(Errc::Corrupt, scan.corrupt_reason);
  }
  if (scan.records.empty()) {
    ::close(fd);
    *problem = "store log " + log_path_ + " has no intact header record" + advice;
    return make_error(Errc::Corrupt, "store log header");
  }
  bool plain_secrets = false;
  uint64_t base = 0;
  for (size_t i = 0; i < scan.records.size(); ++i) {
    const LogRecord& rec = scan.records[i];
    auto tree = json::parse(rec.payload);
    core::Status st_rec = tree.ok() ? core::ok_status() : core::Status(tree.error());
    if (st_rec.ok() && i == 0) {
      int64_t version = 0;
      st_rec = parse_header(tree->get(), &version, &generation_, &base);
      if (st_rec.ok() && version != kFormatVersion) {
        ::close(fd);
        *problem = log_path_ + " uses store format version " + std::to_string(version) +
                   "; this build reads version " + std::to_string(kFormatVersion) +
                   ": run the version that wrote it, or restore a backup";
        return make_error(Errc::Config, "store format version");
      }
    } else if (st_rec.ok()) {
      if (!cJSON_IsArray(tree->get()))
        st_rec = make_error(Errc::Corrupt, "record is not an op list");
      if (st_rec.ok() && opt_.codec && has_plain_secrets(tree->get())) plain_secrets = true;
      if (st_rec.ok()) st_rec = open_secrets(tree->get(), opt_.codec);
      for (const cJSON* op = st_rec.ok() ? tree->get()->child : nullptr; op && st_rec.ok();
           op = op->next)
        st_rec = state().apply(op);
    }
    if (!st_rec.ok()) {
      ::close(fd);
      if (st_rec.error().code == Errc::Crypto) {
        *problem = std::string("cannot read the secrets in ") + at_offset(log_path_, rec.offset) +
                   ": " + st_rec.error().where +
                   ". Start with the data key this store was written with.";
        return st_rec.error();
      }
      *problem = "store log is corrupt: " + std::string(st_rec.error().where) + " in record at " +
                 at_offset(log_path_, rec.offset) + advice;
      return make_error(Errc::Corrupt, st_rec.error().where);
    }
  }
  core::Status marked = check_mark(scan.good_end, base, problem);
  if (!marked.ok()) {
    ::close(fd);
    return marked;
  }
  if (scan.torn_bytes > 0) {
    core::log::warn(
        "store: dropped an incomplete last record left by a crash (it was never acknowledged)",
        {core::log::f("file", log_path_), core::log::f("offset", scan.good_end),
         core::log::f("bytes", scan.torn_bytes)});
    if (ftruncate(fd, static_cast<off_t>(scan.good_end)) != 0 || fsync(fd) != 0) {
      *problem = "cannot truncate the torn tail of " + log_path_ + ": " + strerror(errno);
      ::close(fd);
      return make_error(Errc::Io, "truncate store log", errno);
    }
  }
  ::close(fd);
  log_bytes_ = scan.good_end;
  snapshot_bytes_ = base;
  state().purge_expired_auths();
  core::log::info(
      "store: loaded",
      {core::log::f("file", log_path_), core::log::f("bytes", log_bytes_),
       core::log::f("records", scan.records.size()), core::log::f("jobs", state().job_count()),
       core::log::f("tasks", state().task_count())});
  if (plain_secrets) {  // a data key was added: seal what was written in clear, now
    core::log::info("store: sealing secrets stored in clear with the data key",
                    {core::log::f("file", log_path_)});
    return rewrite_log_now(problem);
  }
  return write_mark_now(problem);
}

core::Status FileStore::rewrite_log_now(std::string* problem) {
  auto bytes = snapshot_bytes(generation_ + 1);
  if (!bytes) {
    *problem = "cannot seal secrets for " + log_path_ + ": " + bytes.error().where;
    return bytes.error();
  }
  const char* where = "";
  int fd = replace_file(opt_.dir, tmp_path_, log_path_, *bytes, &where);
  if (fd < 0) {
    *problem = std::string("cannot rewrite ") + log_path_ + " (" + where + "): " + strerror(-fd);
    return make_error(Errc::Io, where, -fd);
  }
  ::close(fd);
  ++generation_;
  log_bytes_ = snapshot_bytes_ = bytes->size();
  return write_mark_now(problem);
}

core::Result<std::string> FileStore::serialize(json::Json ops) {
  TC_TRY(seal_secrets(ops.get(), opt_.codec));
  std::string payload = json::dump(ops.get());
  if (payload.size() > lim::kMaxStoreRecordBytes) return make_error(Errc::TooLarge, "store record");
  std::string out;
  frame_record(payload, &out);
  return out;
}

core::Result<std::string> FileStore::snapshot_bytes(uint64_t generation) {
  std::string body;
  json::Json all = json::array();
  state().snapshot(all.get());
  // One record per op keeps every record far below the record limit.
  while (cJSON* op = cJSON_DetachItemFromArray(all.get(), 0)) {
    json::Json one = json::array();
    json::push(one.get(), json::Json(op));
    auto rec = serialize(std::move(one));
    if (!rec) return rec.error();
    body += *rec;
  }
  std::string head;
  frame_record(header_payload(generation, 0), &head);
  size_t base = head.size() + body.size();  // the header's size does not depend on its numbers
  head.clear();
  frame_record(header_payload(generation, base), &head);
  return head + body;
}

core::Status FileStore::admit() {
  if (batch_.size() > opt_.max_pending_bytes) return make_error(Errc::Busy, "store write backlog");
  return core::ok_status();
}

void FileStore::commit(json::Json ops, uint64_t seq) {
  auto rec = serialize(std::move(ops));
  if (!rec) {
    // Cannot be written, yet already in the index: the store must stop (see indexed_store.h).
    core::log::error("store: cannot serialise a change",
                     {core::log::f("where", rec.error().where)});
    if (!pending_error_) pending_error_ = rec.error();
    batch_seq_ = seq;
    if (!job_) start_write();
    return;
  }
  batch_ += *rec;
  batch_seq_ = seq;
  if (!job_) start_write();
}

void FileStore::start_write() {
  auto* job = new WriteJob();
  job->req.data = job;
  job->owner = this;
  job->fd = log_fd_;
  job->mark_fd = mark_fd_;
  job->dir = opt_.dir;
  job->path = log_path_;
  job->tmp = tmp_path_;
  job->seq = batch_seq_;
  job->preset_errno = fail_next_errno_;
  fail_next_errno_ = 0;
  size_t threshold = std::max(opt_.compact_min_bytes, 2 * snapshot_bytes_);
  if (pending_error_) {
    job->preset = *pending_error_;
    job->has_preset = true;
  } else if (log_bytes_ + batch_.size() > threshold) {
    // The index already holds every change in batch_, so the snapshot covers them.
    auto snap = snapshot_bytes(generation_ + 1);
    if (snap) {
      job->compact = true;
      job->bytes = std::move(*snap);
      job->mark = CommitMark{generation_ + 1, job->bytes.size(), ++mark_counter_};
    } else {
      job->preset = snap.error();
      job->has_preset = true;
    }
    batch_.clear();
  } else {
    job->bytes.swap(batch_);
    job->mark = CommitMark{generation_, log_bytes_ + job->bytes.size(), ++mark_counter_};
  }
  job_ = job;
  int rc = uv_queue_work(loop(), &job->req, &FileStore::work, &FileStore::after_work);
  if (rc != 0) {  // cannot happen with a valid loop and callbacks
    fprintf(stderr, "fatal: uv_queue_work: %s\n", uv_strerror(rc));
    abort();
  }
}

void FileStore::work(uv_work_t* req) {
  auto* job = static_cast<WriteJob*>(req->data);
  if (job->has_preset) return;
  if (job->preset_errno) {
    job->err = job->preset_errno;
    job->where = "write store log";
    return;
  }
  if (job->compact) {
    int fd = replace_file(job->dir, job->tmp, job->path, job->bytes, &job->where);
    if (fd < 0) {
      job->err = -fd;
      return;
    }
    ::close(job->fd);
    job->new_fd = fd;
  } else {
    job->err = write_all(job->fd, job->bytes);
    if (job->err) {
      job->where = "write store log";
      return;
    }
    if (fdatasync(job->fd) != 0) {
      job->err = errno;
      job->where = "fdatasync store log";
      return;
    }
  }
  // Only now is the change acknowledged: the mark says these bytes must exist.
  job->err = write_mark(job->mark_fd, job->mark);
  if (job->err) job->where = "write commit mark";
}

void FileStore::after_work(uv_work_t* req, int) {
  auto* job = static_cast<WriteJob*>(req->data);
  if (!job->owner) {  // the store was destroyed while we wrote
    ::close(job->new_fd >= 0 ? job->new_fd : job->fd);
    ::close(job->mark_fd);
    if (job->lock_fd >= 0) ::close(job->lock_fd);
    delete job;
    return;
  }
  job->owner->on_written(job);
}

void FileStore::on_written(WriteJob* job) {
  job_ = nullptr;
  std::unique_ptr<WriteJob> hold(job);
  if (job->has_preset || job->err) {
    core::Error e = job->has_preset ? job->preset : make_error(Errc::Io, job->where, job->err);
    core::log::error(
        "store: write failed; the store stops accepting changes, restart the service",
        {core::log::f("file", log_path_), core::log::f("step", e.where),
         core::log::f("error", job->err ? strerror(job->err) : core::errc_message(e.code))});
    on_failed(e);
    return;
  }
  if (job->compact) {
    log_fd_ = job->new_fd;
    ++generation_;
    log_bytes_ = snapshot_bytes_ = job->bytes.size();
    ++compactions_;
    core::log::info("store: log rewritten as a snapshot", {core::log::f("bytes", log_bytes_)});
  } else {
    log_bytes_ += job->bytes.size();
  }
  if (!batch_.empty()) start_write();  // group commit: everything that queued meanwhile
  on_durable(job->seq);                // may run callbacks that destroy us: last
}

}  // namespace store
