// `twitter-connector doctor`: checks that every configured outbound endpoint is reachable the
// way the product will reach it (same resolver, proxy rules, CA bundle and TLS stack as
// http::Client), one line per check with the reason on failure:
//   ok   dns api.twitter.com -> 104.244.42.1
//   FAIL tls api.twitter.com: certificate not trusted (...)
// Exit status 0 only if every check passed.
#pragma once

#include <cstdint>
#include <cstdio>
#include <string>

#include "http/proxy.h"

namespace app {

struct DoctorOptions {
  std::string twitter_api_base = "https://api.twitter.com";         // CONNECTOR_TWITTER_API_BASE
  std::string aad_authority = "https://login.microsoftonline.com";  // CONNECTOR_AAD_AUTHORITY
  std::string event_api_base = "https://webhook.ingestion.office.com/";  // CONNECTOR_EVENT_API_BASE
  std::string ca_file;                                                   // CONNECTOR_CA_FILE
  http::ProxyEnv proxy;                                                  // HTTPS_PROXY, ...
  uint64_t timeout_ms = 10'000;                                          // per step
  FILE* out = stdout;

  // Defaults overridden by the CONNECTOR_* and proxy environment variables.
  static DoctorOptions from_environment();
};

// Runs every check, prints one line each to options.out; returns 0 if all passed, 1 if not.
int run_doctor(const DoctorOptions& options);

}  // namespace app
