// Outbound proxy selection from the conventional environment variables (curl's semantics):
// HTTPS_PROXY for https URLs, HTTP_PROXY for http URLs (lower-case forms win, as in curl;
// upper-case HTTP_PROXY is still honoured because this is not a CGI process), NO_PROXY a
// comma list of host names, domain suffixes (".corp" or "corp"), IP literals, optional
// ":port", or "*". https targets are tunnelled with CONNECT; http targets use absolute-form
// requests. Proxy credentials come from the proxy URL's userinfo (Basic, RFC 7617).
#pragma once

#include <optional>
#include <string>

#include "core/result.h"
#include "http/url.h"

namespace http {

// The raw variables, so callers and tests can pass them without touching the environment.
struct ProxyEnv {
  std::string https_proxy;
  std::string http_proxy;
  std::string no_proxy;
  // Reads https_proxy/HTTPS_PROXY, http_proxy/HTTP_PROXY, no_proxy/NO_PROXY.
  static ProxyEnv from_environment();
};

struct ProxyRoute {
  Url proxy;                  // http://proxy:port (userinfo stripped)
  std::string authorization;  // "Basic ..." or empty
};

class ProxyConfig {
 public:
  // Validates the proxy URLs: http:// only (a TLS connection to the proxy itself is not
  // supported), a bare "host:port" is taken as http://. Errors name the variable.
  static core::Result<ProxyConfig> create(const ProxyEnv& env, std::string* message = nullptr);
  ProxyConfig() = default;

  // The proxy to use for target, or nullopt for a direct connection.
  std::optional<ProxyRoute> route_for(const Url& target) const;
  // Whether NO_PROXY exempts host:port.
  bool bypass(const std::string& host, uint16_t port) const;

 private:
  std::optional<ProxyRoute> https_;
  std::optional<ProxyRoute> http_;
  std::string no_proxy_;
};

}  // namespace http
