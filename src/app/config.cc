// The option table and the loader (see config.h). Validators say what is wrong and what to do
// in words an administrator can act on; they never echo a value, which may be a secret.
#include "app/config.h"

#include <arpa/inet.h>

#include <cstdio>
#include <cstdlib>

#include "core/codec.h"
#include "core/limits.h"
#include "m365/upload_queue.h"

extern char** environ;

namespace app {
namespace {

bool ieq(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  for (size_t i = 0; i < a.size(); ++i) {
    char x = a[i], y = b[i];
    if (x >= 'A' && x <= 'Z') x = static_cast<char>(x + 32);
    if (y >= 'A' && y <= 'Z') y = static_cast<char>(y + 32);
    if (x != y) return false;
  }
  return true;
}

bool starts_with_icase(std::string_view s, std::string_view prefix) {
  return s.size() >= prefix.size() && ieq(s.substr(0, prefix.size()), prefix);
}

bool is_hex(char c) {
  return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F');
}

bool has_space_or_control(std::string_view s) {
  for (unsigned char c : s)
    if (c <= 0x20 || c == 0x7F) return true;
  return false;
}

// Decimal digits only, value in [lo, hi].
bool parse_uint(std::string_view s, uint64_t lo, uint64_t hi, uint64_t* out) {
  if (s.empty() || s.size() > 19) return false;
  uint64_t v = 0;
  for (char c : s) {
    if (c < '0' || c > '9') return false;
    v = v * 10 + static_cast<uint64_t>(c - '0');
  }
  if (v < lo || v > hi) return false;
  *out = v;
  return true;
}

bool is_guid(std::string_view s) {
  if (s.size() != 36) return false;
  for (size_t i = 0; i < s.size(); ++i) {
    bool dash = i == 8 || i == 13 || i == 18 || i == 23;
    if (dash ? s[i] != '-' : !is_hex(s[i])) return false;
  }
  return true;
}

bool too_long(std::string_view v, std::string* why) {
  if (v.size() <= core::limits::kMaxSettingBytes) return false;
  *why = "is longer than " + std::to_string(core::limits::kMaxSettingBytes) +
         " bytes; check that the right value was pasted";
  return true;
}

// "http(s)://host[:port][/path]" with a non-empty host and no spaces; trailing '/' dropped.
bool parse_base_url(std::string_view v, std::string* out, std::string* why) {
  if (too_long(v, why)) return false;
  bool https = starts_with_icase(v, "https://");
  bool http = !https && starts_with_icase(v, "http://");
  std::string_view rest = https ? v.substr(8) : http ? v.substr(7) : std::string_view();
  if (!https && !http) {
    *why =
        "must be an absolute URL starting with https:// (http:// only for local "
        "test servers)";
    return false;
  }
  size_t host_end = rest.find_first_of("/?#");
  std::string_view host = rest.substr(0, host_end);
  if (host.empty() || host[0] == ':' || has_space_or_control(v) || host.find('@') != host.npos) {
    *why =
        "is not a valid URL: it needs a host name after the scheme, no spaces and no "
        "user:password@ part";
    return false;
  }
  if (rest.find_first_of("?#") != rest.npos) {
    *why = "must be a base URL without ?query or #fragment";
    return false;
  }
  while (v.size() > 8 && v.back() == '/') v.remove_suffix(1);
  *out = std::string(v);
  return true;
}

// --- validators (one per option) ---------------------------------------------------------

bool apply_listen(std::string_view v, Config* c, std::string* why) {
  std::string_view host, port;
  size_t colon;
  if (!v.empty() && v[0] == '[') {
    size_t close = v.find(']');
    if (close == v.npos || close + 1 >= v.size() || v[close + 1] != ':') {
      *why = "must be [IPV6]:PORT, for example [::1]:8080";
      return false;
    }
    host = v.substr(1, close - 1);
    port = v.substr(close + 2);
  } else if ((colon = v.rfind(':')) != v.npos) {
    host = v.substr(0, colon);
    port = v.substr(colon + 1);
  } else {
    *why =
        "must be HOST:PORT, for example 127.0.0.1:8080 (or 0.0.0.0:8080 to accept "
        "connections from other machines)";
    return false;
  }
  unsigned char addr[16];
  std::string h(host);
  bool v4 = inet_pton(AF_INET, h.c_str(), addr) == 1;
  bool v6 = !v4 && inet_pton(AF_INET6, h.c_str(), addr) == 1;
  if (!v4 && !v6) {
    *why = "needs an IP address as host (127.0.0.1, 0.0.0.0, ::1 or ::), not a host name";
    return false;
  }
  if (v6 && v[0] != '[') {
    *why = "needs the IPv6 host in brackets, for example [::1]:8080";
    return false;
  }
  uint64_t p;
  if (!parse_uint(port, 0, 65535, &p)) {
    *why = "needs a port number from 0 to 65535 after the ':' (0 picks a free port)";
    return false;
  }
  c->listen_host = h;
  c->listen_port = static_cast<int>(p);
  return true;
}

bool apply_data_dir(std::string_view v, Config* c, std::string* why) {
  if (too_long(v, why)) return false;
  if (v.empty()) {
    *why = "must name a directory, for example ./data or /data";
    return false;
  }
  while (v.size() > 1 && v.back() == '/') v.remove_suffix(1);
  c->data_dir = std::string(v);
  return true;
}

bool apply_tenant_id(std::string_view v, Config* c, std::string* why) {
  if (!v.empty() && !is_guid(v)) {
    *why =
        "must be your Microsoft 365 tenant ID, a GUID such as "
        "11111111-2222-3333-4444-555555555555 (Azure portal: Microsoft Entra ID > Overview > "
        "Tenant ID)";
    return false;
  }
  c->tenant_id = std::string(v);
  return true;
}

bool apply_api_secret_key(std::string_view v, Config* c, std::string* why) {
  if (too_long(v, why)) return false;
  for (unsigned char ch : v) {
    if (ch <= 0x20 || ch >= 0x7F) {
      *why =
          "may contain only printable ASCII characters without spaces (browsers send it "
          "in a Basic authorization header); generate one with: openssl rand -base64 32";
      return false;
    }
  }
  c->api_secret_key = std::string(v);
  return true;
}

bool apply_encryption_key(std::string_view v, Config* c, std::string* why) {
  std::string key;
  if (v.size() == 64) {
    for (size_t i = 0; i < 64; i += 2) {
      if (!is_hex(v[i]) || !is_hex(v[i + 1])) break;
      key.push_back(static_cast<char>(strtoul(std::string(v.substr(i, 2)).c_str(), nullptr, 16)));
    }
    if (key.size() != 32) key.clear();
  } else if (!v.empty()) {
    auto d = core::base64_decode(v);
    if (d.ok()) key = std::move(*d);
  }
  if (!v.empty() && key.size() != 32) {
    *why =
        "must be 32 random bytes written as 64 hex digits or in base64; generate one with: "
        "openssl rand -hex 32";
    return false;
  }
  c->encryption_key = std::move(key);
  return true;
}

bool apply_log_level(std::string_view v, Config* c, std::string* why) {
  if (!core::log::parse_level(v, &c->log_level)) {
    *why = "must be one of debug, info, warn, error, off";
    return false;
  }
  return true;
}

bool apply_twitter_api_base(std::string_view v, Config* c, std::string* why) {
  return parse_base_url(v, &c->twitter_api_base, why);
}

bool apply_twitter_api_version(std::string_view v, Config* c, std::string* why) {
  if (v == "v2") {
    c->twitter_api_version = TwitterApiVersion::V2;
  } else if (v == "v1.1") {
    c->twitter_api_version = TwitterApiVersion::V1_1;
  } else {
    *why = "must be v2 or v1.1 (the Twitter/X API version your developer account may use)";
    return false;
  }
  return true;
}

bool apply_twitter_max_rate_wait(std::string_view v, Config* c, std::string* why) {
  uint64_t n;
  const uint64_t ceiling_s = core::limits::kMaxRateLimitWaitCeilingMs / 1000;
  if (!parse_uint(v, 0, ceiling_s, &n)) {
    *why = "must be a number of seconds from 0 to " + std::to_string(ceiling_s);
    return false;
  }
  c->twitter_max_rate_wait_ms = static_cast<int64_t>(n) * 1000;
  return true;
}

bool apply_media_max_bytes(std::string_view v, Config* c, std::string* why) {
  uint64_t n;
  if (!parse_uint(v, 1024, core::limits::kMediaMaxBytesCeiling, &n)) {
    *why = "must be a number of bytes from 1024 to " +
           std::to_string(core::limits::kMediaMaxBytesCeiling);
    return false;
  }
  c->media_max_bytes = static_cast<size_t>(n);
  return true;
}

bool apply_upload_concurrency(std::string_view v, Config* c, std::string* why) {
  auto n = m365::parse_upload_concurrency(v, nullptr);
  if (!n.ok()) {
    *why = "must be a whole number from 1 to " +
           std::to_string(core::limits::m365::kMaxUploadConcurrency) + " (uploads in flight)";
    return false;
  }
  c->upload_concurrency = *n;
  return true;
}

bool apply_aad_authority(std::string_view v, Config* c, std::string* why) {
  return parse_base_url(v, &c->aad_authority, why);
}

bool apply_aad_openid_config(std::string_view v, Config* c, std::string* why) {
  if (v.empty()) {
    c->aad_openid_config.clear();
    return true;
  }
  return parse_base_url(v, &c->aad_openid_config, why);
}

bool apply_aad_app_uri(std::string_view v, Config* c, std::string* why) {
  if (too_long(v, why)) return false;
  std::vector<std::string> uris;
  while (!v.empty()) {
    size_t comma = v.find(',');
    std::string_view item = v.substr(0, comma);
    v = comma == v.npos ? std::string_view() : v.substr(comma + 1);
    while (!item.empty() && item.front() == ' ') item.remove_prefix(1);
    while (!item.empty() && item.back() == ' ') item.remove_suffix(1);
    if (item.empty()) continue;
    if (has_space_or_control(item) || (!is_guid(item) && item.find(':') == item.npos)) {
      *why =
          "must be a comma-separated list of application ID URIs (api://... or https://...) "
          "or application (client) IDs (GUIDs)";
      return false;
    }
    uris.emplace_back(item);
  }
  c->aad_app_uris = std::move(uris);
  return true;
}

bool apply_trust_proxy(std::string_view v, Config* c, std::string* why) {
  if (v == "true" || v == "1") {
    c->trust_proxy = true;
  } else if (v == "false" || v == "0" || v.empty()) {
    c->trust_proxy = false;
  } else {
    *why = "must be true or false";
    return false;
  }
  return true;
}

bool apply_event_api_base(std::string_view v, Config* c, std::string* why) {
  return parse_base_url(v, &c->event_api_base, why);
}

bool apply_ca_file(std::string_view v, Config* c, std::string* why) {
  if (too_long(v, why)) return false;
  bool control = false;
  for (unsigned char ch : v) control = control || ch < 0x20 || ch == 0x7F;
  if (control) {
    *why =
        "contains control characters; it must name a PEM file of trusted CA certificates, for "
        "example "
        "/etc/ssl/certs/ca-certificates.crt";
    return false;
  }
  c->ca_file = std::string(v);
  return true;
}

bool apply_max_body_bytes(std::string_view v, Config* c, std::string* why) {
  uint64_t n;
  if (!parse_uint(v, 1024, core::limits::kMaxRequestBodyCeiling, &n)) {
    *why = "must be a number of bytes from 1024 to " +
           std::to_string(core::limits::kMaxRequestBodyCeiling);
    return false;
  }
  c->max_body_bytes = static_cast<size_t>(n);
  return true;
}

bool apply_max_connections(std::string_view v, Config* c, std::string* why) {
  uint64_t n;
  if (!parse_uint(v, 1, core::limits::kMaxConnectionsCeiling, &n)) {
    *why = "must be a number from 1 to " + std::to_string(core::limits::kMaxConnectionsCeiling);
    return false;
  }
  c->max_connections = static_cast<size_t>(n);
  return true;
}

// Defaults of the numeric limits as text, from limits.h.
const std::string& default_max_body() {
  static const std::string s = std::to_string(core::limits::kDefaultMaxRequestBody);
  return s;
}
const std::string& default_max_rate_wait() {
  static const std::string s = std::to_string(core::limits::kDefaultRateLimitMaxWaitMs / 1000);
  return s;
}
const std::string& default_media_max_bytes() {
  static const std::string s = std::to_string(core::limits::kDefaultMediaMaxBytes);
  return s;
}
const std::string& default_upload_concurrency() {
  static const std::string s = std::to_string(core::limits::m365::kDefaultUploadConcurrency);
  return s;
}
const std::string& default_max_connections() {
  static const std::string s = std::to_string(core::limits::kDefaultMaxConnections);
  return s;
}

const OptionSpec* option_table(size_t* count) {
  static const OptionSpec kOptions[] = {
      {"--listen", "CONNECTOR_LISTEN", "HOST:PORT", "127.0.0.1:8080",
       "address and port the web service listens on",
       "IP address and TCP port of the web service. 127.0.0.1 accepts connections from this "
       "machine only; 0.0.0.0 (or [::]) from every network interface. Port 0 picks a free port, "
       "which the \"listening\" log line reports. When neither --listen nor CONNECTOR_LISTEN is "
       "set but PORT is (as Azure App Service sets it), the service listens on 0.0.0.0:$PORT.",
       "twitter-connector serve --listen 0.0.0.0:8080\nCONNECTOR_LISTEN=127.0.0.1:9000 "
       "twitter-connector serve",
       false, apply_listen},
      {"--data-dir", "CONNECTOR_DATA_DIR", "DIR", "./data",
       "directory for jobs, cursors and tokens (created 0700)",
       "Directory where the service keeps its state: jobs, cursors, tokens and pending tasks. "
       "It is created with mode 0700 when missing; the service refuses to start when it cannot "
       "write there. Keep it on persistent storage (on App Service: under /home).",
       "CONNECTOR_DATA_DIR=/home/data twitter-connector serve", false, apply_data_dir},
      {"--tenant-id", "CONNECTOR_TENANT_ID", "GUID", "",
       "Microsoft 365 tenant ID (Basic auth user name of the M365 platform)",
       "The Microsoft 365 tenant ID (a GUID) this deployment serves. The M365 connector platform "
       "and the admin pages authenticate with it as Basic-auth user name, together with "
       "CONNECTOR_API_SECRET_KEY; it also selects the tenant for Azure AD app tokens.",
       "CONNECTOR_TENANT_ID=11111111-2222-3333-4444-555555555555 twitter-connector serve", false,
       apply_tenant_id},
      {"--api-secret-key", "CONNECTOR_API_SECRET_KEY", "SECRET", "",
       "shared secret the M365 platform and admins authenticate with (secret)",
       "Shared secret entered as \"Password\" when the connector is added in the Microsoft 365 "
       "admin center, and on the admin pages. Printable ASCII without spaces. Prefer the "
       "environment (an App Service setting or a Key Vault reference) over the flag, which "
       "other local users can see in the process list. Never logged.",
       "CONNECTOR_API_SECRET_KEY=\"$(openssl rand -base64 32)\" twitter-connector serve", true,
       apply_api_secret_key},
      {"--encryption-key", "CONNECTOR_ENCRYPTION_KEY", "KEY", "",
       "key that encrypts stored secrets: 32 bytes, hex or base64 (secret)",
       "Key used to encrypt the secrets the service stores in the data directory (Twitter user "
       "tokens, the Azure AD app secret): 32 random bytes written as 64 hex digits or in "
       "base64. When not set, stored secrets are protected by file permissions only (files "
       "0600 in a 0700 directory). Never logged.",
       "CONNECTOR_ENCRYPTION_KEY=\"$(openssl rand -hex 32)\" twitter-connector serve", true,
       apply_encryption_key},
      {"--log-level", "CONNECTOR_LOG_LEVEL", "LEVEL", "info",
       "least severe log level written: debug, info, warn, error, off",
       "Least severe level of the JSON log lines written to standard output: debug, info, warn, "
       "error or off.",
       "CONNECTOR_LOG_LEVEL=debug twitter-connector serve", false, apply_log_level},
      {"--twitter-api-base", "CONNECTOR_TWITTER_API_BASE", "URL", "https://api.twitter.com",
       "base URL of the Twitter/X API",
       "Base URL of the Twitter/X API (OAuth endpoints and timelines). Change it only to reach "
       "a test server or a proxying gateway. A trailing / is ignored.",
       "CONNECTOR_TWITTER_API_BASE=https://api.x.com twitter-connector serve", false,
       apply_twitter_api_base},
      {"--twitter-api-version", "CONNECTOR_TWITTER_API_VERSION", "v2|v1.1", "v2",
       "Twitter/X API version used to read timelines",
       "Twitter/X API version used to read user timelines: v2 (current) or v1.1 (older "
       "developer accounts that still have it).",
       "CONNECTOR_TWITTER_API_VERSION=v1.1 twitter-connector serve", false,
       apply_twitter_api_version},
      {"--twitter-max-rate-wait", "CONNECTOR_TWITTER_MAX_RATE_WAIT", "SECONDS",
       default_max_rate_wait().c_str(),
       "longest wait for an X rate-limit reset before the sync is rescheduled",
       "Longest time, in seconds, a timeline sync waits for an X API rate-limit window to reset "
       "(after a 429, or when x-rate-limit-remaining reaches 0). A reset further away ends the "
       "sync as rate limited until that time and it resumes later from its saved cursor. X's "
       "windows are 15 minutes; 0 never waits.",
       "CONNECTOR_TWITTER_MAX_RATE_WAIT=60 twitter-connector serve", false,
       apply_twitter_max_rate_wait},
      {"--media-max-bytes", "CONNECTOR_MEDIA_MAX_BYTES", "BYTES", default_media_max_bytes().c_str(),
       "largest media item (photo, video, GIF) downloaded",
       "Largest media item, in bytes, downloaded from X for archiving. A larger one is stopped as "
       "soon as its size is announced or reached and reported as an error naming its URL. X "
       "accepts videos up to 512 MB.",
       "CONNECTOR_MEDIA_MAX_BYTES=104857600 twitter-connector map --download-media page.json",
       false, apply_media_max_bytes},
      {"--aad-authority", "CONNECTOR_AAD_AUTHORITY", "URL", "https://login.microsoftonline.com",
       "Azure AD (Microsoft Entra ID) authority for app tokens",
       "Base URL of Azure AD (Microsoft Entra ID). App tokens for the Event API are requested "
       "from {authority}/{tenant id}/oauth2/token. Change it for national clouds or test "
       "servers. A trailing / is ignored.",
       "CONNECTOR_AAD_AUTHORITY=https://login.microsoftonline.us twitter-connector serve", false,
       apply_aad_authority},
      {"--aad-openid-config", "CONNECTOR_AAD_OPENID_CONFIG", "URL", "",
       "OpenID metadata URL for verifying bearer tokens (default: derived)",
       "OpenID Connect metadata document that lists the keys Azure AD signs bearer tokens "
       "with. When not set it is {authority}/{tenant id}/v2.0/.well-known/openid-configuration "
       "(\"common\" instead of the tenant ID when that is not set).",
       "CONNECTOR_AAD_OPENID_CONFIG=http://127.0.0.1:9000/openid-configuration "
       "twitter-connector serve",
       false, apply_aad_openid_config},
      {"--aad-app-uri", "CONNECTOR_AAD_APP_URI", "URI[,URI]", "",
       "accepted audiences of Azure AD bearer tokens (default: Basic auth only)",
       "Comma-separated audiences (application ID URIs or application IDs) that an Azure AD "
       "bearer token from the M365 platform may carry. When not set, bearer tokens are refused "
       "and callers authenticate with Basic auth (tenant ID and API secret key).",
       "CONNECTOR_AAD_APP_URI=https://contoso-twitter.azurewebsites.net twitter-connector serve",
       false, apply_aad_app_uri},
      {"--trust-proxy", "CONNECTOR_TRUST_PROXY", "true|false", "false",
       "believe X-Forwarded-For (only behind a reverse proxy such as App Service)",
       "Set to true when the service runs behind a reverse proxy that appends the client "
       "address to X-Forwarded-For (Azure App Service does). The failed-authentication throttle "
       "then counts per client address taken from the last X-Forwarded-For entry; otherwise it "
       "counts per TCP peer and the header is ignored, because any client can send it.",
       "CONNECTOR_TRUST_PROXY=true twitter-connector serve", false, apply_trust_proxy},
      {"--event-api-base", "CONNECTOR_EVENT_API_BASE", "URL",
       "https://webhook.ingestion.office.com", "base URL of the Microsoft 365 Event API",
       "Base URL of the Microsoft 365 Event API the service notifies when a download task is "
       "complete. Change it only to reach a test server. A trailing / is ignored.",
       "CONNECTOR_EVENT_API_BASE=http://127.0.0.1:9001 twitter-connector serve", false,
       apply_event_api_base},
      {"--upload-concurrency", "CONNECTOR_UPLOAD_CONCURRENCY", "N",
       default_upload_concurrency().c_str(), "blob uploads in flight per import task",
       "Items uploaded to the task's blob container at the same time (1 to 64). Each upload "
       "holds one block (at most 4 MiB) in memory, so this bounds both the connections to "
       "storage and the memory imports use. 1 uploads strictly one item after the other.",
       "CONNECTOR_UPLOAD_CONCURRENCY=16 twitter-connector serve", false, apply_upload_concurrency},
      {"--ca-file", "CONNECTOR_CA_FILE", "FILE", "",
       "PEM bundle of CA certificates trusted for outbound HTTPS (default: system, else built in)",
       "PEM file of the certificate authorities trusted for outbound HTTPS (Twitter/X, Azure AD, "
       "Azure Blob, Event API). When not set: the system bundle "
       "/etc/ssl/certs/ca-certificates.crt if it exists (the container image ships Debian's), "
       "otherwise the bundle compiled into the binary.",
       "CONNECTOR_CA_FILE=/etc/ssl/certs/corporate-ca.pem twitter-connector serve", false,
       apply_ca_file},
      {"--max-body-bytes", "CONNECTOR_MAX_BODY_BYTES", "BYTES", default_max_body().c_str(),
       "largest request body accepted; larger ones get 413",
       "Largest request body the web service accepts, in bytes; larger requests are answered "
       "413. The M365 platform sends bodies of a few KiB.",
       "CONNECTOR_MAX_BODY_BYTES=65536 twitter-connector serve", false, apply_max_body_bytes},
      {"--max-connections", "CONNECTOR_MAX_CONNECTIONS", "N", default_max_connections().c_str(),
       "simultaneous client connections; more are closed at once",
       "Most client connections served at the same time; further connections are accepted and "
       "closed at once. Each idle connection costs about 1 KiB of memory and one file "
       "descriptor.",
       "CONNECTOR_MAX_CONNECTIONS=1000 twitter-connector serve", false, apply_max_connections},
  };
  *count = sizeof kOptions / sizeof kOptions[0];
  return kOptions;
}

const char kKeyVaultPrefix[] = "@Microsoft.KeyVault(";

// "--listen" or "CONNECTOR_LISTEN" or "PORT", as the user wrote it.
std::string origin(const OptionSpec& o, Source s) {
  switch (s) {
    case Source::Flag: return std::string("option ") + o.flag;
    case Source::Environment: return std::string("environment variable ") + o.env;
    case Source::Port: return "environment variable PORT";
    case Source::Default: break;
  }
  return std::string("default of ") + o.flag;
}

}  // namespace

std::span<const OptionSpec> options() {
  size_t n;
  const OptionSpec* t = option_table(&n);
  return {t, n};
}

const OptionSpec* find_option_by_flag(std::string_view flag) {
  for (const OptionSpec& o : options())
    if (flag == o.flag) return &o;
  return nullptr;
}

const char* source_name(Source s) {
  switch (s) {
    case Source::Default: return "default";
    case Source::Environment: return "environment";
    case Source::Port: return "PORT";
    case Source::Flag: return "flag";
  }
  return "default";
}

std::string listen_address(const Config& c) {
  bool v6 = c.listen_host.find(':') != std::string::npos;
  return (v6 ? "[" + c.listen_host + "]" : c.listen_host) + ":" + std::to_string(c.listen_port);
}

std::string local_host(const Config& c) {
  if (c.listen_host == "0.0.0.0") return "127.0.0.1";
  if (c.listen_host == "::") return "::1";
  return c.listen_host;
}

std::string local_url(const Config& c, int port) {
  std::string host = local_host(c);
  if (host.find(':') != std::string::npos) host = "[" + host + "]";
  return "http://" + host + ":" + std::to_string(port > 0 ? port : c.listen_port) + "/";
}

std::string aad_openid_config_url(const Config& c) {
  if (!c.aad_openid_config.empty()) return c.aad_openid_config;
  return c.aad_authority + "/" + (c.tenant_id.empty() ? "common" : c.tenant_id) +
         "/v2.0/.well-known/openid-configuration";
}

Environment Environment::from_process() {
  Environment e;
  for (char** p = environ; p && *p; ++p) {
    std::string_view kv = *p;
    size_t eq = kv.find('=');
    if (eq == kv.npos) continue;
    std::string_view name = kv.substr(0, eq);
    if (name.substr(0, 10) == "CONNECTOR_" || name == "PORT")
      e.set(std::string(name), std::string(kv.substr(eq + 1)));
  }
  return e;
}

std::optional<std::string_view> Environment::get(std::string_view name) const {
  for (const auto& [k, v] : vars_)
    if (k == name) return std::string_view(v);
  return std::nullopt;
}

void Environment::set(std::string name, std::string value) {
  for (auto& [k, v] : vars_) {
    if (k == name) {
      v = std::move(value);
      return;
    }
  }
  vars_.emplace_back(std::move(name), std::move(value));
}

Config default_config() {
  Config c;
  std::string why;
  for (const OptionSpec& o : options()) {
    bool ok = o.apply(o.default_text, &c, &why);
    assert(ok && "option defaults must be valid");
    (void)ok;
  }
  return c;
}

core::Status load_config(std::span<const std::string_view> args, const Environment& env,
                         LoadedConfig* out, std::string* message) {
  auto fail = [&](std::string text) {
    *message = std::move(text);
    return core::make_error(core::Errc::Config, "load_config");
  };
  auto opts = options();
  std::vector<std::optional<std::string_view>> flags(opts.size());
  out->positional.clear();
  out->help = false;
  bool only_positional = false;
  for (size_t i = 0; i < args.size(); ++i) {
    std::string_view a = args[i];
    if (only_positional || a.size() < 2 || a[0] != '-') {
      out->positional.emplace_back(a);
      continue;
    }
    if (a == "--") {
      only_positional = true;
      continue;
    }
    if (a == "-h" || a == "--help") {
      out->help = true;
      continue;
    }
    std::string_view name = a, value;
    bool inline_value = false;
    if (size_t eq = a.find('='); eq != a.npos) {
      name = a.substr(0, eq);
      value = a.substr(eq + 1);
      inline_value = true;
    }
    const OptionSpec* o = find_option_by_flag(name);
    if (!o) {
      return fail("unknown option '" + std::string(name) +
                  "'; run 'twitter-connector help' to list the options");
    }
    if (!inline_value) {
      if (i + 1 >= args.size()) {
        return fail("option " + std::string(name) + " needs a value (" + o->value_name +
                    "), for example: " + o->flag + " " +
                    (*o->default_text ? o->default_text : o->value_name));
      }
      value = args[++i];
    }
    flags[static_cast<size_t>(o - opts.data())] = value;
  }

  Config c = default_config();
  out->sources.assign(opts.size(), Source::Default);
  out->texts.clear();
  for (const OptionSpec& o : opts) out->texts.emplace_back(o.secret ? "" : o.default_text);
  for (size_t i = 0; i < opts.size(); ++i) {
    const OptionSpec& o = opts[i];
    std::optional<std::string_view> value = flags[i];
    std::string port_value;
    Source src = Source::Flag;
    if (!value) {
      value = env.get(o.env);
      src = Source::Environment;
    }
    if (!value && o.apply == apply_listen) {
      if (auto port = env.get("PORT")) {
        uint64_t p;
        if (!parse_uint(*port, 1, 65535, &p)) {
          return fail(
              "environment variable PORT is not a port number from 1 to 65535; fix "
              "PORT or set CONNECTOR_LISTEN=HOST:PORT, which takes precedence");
        }
        port_value = "0.0.0.0:" + std::string(*port);
        value = port_value;
        src = Source::Port;
      }
    }
    if (!value) continue;  // the default already applied
    out->sources[i] = src;
    out->texts[i] = o.secret ? (value->empty() ? "" : "(set)") : std::string(*value);
    if (starts_with_icase(*value, kKeyVaultPrefix)) {
      return fail(origin(o, src) +
                  " is an unresolved Azure Key Vault reference (@Microsoft.KeyVault(...)): App "
                  "Service could not fetch the secret. Give the app's managed identity read "
                  "access to the secret (role \"Key Vault Secrets User\" or an access policy "
                  "with Get), check the reference's vault and secret names, then restart the "
                  "app");
    }
    std::string why;
    if (!o.apply(*value, &c, &why)) {
      std::string shown = o.secret ? std::string() : " ('" + std::string(*value) + "')";
      if (!o.secret && value->size() > 200) shown = "";
      return fail(origin(o, src) + shown + " " + why);
    }
  }
  out->config = std::move(c);
  return core::ok_status();
}

std::string options_help() {
  std::string out;
  for (const OptionSpec& o : options()) {
    std::string head = std::string("  ") + o.flag + " " + o.value_name;
    out += head;
    out += head.size() < 34 ? std::string(34 - head.size(), ' ')
                            : std::string("\n") + std::string(34, ' ');
    out += o.summary;
    out += "\n";
    out += std::string(34, ' ') + "env " + o.env;
    if (*o.default_text) out += std::string(", default ") + o.default_text;
    out += "\n";
  }
  return out;
}

std::string config_reference_markdown() {
  std::string out =
      "# Configuration\n\n"
      "<!-- Generated from src/app/config.cc by `twitter-connector help config`; edit the\n"
      "     option table there, then regenerate this file. A unit test keeps them equal. -->\n\n"
      "Every setting is an option and an environment variable. Precedence: command-line flag,\n"
      "then environment variable, then default. On Azure App Service, set the environment\n"
      "variables as application settings; a value that App Service could not resolve from\n"
      "Key Vault (still `@Microsoft.KeyVault(...)`) stops the service with an explanation.\n"
      "Secrets are never written to the logs. Outbound HTTPS also honours the conventional\n"
      "proxy variables `HTTPS_PROXY`, `HTTP_PROXY` and `NO_PROXY` (curl's rules).\n\n";
  for (const OptionSpec& o : options()) {
    out += std::string("## ") + o.env + "\n\n### NAME\n\n`" + o.flag + " " + o.value_name + "`, `" +
           o.env + "` — " + o.summary + "\n\n### DESCRIPTION\n\n" + o.description +
           "\n\n### DEFAULT\n\n" +
           (*o.default_text ? std::string("`") + o.default_text + "`" : std::string("Not set.")) +
           "\n\n### EXAMPLE\n\n```sh\n" + o.example + "\n```\n\n";
  }
  out.pop_back();
  return out;
}

void log_config(const LoadedConfig& loaded) {
  auto opts = options();
  for (size_t i = 0; i < opts.size() && i < loaded.sources.size(); ++i) {
    const OptionSpec& o = opts[i];
    Source src = loaded.sources[i];
    core::log::Level lvl =
        src == Source::Default ? core::log::Level::Debug : core::log::Level::Info;
    if (!core::log::enabled(lvl)) continue;
    std::string_view shown = loaded.texts[i];
    if (o.secret && shown.empty()) shown = "(not set)";
    core::log::write(lvl, "setting",
                     {core::log::f("name", o.env), core::log::f("value", shown),
                      core::log::f("source", source_name(src))});
  }
}

}  // namespace app
