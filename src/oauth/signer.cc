// RFC 5849 signing. Parameters are collected decoded and encoded exactly once here, which is
// the point the reference gets wrong (m365-connector-protocol.md §13).
#include "oauth/signer.h"

#include <mbedtls/md.h>

#include <algorithm>
#include <cstdio>
#include <cstdlib>

#include "core/codec.h"

namespace oauth {

namespace {

using core::Errc;
using core::make_error;

char lower(char c) { return (c >= 'A' && c <= 'Z') ? static_cast<char>(c - 'A' + 'a') : c; }

std::string to_lower(std::string_view s) {
  std::string out(s);
  for (char& c : out) c = lower(c);
  return out;
}

struct UrlParts {
  std::string scheme;  // lower case
  std::string host;    // lower case, brackets kept for IPv6
  std::string port;    // digits or empty
  std::string_view path;
  std::string_view query;
};

core::Result<UrlParts> split_url(std::string_view url) {
  UrlParts u;
  size_t colon = url.find("://");
  if (colon == std::string_view::npos)
    return make_error(Errc::InvalidArgument, "oauth: URL is not absolute");
  u.scheme = to_lower(url.substr(0, colon));
  if (u.scheme != "http" && u.scheme != "https")
    return make_error(Errc::InvalidArgument, "oauth: URL scheme must be http or https");
  std::string_view rest = url.substr(colon + 3);
  size_t hash = rest.find('#');
  if (hash != std::string_view::npos) rest = rest.substr(0, hash);
  size_t auth_end = rest.find_first_of("/?");
  std::string_view authority = rest.substr(0, auth_end);
  std::string_view tail =
      auth_end == std::string_view::npos ? std::string_view() : rest.substr(auth_end);
  if (authority.find('@') != std::string_view::npos)
    return make_error(Errc::InvalidArgument, "oauth: URL with user info");
  std::string_view host = authority, port;
  if (!authority.empty() && authority[0] == '[') {
    size_t close = authority.find(']');
    if (close == std::string_view::npos)
      return make_error(Errc::InvalidArgument, "oauth: bad IPv6 host");
    host = authority.substr(0, close + 1);
    std::string_view after = authority.substr(close + 1);
    if (!after.empty()) {
      if (after[0] != ':') return make_error(Errc::InvalidArgument, "oauth: bad URL port");
      port = after.substr(1);
    }
  } else {
    size_t pc = authority.rfind(':');
    if (pc != std::string_view::npos) {
      host = authority.substr(0, pc);
      port = authority.substr(pc + 1);
    }
  }
  if (host.empty()) return make_error(Errc::InvalidArgument, "oauth: URL without host");
  for (char c : port)
    if (c < '0' || c > '9') return make_error(Errc::InvalidArgument, "oauth: bad URL port");
  if (port.size() > 5) return make_error(Errc::InvalidArgument, "oauth: bad URL port");
  u.host = to_lower(host);
  // Drop leading zeros so "0443" is the default port too.
  while (port.size() > 1 && port[0] == '0') port.remove_prefix(1);
  u.port = std::string(port);
  size_t q = tail.find('?');
  u.path = tail.substr(0, q);
  if (q != std::string_view::npos) u.query = tail.substr(q + 1);
  return u;
}

void add_header_item(std::string* out, std::string_view name, std::string_view value) {
  if (out->size() > 6) *out += ", ";
  core::percent_encode_to(name, out);
  *out += "=\"";
  core::percent_encode_to(value, out);
  *out += '"';
}

}  // namespace

core::Result<std::string> base_string_uri(std::string_view url) {
  auto u = split_url(url);
  if (!u.ok()) return u.error();
  std::string out = u->scheme + "://" + u->host;
  bool default_port = u->port.empty() || (u->scheme == "http" && u->port == "80") ||
                      (u->scheme == "https" && u->port == "443");
  if (!default_port) out += ":" + u->port;
  out += u->path.empty() ? std::string_view("/") : u->path;
  return out;
}

core::Result<Params> query_params(std::string_view url) {
  auto u = split_url(url);
  if (!u.ok()) return u.error();
  auto p = parse_pairs(u->query);
  if (!p.ok()) return make_error(p.error().code, "oauth: bad escape in the URL query");
  return p;
}

std::string normalize_parameters(const Params& params) {
  Params enc;
  enc.reserve(params.size());
  for (const Param& p : params)
    enc.push_back({core::percent_encode(p.name), core::percent_encode(p.value)});
  std::sort(enc.begin(), enc.end(), [](const Param& a, const Param& b) {
    return a.name != b.name ? a.name < b.name : a.value < b.value;
  });
  std::string out;
  for (const Param& p : enc) {
    if (!out.empty()) out += '&';
    out += p.name;
    out += '=';
    out += p.value;
  }
  return out;
}

std::string signature_base_string(std::string_view method, std::string_view base_uri,
                                  std::string_view normalized) {
  std::string out;
  for (char c : method) out += (c >= 'a' && c <= 'z') ? static_cast<char>(c - 'a' + 'A') : c;
  out += '&';
  core::percent_encode_to(base_uri, &out);
  out += '&';
  core::percent_encode_to(normalized, &out);
  return out;
}

std::string signing_key(std::string_view consumer_secret, std::string_view token_secret) {
  return core::percent_encode(consumer_secret) + "&" + core::percent_encode(token_secret);
}

std::string hmac_sha1_base64(std::string_view key, std::string_view text) {
  unsigned char mac[20];
  const mbedtls_md_info_t* info = mbedtls_md_info_from_type(MBEDTLS_MD_SHA1);
  int rc = mbedtls_md_hmac(info, reinterpret_cast<const unsigned char*>(key.data()), key.size(),
                           reinterpret_cast<const unsigned char*>(text.data()), text.size(), mac);
  // SHA-1 is compiled in (mbedtls_config.h); failure here is a build defect, not input.
  if (rc != 0) {
    fprintf(stderr, "fatal: HMAC-SHA1 unavailable (mbedTLS %d)\n", rc);
    abort();
  }
  return core::base64_encode(std::string_view(reinterpret_cast<char*>(mac), sizeof mac));
}

Stamp make_stamp(const core::Clock& clock, core::Rng& rng) {
  unsigned char raw[32];
  rng.fill(raw, sizeof raw);
  char ts[24];
  snprintf(ts, sizeof ts, "%lld", static_cast<long long>(clock.now_unix_s()));
  return Stamp{core::hex_encode(std::string_view(reinterpret_cast<char*>(raw), sizeof raw)), ts};
}

core::Result<Signed> sign(const SignInput& in) {
  if (in.consumer_key.empty())
    return make_error(Errc::InvalidArgument, "oauth: empty consumer key");
  if (in.stamp.nonce.empty() || in.stamp.timestamp.empty())
    return make_error(Errc::InvalidArgument, "oauth: nonce and timestamp are required");
  for (const Param& p : in.extra_oauth)
    if (p.name.rfind("oauth_", 0) != 0 || p.name == "oauth_signature")
      return make_error(Errc::InvalidArgument, "oauth: extra protocol parameter not named oauth_*");
  auto base_uri = base_string_uri(in.url);
  if (!base_uri.ok()) return base_uri.error();
  auto query = query_params(in.url);
  if (!query.ok()) return query.error();

  // The protocol parameters sent in the header (everything but the signature).
  Params oauth{{"oauth_consumer_key", std::string(in.consumer_key)},
               {"oauth_nonce", in.stamp.nonce},
               {"oauth_signature_method", "HMAC-SHA1"},
               {"oauth_timestamp", in.stamp.timestamp}};
  if (!in.token.empty()) oauth.push_back({"oauth_token", std::string(in.token)});
  if (in.include_version) oauth.push_back({"oauth_version", "1.0"});
  for (const Param& p : in.extra_oauth) oauth.push_back(p);

  Params all = std::move(*query);
  if (in.form_body) all.insert(all.end(), in.form_body->begin(), in.form_body->end());
  all.insert(all.end(), oauth.begin(), oauth.end());

  Signed out;
  out.base_string = signature_base_string(in.method, *base_uri, normalize_parameters(all));
  out.signature =
      hmac_sha1_base64(signing_key(in.consumer_secret, in.token_secret), out.base_string);

  oauth.push_back({"oauth_signature", out.signature});
  std::sort(oauth.begin(), oauth.end(),
            [](const Param& a, const Param& b) { return a.name < b.name; });
  out.authorization = "OAuth ";
  for (const Param& p : oauth) add_header_item(&out.authorization, p.name, p.value);
  return out;
}

}  // namespace oauth
