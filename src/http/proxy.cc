// Implementation of http/proxy.h.
#include "http/proxy.h"

#include <cstdlib>

#include "core/codec.h"

namespace http {
namespace {

std::string env(const char* lower, const char* upper) {
  const char* v = getenv(lower);
  if (!v || !*v) v = getenv(upper);
  return v ? v : "";
}

core::Result<std::optional<ProxyRoute>> parse_proxy(const std::string& value, const char* var,
                                                    std::string* message) {
  if (value.empty()) return std::optional<ProxyRoute>();
  std::string text = value.find("://") == std::string::npos ? "http://" + value : value;
  auto url = parse_url(text);
  if (!url.ok() || url->https()) {
    if (message)
      *message =
          std::string(var) + "=" + redact_url(value) +
          (url.ok() ? ": only http:// proxies are supported (the tunnel to the target is TLS)"
                    : ": not a valid proxy URL (expected http://[user:password@]host:port)");
    return core::make_error(core::Errc::Config, "proxy");
  }
  ProxyRoute r;
  r.proxy = *url;
  if (!url->userinfo.empty()) {
    size_t colon = url->userinfo.find(':');
    auto user = core::percent_decode(url->userinfo.substr(0, colon));
    auto pass =
        core::percent_decode(colon == std::string::npos ? "" : url->userinfo.substr(colon + 1));
    if (!user.ok() || !pass.ok()) {
      if (message) *message = std::string(var) + ": bad percent-encoding in the proxy credentials";
      return core::make_error(core::Errc::Config, "proxy");
    }
    r.authorization = "Basic " + core::base64_encode(*user + ":" + *pass);
  }
  r.proxy.userinfo.clear();
  return std::optional<ProxyRoute>(std::move(r));
}

std::string_view trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) s.remove_suffix(1);
  return s;
}

}  // namespace

ProxyEnv ProxyEnv::from_environment() {
  ProxyEnv e;
  e.https_proxy = env("https_proxy", "HTTPS_PROXY");
  e.http_proxy = env("http_proxy", "HTTP_PROXY");
  e.no_proxy = env("no_proxy", "NO_PROXY");
  return e;
}

core::Result<ProxyConfig> ProxyConfig::create(const ProxyEnv& e, std::string* message) {
  ProxyConfig c;
  auto https = parse_proxy(e.https_proxy, "HTTPS_PROXY", message);
  if (!https.ok()) return https.error();
  auto http = parse_proxy(e.http_proxy, "HTTP_PROXY", message);
  if (!http.ok()) return http.error();
  c.https_ = std::move(*https);
  c.http_ = std::move(*http);
  c.no_proxy_ = e.no_proxy;
  for (char& ch : c.no_proxy_)
    if (ch >= 'A' && ch <= 'Z') ch = static_cast<char>(ch - 'A' + 'a');
  return c;
}

bool ProxyConfig::bypass(const std::string& host, uint16_t port) const {
  std::string_view list = no_proxy_;
  while (!list.empty()) {
    size_t comma = list.find(',');
    std::string_view entry = trim(list.substr(0, comma));
    list = comma == std::string_view::npos ? std::string_view() : list.substr(comma + 1);
    if (entry.empty()) continue;
    if (entry == "*") return true;
    // Optional ":port" (not for bare IPv6 literals, which contain colons themselves).
    std::string_view name = entry;
    if (!entry.empty() && entry[0] == '[') {
      size_t close = entry.find(']');
      name = entry.substr(1, close == std::string_view::npos ? std::string_view::npos : close - 1);
      if (close != std::string_view::npos && close + 1 < entry.size() && entry[close + 1] == ':' &&
          entry.substr(close + 2) != std::to_string(port))
        continue;
    } else if (entry.find(':') == entry.rfind(':') && entry.find(':') != std::string_view::npos) {
      size_t c = entry.find(':');
      name = entry.substr(0, c);
      if (entry.substr(c + 1) != std::to_string(port)) continue;
    }
    if (!name.empty() && name[0] == '.') name.remove_prefix(1);
    if (name.empty()) continue;
    if (host == name) return true;
    if (host.size() > name.size() &&
        host.compare(host.size() - name.size(), name.size(), name) == 0 &&
        host[host.size() - name.size() - 1] == '.')
      return true;
  }
  return false;
}

std::optional<ProxyRoute> ProxyConfig::route_for(const Url& target) const {
  const std::optional<ProxyRoute>& r = target.https() ? https_ : http_;
  if (!r || bypass(target.host, target.port)) return std::nullopt;
  return r;
}

}  // namespace http
