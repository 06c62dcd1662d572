// m365::BlobUploader: uploads one Item JSON through a task's container SAS URI
// (m365-connector-protocol.md §10) as {container}/{jobId}/{taskId}/{name}.json. An item up to
// limits::m365::kBlobBlockBytes goes in one Put Blob; a larger one is pulled from its
// ItemSource block by block (Put Block, then Put Block List), so memory stays at one block
// per upload whatever the item's size. Failures are classed Temporary or Permanent.
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <unordered_map>

#include "core/limits.h"
#include "core/result.h"
#include "http/client.h"
#include "m365/blob_address.h"
#include "uv/loop.h"

namespace m365 {

// Pull-based item body. read() copies up to cap bytes into out and returns how many (0 means
// the item is complete), or kWouldBlock when no byte is ready yet (e.g. the Item JSON waits
// for the next piece of a media download): the source then calls waker->on_readable() once,
// later, from a loop callback, and read() is called again. An error aborts the upload.
class ItemSource {
 public:
  static constexpr size_t kWouldBlock = SIZE_MAX;
  class Waker {
   public:
    virtual void on_readable() = 0;

   protected:
    ~Waker() = default;
  };
  virtual ~ItemSource() = default;
  virtual core::Result<size_t> read(char* out, size_t cap, Waker* waker) = 0;
};

// An item already in memory (small items, tests).
class StringItemSource final : public ItemSource {
 public:
  explicit StringItemSource(std::string data) : data_(std::move(data)) {}
  core::Result<size_t> read(char* out, size_t cap, Waker* waker) override;

 private:
  std::string data_;
  size_t pos_ = 0;
};

// Whether retrying later can help: the pipeline reports TemporaryFailure (1) or
// PermanentFailure (2) to the Event API accordingly.
enum class FailureClass { None, Temporary, Permanent };
const char* failure_class_name(FailureClass c);

struct UploadResult {
  bool ok = false;
  std::string file_name;  // leaf name for itemMetadata ("{name}.json")
  std::string blob_name;  // "{jobId}/{taskId}/{name}.json"
  uint64_t bytes = 0;     // item bytes sent
  uint32_t blocks = 0;    // 0: a single Put Blob
  FailureClass failure = FailureClass::None;
  core::Error error{core::Errc::Internal};
  int http_status = 0;       // last status when a response arrived
  std::string storage_code;  // e.g. "AuthenticationFailed", "ContainerNotFound"
  std::string message;       // what went wrong and what to do; URLs redacted (no sig)
};
using UploadCallback = std::function<void(UploadResult&)>;

struct UploadRequest {
  std::string sas_uri;  // the task's BlobSasUri
  std::string job_id;
  std::string task_id;
  std::string name;  // leaf name without ".json"
  std::unique_ptr<ItemSource> source;
};

// Maps a final storage answer or transport failure to an UploadResult's failure fields.
// Pure (exposed for tests): 403 -> Permanent Forbidden (expired or invalid SAS), 404 ->
// Permanent NotFound, other 4xx except 408/429 -> Permanent; 408/429/5xx and transport errors
// -> Temporary, except certificate problems, which retrying cannot fix (Permanent).
void classify_failure(const http::ClientResult& r, const std::string& shown_url, UploadResult* out);

class BlobUploader {
 public:
  struct Options {
    size_t block_bytes = core::limits::m365::kBlobBlockBytes;
    uint32_t max_blocks = core::limits::m365::kMaxBlobBlocks;
    uint64_t request_timeout_ms = core::limits::m365::kBlobRequestTimeoutMs;
    http::RetryConfig retry;  // per request; every request here is idempotent (PUT)
  };

  // client and loop outlive the uploader (client runs on loop).
  BlobUploader(uv::Loop& loop, http::Client& client, Options options);
  // Drops uploads in flight: their callbacks do not run.
  ~BlobUploader();
  BlobUploader(const BlobUploader&) = delete;
  BlobUploader& operator=(const BlobUploader&) = delete;

  // Validates the request and starts it. Errors (InvalidArgument: SAS URI, names, options;
  // *message says what is wrong) mean cb never runs. Otherwise cb runs exactly once, later.
  core::Result<uint64_t> upload(UploadRequest request, UploadCallback cb,
                                std::string* message = nullptr);
  // Stops an upload; its callback does not run. false if unknown or finished.
  bool cancel(uint64_t upload_id);
  size_t in_flight() const { return uploads_.size(); }

 private:
  class Upload;
  void finish(uint64_t id);

  uv::Loop& loop_;
  http::Client& client_;
  Options options_;
  uint64_t next_id_ = 1;
  std::unordered_map<uint64_t, std::unique_ptr<Upload>> uploads_;
};

}  // namespace m365
