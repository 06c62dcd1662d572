// HTTP/1.1 messages as the server hands them to handlers and takes them back: Request,
// Response, Headers (case-insensitive names, insertion order kept), plus the pure pieces the
// server needs around them (reason phrases, target splitting, response serialisation).
#pragma once

#include <cJSON.h>

#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "core/result.h"

namespace http {

enum class Method { Get, Head, Post, Put, Delete, Patch, Options, Other };
const char* method_name(Method m);  // "GET", ..., "OTHER"

bool iequals(std::string_view a, std::string_view b);

class Headers {
 public:
  // First value of a header (names compare case-insensitively).
  std::optional<std::string_view> get(std::string_view name) const;
  size_t count(std::string_view name) const;
  void add(std::string name, std::string value);
  void set(std::string name, std::string value);  // replaces every header of that name
  void remove(std::string_view name);
  const std::vector<std::pair<std::string, std::string>>& all() const { return list_; }
  size_t size() const { return list_.size(); }
  bool empty() const { return list_.empty(); }

 private:
  std::vector<std::pair<std::string, std::string>> list_;
};

struct Request {
  Method method = Method::Get;
  std::string target;                                             // raw request-target
  std::string path;                                               // percent-decoded path, no query
  std::string query;                                              // raw query string (no '?')
  std::vector<std::pair<std::string, std::string>> query_params;  // decoded (+ = space)
  // First value of a query parameter; the name compares case-insensitively (ASP.NET binding).
  std::optional<std::string_view> query_param(std::string_view name) const;
  Headers headers;
  std::string body;
  std::string peer_ip;
  int http_minor = 1;
};

struct Response {
  int status = 200;
  Headers headers;
  std::string body;
  static Response json(int status, const cJSON* value);  // application/json; charset=utf-8
  static Response text(int status, std::string_view body,
                       std::string_view content_type = "text/plain; charset=utf-8");
  static Response error(int status, std::string_view message);  // JSON {"error": message}
};

// "Not Found" for 404; "Unknown" for codes this server never sends.
const char* reason_phrase(int status);

// Splits a origin-form request-target ("/a%20b?x=1&y") into decoded path, raw query and
// decoded parameters. Errors (Parse) for a target that is not origin-form, a malformed
// percent escape or a decoded path containing NUL; the message names the problem.
struct Target {
  std::string path;
  std::string query;
  std::vector<std::pair<std::string, std::string>> params;
};
core::Result<Target> parse_target(std::string_view target, const char** why);
// application/x-www-form-urlencoded pairs ("a=1&b=x+y"); empty pieces are skipped, a piece
// without '=' has an empty value. Undecodable pieces fail the whole string.
bool parse_query(std::string_view query, std::vector<std::pair<std::string, std::string>>* out);

// Serialises the status line and headers. Adds Content-Length (always: no chunked responses)
// and Connection: close / keep-alive as decided by the server; header names and values are
// written as given (the server drops any CR/LF-bearing header first, see valid_header).
struct SerializeOptions {
  int http_minor = 1;
  bool close = false;  // Connection: close
  bool head = false;   // HEAD request: Content-Length of the body, no body bytes
};
std::string serialize_head(const Response& r, const SerializeOptions& o);
// A header name is a token and the value has no CR, LF or NUL (response splitting).
bool valid_header(std::string_view name, std::string_view value);

}  // namespace http
