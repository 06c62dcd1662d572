// Incremental HTTP/1.x request parser over llhttp (strict mode: no lenient flags), with the
// server's limits enforced where bytes are buffered (h2o's handle_incoming_request). Pure:
// no I/O. The caller feeds whatever arrived; feed() stops after each complete request so
// pipelined requests come out one at a time, in order. Idle state is just the llhttp_t and a
// pointer: the Request and header scratch space are allocated when a request begins and
// handed over (or freed) when it ends.
#pragma once

#include <llhttp.h>

#include <cstddef>
#include <memory>
#include <string>

#include "core/limits.h"
#include "http/message.h"

namespace http {

struct ParserLimits {
  size_t max_header_bytes = core::limits::kMaxRequestHeaderBytes;  // request line + headers
  size_t max_headers = core::limits::kMaxRequestHeaders;
  size_t max_url_bytes = core::limits::kMaxUrlBytes;
  size_t max_body_bytes = core::limits::kDefaultMaxRequestBody;
};

class RequestParser {
 public:
  enum class Phase : uint8_t {
    Idle,      // between requests: nothing of the next one seen yet
    Head,      // request line / headers arriving
    Body,      // headers done, body (or chunked trailer) arriving
    Complete,  // a whole request is ready: take() it before feeding more
    Error,     // malformed or over a limit: answer error_status() and close
  };
  struct Step {
    size_t consumed;  // bytes of the input used; the rest belongs to the next request
    Phase phase;      // phase after this step
  };

  // `limits` must outlive the parser (the server owns one copy for every connection).
  explicit RequestParser(const ParserLimits* limits);
  ~RequestParser();
  RequestParser(const RequestParser&) = delete;
  RequestParser& operator=(const RequestParser&) = delete;

  // Parses up to one request out of data[0..len). Returns at Complete (consumed may be less
  // than len: pipelined bytes follow), at Error, or with everything consumed.
  Step feed(const char* data, size_t len);
  Phase phase() const { return phase_; }
  // Bytes of the current request's head seen so far.
  size_t head_bytes() const { return head_bytes_; }

  // After Complete: the request (path decoded, query parsed, body de-chunked).
  std::unique_ptr<Request> take();
  // After Complete: whether the connection may carry another request (HTTP/1.1 without
  // Connection: close, or HTTP/1.0 with Connection: keep-alive; never after an Upgrade).
  bool keep_alive() const { return keep_alive_; }
  // During Body: the client sent "Expect: 100-continue" and waits for a 100 response.
  bool expects_continue() const;
  // The request being parsed (valid from Head to Complete), e.g. to read the method.
  const Request* current() const;

  // After Error: the status to answer with (400, 413, 414, 431) and what was wrong.
  int error_status() const { return error_status_; }
  const std::string& error_message() const { return error_message_; }

 private:
  struct Message;  // per-request scratch, allocated at message begin
  static int on_message_begin(llhttp_t* p);
  static int on_url(llhttp_t* p, const char* at, size_t len);
  static int on_header_field(llhttp_t* p, const char* at, size_t len);
  static int on_header_value(llhttp_t* p, const char* at, size_t len);
  static int on_header_value_complete(llhttp_t* p);
  static int on_headers_complete(llhttp_t* p);
  static int on_body(llhttp_t* p, const char* at, size_t len);
  static int on_message_complete(llhttp_t* p);
  static const llhttp_settings_t* settings();
  int fail(int status, std::string message);  // records the error, returns HPE_USER
  int check_head();

  llhttp_t parser_;
  const ParserLimits* limits_;
  std::unique_ptr<Message> msg_;
  size_t head_bytes_ = 0;
  Phase phase_ = Phase::Idle;
  bool keep_alive_ = false;
  bool upgraded_ = false;
  int error_status_ = 0;
  std::string error_message_;
};

}  // namespace http
