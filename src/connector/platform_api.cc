// Implementation of connector/platform_api.h. A download request runs as a short chain of
// store calls (settings -> job -> enqueue), each answering the caller on failure; the 200 is
// sent only from the enqueue callback, i.e. once the task is durable, so a crash after the
// platform saw 200 cannot lose the task (protocol §5.2).
#include "connector/platform_api.h"

#include <memory>
#include <utility>

#include "connector/schedule_request.h"
#include "core/limits.h"
#include "core/log.h"
#include "json/json.h"

namespace connector {
namespace log = core::log;
using core::Errc;

namespace {

constexpr char kJobNotFound[] = "Failed to find job in the table";

http::Response empty(int status) {
  http::Response r;
  r.status = status;
  return r;
}

// The store could not answer (disk failure, or Busy): the platform retries a 503.
http::Response store_unavailable(const core::Error& e) {
  http::Response r = message_response(
      503, e.code == Errc::Busy
               ? "the connector is busy (task queue full or storage behind); retry later"
               : "the connector's store is unavailable; retry later, and if it persists the "
                 "administrator should check the service log");
  r.headers.set("Retry-After", std::to_string(core::limits::kTaskQueueBusyRetryAfterS));
  return r;
}

// The jobId query parameter: present, non-empty, an id the store can keep. On error *message
// is the sentence for the caller.
bool job_id_param(const http::Request& req, const char* route, std::string* job_id,
                  std::string* message) {
  auto v = req.query_param("jobId");
  if (!v || v->empty()) {
    *message = std::string("jobId is missing; call ") + route + "?jobId=<the connector job id>";
    return false;
  }
  if (v->size() > core::limits::kMaxStoreIdBytes) {
    *message = "jobId is " + std::to_string(v->size()) + " bytes long; at most " +
               std::to_string(core::limits::kMaxStoreIdBytes) + " are accepted";
    return false;
  }
  for (unsigned char c : *v) {
    if (c < 0x20 || c == 0x7f) {
      *message = "jobId contains a control character; send the job id alone";
      return false;
    }
  }
  *job_id = std::string(*v);
  return true;
}

// remediationType binds the reference's enum JobRemediationType { Relogin = 0, Unknown = 1 }
// by name (any case, as .NET's enum converter) or by number.
const char* remediation_name(std::string_view v) {
  if (http::iequals(v, "Relogin") || v == "0") return "Relogin";
  if (http::iequals(v, "Unknown") || v == "1") return "Unknown";
  return nullptr;
}

}  // namespace

http::Response message_response(int status, std::string_view message) {
  json::Json o = json::object();
  json::add_string(o.get(), "Message", message);
  return http::Response::json(status, o.get());
}

bool has_linked_account(const store::Job& job) {
  return !job.twitter_user_id.empty() && !job.user_token.empty() && !job.user_token_secret.empty();
}

bool is_json_content_type(const http::Headers& headers) {
  auto ct = headers.get("Content-Type");
  if (!ct) return true;
  std::string_view v = *ct;
  v = v.substr(0, v.find(';'));
  while (!v.empty() && (v.back() == ' ' || v.back() == '\t')) v.remove_suffix(1);
  while (!v.empty() && (v.front() == ' ' || v.front() == '\t')) v.remove_prefix(1);
  return http::iequals(v, "application/json") || http::iequals(v, "text/json");
}

http::Handler PlatformApi::is_created_handler() {
  return [this](http::Request& req, http::Responder res) { is_created(req, std::move(res)); };
}
http::Handler PlatformApi::on_deleted_handler() {
  return [this](http::Request& req, http::Responder res) { on_deleted(req, std::move(res)); };
}
http::Handler PlatformApi::on_remediation_handler() {
  return [this](http::Request& req, http::Responder res) { on_remediation(req, std::move(res)); };
}
http::Handler PlatformApi::on_download_request_handler() {
  return
      [this](http::Request& req, http::Responder res) { on_download_request(req, std::move(res)); };
}

void PlatformApi::is_created(http::Request& req, http::Responder res) {
  std::string job_id, message;
  if (!job_id_param(req, "/job/IsCreated", &job_id, &message))
    return res.respond(message_response(400, message));
  auto held = std::make_shared<http::Responder>(std::move(res));
  store_.get_job(job_id, [held, job_id](core::Result<store::Job> job) {
    if (!job.ok() && job.error().code != Errc::NotFound) {
      log::error("IsCreated: cannot read the job",
                 {log::f("job_id", job_id), log::f("error", job.error().where)});
      return held->respond(store_unavailable(job.error()));
    }
    bool created = job.ok() && has_linked_account(*job);
    log::info("IsCreated", {log::f("job_id", job_id), log::f("created", created)});
    json::Json out = json::object();
    json::add_bool(out.get(), "IsJobCreated", created);
    json::add_null(out.get(), "Reason");
    held->respond(http::Response::json(200, out.get()));
  });
}

void PlatformApi::on_deleted(http::Request& req, http::Responder res) {
  std::string job_id, message;
  if (!job_id_param(req, "/job/OnDeleted", &job_id, &message))
    return res.respond(message_response(400, message));
  auto held = std::make_shared<http::Responder>(std::move(res));
  store_.delete_job(job_id, [held, job_id](core::Status st) {
    if (!st.ok() && st.error().code == Errc::NotFound) {
      log::warn("OnDeleted: the platform deleted a job this connector does not know",
                {log::f("job_id", job_id)});
      return held->respond(empty(404));
    }
    if (!st.ok()) {
      log::error("OnDeleted: cannot delete the job",
                 {log::f("job_id", job_id), log::f("error", st.error().where)});
      return held->respond(store_unavailable(st.error()));
    }
    log::info("job deleted by the platform, with its tokens, queued tasks and pending sign-ins",
              {log::f("job_id", job_id)});
    held->respond(empty(200));
  });
}

void PlatformApi::on_remediation(http::Request& req, http::Responder res) {
  std::string job_id, message;
  if (!job_id_param(req, "/job/OnRemediation", &job_id, &message))
    return res.respond(message_response(400, message));
  auto type = req.query_param("remediationType");
  if (!type || type->empty())
    return res.respond(
        message_response(400,
                         "remediationType is missing; call /job/OnRemediation?jobId=<job id>&"
                         "remediationType=Relogin (or Unknown, 0, 1)"));
  const char* name = remediation_name(*type);
  if (!name)
    return res.respond(message_response(400, "remediationType must be Relogin, Unknown, 0 or 1"));
  // The reference does nothing here; the log tells the administrator what the platform asked.
  auto held = std::make_shared<http::Responder>(std::move(res));
  store_.get_job(job_id, [held, job_id, name](core::Result<store::Job> job) {
    bool relogin = std::string_view(name) == "Relogin";
    const char* msg =
        !job.ok() ? "OnRemediation for a job this connector does not know; nothing to do"
        : relogin ? "the platform asks for the job's Twitter account to be signed in again: open "
                    "the connector's setup page for this job and use Login with Twitter"
                  : "the platform reports a problem of unknown kind for the job; nothing is done "
                    "automatically, check the job's last result on the jobs page";
    log::warn(msg, {log::f("job_id", job_id), log::f("remediation_type", name),
                    log::f("account", job.ok() ? std::string_view(job->screen_name) : "")});
    held->respond(empty(200));
  });
}

struct PlatformApi::Download {
  ScheduleTaskRequest request;
  http::Responder res;

