// Implementation of http/message.h.
#include "http/message.h"

#include <charconv>
#include <cstdio>

#include "core/codec.h"
#include "json/json.h"

namespace http {

const char* method_name(Method m) {
  switch (m) {
    case Method::Get: return "GET";
    case Method::Head: return "HEAD";
    case Method::Post: return "POST";
    case Method::Put: return "PUT";
    case Method::Delete: return "DELETE";
    case Method::Patch: return "PATCH";
    case Method::Options: return "OPTIONS";
    case Method::Other: return "OTHER";
  }
  return "OTHER";
}

static char lower(char c) { return (c >= 'A' && c <= 'Z') ? static_cast<char>(c + 32) : c; }

bool iequals(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  for (size_t i = 0; i < a.size(); ++i) {
    if (lower(a[i]) != lower(b[i])) return false;
  }
  return true;
}

std::optional<std::string_view> Headers::get(std::string_view name) const {
  for (const auto& h : list_) {
    if (iequals(h.first, name)) return std::string_view(h.second);
  }
  return std::nullopt;
}

size_t Headers::count(std::string_view name) const {
  size_t n = 0;
  for (const auto& h : list_) n += iequals(h.first, name) ? 1 : 0;
  return n;
}

void Headers::add(std::string name, std::string value) {
  list_.emplace_back(std::move(name), std::move(value));
}

void Headers::set(std::string name, std::string value) {
  remove(name);
  add(std::move(name), std::move(value));
}

void Headers::remove(std::string_view name) {
  std::erase_if(list_, [&](const auto& h) { return iequals(h.first, name); });
}

std::optional<std::string_view> Request::query_param(std::string_view name) const {
  for (const auto& p : query_params) {
    if (iequals(p.first, name)) return std::string_view(p.second);
  }
  return std::nullopt;
}

Response Response::json(int status, const cJSON* value) {
  Response r;
  r.status = status;
  r.headers.add("Content-Type", "application/json; charset=utf-8");
  r.body = json::dump(value);
  return r;
}

Response Response::text(int status, std::string_view body, std::string_view content_type) {
  Response r;
  r.status = status;
  r.headers.add("Content-Type", std::string(content_type));
  r.body = std::string(body);
  return r;
}

Response Response::error(int status, std::string_view message) {
  json::Json o = json::object();
  json::add_string(o.get(), "error", message);
  return json(status, o.get());
}

const char* reason_phrase(int status) {
  switch (status) {
    case 100: return "Continue";
    case 200: return "OK";
    case 201: return "Created";
    case 202: return "Accepted";
    case 204: return "No Content";
    case 301: return "Moved Permanently";
    case 302: return "Found";
    case 303: return "See Other";
    case 304: return "Not Modified";
    case 307: return "Temporary Redirect";
    case 308: return "Permanent Redirect";
    case 400: return "Bad Request";
    case 401: return "Unauthorized";
    case 403: return "Forbidden";
    case 404: return "Not Found";
    case 405: return "Method Not Allowed";
    case 408: return "Request Timeout";
    case 409: return "Conflict";
    case 410: return "Gone";
    case 411: return "Length Required";
    case 413: return "Content Too Large";
    case 414: return "URI Too Long";
    case 415: return "Unsupported Media Type";
    case 422: return "Unprocessable Content";
    case 429: return "Too Many Requests";
    case 431: return "Request Header Fields Too Large";
    case 500: return "Internal Server Error";
    case 501: return "Not Implemented";
    case 502: return "Bad Gateway";
    case 503: return "Service Unavailable";
    case 504: return "Gateway Timeout";
    case 505: return "HTTP Version Not Supported";
    default: return "Unknown";
  }
}

bool parse_query(std::string_view query, std::vector<std::pair<std::string, std::string>>* out) {
  while (!query.empty()) {
    size_t amp = query.find('&');
    std::string_view piece = query.substr(0, amp);
    query = amp == std::string_view::npos ? std::string_view() : query.substr(amp + 1);
    if (piece.empty()) continue;
    size_t eq = piece.find('=');
    std::string_view k = piece.substr(0, eq);
    std::string_view v = eq == std::string_view::npos ? std::string_view() : piece.substr(eq + 1);
    auto dk = core::percent_decode(k, true);
    auto dv = core::percent_decode(v, true);
    if (!dk || !dv) return false;
    out->emplace_back(std::move(*dk), std::move(*dv));
  }
  return true;
}

core::Result<Target> parse_target(std::string_view target, const char** why) {
  *why = "";
  if (target.empty() || target[0] != '/') {
    *why = "request target must be an absolute path starting with '/'";
    return core::make_error(core::Errc::Parse, "http.parse_target");
  }
  Target t;
  size_t q = target.find('?');
  std::string_view raw_path = target.substr(0, q);
  if (q != std::string_view::npos) t.query = std::string(target.substr(q + 1));
  size_t hash = t.query.find('#');  // a fragment is never sent, but tolerate and drop it
  if (hash != std::string::npos) t.query.resize(hash);
  auto path = core::percent_decode(raw_path, false);
  if (!path) {
    *why = "malformed percent-escape in request path";
    return core::make_error(core::Errc::Parse, "http.parse_target");
  }
  if (path->find('\0') != std::string::npos) {
    *why = "request path contains an encoded NUL byte";
    return core::make_error(core::Errc::Parse, "http.parse_target");
  }
  t.path = std::move(*path);
  if (!parse_query(t.query, &t.params)) {
    *why = "malformed percent-escape in query string";
    return core::make_error(core::Errc::Parse, "http.parse_target");
  }
  return t;
}

static bool is_tchar(char c) {
  if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9')) return true;
  switch (c) {
    case '!':
    case '#':
    case '$':
    case '%':
    case '&':
    case '\'':
    case '*':
    case '+':
    case '-':
    case '.':
    case '^':
    case '_':
    case '`':
    case '|':
    case '~': return true;
    default: return false;
  }
}

bool valid_header(std::string_view name, std::string_view value) {
  if (name.empty()) return false;
  for (char c : name) {
    if (!is_tchar(c)) return false;
  }
  for (char c : value) {
    if (c == '\r' || c == '\n' || c == '\0') return false;
  }
  return true;
}

std::string serialize_head(const Response& r, const SerializeOptions& o) {
  std::string out;
  size_t est = 64;
  for (const auto& h : r.headers.all()) est += h.first.size() + h.second.size() + 4;
  out.reserve(est);
  // std::to_chars, not snprintf: this runs once per response and printf's machinery was the
  // largest single cost of a small response (docs/performance.md, "HTTP server").
  char num[24];
  int status = (r.status >= 100 && r.status <= 999) ? r.status : 500;
  out.append(o.http_minor == 0 ? "HTTP/1.0 " : "HTTP/1.1 ");
  out.append(num, std::to_chars(num, num + sizeof num, status).ptr).append(" ");
  out.append(reason_phrase(status)).append("\r\n");
  for (const auto& h : r.headers.all()) {
    if (iequals(h.first, "Content-Length") || iequals(h.first, "Connection") ||
        iequals(h.first, "Transfer-Encoding") || !valid_header(h.first, h.second)) {
      continue;  // framing headers are the server's; invalid ones would split the response
    }
    out.append(h.first).append(": ").append(h.second).append("\r\n");
  }
  // 1xx, 204 and 304 carry no body and (RFC 9110 §8.6) no Content-Length for 204/1xx.
  bool bodiless = status < 200 || status == 204 || status == 304;
  if (!bodiless) {
    out.append("Content-Length: ");
    out.append(num, std::to_chars(num, num + sizeof num, r.body.size()).ptr).append("\r\n");
  }
  if (o.close) {
    out.append("Connection: close\r\n");
  } else if (o.http_minor == 0) {
    out.append("Connection: keep-alive\r\n");
  }
  out.append("\r\n");
  return out;
}

}  // namespace http
