// Absolute http/https URLs as the client needs them (RFC 3986 §3, RFC 9110 §4.2): parse and
// normalise (lower-case scheme and host, default port, "/" for an empty path), the origin a
// connection pool is keyed by, relative-reference resolution for redirects (RFC 3986 §5.2),
// and redact_url(), the only form in which a URL may reach a log (query values such as a SAS
// `sig=` and any user:password are hidden).
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "core/result.h"

namespace http {

struct Url {
  std::string scheme;    // "http" or "https"
  std::string userinfo;  // "user:pass" exactly as written (percent-encoded); proxies only
  std::string host;      // lower case; an IPv6 literal without brackets
  uint16_t port = 0;     // explicit, or 80/443
  std::string target;    // path and query, never empty ("/" at least); no fragment

  bool https() const { return scheme == "https"; }
  bool default_port() const { return port == (https() ? 443 : 80); }
  bool ipv6_literal() const { return host.find(':') != std::string::npos; }
  // "host" or "host:port" (brackets around IPv6), for the Host header and CONNECT.
  std::string authority() const;
  // "https://host:port": the pool key. Always carries the port so equal origins compare equal.
  std::string origin() const;
  // Full normalised URL without userinfo.
  std::string str() const;
  // Path without the query.
  std::string_view path() const;
};

// Parses an absolute http(s) URL. Errors: InvalidArgument naming what is wrong (scheme,
// host, port, length over limits::client::kMaxUrlBytes, control characters or spaces).
core::Result<Url> parse_url(std::string_view text);

// Resolves a Location header value against the URL it came from (absolute, scheme-relative
// "//host/x", absolute-path "/x", or relative "x"). Dot segments are removed.
core::Result<Url> resolve_reference(const Url& base, std::string_view ref);

// Copy of url for logs: userinfo becomes "***@" and every query value "***" except a few
// keys known to be harmless (paging ids, counts, API versions), so a secret can never leak
// through a key we forgot. Works on any text, even an invalid URL.
std::string redact_url(std::string_view url);

}  // namespace http
