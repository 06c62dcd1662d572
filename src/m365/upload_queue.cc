// Implementation of upload_queue.h.
#include "m365/upload_queue.h"

#include <algorithm>
#include <cstdlib>

#include "core/limits.h"

namespace m365 {

namespace lim = core::limits::m365;

core::Result<size_t> parse_upload_concurrency(std::string_view text, std::string* message) {
  size_t v = 0;
  bool ok = !text.empty() && text.size() <= 4;
  for (char c : text) {
    if (c < '0' || c > '9')
      ok = false;
    else
      v = v * 10 + static_cast<size_t>(c - '0');
  }
  if (!ok || v < 1 || v > lim::kMaxUploadConcurrency) {
    if (message)
      *message = "CONNECTOR_UPLOAD_CONCURRENCY must be a whole number from 1 to " +
                 std::to_string(lim::kMaxUploadConcurrency) +
                 " (uploads in flight at once; default " +
                 std::to_string(lim::kDefaultUploadConcurrency) + "), got '" +
                 std::string(text.substr(0, 32)) + "'";
    return core::make_error(core::Errc::Config, "CONNECTOR_UPLOAD_CONCURRENCY");
  }
  return v;
}

core::Result<size_t> upload_concurrency_from_environment(std::string* message) {
  const char* v = getenv("CONNECTOR_UPLOAD_CONCURRENCY");
  if (!v || !*v) return lim::kDefaultUploadConcurrency;
  return parse_upload_concurrency(v, message);
}

UploadQueue::UploadQueue(BlobUploader& uploader, size_t max_in_flight)
    : uploader_(uploader),
      max_in_flight_(std::clamp<size_t>(max_in_flight, 1, lim::kMaxUploadConcurrency)) {}

UploadQueue::~UploadQueue() {
  for (const auto& [ticket, id] : ids_) uploader_.cancel(id);
}

core::Status UploadQueue::submit(UploadRequest request, UploadCallback cb, std::string* message) {
  Waiting w{std::move(request), std::move(cb)};
  if (running_ < max_in_flight_ && waiting_.empty()) return start(w, message);
  // Validate now so a bad request is refused here, not after waiting its turn.
  auto sas = parse_container_sas(w.request.sas_uri, message);
  if (!sas.ok()) return sas.error();
  auto name = blob_name(w.request.job_id, w.request.task_id, w.request.name + ".json", message);
  if (!name.ok()) return name.error();
  if (!w.request.source || !w.cb) {
    if (message) *message = "upload queue: an item source and a callback are required";
    return core::make_error(core::Errc::InvalidArgument, "upload_queue");
  }
  if (waiting_.size() >= lim::kMaxQueuedUploads) {
    if (message)
      *message = "upload queue is full (" + std::to_string(lim::kMaxQueuedUploads) + " waiting)";
    return core::make_error(core::Errc::Busy, "upload_queue");
  }
  waiting_.push_back(std::move(w));
  return core::ok_status();
}

core::Status UploadQueue::start(Waiting& w, std::string* message) {
  uint64_t ticket = next_ticket_++;
  auto id = uploader_.upload(
      std::move(w.request),
      [this, ticket, user_cb = std::move(w.cb)](UploadResult& r) {
        ids_.erase(ticket);
        --running_;
        pump();
        user_cb(r);
      },
      message);
  if (!id.ok()) return id.error();
  ids_.emplace(ticket, *id);
  ++running_;
  peak_running_ = std::max(peak_running_, running_);
  return core::ok_status();
}

// Starts waiting uploads while there is room. Runs from an upload's completion (a loop
// callback), so a refused start is reported through the waiting upload's callback.
void UploadQueue::pump() {
  while (running_ < max_in_flight_ && !waiting_.empty()) {
    Waiting w = std::move(waiting_.front());
    waiting_.pop_front();
    UploadCallback cb = w.cb;
    std::string why;
    auto st = start(w, &why);
    if (!st.ok()) {
      UploadResult r;
      r.error = st.error();
      r.failure = FailureClass::Permanent;
      r.message = why;
      cb(r);
    }
  }
}

}  // namespace m365
