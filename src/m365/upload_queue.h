// m365::UploadQueue: runs item uploads through a BlobUploader with at most N in flight
// (CONNECTOR_UPLOAD_CONCURRENCY, default limits::m365::kDefaultUploadConcurrency), the rest
// waiting in submission order in a bounded queue. Each holds one block in memory while it
// runs, so N bounds both the connections to storage and the memory uploads use.
#pragma once

#include <cstdint>
#include <deque>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>

#include "m365/blob_uploader.h"

namespace m365 {

// Parses a CONNECTOR_UPLOAD_CONCURRENCY value: a decimal 1..kMaxUploadConcurrency.
// Config error with *message otherwise.
core::Result<size_t> parse_upload_concurrency(std::string_view text, std::string* message);
// The setting from the environment (unset or empty: the default).
core::Result<size_t> upload_concurrency_from_environment(std::string* message);

class UploadQueue {
 public:
  UploadQueue(BlobUploader& uploader, size_t max_in_flight);
  // Drops waiting and running uploads without callbacks.
  ~UploadQueue();
  UploadQueue(const UploadQueue&) = delete;
  UploadQueue& operator=(const UploadQueue&) = delete;

  // Validates like BlobUploader::upload (errors: cb never runs) and queues. Busy when
  // kMaxQueuedUploads wait already. cb runs exactly once, later, with the upload's result.
  core::Status submit(UploadRequest request, UploadCallback cb, std::string* message = nullptr);

  size_t running() const { return running_; }
  size_t waiting() const { return waiting_.size(); }
  size_t peak_running() const { return peak_running_; }

 private:
  struct Waiting {
    UploadRequest request;
    UploadCallback cb;
  };
  void pump();
  core::Status start(Waiting& w, std::string* message);

  BlobUploader& uploader_;
  size_t max_in_flight_;
  size_t running_ = 0;
  size_t peak_running_ = 0;
  std::deque<Waiting> waiting_;
  uint64_t next_ticket_ = 1;
  std::unordered_map<uint64_t, uint64_t> ids_;  // ticket -> upload id, for running uploads
};

}  // namespace m365
