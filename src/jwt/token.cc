// Compact JWS parser; see token.h.
#include "jwt/token.h"

#include "core/codec.h"
#include "core/limits.h"

namespace jwt {

namespace {

using core::Errc;
using core::make_error;

bool b64url_char(char c) {
  return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' ||
         c == '_';
}

core::Result<std::string> decode_segment(std::string_view seg, const char* bad) {
  for (char c : seg)
    if (!b64url_char(c)) return make_error(Errc::Parse, bad);
  auto d = core::base64url_decode(seg);
  if (!d.ok()) return make_error(Errc::Parse, bad);
  return d;
}

core::Result<json::Json> decode_object(std::string_view seg, const char* bad_b64,
                                       const char* bad_json) {
  auto raw = decode_segment(seg, bad_b64);
  if (!raw.ok()) return raw.error();
  auto j = json::parse(*raw);
  if (!j.ok() || !cJSON_IsObject(j->get())) return make_error(Errc::Parse, bad_json);
  return j;
}

}  // namespace

core::Result<Token> parse(std::string_view compact) {
  if (compact.size() > core::limits::kMaxJwtBytes)
    return make_error(Errc::TooLarge, "jwt: token larger than 16 KiB");
  size_t d1 = compact.find('.');
  size_t d2 = d1 == std::string_view::npos ? d1 : compact.find('.', d1 + 1);
  if (d2 == std::string_view::npos || compact.find('.', d2 + 1) != std::string_view::npos)
    return make_error(Errc::Parse, "jwt: not three dot-separated segments");
  std::string_view h = compact.substr(0, d1), p = compact.substr(d1 + 1, d2 - d1 - 1),
                   s = compact.substr(d2 + 1);
  if (h.empty() || p.empty())
    return make_error(Errc::Parse, "jwt: empty header or payload segment");

  Token t;
  auto header =
      decode_object(h, "jwt: header is not base64url", "jwt: header is not a JSON object");
  if (!header.ok()) return header.error();
  t.header = std::move(*header);
  auto payload =
      decode_object(p, "jwt: payload is not base64url", "jwt: payload is not a JSON object");
  if (!payload.ok()) return payload.error();
  t.payload = std::move(*payload);
  auto sig = decode_segment(s, "jwt: signature is not base64url");
  if (!sig.ok()) return sig.error();
  t.signature = std::move(*sig);

  auto alg = json::get_string(t.header.get(), "alg");
  if (!alg) return make_error(Errc::Parse, "jwt: header without a string alg");
  t.alg = std::string(*alg);
  auto kid = json::get_string(t.header.get(), "kid");
  if (!kid) kid = json::get_string(t.header.get(), "x5t");
  if (kid) t.kid = std::string(*kid);
  t.signing_input = std::string(compact.substr(0, d2));
  return t;
}

}  // namespace jwt
