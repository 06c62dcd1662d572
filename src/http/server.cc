// Implementation of http/server.h. Each connection is a small state machine:
//   Idle -> Receiving -> Handling -> (Idle | Closing) ; Closing -> Lingering -> closed.
// One request is in flight per connection; pipelined bytes that arrive meanwhile are kept in
// `pending_` (at most one read buffer, because reading stops while a request is handled).
// A connection closed inside one of its own callbacks is deleted when that callback returns
// (Redis's refcount guard), never under its own feet.
#include "http/server.h"

#include <arpa/inet.h>

#include <charconv>
#include <cstdio>

#include "core/log.h"

namespace http {

class Server::Connection final : public uv::Tcp::Handler,
                                 public uv::Timer::Handler,
                                 public Exchange {
 public:
  enum class State : uint8_t { Idle, Receiving, Handling, Closing, Lingering, Closed };

  Connection(Server* server, uv::Ptr<uv::Tcp> tcp)
      : server_(server), tcp_(std::move(tcp)), parser_(&server->limits_) {
    tcp_->set_handler(this);
    timer_ = uv::Timer::create(server_->loop_.get(), this);
  }
  ~Connection() = default;

  void start() {
    Guard g(this);
    tcp_->nodelay(true);
    if (tcp_->read_start() != 0) {
      close_now();
      return;
    }
    // A fresh connection gets the header timeout: sending nothing at all is the cheapest
    // way to hold a slot.
    timer_->start(server_->options_.header_timeout_ms);
  }

  State state() const { return state_; }
  bool mid_request() const { return state_ == State::Receiving || state_ == State::Handling; }

  // Graceful shutdown: idle connections close now, the others finish their request.
  void begin_shutdown() {
    Guard g(this);
    if (state_ == State::Idle && parser_.phase() == RequestParser::Phase::Idle) close_now();
  }

  void close_now() {
    if (state_ == State::Closed) return;
    state_ = State::Closed;
    if (link_) {
      link_->target = nullptr;
      link_.reset();
    }
    tcp_.reset();
    timer_.reset();
    pending_ = std::string();
    server_->unlink(this);
  }

  Connection* prev_ = nullptr;
  Connection* next_ = nullptr;

 private:
  // Holds the connection alive while one of its callbacks runs.
  struct Guard {
    explicit Guard(Connection* c) : c_(c) { ++c_->depth_; }
    ~Guard() {
      if (--c_->depth_ == 0 && c_->state_ == State::Closed) delete c_;
    }
    Connection* c_;
  };

  // --- input ---------------------------------------------------------------------------
  void on_read(uv::Tcp*, ssize_t nread, const char* data) override {
    Guard g(this);
    if (nread < 0) {
      // EOF or error. Mid-request there is nobody left to answer; idle, it is a clean close.
      close_now();
      return;
    }
    server_->request_bytes_.inc(static_cast<double>(nread));
    switch (state_) {
      case State::Idle:
      case State::Receiving: process(data, static_cast<size_t>(nread)); break;
      case State::Handling:
      case State::Closing:
        // Reading is stopped in these states; bytes libuv had already read are kept for
        // the next request (bounded by the read buffer), or dropped when closing.
        stop_reading();
        if (state_ == State::Handling) {
          if (pending_.size() + static_cast<size_t>(nread) > 2 * uv::Loop::kReadBufferSize) {
            close_now();  // cannot happen while reading is stopped; never drop bytes silently
            return;
          }
          pending_.append(data, static_cast<size_t>(nread));
        }
        break;
      case State::Lingering:
      case State::Closed: break;  // discarded
    }
  }

  // Parses and dispatches as many requests as `data` holds, in order.
  void process(const char* data, size_t len) {
    in_process_ = true;
    while (len > 0 && (state_ == State::Idle || state_ == State::Receiving)) {
      if (server_->options_.max_queued_response_bytes < tcp_->write_queue_size()) {
        // Backpressure: the client is not reading its responses; park the rest.
        keep_pending(data, len);
        stop_reading();
        break;
      }
      RequestParser::Phase before = parser_.phase();
      RequestParser::Step step = parser_.feed(data, len);
      data += step.consumed;
      len -= step.consumed;
      on_phase(before, step.phase);
      if (step.phase == RequestParser::Phase::Complete) {
        dispatch();
        if (state_ == State::Handling) {
          keep_pending(data, len);  // answered later; the rest waits in order
          stop_reading();
        }
      } else if (step.phase == RequestParser::Phase::Error) {
        fail(parser_.error_status(), parser_.error_message());
      } else if (step.consumed == 0) {
        break;
      }
    }
    in_process_ = false;
  }

  void keep_pending(const char* data, size_t len) {
    if (len == 0) return;
    if (pending_.data() <= data && data < pending_.data() + pending_.size()) {
      pending_.erase(0, static_cast<size_t>(data - pending_.data()));  // tail of itself
    } else {
      pending_.append(data, len);
    }
  }

  // Timers follow the parser: header timeout from the first byte of a request, body timeout
  // renewed by every body byte.
  void on_phase(RequestParser::Phase before, RequestParser::Phase now) {
    using P = RequestParser::Phase;
    if (now == P::Head && before == P::Idle) {
      state_ = State::Receiving;
      timer_->start(server_->options_.header_timeout_ms);
    } else if (now == P::Body) {
      state_ = State::Receiving;
      timer_->start(server_->options_.body_timeout_ms);
      if (!continue_sent_ && parser_.expects_continue()) {
        continue_sent_ = true;
        write_bytes("HTTP/1.1 100 Continue\r\n\r\n", {});
      }
    }
  }

  void dispatch() {
    std::unique_ptr<Request> req = parser_.take();
    timer_->stop();
    state_ = State::Handling;
    continue_sent_ = false;
    method_ = req->method;
    http_minor_ = static_cast<uint8_t>(req->http_minor);
    keep_alive_ = parser_.keep_alive();
    Router::Match m = server_->router_.match(req->method, req->path);
    route_label_ = m.label;
    if (!m.route) {
      Response r;
      if (m.status == 404) {
        r = Response::error(
            404, "no route for " + std::string(method_name(req->method)) + " " + req->path);
      } else if (m.status == 405) {
        r = Response::error(405, "method " + std::string(method_name(req->method)) +
                                     " is not allowed for " + req->path + "; allowed: " + m.allow);
      } else {
        r.status = m.status;
      }
      if (!m.allow.empty()) r.headers.set("Allow", m.allow);
      send(std::move(r));
      return;
    }
    if (peer_ip_.empty()) peer_ip_ = tcp_->peer_ip();  // once per connection, not per request
    req->peer_ip = peer_ip_;
    link_ = std::make_shared<ExchangeLink>();
    link_->target = this;
    m.route->handler(*req, Responder(link_));
  }

  // --- output --------------------------------------------------------------------------
  // Exchange: the handler's response (possibly long after dispatch).
  void send(Response r) override {
    Guard g(this);
    if (state_ != State::Handling) return;
    link_.reset();
    bool close = !keep_alive_ || server_->shutting_down_;
    write_response(std::move(r), close);
    if (state_ == State::Closed) return;
    if (close) {
      enter_closing();
      return;
    }
    state_ = State::Idle;
    timer_->start(server_->options_.idle_timeout_ms);
    if (!in_process_) resume();
  }

  void write_response(Response r, bool close) {
    SerializeOptions o;
    o.http_minor = http_minor_;
    o.close = close;
    o.head = method_ == Method::Head;
    if (r.status < 200 || r.status == 204 || r.status == 304) r.body.clear();
    std::string head = serialize_head(r, o);
    if (o.head) r.body.clear();
    size_t bytes = head.size() + r.body.size();
    server_->count_response(route_label_, method_, r.status, bytes);
    write_bytes(std::move(head), std::move(r.body));
  }

  // Most responses fit the socket buffer: written at once, nothing stays in flight. Only
  // what the kernel did not take is queued (and then tracked by on_write).
  void write_bytes(std::string a, std::string b) {
    int n = tcp_->try_write(a, b);
    if (n < 0) {
      close_now();
      return;
    }
    size_t done = static_cast<size_t>(n);
    if (done == a.size() + b.size()) return;
    if (done >= a.size()) {
      a = b.substr(done - a.size());
      b = std::string();
    } else {
      a.erase(0, done);
    }
    if (tcp_->write(std::move(a), std::move(b)) != 0) {
      close_now();
      return;
    }
    ++writes_in_flight_;
  }

  // A request could not be parsed or took too long: answer and close.
  void fail(int status, std::string_view message) {
    timer_->stop();
    method_ = Method::Other;
    http_minor_ = 1;
    if (const Request* cur = parser_.current()) {
      method_ = cur->method;
      http_minor_ = static_cast<uint8_t>(cur->http_minor);
    }
    // Debug only: a client sending garbage must not be able to flood the log.
    core::log::debug("http request rejected",
                     {core::log::f("status", status), core::log::f("reason", message)});
    route_label_ = "unmatched";
    write_response(Response::error(status, message), true);
    if (state_ == State::Closed) return;
    enter_closing();
  }

  // The final response is queued. A client that does not read it within the idle timeout
  // loses it: the slot is not held forever.
  void enter_closing() {
    state_ = State::Closing;
    pending_ = std::string();
    stop_reading();
    timer_->start(server_->options_.idle_timeout_ms);
    maybe_linger();
  }

  void on_write(uv::Tcp*, int status) override {
    Guard g(this);
    --writes_in_flight_;
    if (status < 0) {
      close_now();
      return;
    }
    if (state_ == State::Closing) {
      maybe_linger();
    } else if (parked_ &&
               tcp_->write_queue_size() <= server_->options_.max_queued_response_bytes / 2) {
      resume();
    }
  }

  // Continues after a response: first the pipelined bytes, then the socket.
  void resume() {
    if (state_ != State::Idle && state_ != State::Receiving) return;  // a request is still out
    parked_ = false;
    if (!pending_.empty()) {
      std::string bytes = std::move(pending_);
      pending_ = std::string();
      process(bytes.data(), bytes.size());
      // process() may have parked part of `bytes` again in pending_ (it copies).
    }
    if (state_ == State::Idle || state_ == State::Receiving) {
      if (server_->options_.max_queued_response_bytes < tcp_->write_queue_size()) {
        stop_reading();
      } else if (!reading_) {
        if (tcp_->read_start() != 0) {
          close_now();
          return;
        }
        reading_ = true;
      }
    }
  }

  void stop_reading() {
    if (reading_) tcp_->read_stop();
    reading_ = false;
    parked_ = true;
  }

  // Once the final response is written: half-close, then drain input briefly so unread
  // bytes do not turn our FIN into an RST that would destroy the response.
  void maybe_linger() {
    if (state_ != State::Closing || writes_in_flight_ > 0) return;
    if (tcp_->shutdown() != 0) {
      close_now();
      return;
    }
    state_ = State::Lingering;
    timer_->start(server_->options_.linger_ms);
  }

  void on_shutdown(uv::Tcp*, int status) override {
    Guard g(this);
    if (state_ != State::Lingering) return;
    if (status < 0 || tcp_->read_start() != 0) {
      close_now();
      return;
    }
    reading_ = true;
  }

  void on_timer(uv::Timer*) override {
    Guard g(this);
    switch (state_) {
      case State::Idle:
        if (parser_.phase() == RequestParser::Phase::Idle) {
          close_now();  // idle keep-alive (or a fresh connection that never spoke)
          break;
        }
        [[fallthrough]];
      case State::Receiving: {
        bool head = parser_.phase() != RequestParser::Phase::Body;
        char msg[96];
        snprintf(msg, sizeof msg, "request %s not received within %llu ms",
                 head ? "headers" : "body",
                 static_cast<unsigned long long>(head ? server_->options_.header_timeout_ms
                                                      : server_->options_.body_timeout_ms));
        fail(408, msg);
        break;
      }
      case State::Handling: break;  // the handler owns the timing of its answer
      case State::Closing:
      case State::Lingering:
      case State::Closed: close_now(); break;
    }
  }

  Server* server_;
  uv::Ptr<uv::Tcp> tcp_;
  uv::Ptr<uv::Timer> timer_;
  RequestParser parser_;
  std::string pending_;                 // unparsed input waiting for the current response
  std::string peer_ip_;                 // filled on first use; an IPv4 address needs no heap
  std::shared_ptr<ExchangeLink> link_;  // the exchange a handler holds, while Handling
  std::string_view route_label_;        // points into the Router (or a literal)
  uint32_t depth_ = 0;
  uint32_t writes_in_flight_ = 0;
  State state_ = State::Idle;
  Method method_ = Method::Get;
  uint8_t http_minor_ = 1;
  bool keep_alive_ = false;
  bool reading_ = true;
  bool parked_ = false;      // reading stopped for pipelining or backpressure
  bool in_process_ = false;  // inside process(): a synchronous send() must not resume()
  bool continue_sent_ = false;
};

// --- Server --------------------------------------------------------------------------------

Server::Server(uv::Loop& loop, Router& router, core::Metrics& metrics, ServerOptions options)
    : loop_(loop),
      router_(router),
      metrics_(metrics),
      options_(std::move(options)),
      open_gauge_(metrics.gauge("http_open_connections", "Client connections currently open")),
      request_bytes_(
          metrics.counter("http_request_bytes_total", "Bytes received from HTTP clients")),
      response_bytes_(
          metrics.counter("http_response_bytes_total", "Bytes of HTTP responses written")),
      rejected_(
          metrics.counter("http_connections_rejected_total",
                          "Connections closed at accept because max_connections was reached")) {
  if (options_.max_body_bytes > core::limits::kMaxRequestBodyCeiling) {
    options_.max_body_bytes = core::limits::kMaxRequestBodyCeiling;
  }
  limits_.max_body_bytes = options_.max_body_bytes;
}

Server::~Server() {
  listener_.reset();
  shutdown_timer_.reset();
  while (head_) {
    Connection* c = head_;
    c->close_now();  // unlinks
    delete c;
  }
}

core::Status Server::listen() {
  sockaddr_storage addr{};
  int rc = uv_ip4_addr(options_.host.c_str(), options_.port, reinterpret_cast<sockaddr_in*>(&addr));
  if (rc != 0)
    rc = uv_ip6_addr(options_.host.c_str(), options_.port, reinterpret_cast<sockaddr_in6*>(&addr));
  if (rc != 0) {
    core::log::error("http listen: not an IP address", {core::log::f("host", options_.host)});
    return core::make_error(core::Errc::Config, "http.listen: host is not an IPv4/IPv6 address",
                            rc);
  }
  uv::Ptr<uv::Tcp> tcp = uv::Tcp::create(loop_.get(), this);
  rc = tcp->bind(reinterpret_cast<const sockaddr*>(&addr));
  if (rc == 0) rc = tcp->listen(core::limits::kListenBacklog);
  if (rc != 0) {
    core::log::error("http listen failed",
                     {core::log::f("host", options_.host), core::log::f("port", options_.port),
                      core::log::f("error", uv_strerror(rc))});
    return uv::uv_error(rc, "http.listen");
  }
  port_ = tcp->local_port();
  listener_ = std::move(tcp);
  return {};
}

void Server::on_connection(uv::Tcp* listener, int status) {
  if (status < 0) {
    core::log::warn("http accept failed", {core::log::f("error", uv_strerror(status))});
    return;
  }
  uv::Ptr<uv::Tcp> client = uv::Tcp::create(loop_.get(), this);
  if (listener->accept(client.get()) != 0) return;  // dropping the Ptr closes it
  if (open_ >= options_.max_connections || shutting_down_) {
    rejected_.inc();
    return;  // accepted and closed at once: the backlog keeps moving
  }
  auto* c = new Connection(this, std::move(client));
  link(c);
  c->start();
}

void Server::link(Connection* c) {
  c->next_ = head_;
  if (head_) head_->prev_ = c;
  head_ = c;
  ++open_;
  open_gauge_.set(static_cast<double>(open_));
}

void Server::unlink(Connection* c) {
  if (c->prev_)
    c->prev_->next_ = c->next_;
  else
    head_ = c->next_;
  if (c->next_) c->next_->prev_ = c->prev_;
  c->prev_ = c->next_ = nullptr;
  --open_;
  open_gauge_.set(static_cast<double>(open_));
  maybe_finish_shutdown();
}

void Server::maybe_finish_shutdown() {
  // `done` runs from the timer, never inside a connection callback or shutdown() itself.
  if (shutting_down_ && open_ == 0 && done_ && shutdown_timer_) shutdown_timer_->start(0);
}

void Server::shutdown(uint64_t grace_ms, std::function<void()> done) {
  if (shutting_down_) return;
  shutting_down_ = true;
  done_ = std::move(done);
  listener_.reset();
  shutdown_timer_ = uv::Timer::create(loop_.get(), this);
  shutdown_timer_->start(grace_ms);
  for (Connection* c = head_; c;) {
    Connection* next = c->next_;
    c->begin_shutdown();  // may close and delete c
    c = next;
  }
  maybe_finish_shutdown();
}

void Server::on_timer(uv::Timer*) {
  // Grace over (or everything already closed): close what is left and report.
  while (head_) {
    Connection* c = head_;
    c->close_now();
    delete c;
  }
  shutdown_timer_.reset();
  if (done_) {
    std::function<void()> done = std::move(done_);
    done_ = nullptr;
    done();
  }
}

void Server::count_response(std::string_view route, Method method, int status, size_t bytes) {
  char buf[16];
  std::string_view code(
      buf, static_cast<size_t>(std::to_chars(buf, buf + sizeof buf, status).ptr - buf));
  metrics_
      .counter("http_requests_total", "HTTP requests answered, by route, method and status",
               {{"route", route}, {"method", method_name(method)}, {"status", code}})
      .inc();
  response_bytes_.inc(static_cast<double>(bytes));
}

}  // namespace http
