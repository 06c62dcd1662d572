// m365::EventApiClient: tells the Microsoft 365 Event API that a download task is complete
// (m365-connector-protocol.md §9.1, quirk 17 in §14): POST
// {base}/api/data/ondownloadcomplete/?jobId=J with an AAD bearer token from a TokenProvider,
// retried with backoff on 5xx/429/network, and with one fresh token after a 401.
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "core/limits.h"
#include "core/result.h"
#include "http/client.h"
#include "m365/blob_uploader.h"
#include "uv/loop.h"

namespace m365 {

inline constexpr char kDefaultEventApiBase[] = "https://webhook.ingestion.office.com";

// The "status" of a completion.
enum class TaskStatus : int { Success = 0, TemporaryFailure = 1, PermanentFailure = 2 };

struct ItemMetadata {
  std::string id;                          // Item.Id (tweet id)
  std::string modification_timestamp_utc;  // Item.SentTimeUtc, "yyyy-MM-ddTHH:mm:ss" (no zone)
  std::string file_name;                   // blob leaf name ("….json")
};

struct TokenResult {
  bool ok = false;
  std::string access_token;  // the bearer token; never logged
  core::Error error{core::Errc::Internal};
  bool permanent = false;  // e.g. a wrong client secret: retrying will not help
  std::string message;
};

// Supplies AAD app tokens for the Event API (implemented by the AAD token client).
class TokenProvider {
 public:
  using Callback = std::function<void(const TokenResult&)>;
  virtual ~TokenProvider() = default;
  // A token for the tenant: cb runs exactly once, later, from a loop callback.
  virtual void get_token(const std::string& tenant, Callback cb) = 0;
  // The Event API refused the token (401): the next get_token must fetch a new one.
  virtual void invalidate(const std::string& tenant) = 0;
};

// {"taskId":"…","status":N,"itemMetadata":[{"id":"…","modificationTimestampUtc":"…","fileName":"…"}]}
// compact, in that order. InvalidArgument/TooLarge (*message) for an empty task id, fields over
// limits::m365::kMaxEventFieldBytes or more than kMaxEventItems items.
core::Result<std::string> download_complete_body(std::string_view task_id, TaskStatus status,
                                                 const std::vector<ItemMetadata>& items,
                                                 std::string* message);
// "{base without trailing '/'}/api/data/ondownloadcomplete/?jobId={percent-encoded job id}".
// base must be an http(s) URL without query; InvalidArgument (*message) otherwise.
core::Result<std::string> download_complete_url(std::string_view base, std::string_view job_id,
                                                std::string* message);

struct Completion {
  std::string tenant;  // for the token
  std::string job_id;
  std::string task_id;
  TaskStatus status = TaskStatus::Success;
  std::vector<ItemMetadata> items;
};

struct EventResult {
  bool acknowledged = false;     // a 2xx answer arrived
  int http_status = 0;           // last status seen (0: none)
  uint32_t requests = 0;         // HTTP attempts, retries included
  bool token_refreshed = false;  // a 401 made us fetch a new token
  FailureClass failure = FailureClass::None;
  core::Error error{core::Errc::Internal};
  std::string message;  // never contains the token
};
using EventCallback = std::function<void(EventResult&)>;

class EventApiClient {
 public:
  struct Options {
    std::string base = kDefaultEventApiBase;  // CONNECTOR_EVENT_API_BASE
    http::RetryConfig retry{.max_attempts = core::limits::m365::kEventApiMaxAttempts};
    uint64_t timeout_ms =
        core::limits::client::kDefaultTotalTimeoutMs;  // per POST, retries included
  };
  // loop, client and tokens outlive this object.
  EventApiClient(uv::Loop& loop, http::Client& client, TokenProvider& tokens, Options options);
  // Drops completions in flight without callbacks.
  ~EventApiClient();
  EventApiClient(const EventApiClient&) = delete;
  EventApiClient& operator=(const EventApiClient&) = delete;

  // Validates (InvalidArgument/TooLarge with *message: cb never runs) and sends. cb runs
  // exactly once, later.
  core::Result<uint64_t> send(Completion completion, EventCallback cb,
                              std::string* message = nullptr);
  bool cancel(uint64_t id);
  size_t in_flight() const { return calls_.size(); }

 private:
  class Call;
  void finish(uint64_t id);

  uv::Loop& loop_;
  http::Client& client_;
  TokenProvider& tokens_;
  Options options_;
  uint64_t next_id_ = 1;
  std::unordered_map<uint64_t, std::shared_ptr<Call>> calls_;
};

}  // namespace m365
