// Implementation of http/request_parser.h.
#include "http/request_parser.h"

#include <algorithm>
#include <cstdio>

namespace http {

struct RequestParser::Message {
  std::unique_ptr<Request> req = std::make_unique<Request>();
  std::string field;               // header name being received
  std::string value;               // header value being received
  size_t stored_header_bytes = 0;  // names + values kept (trailers included)
};

namespace {

RequestParser* self(llhttp_t* p) { return static_cast<RequestParser*>(p->data); }

Method map_method(uint8_t m) {
  switch (m) {
    case HTTP_GET: return Method::Get;
    case HTTP_HEAD: return Method::Head;
    case HTTP_POST: return Method::Post;
    case HTTP_PUT: return Method::Put;
    case HTTP_DELETE: return Method::Delete;
    case HTTP_PATCH: return Method::Patch;
    case HTTP_OPTIONS: return Method::Options;
    default: return Method::Other;
  }
}

std::string fmt_limit(const char* what, size_t limit) {
  char buf[128];
  snprintf(buf, sizeof buf, "%s %zu bytes", what, limit);
  return buf;
}

std::string_view trim_ows(std::string_view v) {
  while (!v.empty() && (v.back() == ' ' || v.back() == '\t')) v.remove_suffix(1);
  while (!v.empty() && (v.front() == ' ' || v.front() == '\t')) v.remove_prefix(1);
  return v;
}

}  // namespace

const llhttp_settings_t* RequestParser::settings() {
  static const llhttp_settings_t s = [] {
    llhttp_settings_t st;
    llhttp_settings_init(&st);
    st.on_message_begin = on_message_begin;
    st.on_url = on_url;
    st.on_header_field = on_header_field;
    st.on_header_value = on_header_value;
    st.on_header_value_complete = on_header_value_complete;
    st.on_headers_complete = on_headers_complete;
    st.on_body = on_body;
    st.on_message_complete = on_message_complete;
    return st;
  }();
  return &s;
}

RequestParser::RequestParser(const ParserLimits* limits) : limits_(limits) {
  llhttp_init(&parser_, HTTP_REQUEST, settings());
  parser_.data = this;
}

RequestParser::~RequestParser() = default;

int RequestParser::fail(int status, std::string message) {
  if (error_status_ == 0) {
    error_status_ = status;
    error_message_ = std::move(message);
  }
  return HPE_USER;
}

int RequestParser::on_message_begin(llhttp_t* p) {
  RequestParser* s = self(p);
  s->msg_ = std::make_unique<Message>();
  s->phase_ = Phase::Head;
  return 0;
}

int RequestParser::on_url(llhttp_t* p, const char* at, size_t len) {
  RequestParser* s = self(p);
  std::string& t = s->msg_->req->target;
  if (t.size() + len > s->limits_->max_url_bytes) {
    return s->fail(414, fmt_limit("request target exceeds", s->limits_->max_url_bytes));
  }
  t.append(at, len);
  return 0;
}

int RequestParser::on_header_field(llhttp_t* p, const char* at, size_t len) {
  RequestParser* s = self(p);
  Message& m = *s->msg_;
  m.stored_header_bytes += len;
  if (m.stored_header_bytes > s->limits_->max_header_bytes) {
    return s->fail(431, fmt_limit("request header fields exceed", s->limits_->max_header_bytes));
  }
  m.field.append(at, len);
  return 0;
}

int RequestParser::on_header_value(llhttp_t* p, const char* at, size_t len) {
  RequestParser* s = self(p);
  Message& m = *s->msg_;
  m.stored_header_bytes += len;
  if (m.stored_header_bytes > s->limits_->max_header_bytes) {
    return s->fail(431, fmt_limit("request header fields exceed", s->limits_->max_header_bytes));
  }
  m.value.append(at, len);
  return 0;
}

int RequestParser::on_header_value_complete(llhttp_t* p) {
  RequestParser* s = self(p);
  Message& m = *s->msg_;
  Headers& h = m.req->headers;
  if (h.size() >= s->limits_->max_headers) {
    char buf[96];
    snprintf(buf, sizeof buf, "request has more than %zu header fields", s->limits_->max_headers);
    return s->fail(431, buf);
  }
  std::string_view v = trim_ows(m.value);
  h.add(std::move(m.field), std::string(v));
  m.field = std::string();
  m.value.clear();
  return 0;
}

int RequestParser::check_head() {
  Request& r = *msg_->req;
  const Headers& h = r.headers;
  // llhttp already refuses CL together with chunked, duplicate CL and malformed values; these
  // checks make the rules explicit and cover Transfer-Encoding codings other than chunked.
  if ((parser_.flags & F_CONTENT_LENGTH) && (parser_.flags & F_TRANSFER_ENCODING)) {
    return fail(400, "request has both Content-Length and Transfer-Encoding");
  }
  if (h.count("Content-Length") > 1)
    return fail(400, "request has more than one Content-Length header");
  if (h.count("Transfer-Encoding") > 1)
    return fail(400, "request has more than one Transfer-Encoding header");
  size_t hosts = h.count("Host");
  if (hosts > 1) return fail(400, "request has more than one Host header");
  if (hosts == 0 && r.http_minor >= 1) return fail(400, "HTTP/1.1 request without a Host header");
  if ((parser_.flags & F_CONTENT_LENGTH) && parser_.content_length > limits_->max_body_bytes) {
    return fail(413, fmt_limit("request body exceeds", limits_->max_body_bytes));
  }
  const char* why = "";
  auto target = parse_target(r.target, &why);
  if (!target) return fail(400, why);
  r.path = std::move(target->path);
  r.query = std::move(target->query);
  r.query_params = std::move(target->params);
  return 0;
}

int RequestParser::on_headers_complete(llhttp_t* p) {
  RequestParser* s = self(p);
  Request& r = *s->msg_->req;
  r.method = map_method(p->method);
  r.http_minor = p->http_major == 1 ? p->http_minor : 1;
  if (p->http_major != 1) return s->fail(505, "only HTTP/1.0 and HTTP/1.1 are supported");
  if (s->check_head() != 0) return -1;
  s->phase_ = Phase::Body;
  return 0;
}

int RequestParser::on_body(llhttp_t* p, const char* at, size_t len) {
  RequestParser* s = self(p);
  std::string& b = s->msg_->req->body;
  if (b.size() + len > s->limits_->max_body_bytes) {
    return s->fail(413, fmt_limit("request body exceeds", s->limits_->max_body_bytes));
  }
  if (b.empty() && (p->flags & F_CONTENT_LENGTH)) b.reserve(p->content_length + len);
  b.append(at, len);
  return 0;
}

int RequestParser::on_message_complete(llhttp_t* p) {
  RequestParser* s = self(p);
  s->keep_alive_ = llhttp_should_keep_alive(p) != 0;
  if (p->upgrade) {
    // We speak no other protocol; answer this request and close instead of switching.
    s->upgraded_ = true;
    s->keep_alive_ = false;
  }
  s->phase_ = Phase::Complete;
  return HPE_PAUSED;
}

RequestParser::Step RequestParser::feed(const char* data, size_t len) {
  if (phase_ == Phase::Complete || phase_ == Phase::Error || len == 0) return {0, phase_};
  bool in_head = phase_ == Phase::Idle || phase_ == Phase::Head;
  size_t n = len;
  if (in_head) {
    // Never hand llhttp more head bytes than the limit allows: the 431 is exact and no
    // buffer grows past it.
    size_t allowance = limits_->max_header_bytes - std::min(head_bytes_, limits_->max_header_bytes);
    n = std::min(len, allowance);
    if (n == 0) {
      fail(431, fmt_limit("request header fields exceed", limits_->max_header_bytes));
      phase_ = Phase::Error;
      return {0, phase_};
    }
  }
  llhttp_errno_t err = llhttp_execute(&parser_, data, n);
  size_t consumed = n;
  if (err != HPE_OK) {
    const char* pos = llhttp_get_error_pos(&parser_);
    consumed = (pos && pos >= data && pos <= data + n) ? static_cast<size_t>(pos - data) : n;
  }
  if (in_head) head_bytes_ += consumed;
  if (err == HPE_PAUSED || err == HPE_PAUSED_UPGRADE) {
    llhttp_resume(&parser_);
    return {consumed, phase_};
  }
  if (err != HPE_OK) {
    if (error_status_ == 0) {
      std::string msg = "malformed request: ";
      const char* reason = llhttp_get_error_reason(&parser_);
      msg += reason && *reason ? reason : llhttp_errno_name(err);
      fail(400, std::move(msg));
    }
    phase_ = Phase::Error;
    msg_.reset();
    return {consumed, phase_};
  }
  if ((phase_ == Phase::Idle || phase_ == Phase::Head) &&
      head_bytes_ >= limits_->max_header_bytes) {
    fail(431, fmt_limit("request header fields exceed", limits_->max_header_bytes));
    phase_ = Phase::Error;
    msg_.reset();
  }
  return {consumed, phase_};
}

std::unique_ptr<Request> RequestParser::take() {
  if (phase_ != Phase::Complete || !msg_) return nullptr;
  std::unique_ptr<Request> r = std::move(msg_->req);
  msg_.reset();
  head_bytes_ = 0;
  // After an upgrade request llhttp expects the other protocol; nothing more is parsed.
  phase_ = upgraded_ ? Phase::Error : Phase::Idle;
  if (upgraded_) error_status_ = 0;
  return r;
}

bool RequestParser::expects_continue() const {
  if (phase_ != Phase::Body || !msg_) return false;
  const Request& r = *msg_->req;
  auto e = r.headers.get("Expect");
  return r.http_minor >= 1 && e && iequals(*e, "100-continue");
}

const Request* RequestParser::current() const { return msg_ ? msg_->req.get() : nullptr; }

}  // namespace http