  // Answers with an error and logs why, so an administrator can see what the platform sent.
  void refuse(http::Response r, std::string_view reason) {
    if (request.job_id.empty())  // refused before the body named a job
      log::warn("download request refused", {log::f("status", r.status), log::f("reason", reason)});
    else
      log::warn("download request refused",
                {log::f("status", r.status), log::f("reason", reason),
                 log::f("job_id", request.job_id), log::f("task_id", request.task_id)});
    res.respond(std::move(r));
  }
};

void PlatformApi::on_download_request(http::Request& req, http::Responder res) {
  auto d = std::make_shared<Download>();
  d->res = std::move(res);
  if (!is_json_content_type(req.headers)) {
    std::string ct(req.headers.get("Content-Type").value_or(""));
    return d->refuse(message_response(415,
                                      "the body must be JSON: send Content-Type: "
                                      "application/json with a ScheduleTaskRequest"),
                     "content type " + ct.substr(0, core::limits::kMaxEchoedValueBytes));
  }
  std::string message;
  auto parsed = parse_schedule_task_request(req.body, &message);
  if (!parsed.ok())
    return d->refuse(message_response(parsed.error().code == Errc::TooLarge ? 413 : 400, message),
                     message);
  d->request = std::move(*parsed);
  check_settings(std::move(d));
}

// The generic sample answers 417 when the app is not configured; an import could only fail.
void PlatformApi::check_settings(std::shared_ptr<Download> d) {
  store_.get_settings([this, d](core::Result<store::Settings> s) {
    if (!s.ok()) return d->refuse(store_unavailable(s.error()), s.error().where);
    const char* missing = nullptr;
    if (s->aad_app_id.empty() || s->aad_app_secret.empty())
      missing = "Connector is not configured. AAD Settings missing.";
    else if (s->twitter_api_key.empty() || s->twitter_api_secret_key.empty())
      missing = "Connector is not configured. Twitter Settings missing.";
    if (missing) {
      json::Json text = json::string(missing);
      return d->refuse(http::Response::json(417, text.get()),
                       std::string(missing) +
                           " Set the AAD application id and secret and the Twitter API key and "
                           "secret on the Configure page");
    }
    check_job(d);
  });
}

void PlatformApi::check_job(std::shared_ptr<Download> d) {
  store_.get_job(d->request.job_id, [this, d](core::Result<store::Job> job) {
    if (!job.ok() && job.error().code != Errc::NotFound)
      return d->refuse(store_unavailable(job.error()), job.error().where);
    if (!job.ok())
      return d->refuse(
          message_response(400, std::string(kJobNotFound) + ": no job " + d->request.job_id +
                                    " is set up on this connector; finish the "
                                    "connector's setup page for it first"),
          "unknown job");
    if (!has_linked_account(*job))
      return d->refuse(
          message_response(400, std::string(kJobNotFound) + ": job " + d->request.job_id +
                                    " has no connected Twitter account; sign in "
                                    "with Twitter on the connector's setup page"),
          "job without a connected account");
    enqueue(d);
  });
}

void PlatformApi::enqueue(std::shared_ptr<Download> d) {
  store::Task task = to_task(d->request, options_.tenant_id);
  store_.enqueue_task(std::move(task), [this, d](core::Result<store::EnqueueOutcome> out) {
    const ScheduleTaskRequest& r = d->request;
    if (!out.ok()) {
      core::Error e = out.error();
      if (e.code == Errc::NotFound)  // deleted between the lookup and the enqueue
        return d->refuse(
            message_response(400, std::string(kJobNotFound) + ": job " + r.job_id + " was deleted"),
            "job deleted meanwhile");
      if (e.code == Errc::InvalidArgument || e.code == Errc::TooLarge)
        return d->refuse(message_response(400, std::string("the task was refused: ") + e.where),
                         e.where);
      log::error("cannot queue the task",
                 {log::f("job_id", r.job_id), log::f("task_id", r.task_id),
                  log::f("error", e.where), log::f("code", core::errc_name(e.code))});
      return d->refuse(store_unavailable(e), e.where);
    }
    const char* what = *out == store::EnqueueOutcome::Queued ? "task queued"
                       : *out == store::EnqueueOutcome::AlreadyQueued
                           ? "task already queued (the platform sent it again)"
                           : "task already done (the platform sent it again); not queued";
    log::info(what, {log::f("job_id", r.job_id), log::f("task_id", r.task_id),
                     log::f("window_start", format_utc(r.start_ms)),
                     log::f("window_end", format_utc(r.end_ms))});
    d->res.respond(empty(200));
    if (*out != store::EnqueueOutcome::AlreadyDone && on_task_queued_) on_task_queued_();
  });
}

}  // namespace connector
