// http::Client: the one asynchronous HTTP/1.1 client every outbound call uses (Twitter API,
// media, AAD tokens, Blob uploads, Event API, JWKS), on the server's libuv loop.
//
// Contract
//   - request() validates and queues; on error it returns the error and the handler is never
//     called. On success the handler's on_complete runs exactly once, later, from a loop
//     callback (never inside request()), unless cancel() comes first.
//   - Connections are pooled per origin (scheme, host, port, proxy) with keep-alive reuse,
//     capped per origin and in total; idle ones are evicted after Options::idle_ms and do not
//     keep the loop alive. A request that finds a reused connection closed by the server
//     before any response byte is repeated once on a fresh connection if it is idempotent
//     (GET, HEAD, PUT, DELETE, OPTIONS) or marked retry_safe.
//   - TLS: 1.2 and 1.3, SNI, full chain and host name verification, always.
//   - Redirects are followed for GET only, up to limits::client::kMaxRedirects hops; the
//     Authorization header is dropped when the redirect leaves the origin.
//   - Retries follow http::RetryPolicy (request.retry). With a body sink, a retry happens
//     only while no body byte has been handed to the sink.
//   - Back-pressure: a body sink may pause its body (BodyFlow) when it cannot take more; the
//     connection then stops reading the socket until the sink resumes, and neither the idle
//     nor the total timeout counts the paused time.
//   - An HTTP error status is not a failure: the response arrives with its status (after
//     retries). status_error() maps it to an Errc for callers that want one.
#pragma once

#include <cstdint>
#include <deque>
#include <map>
#include <memory>
#include <string>
#include <unordered_map>
#include <vector>

#include "core/clock.h"
#include "core/limits.h"
#include "core/rand.h"
#include "core/result.h"
#include "http/client_connection.h"
#include "http/proxy.h"
#include "http/retry_policy.h"
#include "http/url.h"
#include "uv/loop.h"
#include "uv/timer.h"

namespace http {

struct ClientResponse;

// Flow control of one streamed body, handed to its sink by the client (BodySink::on_flow).
// pause(): the connection reads nothing more from the socket once the piece being delivered
// is through; bytes already read still arrive (at most limits::client::kMaxPausedOverrunBytes
// after the pause, one read buffer or one TLS record). resume(): reading starts again from a
// loop callback, never inside the call. Both may be called at any time while the flow is
// valid, also from inside on_data.
class BodyFlow {
 public:
  virtual void pause() = 0;
  virtual void resume() = 0;

 protected:
  ~BodyFlow() = default;
};

// Receives a 2xx response body as it arrives (media downloads, large pages) instead of it
// being collected in ClientResponse::body. Non-2xx bodies are never streamed: they are
// collected (up to 64 KiB) for error messages.
class BodySink {
 public:
  virtual ~BodySink() = default;
  // The flow control of the body, before on_start (again for a retried attempt); nullptr
  // when the request ends (completed, failed, cancelled, client destroyed), after which the
  // previous pointer must not be used. A sink wrapping another passes it on.
  virtual void on_flow(BodyFlow* /*flow*/) {}
  // A 2xx head arrived. May run again for a retried attempt if no body byte was delivered.
  virtual core::Status on_start(const ClientResponse& /*head*/) { return core::ok_status(); }
  // A piece of body, valid only during the call. An error aborts the request with it.
  virtual core::Status on_data(std::string_view data) = 0;
};

struct ClientRequest {
  std::string method = "GET";
  std::string url;                    // absolute http(s) URL
  ClientHeaders headers;              // Host and Content-Length are set by the client
  std::string body;                   // in-memory body, or ...
  BodySource* body_source = nullptr;  // ... a streamed one (outlives the request)
  BodySink* sink = nullptr;           // stream 2xx bodies here (outlives the request)
  size_t max_body_bytes = core::limits::client::kDefaultMaxResponseBody;
  size_t max_header_bytes = core::limits::client::kMaxResponseHeaderBytes;
  uint64_t total_timeout_ms = core::limits::client::kDefaultTotalTimeoutMs;  // all attempts
  uint64_t idle_timeout_ms = core::limits::client::kDefaultIdleReadTimeoutMs;
  uint64_t connect_timeout_ms = core::limits::client::kDefaultConnectTimeoutMs;
  uint64_t handshake_timeout_ms = core::limits::client::kDefaultHandshakeTimeoutMs;
  bool retry_safe = false;       // repeatable although not idempotent (e.g. Put Block)
  bool follow_redirects = true;  // GET only
  RetryConfig retry;             // retry.max_attempts = 1 disables retries
};

struct ClientResponse {
  int status = 0;
  ClientHeaders headers;
  std::string body;       // empty when streamed to a sink
  std::string url;        // final URL after redirects (may hold secrets: redact_url)
  uint32_t attempts = 0;  // attempts made, first included
  uint32_t redirects = 0;
  bool reused_connection = false;  // the final attempt ran on a pooled connection
  const std::string* header(std::string_view name) const { return find_header(headers, name); }
};

// The outcome handed to the handler: a response (any status), or a failure with a typed
// error and a message naming the host and the cause, e.g.
// "localhost:8443: certificate not trusted (the chain does not lead to ...) [-0x2700]".
struct ClientResult {
  bool ok = false;
  core::Error error{core::Errc::Internal};
  std::string message;
  ClientResponse response;  // valid when ok
};

class ResponseHandler {
 public:
  virtual void on_complete(uint64_t request_id, ClientResult& result) = 0;
  // The request was cancelled or the client destroyed before completion: on_complete will
  // not run. For cleanup only (e.g. a self-owned handler deletes itself).
  virtual void on_dropped(uint64_t /*request_id*/) {}

