// Implementation of http/url.h.
#include "http/url.h"

#include <cstdlib>

#include "core/limits.h"

namespace http {
namespace {

char lower(char c) { return (c >= 'A' && c <= 'Z') ? static_cast<char>(c - 'A' + 'a') : c; }

std::string to_lower(std::string_view s) {
  std::string o(s);
  for (char& c : o) c = lower(c);
  return o;
}

core::Error bad(const char* what) { return core::make_error(core::Errc::InvalidArgument, what); }

bool valid_host_char(char c) {
  return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' || c == '.' || c == '_' ||
         c == '%';
}

// RFC 3986 §5.2.4.
std::string remove_dot_segments(std::string_view in) {
  std::string out;
  while (!in.empty()) {
    if (in.substr(0, 3) == "../")
      in.remove_prefix(3);
    else if (in.substr(0, 2) == "./")
      in.remove_prefix(2);
    else if (in.substr(0, 3) == "/./")
      in.remove_prefix(2);
    else if (in == "/.")
      in = "/";
    else if (in.substr(0, 4) == "/../" || in == "/..") {
      in = in.size() == 3 ? std::string_view("/") : in.substr(3);
      size_t slash = out.rfind('/');
      out.resize(slash == std::string::npos ? 0 : slash);
    } else if (in == "." || in == "..") {
      in = {};
    } else {
      size_t next = in.find('/', 1);
      if (next == std::string_view::npos) next = in.size();
      out.append(in.substr(0, next));
      in.remove_prefix(next);
    }
  }
  return out;
}

// Keys whose values are safe to show in logs; everything else is hidden.
bool harmless_key(std::string_view k) {
  static const char* const kKeys[] = {"count",
                                      "since_id",
                                      "max_id",
                                      "include_entities",
                                      "include_rts",
                                      "tweet_mode",
                                      "include_email",
                                      "format",
                                      "max_results",
                                      "start_time",
                                      "end_time",
                                      "expansions",
                                      "tweet.fields",
                                      "media.fields",
                                      "user.fields",
                                      "sv",
                                      "sr",
                                      "sp",
                                      "spr",
                                      "restype",
                                      "comp",
                                      "api-version",
                                      "jobId",
                                      "jobid",
                                      "trim_user",
                                      "exclude_replies"};
  for (const char* key : kKeys)
    if (k == key) return true;
  return false;
}

}  // namespace

std::string Url::authority() const {
  std::string a = ipv6_literal() ? "[" + host + "]" : host;
  if (!default_port()) a += ":" + std::to_string(port);
  return a;
}

std::string Url::origin() const {
  std::string h = ipv6_literal() ? "[" + host + "]" : host;
  return scheme + "://" + h + ":" + std::to_string(port);
}

std::string Url::str() const { return scheme + "://" + authority() + target; }

std::string_view Url::path() const {
  std::string_view t = target;
  return t.substr(0, t.find('?'));
}

core::Result<Url> parse_url(std::string_view text) {
  if (text.size() > core::limits::client::kMaxUrlBytes) return bad("url: longer than 8 KiB");
  for (char c : text)
    if (static_cast<unsigned char>(c) <= 0x20 || c == 0x7f)
      return bad("url: contains a space or control character");
  Url u;
  size_t colon = text.find("://");
  if (colon == std::string_view::npos)
    return bad("url: not absolute (expected http:// or https://)");
  u.scheme = to_lower(text.substr(0, colon));
  if (u.scheme != "http" && u.scheme != "https") return bad("url: scheme must be http or https");
  std::string_view rest = text.substr(colon + 3);
  size_t auth_end = rest.find_first_of("/?#");
  std::string_view auth = rest.substr(0, auth_end);
  std::string_view tail =
      auth_end == std::string_view::npos ? std::string_view() : rest.substr(auth_end);
  size_t at = auth.rfind('@');
  if (at != std::string_view::npos) {
    u.userinfo = std::string(auth.substr(0, at));
    auth.remove_prefix(at + 1);
  }
  std::string_view hostpart = auth, portpart;
  if (!auth.empty() && auth[0] == '[') {
    size_t close = auth.find(']');
    if (close == std::string_view::npos) return bad("url: unterminated IPv6 literal");
    hostpart = auth.substr(1, close - 1);
    std::string_view after = auth.substr(close + 1);
    if (!after.empty()) {
      if (after[0] != ':') return bad("url: junk after IPv6 literal");
      portpart = after.substr(1);
    }
    for (char c : hostpart)
      if (!(valid_host_char(lower(c)) || c == ':')) return bad("url: invalid IPv6 literal");
    if (hostpart.find(':') == std::string_view::npos) return bad("url: invalid IPv6 literal");
  } else {
    size_t pc = auth.rfind(':');
    if (pc != std::string_view::npos) {
      hostpart = auth.substr(0, pc);
      portpart = auth.substr(pc + 1);
    }
    for (char c : hostpart)
      if (!valid_host_char(lower(c))) return bad("url: invalid character in host name");
  }
  if (hostpart.empty()) return bad("url: missing host");
  u.host = to_lower(hostpart);
  u.port = u.https() ? 443 : 80;
  if (!portpart.empty()) {
    if (portpart.size() > 5) return bad("url: invalid port");
    unsigned long p = 0;
    for (char c : portpart) {
      if (c < '0' || c > '9') return bad("url: invalid port");
      p = p * 10 + static_cast<unsigned long>(c - '0');
    }
    if (p == 0 || p > 65535) return bad("url: port out of range");
    u.port = static_cast<uint16_t>(p);
  }
  tail = tail.substr(0, tail.find('#'));
  if (tail.empty() || tail[0] == '?')
    u.target = "/" + std::string(tail);
  else
    u.target = std::string(tail);
  return u;
}

core::Result<Url> resolve_reference(const Url& base, std::string_view ref) {
  ref = ref.substr(0, ref.find('#'));
  size_t scheme_end = ref.find("://");
  size_t first_special = ref.find_first_of("/?");
  if (scheme_end != std::string_view::npos &&
      (first_special == std::string_view::npos || scheme_end < first_special))
    return parse_url(ref);
  if (ref.substr(0, 2) == "//") return parse_url(base.scheme + ":" + std::string(ref));
  if (ref.size() > core::limits::client::kMaxUrlBytes) return bad("url: longer than 8 KiB");
  for (char c : ref)
    if (static_cast<unsigned char>(c) <= 0x20 || c == 0x7f)
      return bad("url: contains a space or control character");
  Url u = base;
  u.userinfo.clear();
  if (ref.empty()) return u;
  if (ref[0] == '?') {
    u.target = std::string(base.path()) + std::string(ref);
    return u;
  }
  std::string_view path = ref.substr(0, ref.find('?'));
  std::string_view query = path.size() < ref.size() ? ref.substr(path.size()) : std::string_view();
  std::string merged;
  if (path[0] == '/') {
    merged = std::string(path);
  } else {
    std::string_view bp = base.path();
    merged = std::string(bp.substr(0, bp.rfind('/') + 1)) + std::string(path);
  }
  u.target = remove_dot_segments(merged);
  if (u.target.empty() || u.target[0] != '/') u.target.insert(0, "/");
  u.target += query;
  return u;
}

std::string redact_url(std::string_view url) {
  std::string out;
  out.reserve(url.size());
  size_t scheme = url.find("://");
  size_t auth_start = scheme == std::string_view::npos ? 0 : scheme + 3;
  size_t auth_end = url.find_first_of("/?#", auth_start);
  if (auth_end == std::string_view::npos) auth_end = url.size();
  size_t at = url.substr(auth_start, auth_end - auth_start).rfind('@');
  if (scheme != std::string_view::npos && at != std::string_view::npos) {
    out.append(url.substr(0, auth_start));
    out.append("***@");
    out.append(url.substr(auth_start + at + 1, auth_end - auth_start - at - 1));
  } else {
    out.append(url.substr(0, auth_end));
  }
  std::string_view rest = url.substr(auth_end);
  size_t q = rest.find('?');
  out.append(rest.substr(0, q));
  if (q == std::string_view::npos) return out;
  std::string_view query = rest.substr(q + 1);
  query = query.substr(0, query.find('#'));
  out.push_back('?');
  bool first = true;
  while (true) {
    size_t amp = query.find('&');
    std::string_view pair = query.substr(0, amp);
    size_t eq = pair.find('=');
    std::string_view key = pair.substr(0, eq);
    if (!first) out.push_back('&');
    first = false;
    out.append(key);
    if (eq != std::string_view::npos) {
      out.push_back('=');
      if (harmless_key(key))
        out.append(pair.substr(eq + 1));
      else if (eq + 1 < pair.size())
        out.append("***");
    }
    if (amp == std::string_view::npos) break;
    query.remove_prefix(amp + 1);
  }
  return out;
}

}  // namespace http
