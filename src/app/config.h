// Typed configuration of the service, loaded as flags > environment > defaults from one
// table of options (flag, environment variable, default, help, secret, validator), so the
// `--help` text, docs/config.md and the loader all come from the same facts. Pure: the
// environment is passed in, nothing here touches the file system or the network.
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "core/log.h"
#include "core/result.h"

namespace app {

enum class TwitterApiVersion { V2, V1_1 };

struct Config {
  // Inbound HTTP.
  std::string listen_host;  // IP literal: "127.0.0.1", "0.0.0.0", "::1"
  int listen_port = 0;      // 0 = any free port (the "listening" log line names it)
  size_t max_body_bytes = 0;
  size_t max_connections = 0;
  // Storage and logging.
  std::string data_dir;
  core::log::Level log_level = core::log::Level::Info;
  // Identity of the deployment (Basic auth from the M365 platform).
  std::string tenant_id;       // GUID, empty when not set
  std::string api_secret_key;  // secret; empty when not set
  std::string encryption_key;  // secret; 32 raw bytes once decoded, empty when not set
  // Outbound endpoints. Base URLs carry no trailing '/'.
  std::string twitter_api_base;
  TwitterApiVersion twitter_api_version = TwitterApiVersion::V2;
  int64_t twitter_max_rate_wait_ms = 0;  // bounded wait for a rate-limit reset
  size_t media_max_bytes = 0;            // per media item
  std::string aad_authority;
  std::string aad_openid_config;          // empty: derived, see aad_openid_config_url()
  std::vector<std::string> aad_app_uris;  // accepted bearer-token audiences; empty: Basic only
  bool trust_proxy = false;               // believe X-Forwarded-For (behind App Service)
  std::string event_api_base;
  size_t upload_concurrency = 0;  // blob uploads in flight per task
  std::string ca_file;
};

// "HOST:PORT" as configured ("[::1]:8080" for IPv6).
std::string listen_address(const Config& c);
// The address a local client (healthcheck, a browser on the same machine) should connect to:
// the wildcard addresses 0.0.0.0 and :: become loopback. port overrides listen_port when > 0.
std::string local_host(const Config& c);
std::string local_url(const Config& c, int port = 0);  // "http://127.0.0.1:8080/"
// CONNECTOR_AAD_OPENID_CONFIG, or the one derived from the authority and tenant.
std::string aad_openid_config_url(const Config& c);

// Where a setting's value came from.
enum class Source { Default, Environment, Port, Flag };
const char* source_name(Source s);

// Stores a validated value into the config, or explains in *why what is wrong and what to do
// (without repeating the value: it may be a secret).
using ApplyFn = bool (*)(std::string_view value, Config* config, std::string* why);

// One row per option. Every row has a flag and an environment variable.
struct OptionSpec {
  const char* flag;          // "--listen"
  const char* env;           // "CONNECTOR_LISTEN"
  const char* value_name;    // "HOST:PORT", shown in --help
  const char* default_text;  // as a user would type it; "" = not set
  const char* summary;       // one line for --help
  const char* description;   // paragraph(s) for docs/config.md
  const char* example;       // shell line(s) for docs/config.md
  bool secret;               // never logged, never echoed in errors
  ApplyFn apply;
};
std::span<const OptionSpec> options();
const OptionSpec* find_option_by_flag(std::string_view flag);

// The process environment, or a fixed one for tests.
class Environment {
 public:
  Environment() = default;
  Environment(std::initializer_list<std::pair<std::string, std::string>> vars) : vars_(vars) {}
  static Environment from_process();
  std::optional<std::string_view> get(std::string_view name) const;
  void set(std::string name, std::string value);

 private:
  std::vector<std::pair<std::string, std::string>> vars_;
};

// Result of parsing a command's arguments.
struct LoadedConfig {
  Config config;
  std::vector<std::string> positional;  // arguments that are not options, in order
  bool help = false;                    // -h / --help was given
  // For each row of options(), where its value came from (index-aligned with options()).
  std::vector<Source> sources;
  // For each row, the value as given (default text when not set); for secrets only "(set)" or "".
  std::vector<std::string> texts;
};

// Every option at its default (the defaults are valid by construction; a unit test checks).
Config default_config();

// Parses `args` (the arguments after the command name) and the environment. On error,
// *message says which option is wrong, where it came from and what to do; the caller exits 2.
// Precedence per option: --flag, then its environment variable, then (for the listen address
// only) PORT as App Service sets it (0.0.0.0:$PORT), then the default. A value that is still an
// unresolved Azure Key Vault reference ("@Microsoft.KeyVault(...") is refused.
core::Status load_config(std::span<const std::string_view> args, const Environment& env,
                         LoadedConfig* out, std::string* message);

// "--listen HOST:PORT  ..." lines for --help, one block per option.
std::string options_help();
// docs/config.md: one section per option (NAME, DESCRIPTION, DEFAULT, EXAMPLE).
std::string config_reference_markdown();
// Logs the effective settings: non-default ones at info, defaults at debug; secrets only as
// "(set)". Never logs a secret value.
void log_config(const LoadedConfig& loaded);

}  // namespace app
