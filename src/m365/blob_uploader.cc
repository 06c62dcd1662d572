// Implementation of blob_uploader.h. One Upload per item, a small state machine:
// Starting -> Reading <-> WaitingSource -> Sending (Put Blob | Put Block | Put Block List)
// -> Done. Starting waits for one loop turn so the callback never runs inside upload().
#include "m365/blob_uploader.h"

#include <algorithm>
#include <cstring>

#include "core/log.h"
#include "uv/timer.h"

namespace m365 {

using core::Errc;
namespace lim = core::limits::m365;

core::Result<size_t> StringItemSource::read(char* out, size_t cap, Waker*) {
  size_t n = std::min(cap, data_.size() - pos_);
  memcpy(out, data_.data() + pos_, n);
  pos_ += n;
  return n;
}

const char* failure_class_name(FailureClass c) {
  switch (c) {
    case FailureClass::None: return "none";
    case FailureClass::Temporary: return "temporary";
    case FailureClass::Permanent: return "permanent";
  }
  return "?";
}

namespace {

// Errors a later attempt may not meet again (network, server, a media source that timed out).
bool temporary_errc(Errc c) {
  switch (c) {
    case Errc::Dns:
    case Errc::ConnectRefused:
    case Errc::Connect:
    case Errc::Timeout:
    case Errc::ConnReset:
    case Errc::ConnClosed:
    case Errc::Tls:
    case Errc::Proxy:
    case Errc::HttpStatus:
    case Errc::RateLimited:
    case Errc::Busy:
    case Errc::Io: return true;
    default: return false;
  }
}

}  // namespace

void classify_failure(const http::ClientResult& r, const std::string& shown_url,
                      UploadResult* out) {
  if (!r.ok) {
    out->error = r.error;
    out->failure = temporary_errc(r.error.code) ? FailureClass::Temporary : FailureClass::Permanent;
    out->message = "blob storage request failed: " + r.message + " (" + shown_url + ")";
    if (out->failure == FailureClass::Temporary) out->message += "; the task can be retried later";
    return;
  }
  const http::ClientResponse& resp = r.response;
  out->http_status = resp.status;
  out->storage_code = storage_error_code(resp.body, resp.header("x-ms-error-code"));
  std::string code = out->storage_code.empty() ? std::string("no error code") : out->storage_code;
  std::string head =
      "blob storage answered " + std::to_string(resp.status) + " " + code + " for " + shown_url;
  int s = resp.status;
  if (s == 403) {
    out->error = core::make_error(Errc::Forbidden, "blob_upload", s);
    out->failure = FailureClass::Permanent;
    out->message = head +
                   ": the container SAS is expired, revoked or lacks write permission; "
                   "the platform must send the task again with a fresh BlobSasUri";
  } else if (s == 404) {
    out->error = core::make_error(Errc::NotFound, "blob_upload", s);
    out->failure = FailureClass::Permanent;
    out->message =
        head + ": the container does not exist (deleted, or the SAS URI names the wrong one)";
  } else if (s == 408 || s == 429 || s >= 500) {
    out->error =
        core::make_error(s == 429 ? Errc::RateLimited : Errc::HttpStatus, "blob_upload", s);
    out->failure = FailureClass::Temporary;
    out->message = head + " after " + std::to_string(resp.attempts) +
                   " attempts; the task can be retried later";
  } else {
    out->error = core::make_error(Errc::HttpStatus, "blob_upload", s);
    out->failure = FailureClass::Permanent;
    out->message = head + ": the request was refused and repeating it will not help";
  }
}

class BlobUploader::Upload final : public ItemSource::Waker,
                                   public http::ResponseHandler,
                                   public uv::Timer::Handler {
 public:
  enum class State { Starting, Reading, WaitingSource, Sending, Done };
  enum class Send { Blob, Block, BlockList };

  Upload(BlobUploader& owner, uint64_t id, ContainerSas sas, std::string name, std::string leaf,
         std::unique_ptr<ItemSource> source, UploadCallback cb)
      : owner_(owner),
        id_(id),
        sas_(std::move(sas)),
        source_(std::move(source)),
        cb_(std::move(cb)) {
    result_.blob_name = std::move(name);
    result_.file_name = std::move(leaf);
  }
  ~Upload() {
    if (request_id_ != 0) owner_.client_.cancel(request_id_);
  }

  void start() {
    timer_ = uv::Timer::create(owner_.loop_.get(), this);
    timer_->start(0);
  }

  void on_timer(uv::Timer*) override {
    timer_.reset();
    state_ = State::Reading;
    advance();
  }
  void on_readable() override {
    if (state_ != State::WaitingSource) return;
    state_ = State::Reading;
    advance();
  }
  void on_complete(uint64_t, http::ClientResult& r) override {
    request_id_ = 0;
    if (!r.ok || r.response.status < 200 || r.response.status > 299) {
      classify_failure(r, http::redact_url(sent_url_), &result_);
      return done();
    }
    switch (sending_) {
      case Send::Blob:
      case Send::BlockList: result_.ok = true; return done();
      case Send::Block:
        ++result_.blocks;
        state_ = State::Reading;
        return advance();
    }
  }

 private:
  // Fills the block buffer from the source until it is full, the item ends, or the source
  // has nothing yet; then sends what the state calls for.
  void advance() {
    const size_t cap = owner_.options_.block_bytes;
    while (state_ == State::Reading) {
      if (!ended_ && filled_ < cap) {
        if (filled_ == block_.size()) grow_block(cap);
        const size_t room = block_.size() - filled_;
        auto n = source_->read(block_.data() + filled_, room, this);
        if (!n.ok()) return fail_source(n.error());
        if (*n == ItemSource::kWouldBlock) {
          state_ = State::WaitingSource;
          return;
        }
        if (*n > room) return fail_source(core::make_error(Errc::Internal, "item_source"));
        if (*n == 0) ended_ = true;
        filled_ += *n;
        result_.bytes += *n;
        continue;
      }
      if (filled_ == cap) return send(Send::Block);      // full block: more may follow
      if (result_.blocks == 0) return send(Send::Blob);  // the whole item fit
      if (filled_ > 0) return send(Send::Block);         // the last, partial block
      return send(Send::BlockList);
    }
  }

  // Doubles the block buffer (first kBlobFirstBufferBytes) up to cap: a small item never
  // holds, nor zero-fills, a whole block.
  void grow_block(size_t cap) {
    block_.resize(std::min(cap, std::max(lim::kBlobFirstBufferBytes, block_.size() * 2)));
  }

  void send(Send what) {
    sending_ = what;
    http::ClientRequest req;
    req.method = "PUT";
    req.headers = {{"x-ms-version", kBlobApiVersion}};
    req.total_timeout_ms = owner_.options_.request_timeout_ms;
    req.retry = owner_.options_.retry;
    req.retry_safe =
        true;  // Put Blob / Put Block / Put Block List with the same data are idempotent
    req.max_body_bytes = lim::kMaxServiceAnswerBytes;
    if (what == Send::BlockList) {
      req.url = block_list_url(sas_, result_.blob_name);
      req.headers.push_back({"Content-Type", "application/xml; charset=utf-8"});
      req.headers.push_back({"x-ms-blob-content-type", kItemContentType});
      req.body = block_list_body(result_.blocks);
    } else {
      block_.resize(filled_);
      if (block_.capacity() > 2 * filled_) block_.shrink_to_fit();
      req.body = std::move(block_);  // the buffer travels with the request: one block in memory
      block_ = std::string();
      filled_ = 0;
      if (what == Send::Blob) {
        req.url = blob_url(sas_, result_.blob_name);
        req.headers.push_back({"x-ms-blob-type", "BlockBlob"});
        req.headers.push_back({"Content-Type", kItemContentType});
      } else {
        if (result_.blocks >= owner_.options_.max_blocks) return fail_too_large();
        req.url = block_url(sas_, result_.blob_name, block_id(result_.blocks));
      }
    }
    sent_url_ = req.url;
    state_ = State::Sending;
    auto id = owner_.client_.request(std::move(req), this);
    if (!id.ok()) {
      result_.error = id.error();
      result_.failure =
          id.error().code == Errc::Busy ? FailureClass::Temporary : FailureClass::Permanent;
      result_.message = std::string("blob storage request could not start: ") +
                        core::errc_message(id.error().code) + " (" + http::redact_url(sent_url_) +
                        ")";
      return done();
    }
    request_id_ = *id;
  }

  void fail_source(core::Error e) {
    result_.error = e;
    result_.failure = temporary_errc(e.code) ? FailureClass::Temporary : FailureClass::Permanent;
    result_.message = std::string("reading the item for blob ") + result_.blob_name +
                      " failed: " + core::errc_message(e.code) +
                      (e.where && *e.where ? std::string(" in ") + e.where : "");
    done();
  }

  void fail_too_large() {
    result_.error = core::make_error(Errc::TooLarge, "blob_upload");
    result_.failure = FailureClass::Permanent;
    result_.message = "item " + result_.blob_name + " needs more than " +
                      std::to_string(owner_.options_.max_blocks) + " blocks of " +
                      std::to_string(owner_.options_.block_bytes) +
                      " bytes, the most a block blob can hold";
    done();
  }

  // Last step: leaves the owner's table (this object dies), then runs the callback.
  void done() {
    state_ = State::Done;
    if (!result_.ok) {
      core::log::warn(
          "blob upload failed",
          {core::log::f("blob", result_.blob_name),
           core::log::f("class", failure_class_name(result_.failure)),
           core::log::f("status", result_.http_status), core::log::f("code", result_.storage_code),
           core::log::f("error", result_.message)});
    } else {
      core::log::debug("blob uploaded",
                       {core::log::f("blob", result_.blob_name),
                        core::log::f("bytes", static_cast<unsigned long long>(result_.bytes)),
                        core::log::f("blocks", result_.blocks)});
    }
    UploadCallback cb = std::move(cb_);
    UploadResult result = std::move(result_);
    owner_.finish(id_);  // deletes this
    cb(result);
  }

  BlobUploader& owner_;
  uint64_t id_;
  ContainerSas sas_;
  std::unique_ptr<ItemSource> source_;
  UploadCallback cb_;
  UploadResult result_;
  State state_ = State::Starting;
  Send sending_ = Send::Blob;
  uv::Ptr<uv::Timer> timer_;
  std::string block_;
  size_t filled_ = 0;
  bool ended_ = false;
  uint64_t request_id_ = 0;
  std::string sent_url_;
};

BlobUploader::BlobUploader(uv::Loop& loop, http::Client& client, Options options)
    : loop_(loop), client_(client), options_(options) {}

BlobUploader::~BlobUploader() { uploads_.clear(); }

core::Result<uint64_t> BlobUploader::upload(UploadRequest request, UploadCallback cb,
                                            std::string* message) {
  std::string scratch;
  std::string* msg = message ? message : &scratch;
  if (options_.block_bytes < lim::kMinBlobBlockBytes || options_.max_blocks == 0 ||
      options_.max_blocks > lim::kMaxBlobBlocks) {
    *msg = "blob uploader: block size must be at least " + std::to_string(lim::kMinBlobBlockBytes) +
           " bytes and the block count 1.." + std::to_string(lim::kMaxBlobBlocks);
    return core::make_error(Errc::InvalidArgument, "blob_upload");
  }
  if (!request.source || !cb) {
    *msg = "blob uploader: an item source and a callback are required";
    return core::make_error(Errc::InvalidArgument, "blob_upload");
  }
  auto sas = parse_container_sas(request.sas_uri, msg);
  if (!sas.ok()) return sas.error();
  std::string leaf = request.name + ".json";
  auto name = blob_name(request.job_id, request.task_id, leaf, msg);
  if (!name.ok()) return name.error();
  uint64_t id = next_id_++;
  auto up = std::make_unique<Upload>(*this, id, std::move(*sas), std::move(*name), std::move(leaf),
                                     std::move(request.source), std::move(cb));
  Upload* raw = up.get();
  uploads_.emplace(id, std::move(up));
  raw->start();
  return id;
}

bool BlobUploader::cancel(uint64_t upload_id) { return uploads_.erase(upload_id) > 0; }

void BlobUploader::finish(uint64_t id) { uploads_.erase(id); }

}  // namespace m365
