// Implementation of http/client_connection.h.
#include "http/client_connection.h"

#include <charconv>

#include <cassert>
#include <cstdio>

#include "core/limits.h"
#include "core/log.h"
#include "uv/loop.h"

namespace http {
namespace {

constexpr size_t kChunk = 16 * 1024;  // one TLS record of plaintext

std::string uv_text(int rc) { return uv_strerror(rc); }

}  // namespace

const char* state_name(Connection::State s) {
  switch (s) {
    case Connection::State::Resolve: return "resolve";
    case Connection::State::Connect: return "connect";
    case Connection::State::ProxyConnect: return "proxy-connect";
    case Connection::State::Handshake: return "handshake";
    case Connection::State::Send: return "send";
    case Connection::State::Receive: return "receive";
    case Connection::State::Done: return "done";
    case Connection::State::Failed: return "failed";
  }
  return "?";
}

std::string Endpoint::key() const {
  std::string k = std::string(tls ? "https://" : "http://") + host + ":" + std::to_string(port);
  if (proxy)
    k += " via " + proxy->proxy.authority() + (proxy->authorization.empty() ? "" : " (auth)");
  return k;
}

Connection::Connection(uv_loop_t* loop, Endpoint endpoint, const tls::ClientConfig* tls,
                       Owner* owner, uint64_t idle_evict_ms)
    : loop_(loop),
      endpoint_(std::move(endpoint)),
      tls_config_(tls),
      owner_(owner),
      idle_evict_ms_(idle_evict_ms),
      timer_(uv::Timer::create(loop, this)) {}

Connection::~Connection() { close(); }

void Connection::close() {
  if (closed_) return;
  closed_ = true;
  if (resolve_) {
    resolve_->cancel();
    resolve_ = nullptr;
  }
  tcp_.reset();
  timer_.reset();
}

std::string Connection::where() const {
  std::string w = endpoint_.host;
  if (endpoint_.port != (endpoint_.tls ? 443 : 80)) w += ":" + std::to_string(endpoint_.port);
  return w;
}

void Connection::arm(uint64_t ms) {
  if (!closed_ && ms > 0) timer_->start(ms);
}

void Connection::set_ref(bool on) {
  // Idle pooled connections must not keep the loop alive on their own.
  if (closed_) return;
  auto apply = [on](uv_handle_t* h) { on ? uv_ref(h) : uv_unref(h); };
  if (tcp_) apply(reinterpret_cast<uv_handle_t*>(tcp_->raw()));
  apply(reinterpret_cast<uv_handle_t*>(timer_->raw()));
}

void Connection::enter(State s) {
  state_ = s;
  if (core::log::enabled(core::log::Level::Debug))
    core::log::debug("http client connection state", {core::log::f("endpoint", endpoint_.key()),
                                                      core::log::f("state", state_name(s))});
}

void Connection::start(Exchange exchange) {
  assert(!in_exchange_ && !closed_);
  ex_ = std::move(exchange);
  body_off_ = 0;
  source_sent_ = 0;
  body_sent_ = false;
  stale_ = false;
  in_exchange_ = true;
  ++exchanges_;
  parser_.reset(this, ex_.head_request, ex_.max_header_bytes);
  set_ref(true);
  enter(started_ ? State::Send : State::Resolve);
  started_ = true;
  // Run from the loop, so no owner callback can happen inside start().
  kick_ = true;
  timer_->start(0);
}

void Connection::advance() {
  switch (state_) {
    case State::Resolve: {
      const Url* proxy = endpoint_.proxy ? &endpoint_.proxy->proxy : nullptr;
      arm(ex_.timeouts.connect_ms);
      int rc = 0;
      resolve_ = uv::Resolve::start(loop_, proxy ? proxy->host : endpoint_.host,
                                    proxy ? proxy->port : endpoint_.port, this, &rc);
      if (!resolve_) fail(uv::uv_error(rc, "dns"), "DNS lookup failed (" + uv_text(rc) + ")");
      return;
    }
    case State::Send: begin_send(); return;
    default: return;
  }
}

void Connection::on_resolved(uv::Resolve*, int status, const std::vector<sockaddr_storage>& addrs) {
  resolve_ = nullptr;
  if (closed_) return;
  if (status < 0) {
    std::string name = endpoint_.proxy ? "proxy " + endpoint_.proxy->proxy.host : endpoint_.host;
    return fail(uv::uv_error(status, "dns"),
                "DNS lookup for " + name + " failed (" + uv_text(status) + ")");
  }
  addrs_ = addrs;
  addr_index_ = 0;
  enter(State::Connect);
  connect_next();
}

void Connection::connect_next() {
  // Addresses in resolver order, one at a time (no happy eyeballs): "localhost" may give
  // ::1 first while the server only listens on 127.0.0.1.
  while (addr_index_ < addrs_.size()) {
    const sockaddr* sa = reinterpret_cast<const sockaddr*>(&addrs_[addr_index_]);
    char ip[64] = {0};
    if (sa->sa_family == AF_INET6)
      uv_ip6_name(reinterpret_cast<const sockaddr_in6*>(sa), ip, sizeof ip);
    else
      uv_ip4_name(reinterpret_cast<const sockaddr_in*>(sa), ip, sizeof ip);
    remote_ip_ = ip;
    tcp_ = uv::Tcp::create(loop_, this);
    reading_ = false;
    tcp_->nodelay(true);  // without it handshakes stall on delayed ACKs (build-notes.md)
    int rc = tcp_->connect(sa);
    if (rc == 0) return;
    last_connect_error_ = rc;
    tcp_.reset();
    ++addr_index_;
  }
  int rc = last_connect_error_ ? last_connect_error_ : UV_ECONNREFUSED;
  std::string target = endpoint_.proxy ? "proxy " + endpoint_.proxy->proxy.authority() : remote_ip_;
  const char* what = rc == UV_ECONNREFUSED ? "connection refused" : "connection failed";
  fail(uv::uv_error(rc, "connect"),
       std::string(what) + " (" + target +
           (endpoint_.proxy ? "" : " port " + std::to_string(endpoint_.port)) + ": " + uv_text(rc) +
           ")");
}

void Connection::on_connect(uv::Tcp*, int status) {
  if (closed_) return;
  if (status < 0) {
    last_connect_error_ = status;
    tcp_.reset();
    ++addr_index_;
    return connect_next();
  }
  start_reading();
  if (closed_) return;
  if (endpoint_.proxy && endpoint_.tls) {
    enter(State::ProxyConnect);
    arm(ex_.timeouts.connect_ms);
    return send_proxy_connect();
  }
  if (endpoint_.tls) return start_handshake();
  begin_send();
}

void Connection::send_proxy_connect() {
  std::string target =
      endpoint_.host.find(':') != std::string::npos ? "[" + endpoint_.host + "]" : endpoint_.host;
  target += ":" + std::to_string(endpoint_.port);
  std::string req = "CONNECT " + target + " HTTP/1.1\r\nHost: " + target + "\r\n";
  if (!endpoint_.proxy->authorization.empty())
    req += "Proxy-Authorization: " + endpoint_.proxy->authorization + "\r\n";
  req += "User-Agent: twitter-connector/" TC_VERSION "\r\n\r\n";
  raw_write(std::move(req));
}

void Connection::on_proxy_bytes(const char* data, size_t n) {
  proxy_buf_.append(data, n);
  size_t end = proxy_buf_.find("\r\n\r\n");
  std::string proxy = endpoint_.proxy->proxy.authority();
  size_t head_size = end == std::string::npos ? proxy_buf_.size() : end + 4;
  if (head_size > core::limits::client::kMaxProxyResponseBytes)
    return fail(core::make_error(core::Errc::Proxy, "proxy"),
                "proxy " + proxy + " sent an oversized CONNECT response");
  if (end == std::string::npos) return;
  int status = 0;
  // "HTTP/1.x NNN ...": exactly three digits at offset 9; anything else stays 0 (refused).
  if (proxy_buf_.compare(0, 7, "HTTP/1.") == 0 && proxy_buf_.size() > 12) {
    const char* digits = proxy_buf_.data() + 9;
    auto [ptr, ec] = std::from_chars(digits, digits + 3, status);
    if (ec != std::errc() || ptr != digits + 3) status = 0;
  }
  std::string rest = proxy_buf_.substr(end + 4);
  proxy_buf_.clear();
  proxy_buf_.shrink_to_fit();
  if (status == 407)
    return fail(core::make_error(core::Errc::Proxy, "proxy", status),
                "proxy " + proxy +
                    " refused the tunnel: proxy authentication required (HTTP 407); "
                    "put user:password in the proxy URL");
  if (status < 200 || status > 299)
    return fail(core::make_error(core::Errc::Proxy, "proxy", status),
                "proxy " + proxy + " refused the tunnel (HTTP " + std::to_string(status) + ")");
  start_handshake();
  if (!rest.empty() && !closed_) {
    (void)session_->feed(rest.data(), rest.size());
    drive_handshake();
  }
}

void Connection::start_handshake() {
  enter(State::Handshake);
  arm(ex_.timeouts.handshake_ms);
  auto s = tls::Session::create(*tls_config_, endpoint_.host);
  if (!s.ok()) return fail(s.error(), "TLS setup failed");
  session_ = std::move(*s);
  drive_handshake();
}

void Connection::drive_handshake() {
  auto r = session_->handshake();
  flush_tls();
  if (closed_) return;
  if (!r.ok()) return fail(r.error(), session_->last_error_text());
  if (!*r) return;
  tls_version_ = session_->version();
  peer_summary_ = session_->peer_summary();
  begin_send();
}

void Connection::begin_send() {
  enter(State::Send);
  arm(ex_.timeouts.idle_ms);
  send_bytes(ex_.head);
  pump_body();
}

void Connection::pump_body() {
  auto queued = [this] { return queued_bytes_ + (session_ ? session_->output_size() : 0); };
  while (!body_sent_ && !closed_ && queued() < core::limits::client::kMaxQueuedRequestBytes) {
    if (ex_.source) {
      char buf[kChunk];
      auto r = ex_.source->read(buf, sizeof buf);
      if (!r.ok()) return fail(r.error(), "request body source failed");
      if (*r == 0 || source_sent_ + *r > ex_.source->size()) {
        if (source_sent_ + *r != ex_.source->size())
          return fail(core::make_error(core::Errc::InvalidArgument, "request body"),
                      "request body source produced a different length than it announced");
        body_sent_ = true;
        if (*r == 0) break;
      }
      send_bytes(std::string_view(buf, *r));
      source_sent_ += *r;
      if (source_sent_ == ex_.source->size()) body_sent_ = true;
    } else {
      size_t n = ex_.body.size() - body_off_;
      if (n > kChunk) n = kChunk;
      if (n > 0) send_bytes(std::string_view(ex_.body).substr(body_off_, n));
      body_off_ += n;
      if (body_off_ == ex_.body.size()) body_sent_ = true;
    }
  }
  if (!closed_) flush_tls();
  if (body_sent_ && state_ == State::Send) enter(State::Receive);
}

void Connection::send_bytes(std::string_view plain) {
  if (closed_) return;
  if (!session_) return raw_write(std::string(plain));
  core::Status st = session_->write(plain);
  if (!st.ok()) fail(st.error(), session_->last_error_text());
}

void Connection::flush_tls() {
  if (session_ && session_->has_output() && !closed_) raw_write(session_->take_output());
}

void Connection::raw_write(std::string bytes) {
  if (closed_ || !tcp_) return;
  size_t n = bytes.size();
  int rc = tcp_->write(std::move(bytes));
  if (rc != 0) return fail(uv::uv_error(rc, "write"), "write failed (" + uv_text(rc) + ")");
  queued_bytes_ += n;
  write_sizes_.push_back(n);
}

void Connection::on_write(uv::Tcp*, int status) {
  if (closed_) return;
  if (!write_sizes_.empty()) {
    queued_bytes_ -= write_sizes_.front();
    write_sizes_.pop_front();
  }
  if (status < 0) {
    if (status == UV_ECANCELED) return;
    return fail(uv::uv_error(status, "write"),
                "sending the request failed (" + uv_text(status) + ")");
  }
  if (state_ == State::Send) {
    arm(ex_.timeouts.idle_ms);
    pump_body();
  }
}

void Connection::on_read(uv::Tcp*, ssize_t nread, const char* data) {
  if (closed_) return;
  if (nread < 0) {
    reading_ = false;  // libuv stopped reading
    return on_eof(static_cast<int>(nread));
  }
  size_t n = static_cast<size_t>(nread);
  switch (state_) {
    case State::ProxyConnect: return on_proxy_bytes(data, n);
    case State::Handshake: {
      core::Status st = session_->feed(data, n);
      if (!st.ok()) return fail(st.error(), "TLS input overflow");
      return drive_handshake();
    }
    case State::Done:
    case State::Send:
    case State::Receive: break;
    default: return;
  }
  if (state_ != State::Done) arm(ex_.timeouts.idle_ms);
  if (!session_) {
    if (state_ == State::Done) return go_idle_closed();  // unsolicited bytes: unusable
    return on_plain(data, n);
  }
  core::Status st = session_->feed(data, n);
  if (!st.ok()) return fail(st.error(), "TLS input overflow");
  drain_tls();
}

void Connection::drain_tls() {
  char buf[kChunk];
  const uint32_t exchange = exchanges_;
  // While paused, ciphertext stays in the session: decrypting it would only move the same
  // bytes into a buffer of ours.
  while (!closed_ && !paused_) {
    auto r = session_->read(buf, sizeof buf);
    if (!r.ok()) {
      if (r.error().code == core::Errc::ConnClosed) return on_eof(UV_EOF);  // close_notify
      if (state_ == State::Done) return go_idle_closed();
      return fail(r.error(), session_->last_error_text());
    }
    flush_tls();
    if (*r == 0) return;
    // Plaintext while idle is a protocol violation; TLS-level messages (tickets) are not.
    if (state_ == State::Done) return go_idle_closed();
    on_plain(buf, *r);
    if (!in_exchange_ || exchanges_ != exchange) return;  // done, or the owner started another
  }
}

void Connection::on_plain(const char* data, size_t n) {
  core::Status st = parser_.feed(data, n);
  if (closed_) return;  // the owner closed us from a callback
  if (!st.ok()) {
    std::string cause =
        st.error().code == core::Errc::TooLarge
            ? "response head larger than " + std::to_string(ex_.max_header_bytes) + " bytes"
            : std::string("malformed response (") + parser_.error_reason() + ")";
    return fail(st.error(), cause);
  }
  if (parser_.complete()) complete_exchange();
}

void Connection::on_eof(int status) {
  if (state_ == State::Done) return go_idle_closed();
  if (!in_exchange_) return;
  if (status == UV_EOF && (state_ == State::Send || state_ == State::Receive)) {
    core::Status st = parser_.finish();
    if (st.ok()) return complete_exchange();
    return fail(st.error(), std::string("connection closed before the response was complete (") +
                                parser_.error_reason() + ")");
  }
  core::Error e = uv::uv_error(status, "read");
  switch (state_) {
    case State::ProxyConnect:
      return fail(core::make_error(core::Errc::Proxy, "proxy", status),
                  "proxy " + endpoint_.proxy->proxy.authority() +
                      " closed the connection instead of answering CONNECT");
    case State::Handshake:
      return fail(e, "connection closed during the TLS handshake (" + uv_text(status) +
                         "); the server may not speak TLS or rejected our protocol versions");
    default:
      return fail(e, "connection lost while " +
                         std::string(state_ == State::Send ? "sending" : "receiving") + " (" +
                         uv_text(status) + ")");
  }
}

void Connection::complete_exchange() {
  bool reusable = parser_.keep_alive() && parser_.extra_bytes() == 0 && body_sent_;
  in_exchange_ = false;
  paused_ = false;
  resuming_ = false;
  if (reusable) {
    enter(State::Done);
    arm(idle_evict_ms_);
    set_ref(false);
    start_reading();  // an idle connection watches for the server closing it
  } else {
    enter(State::Failed);
    close();
  }
  owner_->on_conn_done(this, core::ok_status(), std::string());
}

void Connection::fail(core::Error error, std::string cause) {
  if (state_ == State::Failed && !in_exchange_) return;
  bool notify = in_exchange_;
  bool was_idle = state_ == State::Done;
  stale_ = notify && exchanges_ > 1 && !parser_.started() &&
           (error.code == core::Errc::ConnClosed || error.code == core::Errc::ConnReset);
  in_exchange_ = false;
  failed_in_ = state_;
  enter(State::Failed);
  close();
  if (notify)
    owner_->on_conn_done(this, error, where() + ": " + cause);
  else if (was_idle)
    owner_->on_conn_idle_closed(this);
}

void Connection::go_idle_closed() {
  enter(State::Failed);
  close();
  owner_->on_conn_idle_closed(this);
}

void Connection::on_timer(uv::Timer*) {
  if (closed_) return;
  if (kick_) {
    kick_ = false;
    if (resuming_) {
      resuming_ = false;
      return resume_reading();
    }
    return advance();
  }
  auto timeout = [this](uint64_t ms, const char* what) {
    fail(core::make_error(core::Errc::Timeout, state_name(state_)),
         std::string("timed out ") + what + " after " + std::to_string(ms) + " ms");
  };
  switch (state_) {
    case State::Done: return go_idle_closed();  // idle eviction
    case State::Resolve: return timeout(ex_.timeouts.connect_ms, "resolving the host name");
    case State::Connect: return timeout(ex_.timeouts.connect_ms, "connecting");
    case State::ProxyConnect:
      return timeout(ex_.timeouts.connect_ms, "waiting for the proxy to open the tunnel");
    case State::Handshake: return timeout(ex_.timeouts.handshake_ms, "in the TLS handshake");
    case State::Send: return timeout(ex_.timeouts.idle_ms, "sending the request (no progress)");
    case State::Receive:
      if (paused_) return;  // our consumer is slow, not the server
      return timeout(ex_.timeouts.idle_ms, "waiting for response data");
    case State::Failed: return;
  }
}

void Connection::set_paused(bool paused) {
  if (closed_ || !in_exchange_ || paused_ == paused) return;
  paused_ = paused;
  if (paused) {
    if (tcp_ && reading_) {
      tcp_->read_stop();
      reading_ = false;
    }
    resuming_ = false;
    if (state_ == State::Receive) {
      kick_ = false;
      timer_->stop();
    }
    return;
  }
  // Not from here: the caller may be inside its own on_data, and what the TLS session holds
  // would be delivered right back into it.
  resuming_ = true;
  kick_ = true;
  timer_->start(0);
}

void Connection::resume_reading() {
  if (closed_ || paused_ || !in_exchange_) return;
  arm(ex_.timeouts.idle_ms);
  if (session_) {
    drain_tls();
    if (closed_ || paused_ || !in_exchange_) return;
  }
  start_reading();
}

void Connection::start_reading() {
  if (closed_ || !tcp_ || reading_) return;
  int rc = tcp_->read_start();
  if (rc != 0)
    return fail(uv::uv_error(rc, "read"), "cannot read from socket (" + uv_text(rc) + ")");
  reading_ = true;
}

core::Status Connection::on_head(ResponseParser& p) { return owner_->on_conn_head(this, p); }
core::Status Connection::on_body(std::string_view data) { return owner_->on_conn_body(this, data); }

}  // namespace http
