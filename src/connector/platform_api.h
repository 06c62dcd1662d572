// The endpoints the Microsoft 365 connector platform calls (m365-connector-protocol.md §5):
//   GET    /job/IsCreated?jobId=J        -> {"IsJobCreated":true|false,"Reason":null}
//   DELETE /job/OnDeleted?jobId=J        -> 200 empty (job, tokens, tasks, sign-ins gone); 404
//   GET    /job/OnRemediation?jobId=J&remediationType=Relogin|Unknown|0|1 -> 200 empty (logged)
//   POST   /data/OnDownloadRequest       -> 200 empty once the task is durable in the Store
// Errors are JSON {"Message":"<what is wrong and what to do>"} as the reference's filter
// writes them. Register each behind the auth middleware:
//   router.get("/job/IsCreated", guard.protect(platform_api.is_created_handler()));
#pragma once

#include <functional>
#include <string>
#include <string_view>

#include "http/message.h"
#include "http/router.h"
#include "store/store.h"

namespace connector {

// {"Message": message} with the given status (the reference's error shape, protocol §4).
http::Response message_response(int status, std::string_view message);

// Whether the job has a connected Twitter account (the OAuth step finished and its tokens
// are stored): what IsCreated reports and what an import needs.
bool has_linked_account(const store::Job& job);

// Content-Type of a JSON request body: application/json or text/json (the two the reference's
// JSON formatter reads), any parameters (charset), any case; a missing header counts as JSON.
bool is_json_content_type(const http::Headers& headers);

struct PlatformApiOptions {
  std::string tenant_id;  // CONNECTOR_TENANT_ID: becomes each task's TenantId (protocol §7.4)
};

class PlatformApi {
 public:
  // store must outlive the api; the api must outlive the routes and the store's callbacks.
  PlatformApi(store::Store& store, PlatformApiOptions options)
      : store_(store), options_(std::move(options)) {}

  http::Handler is_created_handler();
  http::Handler on_deleted_handler();
  http::Handler on_remediation_handler();
  http::Handler on_download_request_handler();

  // Called after a download request was answered 200 for a task that is (now or already)
  // queued, so the worker looks for it at once instead of at its next poll. Not called for a
  // task the store reports as already done.
  void on_task_queued(std::function<void()> fn) { on_task_queued_ = std::move(fn); }

 private:
  struct Download;
  void is_created(http::Request& req, http::Responder res);
  void on_deleted(http::Request& req, http::Responder res);
  void on_remediation(http::Request& req, http::Responder res);
  void on_download_request(http::Request& req, http::Responder res);
  void check_settings(std::shared_ptr<Download> d);
  void check_job(std::shared_ptr<Download> d);
  void enqueue(std::shared_ptr<Download> d);

  store::Store& store_;
  PlatformApiOptions options_;
  std::function<void()> on_task_queued_;
};

}  // namespace connector
