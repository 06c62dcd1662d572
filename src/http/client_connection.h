// One outbound HTTP/1.1 connection as an explicit state machine:
//   Resolve -> Connect -> [ProxyConnect] -> [Handshake] -> Send -> Receive -> Done (idle)
// with Failed as the sink state. One timer re-armed per state (connect, handshake, idle
// read/write, idle eviction). Carries one request at a time; the Client (http/client.h) owns
// connections, pools the ones in Done and decides about retries. TLS goes through
// tls::Session's in-memory BIO; bytes read from the socket are fed to it, its output is
// written with uv_write. Every owner callback happens from a loop callback, never from start().
#pragma once

#include <deque>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "http/proxy.h"
#include "http/response_parser.h"
#include "tls/client_config.h"
#include "tls/session.h"
#include "uv/resolver.h"
#include "uv/tcp.h"
#include "uv/timer.h"

namespace http {

// A request body produced piece by piece (Put Block uploads, large media). Pulled on the
// loop thread whenever fewer than limits::client::kMaxQueuedRequestBytes are queued.
class BodySource {
 public:
  virtual ~BodySource() = default;
  // Total length in bytes (sent as Content-Length).
  virtual uint64_t size() const = 0;
  // Copies up to cap bytes into out; returns how many (0 only at the end). An error aborts
  // the request with that error.
  virtual core::Result<size_t> read(char* out, size_t cap) = 0;
  // Starts again from the first byte (for a retry). false: cannot, so no retry happens.
  virtual bool rewind() = 0;
};

// Where a connection goes. Two endpoints with equal key() may share pooled connections.
struct Endpoint {
  std::string host;  // name for DNS, SNI and certificate verification
  uint16_t port = 0;
  bool tls = false;
  std::optional<ProxyRoute> proxy;
  std::string key() const;
};

struct ConnectionTimeouts {
  uint64_t connect_ms = 0;    // DNS + TCP connect + proxy CONNECT, per state
  uint64_t handshake_ms = 0;  // TLS handshake
  uint64_t idle_ms = 0;       // silence while sending or receiving
};

class Connection final : uv::Tcp::Handler,
                         uv::Timer::Handler,
                         uv::Resolve::Handler,
                         ResponseParser::Handler {
 public:
  enum class State { Resolve, Connect, ProxyConnect, Handshake, Send, Receive, Done, Failed };

  class Owner {
   public:
    virtual core::Status on_conn_head(Connection* c, ResponseParser& parser) = 0;
    virtual core::Status on_conn_body(Connection* c, std::string_view data) = 0;
    // The exchange ended: the response is complete (status ok) or the attempt failed.
    // message names the host and the cause. Called once per start().
    virtual void on_conn_done(Connection* c, core::Status status, const std::string& message) = 0;
    // An idle (Done) connection was closed by the peer or expired; the owner drops it.
    virtual void on_conn_idle_closed(Connection* c) = 0;

   protected:
    ~Owner() = default;
  };

  // One request on the wire.
  struct Exchange {
    std::string head;              // serialised request line + headers + blank line
    std::string_view body;         // in-memory body (may be empty); outlives the exchange
    BodySource* source = nullptr;  // or a streamed body (after head), not both
    bool head_request = false;
    size_t max_header_bytes = 0;
    ConnectionTimeouts timeouts;
  };

  Connection(uv_loop_t* loop, Endpoint endpoint, const tls::ClientConfig* tls, Owner* owner,
             uint64_t idle_evict_ms);
  ~Connection();
  Connection(const Connection&) = delete;
  Connection& operator=(const Connection&) = delete;

  // Starts an exchange on a fresh connection or on one in Done. The outcome reaches
  // Owner::on_conn_done exactly once, from a loop callback.
  void start(Exchange exchange);
  // Closes the socket; no owner callback follows. Idempotent.
  void close();
  // Back-pressure for the current exchange's response (http::BodyFlow). Paused: nothing more
  // is read from the socket once the current read is through (TLS ciphertext already read
  // stays in the session, undecrypted) and the idle timeout does not run while receiving.
  // Unpaused: from a loop callback, what the TLS session holds is delivered first, then the
  // socket is read again. Ignored outside an exchange; an exchange ends unpaused.
  void set_paused(bool paused);
  bool paused() const { return paused_; }

  State state() const { return state_; }
  // The state the connection was in when it failed (which step broke: dns, tcp, ...).
  State failed_in() const { return failed_in_; }
  bool closed() const { return closed_; }
  bool idle() const { return state_ == State::Done && !closed_; }
  // Served at least one exchange before the current one.
  bool reused() const { return exchanges_ > 1; }
  // The current exchange failed on a reused connection before any response byte arrived:
  // the server had closed the idle connection, the request may be repeated on a fresh one.
  bool failed_stale() const { return stale_; }
  const Endpoint& endpoint() const { return endpoint_; }
  const std::string& tls_version() const { return tls_version_; }
  const std::string& peer_summary() const { return peer_summary_; }
  const std::string& remote_ip() const { return remote_ip_; }
  // Opaque slot for the owner (the call this connection currently serves).
  void* user = nullptr;

 private:
  // uv callbacks
  void on_resolved(uv::Resolve*, int status, const std::vector<sockaddr_storage>& addrs) override;
  void on_connect(uv::Tcp*, int status) override;
  void on_read(uv::Tcp*, ssize_t nread, const char* data) override;
  void on_write(uv::Tcp*, int status) override;
  void on_timer(uv::Timer*) override;
  // parser callbacks
  core::Status on_head(ResponseParser& p) override;
  core::Status on_body(std::string_view data) override;

  void advance();
  void enter(State s);
  void connect_next();
  void start_handshake();
  void drive_handshake();
  void send_proxy_connect();
  void on_proxy_bytes(const char* data, size_t n);
  void begin_send();
  void pump_body();
  void send_bytes(std::string_view plain);
  void raw_write(std::string bytes);
  void set_ref(bool on);
  void arm(uint64_t ms);
  void flush_tls();
  void on_plain(const char* data, size_t n);
  void drain_tls();
  void resume_reading();
  void start_reading();
  void on_eof(int status);
  void complete_exchange();
  void fail(core::Error error, std::string cause);
  void go_idle_closed();
  std::string where() const;

  uv_loop_t* loop_;
  Endpoint endpoint_;
  const tls::ClientConfig* tls_config_;
  Owner* owner_;
  uint64_t idle_evict_ms_;
  State state_ = State::Resolve;
  State failed_in_ = State::Failed;
  bool started_ = false;  // socket set up (Resolve..Handshake done once)
  bool closed_ = false;
  bool stale_ = false;
  bool in_exchange_ = false;  // an exchange is running (owner awaits on_conn_done)
  bool body_sent_ = false;    // whole request queued
  uint32_t exchanges_ = 0;
  uv::Ptr<uv::Tcp> tcp_;
  uv::Ptr<uv::Timer> timer_;
  uv::Resolve* resolve_ = nullptr;  // in flight, cancelled on close
  std::vector<sockaddr_storage> addrs_;
  size_t addr_index_ = 0;
  std::string remote_ip_;
  int last_connect_error_ = 0;
  std::unique_ptr<tls::Session> session_;
  std::string tls_version_;
  std::string peer_summary_;
  std::string proxy_buf_;  // CONNECT response head being read
  ResponseParser parser_;
  Exchange ex_;
  size_t body_off_ = 0;  // bytes of ex_.body (or source) queued so far
  uint64_t source_sent_ = 0;
  size_t queued_bytes_ = 0;         // bytes handed to uv_write not yet confirmed
  std::deque<size_t> write_sizes_;  // size of each uv_write in flight, in order
  bool kick_ = false;               // timer armed at 0 ms to run advance() from the loop
  bool resuming_ = false;           // ... or resume_reading() after set_paused(false)
  bool paused_ = false;             // the owner asked us to stop reading (back-pressure)
  bool reading_ = false;            // uv_read_start is in effect
};

const char* state_name(Connection::State s);

}  // namespace http
