// Implementation of http/response_parser.h.
#include "http/response_parser.h"

#include <cstring>

#include "core/limits.h"

namespace http {
namespace {

ResponseParser* self_of(llhttp_t* p) { return static_cast<ResponseParser*>(p->data); }

}  // namespace

// iequals() is defined once, in message.cc (both headers declare it).

const std::string* find_header(const ClientHeaders& headers, std::string_view name) {
  for (const auto& h : headers)
    if (iequals(h.first, name)) return &h.second;
  return nullptr;
}

ResponseParser::ResponseParser() {
  llhttp_settings_init(&settings_);
  settings_.on_message_begin = on_message_begin_cb;
  settings_.on_status = on_status_cb;
  settings_.on_header_field = on_field_cb;
  settings_.on_header_value = on_value_cb;
  settings_.on_header_value_complete = on_value_done_cb;
  settings_.on_headers_complete = on_headers_complete_cb;
  settings_.on_body = on_body_cb;
  settings_.on_message_complete = on_message_complete_cb;
  reset(nullptr, false, core::limits::client::kMaxResponseHeaderBytes);
}

void ResponseParser::reset(Handler* handler, bool head_request, size_t max_header_bytes) {
  llhttp_init(&parser_, HTTP_RESPONSE, &settings_);
  parser_.data = this;
  handler_ = handler;
  head_request_ = head_request;
  max_header_bytes_ = max_header_bytes;
  head_bytes_ = 0;
  head_complete_ = complete_ = started_ = keep_alive_ = in_value_ = false;
  status_ = 0;
  headers_.clear();
  body_bytes_ = 0;
  extra_bytes_ = 0;
  cb_failed_ = too_large_ = false;
  error_reason_ = "";
}

bool ResponseParser::count_head(size_t n) {
  head_bytes_ += n;
  if (head_bytes_ > max_header_bytes_) {
    too_large_ = true;
    return false;
  }
  return true;
}

int ResponseParser::on_message_begin_cb(llhttp_t* p) {
  self_of(p)->started_ = true;
  return 0;
}

int ResponseParser::on_status_cb(llhttp_t* p, const char*, size_t n) {
  return self_of(p)->count_head(n) ? 0 : -1;
}

int ResponseParser::on_field_cb(llhttp_t* p, const char* at, size_t n) {
  ResponseParser* s = self_of(p);
  if (!s->count_head(n)) return -1;
  if (s->in_value_ || s->headers_.empty()) {
    if (s->headers_.size() >= core::limits::client::kMaxResponseHeaders) {
      s->too_large_ = true;
      return -1;
    }
    s->headers_.emplace_back();
    s->in_value_ = false;
  }
  s->headers_.back().first.append(at, n);
  return 0;
}

int ResponseParser::on_value_cb(llhttp_t* p, const char* at, size_t n) {
  ResponseParser* s = self_of(p);
  if (!s->count_head(n)) return -1;
  s->in_value_ = true;
  if (!s->headers_.empty()) s->headers_.back().second.append(at, n);
  return 0;
}

int ResponseParser::on_value_done_cb(llhttp_t* p) {
  // An empty value produces no on_header_value call; close the pair so the next field
  // starts a new one.
  self_of(p)->in_value_ = true;
  return 0;
}

int ResponseParser::on_headers_complete_cb(llhttp_t* p) {
  ResponseParser* s = self_of(p);
  s->status_ = p->status_code;
  if (s->status_ >= 100 && s->status_ < 200) return 0;  // interim: skipped at message end
  s->head_complete_ = true;
  s->keep_alive_ = llhttp_should_keep_alive(p) != 0;
  if (s->handler_) {
    core::Status st = s->handler_->on_head(*s);
    if (!st.ok()) {
      s->cb_error_ = st.error();
      s->cb_failed_ = true;
      return -1;
    }
  }
  // HEAD responses and 204/304 carry no body whatever their headers say (RFC 9112 §6.3).
  if (s->head_request_) return 1;
  return 0;
}

int ResponseParser::on_body_cb(llhttp_t* p, const char* at, size_t n) {
  ResponseParser* s = self_of(p);
  s->body_bytes_ += n;
  if (!s->handler_) return 0;
  core::Status st = s->handler_->on_body(std::string_view(at, n));
  if (!st.ok()) {
    s->cb_error_ = st.error();
    s->cb_failed_ = true;
    return -1;
  }
  return 0;
}

int ResponseParser::on_message_complete_cb(llhttp_t* p) {
  ResponseParser* s = self_of(p);
  if (!s->head_complete_) {
    // End of a 1xx interim response: forget it and parse the real one.
    s->headers_.clear();
    s->head_bytes_ = 0;
    s->in_value_ = false;
    return 0;
  }
  s->complete_ = true;
  s->keep_alive_ = s->keep_alive_ && llhttp_should_keep_alive(p) != 0;
  // Stop here: nothing may follow a response we did not ask for.
  return HPE_PAUSED;
}

core::Status ResponseParser::map_errno(llhttp_errno_t err) {
  error_reason_ = llhttp_get_error_reason(&parser_);
  if (!error_reason_) error_reason_ = llhttp_errno_name(err);
  if (cb_failed_) return cb_error_;
  if (too_large_) return core::make_error(core::Errc::TooLarge, "response head");
  return core::make_error(core::Errc::Parse, "response", static_cast<int>(err));
}

core::Status ResponseParser::feed(const char* data, size_t n) {
  if (complete_) {
    extra_bytes_ += n;
    return core::ok_status();
  }
  llhttp_errno_t err = llhttp_execute(&parser_, data, n);
  if (err == HPE_OK) return core::ok_status();
  if (err == HPE_PAUSED && complete_) {
    const char* pos = llhttp_get_error_pos(&parser_);
    if (pos && pos >= data && pos <= data + n) extra_bytes_ += static_cast<size_t>(data + n - pos);
    return core::ok_status();
  }
  return map_errno(err);
}

core::Status ResponseParser::finish() {
  if (complete_) return core::ok_status();
  // Close-delimited body: llhttp completes the message on EOF when it needs one.
  if (head_complete_ && llhttp_message_needs_eof(&parser_)) {
    llhttp_errno_t err = llhttp_finish(&parser_);
    if (err == HPE_OK || (err == HPE_PAUSED && complete_)) {
      complete_ = true;
      keep_alive_ = false;
      return core::ok_status();
    }
    return map_errno(err);
  }
  error_reason_ = head_complete_ ? "body cut short" : "no complete response head";
  return core::make_error(core::Errc::ConnClosed, "response");
}

namespace {
struct FuzzHandler final : ResponseParser::Handler {
  core::Status on_head(ResponseParser& p) override {
    (void)find_header(p.headers(), "content-length");
    return core::ok_status();
  }
  core::Status on_body(std::string_view d) override {
    total += d.size();
    return core::ok_status();
  }
  size_t total = 0;
};
}  // namespace

void fuzz_response_parser(const uint8_t* data, size_t size) {
  // First byte picks the piece size (1..32 or whole), second whether it is a HEAD response.
  if (size < 2) return;
  size_t piece = data[0] % 33;
  bool head = data[1] & 1;
  data += 2;
  size -= 2;
  ResponseParser parser;
  FuzzHandler h;
  parser.reset(&h, head, 4096);
  size_t off = 0;
  while (off < size) {
    size_t n = piece == 0 ? size - off : (size - off < piece ? size - off : piece);
    if (!parser.feed(reinterpret_cast<const char*>(data) + off, n).ok()) return;
    off += n;
  }
  (void)parser.finish();
  if (parser.complete() && parser.body_bytes() != h.total) __builtin_trap();
}

}  // namespace http
