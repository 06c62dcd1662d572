// Compact JWS parsing (RFC 7515 §7.1, RFC 7519 §7.2): three base64url segments, header and
// payload JSON objects. Parsing trusts nothing: the result is only an untrusted view until the
// validator has checked the signature (validator.h).
#pragma once

#include <string>
#include <string_view>

#include "core/result.h"
#include "json/json.h"

namespace jwt {

struct Token {
  std::string signing_input;  // "header.payload" exactly as received (what was signed)
  std::string signature;      // raw bytes (may be empty: alg none)
  json::Json header;          // JSON object
  json::Json payload;         // JSON object
  std::string alg;            // header "alg"
  std::string kid;            // header "kid", else "x5t", else empty
};

// Errors are Errc::TooLarge (over limits::kMaxJwtBytes) or Errc::Parse; `where` says which
// rule failed ("jwt: not three dot-separated segments", "jwt: header is not base64url", ...).
// base64url is strict: URL alphabet only, no '=' padding, no whitespace.
core::Result<Token> parse(std::string_view compact);

}  // namespace jwt
