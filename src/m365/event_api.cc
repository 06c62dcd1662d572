// Implementation of event_api.h. One Call per completion, a small state machine:
// Starting -> Token -> Posting -> (401, first time: Token -> Posting) -> Done.
#include "m365/event_api.h"

#include "core/codec.h"
#include "core/log.h"
#include "json/json.h"
#include "uv/timer.h"

namespace m365 {

using core::Errc;
namespace lim = core::limits::m365;

core::Result<std::string> download_complete_body(std::string_view task_id, TaskStatus status,
                                                 const std::vector<ItemMetadata>& items,
                                                 std::string* message) {
  auto bad = [&](Errc code, std::string text) {
    if (message) *message = std::move(text);
    return core::make_error(code, "event_body");
  };
  if (task_id.empty() || task_id.size() > lim::kMaxEventFieldBytes)
    return bad(Errc::InvalidArgument, "Event API: the task id must be 1.." +
                                          std::to_string(lim::kMaxEventFieldBytes) + " bytes");
  if (items.size() > lim::kMaxEventItems)
    return bad(Errc::TooLarge, "Event API: " + std::to_string(items.size()) +
                                   " items in one completion, at most " +
                                   std::to_string(lim::kMaxEventItems));
  int s = static_cast<int>(status);
  if (s < 0 || s > 2) return bad(Errc::InvalidArgument, "Event API: status must be 0, 1 or 2");
  json::Json root = json::object();
  json::add_string(root.get(), "taskId", task_id);
  json::add_number(root.get(), "status", s);
  json::Json arr = json::array();
  for (const auto& it : items) {
    for (const std::string* f : {&it.id, &it.modification_timestamp_utc, &it.file_name})
      if (f->empty() || f->size() > lim::kMaxEventFieldBytes)
        return bad(Errc::InvalidArgument,
                   "Event API: item '" + it.id.substr(0, 64) +
                       "' has an empty or over-long id, timestamp or file name");
    json::Json o = json::object();
    json::add_string(o.get(), "id", it.id);
    json::add_string(o.get(), "modificationTimestampUtc", it.modification_timestamp_utc);
    json::add_string(o.get(), "fileName", it.file_name);
    json::push(arr.get(), std::move(o));
  }
  json::add(root.get(), "itemMetadata", std::move(arr));
  return json::dump(root.get());
}

core::Result<std::string> download_complete_url(std::string_view base, std::string_view job_id,
                                                std::string* message) {
  auto bad = [&](std::string text) {
    if (message) *message = std::move(text);
    return core::make_error(Errc::InvalidArgument, "event_url");
  };
  while (!base.empty() && base.back() == '/') base.remove_suffix(1);
  auto u = http::parse_url(base);
  if (!u.ok() || u->target.find('?') != std::string::npos)
    return bad("Event API base '" + http::redact_url(base) +
               "' is not an http(s) URL without query (CONNECTOR_EVENT_API_BASE)");
  if (job_id.empty() || job_id.size() > lim::kMaxEventFieldBytes)
    return bad("Event API: the job id must be 1.." + std::to_string(lim::kMaxEventFieldBytes) +
               " bytes");
  std::string url(base);
  url += "/api/data/ondownloadcomplete/?jobId=";
  core::percent_encode_to(job_id, &url);
  return url;
}

class EventApiClient::Call final : public http::ResponseHandler,
                                   public uv::Timer::Handler,
                                   public std::enable_shared_from_this<Call> {
 public:
  enum class State { Starting, Token, Posting, Done };

  Call(EventApiClient& owner, uint64_t id, Completion c, std::string url, std::string body,
       EventCallback cb)
      : owner_(owner),
        id_(id),
        completion_(std::move(c)),
        url_(std::move(url)),
        body_(std::move(body)),
        cb_(std::move(cb)) {}
  ~Call() {
    if (request_id_ != 0) owner_.client_.cancel(request_id_);
  }

  void start() {
    timer_ = uv::Timer::create(owner_.loop_.get(), this);
    timer_->start(0);
  }
  void on_timer(uv::Timer*) override {
    timer_.reset();
    get_token();
  }

  void on_complete(uint64_t, http::ClientResult& r) override {
    request_id_ = 0;
    if (!r.ok) {
      result_.error = r.error;
      result_.failure = FailureClass::Temporary;
      result_.message = "Event API request failed: " + r.message;
      return done();
    }
    result_.http_status = r.response.status;
    result_.requests += r.response.attempts;
    int s = r.response.status;
    if (s >= 200 && s <= 299) {
      result_.acknowledged = true;
      return done();
    }
    if (s == 401 && !result_.token_refreshed) {
      // The token expired or was revoked between the cache check and the request.
      result_.token_refreshed = true;
      owner_.tokens_.invalidate(completion_.tenant);
      return get_token();
    }
    std::string head = "Event API answered " + std::to_string(s) + " for job " +
                       completion_.job_id + " task " + completion_.task_id;
    if (s == 408 || s == 429 || s >= 500) {
      result_.error =
          core::make_error(s == 429 ? Errc::RateLimited : Errc::HttpStatus, "event_api", s);
      result_.failure = FailureClass::Temporary;
      result_.message = head + " after " + std::to_string(r.response.attempts) +
                        " attempts; keep the completion and send it again later";
    } else if (s == 401) {
      result_.error = core::make_error(Errc::Unauthorized, "event_api", s);
      result_.failure = FailureClass::Permanent;
      result_.message = head +
                        " with a freshly issued token too: check the AAD app registration "
                        "(client id, tenant) the connector uses for the Event API";
    } else {
      result_.error =
          core::make_error(s == 403 ? Errc::Forbidden : Errc::HttpStatus, "event_api", s);
      result_.failure = FailureClass::Permanent;
      result_.message = head + ": the completion was refused; repeating it will not help";
    }
    done();
  }

 private:
  void get_token() {
    state_ = State::Token;
    std::weak_ptr<Call> weak = shared_from_this();
    owner_.tokens_.get_token(completion_.tenant, [weak](const TokenResult& t) {
      if (auto self = weak.lock()) self->on_token(t);  // dropped calls ignore late tokens
    });
  }

  void on_token(const TokenResult& t) {
    if (state_ != State::Token) return;
    if (!t.ok || t.access_token.empty()) {
      result_.error = t.ok ? core::make_error(Errc::Internal, "event_token") : t.error;
      result_.failure = t.permanent ? FailureClass::Permanent : FailureClass::Temporary;
      result_.message = "no AAD token for the Event API: " +
                        (t.message.empty() ? std::string("empty token") : t.message);
      return done();
    }
    http::ClientRequest req;
    req.method = "POST";
    req.url = url_;
    req.headers = {{"Authorization", "Bearer " + t.access_token},
                   {"Content-Type", "application/json; charset=utf-8"}};
    req.body = body_;
    req.retry = owner_.options_.retry;
    // Repeating a completion is harmless (the platform keys it by taskId); losing one leaves
    // the task unreported.
    req.retry_safe = true;
    req.total_timeout_ms = owner_.options_.timeout_ms;
    req.max_body_bytes = lim::kMaxServiceAnswerBytes;
    state_ = State::Posting;
    auto id = owner_.client_.request(std::move(req), this);
    if (!id.ok()) {
      result_.error = id.error();
      result_.failure =
          id.error().code == Errc::Busy ? FailureClass::Temporary : FailureClass::Permanent;
      result_.message =
          std::string("Event API request could not start: ") + core::errc_message(id.error().code);
      return done();
    }
    request_id_ = *id;
  }

  void done() {
    state_ = State::Done;
    if (result_.acknowledged) {
      core::log::info(
          "completion acknowledged",
          {core::log::f("job", completion_.job_id), core::log::f("task", completion_.task_id),
           core::log::f("items", static_cast<unsigned long>(completion_.items.size())),
           core::log::f("status", result_.http_status)});
    } else {
      core::log::warn(
          "completion not acknowledged",
          {core::log::f("job", completion_.job_id), core::log::f("task", completion_.task_id),
           core::log::f("class", failure_class_name(result_.failure)),
           core::log::f("error", result_.message)});
    }
    EventCallback cb = std::move(cb_);
    EventResult result = std::move(result_);
    auto keep = shared_from_this();  // this stays valid until the end of the function
    owner_.finish(id_);
    cb(result);
  }

  EventApiClient& owner_;
  uint64_t id_;
  Completion completion_;
  std::string url_;
  std::string body_;
  EventCallback cb_;
  EventResult result_;
  State state_ = State::Starting;
  uv::Ptr<uv::Timer> timer_;
  uint64_t request_id_ = 0;
};

EventApiClient::EventApiClient(uv::Loop& loop, http::Client& client, TokenProvider& tokens,
                               Options options)
    : loop_(loop), client_(client), tokens_(tokens), options_(std::move(options)) {}

EventApiClient::~EventApiClient() { calls_.clear(); }

core::Result<uint64_t> EventApiClient::send(Completion completion, EventCallback cb,
                                            std::string* message) {
  if (!cb) {
    if (message) *message = "Event API: a callback is required";
    return core::make_error(Errc::InvalidArgument, "event_api");
  }
  auto url = download_complete_url(options_.base, completion.job_id, message);
  if (!url.ok()) return url.error();
  auto body =
      download_complete_body(completion.task_id, completion.status, completion.items, message);
  if (!body.ok()) return body.error();
  uint64_t id = next_id_++;
  auto call = std::make_shared<Call>(*this, id, std::move(completion), std::move(*url),
                                     std::move(*body), std::move(cb));
  calls_.emplace(id, call);
  call->start();
  return id;
}

bool EventApiClient::cancel(uint64_t id) { return calls_.erase(id) > 0; }

void EventApiClient::finish(uint64_t id) { calls_.erase(id); }

}  // namespace m365
