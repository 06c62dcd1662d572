// HTTP/1.1 response parsing for the client (RFC 9112 §4-§7) on llhttp in HTTP_RESPONSE mode:
// status line and headers (bounded by limits::client), bodies framed by Content-Length,
// chunked transfer coding (any chunk boundaries) or connection close. Interim 1xx responses
// are skipped. Body bytes are handed to the handler as they are decoded, never buffered here,
// so a response of any size is parsed in constant memory.
#pragma once

#include <llhttp.h>

#include <cstdint>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "core/result.h"
#include "http/message.h"  // iequals

namespace http {

// Header lines in arrival order; names as sent (compare case-insensitively).
using ClientHeaders = std::vector<std::pair<std::string, std::string>>;

// Case-insensitive lookup; nullptr if absent. Returns the first occurrence.
const std::string* find_header(const ClientHeaders& headers, std::string_view name);

class ResponseParser {
 public:
  class Handler {
   public:
    // Status line and headers of the final (non-1xx) response are complete.
    virtual core::Status on_head(ResponseParser& parser) = 0;
    // A piece of decoded body; valid only during the call.
    virtual core::Status on_body(std::string_view data) = 0;

   protected:
    ~Handler() = default;
  };

  ResponseParser();
  ResponseParser(const ResponseParser&) = delete;
  ResponseParser& operator=(const ResponseParser&) = delete;

  // Prepares for the next response. head_request: the request was HEAD (no body follows).
  void reset(Handler* handler, bool head_request, size_t max_header_bytes);

  // Parses bytes. Errors: Parse (malformed, with llhttp's reason in error_reason()),
  // TooLarge (head over the limit), or whatever a handler callback returned. Bytes after a
  // complete response are not parsed; extra_bytes() counts them.
  core::Status feed(const char* data, size_t n);
  // The connection reached EOF: completes a close-delimited body; a response cut short
  // gives ConnClosed.
  core::Status finish();

  bool head_complete() const { return head_complete_; }
  bool complete() const { return complete_; }
  int status() const { return status_; }
  const ClientHeaders& headers() const { return headers_; }
  ClientHeaders take_headers() { return std::move(headers_); }
  // true if the response allows reusing the connection (HTTP/1.1 without Connection: close,
  // framed by length or chunks).
  bool keep_alive() const { return keep_alive_; }
  size_t extra_bytes() const { return extra_bytes_; }
  uint64_t body_bytes() const { return body_bytes_; }
  const char* error_reason() const { return error_reason_; }
  // Whether any byte of a response has been seen (distinguishes a stale keep-alive
  // connection closed by the server from a response cut short).
  bool started() const { return started_; }

 private:
  static int on_status_cb(llhttp_t* p, const char* at, size_t n);
  static int on_field_cb(llhttp_t* p, const char* at, size_t n);
  static int on_value_cb(llhttp_t* p, const char* at, size_t n);
  static int on_value_done_cb(llhttp_t* p);
  static int on_headers_complete_cb(llhttp_t* p);
  static int on_body_cb(llhttp_t* p, const char* at, size_t n);
  static int on_message_complete_cb(llhttp_t* p);
  static int on_message_begin_cb(llhttp_t* p);
  bool count_head(size_t n);
  core::Status map_errno(llhttp_errno_t err);

  llhttp_settings_t settings_;
  llhttp_t parser_;
  Handler* handler_ = nullptr;
  bool head_request_ = false;
  size_t max_header_bytes_ = 0;
  size_t head_bytes_ = 0;  // bytes of status line + headers seen so far
  bool head_complete_ = false;
  bool complete_ = false;
  bool started_ = false;
  bool keep_alive_ = false;
  bool in_value_ = false;  // the last header callback was a value piece
  int status_ = 0;
  ClientHeaders headers_;
  uint64_t body_bytes_ = 0;
  size_t extra_bytes_ = 0;
  core::Error cb_error_{core::Errc::Internal};  // error returned by a handler callback
  bool cb_failed_ = false;
  bool too_large_ = false;
  const char* error_reason_ = "";
};

// Fuzz entry point: feeds data in pieces whose sizes come from the data itself.
void fuzz_response_parser(const uint8_t* data, size_t size);

}  // namespace http