 protected:
  ~ResponseHandler() = default;
};

// Maps a final response status to an error (2xx: ok): 401 Unauthorized, 403 Forbidden,
// 404 NotFound, 429 RateLimited (detail = seconds to wait, from Retry-After or
// x-rate-limit-reset), 408/5xx and other 4xx HttpStatus (detail = status).
core::Status status_error(const ClientResponse& r, const core::Clock& clock);

class Client final : Connection::Owner, uv::Timer::Handler {
 public:
  struct Options {
    std::string ca_file;  // CONNECTOR_CA_FILE; empty = system bundle, else embedded
    ProxyEnv proxy;       // usually ProxyEnv::from_environment()
    size_t max_connections_per_origin = core::limits::client::kDefaultMaxConnectionsPerOrigin;
    size_t max_connections_total = core::limits::client::kDefaultMaxConnectionsTotal;
    uint64_t idle_ms = core::limits::client::kIdleConnectionMs;
    const core::Clock* clock = nullptr;  // nullptr: SystemClock (used for Retry-After dates)
    core::Rng* rng = nullptr;            // nullptr: SystemRng (backoff jitter)
  };
  struct Stats {
    uint64_t connections_opened = 0;  // fresh connections started
    uint64_t requests_reused = 0;     // attempts served on a pooled connection
    uint64_t stale_retries = 0;       // repeats after a server closed an idle connection
    uint64_t retries = 0;             // policy retries
    size_t live_connections = 0;
    size_t idle_connections = 0;
  };

  // Loads the CA bundle and the proxy settings. Errors (Config) fill *message.
  static core::Result<std::unique_ptr<Client>> create(uv::Loop& loop, Options options,
                                                      std::string* message = nullptr);
  // Closes every connection; pending requests are dropped without callbacks.
  ~Client();
  Client(const Client&) = delete;
  Client& operator=(const Client&) = delete;

  // Queues a request. Errors: InvalidArgument (bad URL, method or header), Busy (queue full).
  core::Result<uint64_t> request(ClientRequest request, ResponseHandler* handler);
  // Drops a request; its handler is not called. false if it already completed.
  bool cancel(uint64_t request_id);
  // Closes idle pooled connections (e.g. before shutdown).
  void close_idle();

  Stats stats() const;
  uv::Loop& loop() { return loop_; }
  const tls::ClientConfig& tls_config() const { return *tls_; }
  const ProxyConfig& proxy_config() const { return proxy_; }

 private:
  struct Call;
  struct OriginPool {
    std::vector<Connection*> idle;  // most recently used last
    size_t busy = 0;                // connections serving a call (or connecting)
    std::deque<Call*> waiting;
  };

  Client(uv::Loop& loop, Options options);
  // Connection::Owner
  core::Status on_conn_head(Connection* c, ResponseParser& parser) override;
  core::Status on_conn_body(Connection* c, std::string_view data) override;
  void on_conn_done(Connection* c, core::Status status, const std::string& message) override;
  void on_conn_idle_closed(Connection* c) override;
  void on_timer(uv::Timer* t) override;
  void on_call_timer(Call* call, uv::Timer* t);
  void set_paused(Call* call, bool paused);
  void end_flow(Call* call);

  core::Status prepare_attempt(Call* call);
  void enqueue(Call* call);
  void schedule_dispatch();
  void dispatch();
  bool dispatch_one(OriginPool& pool, Call* call);
  bool evict_one_idle(const std::string& except_key);
  void start_on(Call* call, Connection* c);
  void after_attempt_failure(Call* call, const core::Error& error, const std::string& message,
                             bool stale);
  void after_response(Call* call);
  bool try_redirect(Call* call);
  bool schedule_retry(Call* call, const AttemptResult& r);
  void finish(Call* call, ClientResult result);
  void fail(Call* call, core::Error error, std::string message);
  void release(Connection* c, bool reusable);
  void destroy_connection(Connection* c);
  void remove_waiting(Call* call);
  void reap();

  uv::Loop& loop_;
  Options options_;
  std::unique_ptr<tls::ClientConfig> tls_;
  ProxyConfig proxy_;
  RetryPolicy policy_;
  uint64_t next_id_ = 1;
  std::unordered_map<uint64_t, std::unique_ptr<Call>> calls_;
  std::map<std::string, OriginPool> pools_;
  std::vector<std::unique_ptr<Connection>> connections_;  // every live connection
  std::vector<std::unique_ptr<Connection>> dead_conns_;   // freed on the next loop turn
  std::vector<std::unique_ptr<Call>> dead_calls_;
  uv::Ptr<uv::Timer> dispatch_timer_;  // runs dispatch() and reap() from the loop
  Stats stats_;
};

// Convenience for callers that want the whole body: collects into ClientResponse::body (the
// default without a sink) and calls a function. The Fetch object deletes itself after fn.
template <class Fn>
class FetchHandler final : public ResponseHandler {
 public:
  explicit FetchHandler(Fn fn) : fn_(std::move(fn)) {}
  void on_complete(uint64_t, ClientResult& r) override {
    fn_(r);
    delete this;
  }
  void on_dropped(uint64_t) override { delete this; }

 private:
  Fn fn_;
};
// fetch(client, request, [](http::ClientResult& r) {...}): starts a request whose result
// goes to fn. Returns the request id, or the error (fn never runs then).
template <class Fn>
core::Result<uint64_t> fetch(Client& client, ClientRequest request, Fn fn) {
  auto* h = new FetchHandler<Fn>(std::move(fn));
  auto id = client.request(std::move(request), h);
  if (!id.ok()) delete h;
  return id;
}

}  // namespace http
