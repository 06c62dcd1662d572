// Configuration loading: precedence (flag > environment > PORT > default), the App Service
// PORT rule, Key Vault references, and one bad value per option with a message that names
// the option and says what to do. Also keeps docs/config.md equal to the option table.
#include "app/config.h"

#include <gtest/gtest.h>

#include <fstream>
#include <sstream>

#include "core/limits.h"
#include "support/subprocess.h"

using app::Config;
using app::Environment;
using app::LoadedConfig;
using app::Source;

namespace {

struct Loaded {
  bool ok;
  LoadedConfig l;
  std::string message;
};

Loaded load(std::vector<std::string> args, Environment env = {}) {
  std::vector<std::string_view> views(args.begin(), args.end());
  Loaded r;
  r.ok = app::load_config(views, env, &r.l, &r.message).ok();
  return r;
}

size_t index_of(const char* env) {
  auto opts = app::options();
  for (size_t i = 0; i < opts.size(); ++i)
    if (std::string_view(opts[i].env) == env) return i;
  ADD_FAILURE() << "no option " << env;
  return 0;
}

}  // namespace

TEST(Config, DefaultsAreTheDocumentedOnes) {
  auto r = load({});
  ASSERT_TRUE(r.ok) << r.message;
  const Config& c = r.l.config;
  EXPECT_EQ(c.listen_host, "127.0.0.1");
  EXPECT_EQ(c.listen_port, 8080);
  EXPECT_EQ(c.data_dir, "./data");
  EXPECT_EQ(c.tenant_id, "");
  EXPECT_EQ(c.api_secret_key, "");
  EXPECT_EQ(c.encryption_key, "");
  EXPECT_EQ(c.log_level, core::log::Level::Info);
  EXPECT_EQ(c.twitter_api_base, "https://api.twitter.com");
  EXPECT_EQ(c.twitter_api_version, app::TwitterApiVersion::V2);
  EXPECT_EQ(c.aad_authority, "https://login.microsoftonline.com");
  EXPECT_EQ(c.event_api_base, "https://webhook.ingestion.office.com");
  EXPECT_EQ(c.ca_file, "");  // system bundle, else the built-in one
  EXPECT_TRUE(c.aad_app_uris.empty());
  EXPECT_EQ(c.max_body_bytes, core::limits::kDefaultMaxRequestBody);
  EXPECT_EQ(c.max_connections, core::limits::kDefaultMaxConnections);
  for (Source s : r.l.sources) EXPECT_EQ(s, Source::Default);
  EXPECT_EQ(app::local_url(c), "http://127.0.0.1:8080/");
}

TEST(Config, EveryOptionHasFlagEnvHelpAndValidDefault) {
  for (const auto& o : app::options()) {
    EXPECT_EQ(std::string_view(o.flag).substr(0, 2), "--") << o.flag;
    EXPECT_EQ(std::string_view(o.env).substr(0, 10), "CONNECTOR_") << o.env;
    EXPECT_GT(std::string_view(o.summary).size(), 10u) << o.flag;
    EXPECT_GT(std::string_view(o.description).size(), 40u) << o.flag;
    EXPECT_NE(std::string_view(o.example).find(o.env[0] == 'C' ? "twitter-connector" : ""),
              std::string_view::npos);
    Config c;
    std::string why;
    EXPECT_TRUE(o.apply(o.default_text, &c, &why)) << o.flag << ": " << why;
    EXPECT_EQ(app::find_option_by_flag(o.flag), &o);
  }
}

TEST(Config, FlagBeatsEnvironmentBeatsDefault) {
  Environment env{{"CONNECTOR_LISTEN", "127.0.0.1:9001"}, {"CONNECTOR_LOG_LEVEL", "debug"}};
  auto r = load({"--listen", "127.0.0.1:9002"}, env);
  ASSERT_TRUE(r.ok) << r.message;
  EXPECT_EQ(r.l.config.listen_port, 9002);
  EXPECT_EQ(r.l.sources[index_of("CONNECTOR_LISTEN")], Source::Flag);
  EXPECT_EQ(r.l.config.log_level, core::log::Level::Debug);
  EXPECT_EQ(r.l.sources[index_of("CONNECTOR_LOG_LEVEL")], Source::Environment);
  EXPECT_EQ(r.l.config.data_dir, "./data");
  EXPECT_EQ(r.l.sources[index_of("CONNECTOR_DATA_DIR")], Source::Default);

  auto r2 = load({}, env);
  ASSERT_TRUE(r2.ok);
  EXPECT_EQ(r2.l.config.listen_port, 9001);
}

TEST(Config, FlagWithEqualsSignAndLastFlagWins) {
  auto r = load({"--data-dir=/tmp/a", "--data-dir", "/tmp/b/"});
  ASSERT_TRUE(r.ok) << r.message;
  EXPECT_EQ(r.l.config.data_dir, "/tmp/b");  // trailing '/' dropped
  auto r2 = load({"--listen=[::1]:0"});
  ASSERT_TRUE(r2.ok) << r2.message;
  EXPECT_EQ(r2.l.config.listen_host, "::1");
  EXPECT_EQ(r2.l.config.listen_port, 0);
  EXPECT_EQ(app::listen_address(r2.l.config), "[::1]:0");
  EXPECT_EQ(app::local_url(r2.l.config, 4321), "http://[::1]:4321/");
}

TEST(Config, PortAloneMeansAllInterfacesOnThatPort) {
  auto r = load({}, Environment{{"PORT", "8181"}});
  ASSERT_TRUE(r.ok) << r.message;
  EXPECT_EQ(r.l.config.listen_host, "0.0.0.0");
  EXPECT_EQ(r.l.config.listen_port, 8181);
  EXPECT_EQ(r.l.sources[index_of("CONNECTOR_LISTEN")], Source::Port);
  EXPECT_EQ(app::local_url(r.l.config), "http://127.0.0.1:8181/");
}

TEST(Config, ConnectorListenAndFlagBeatPort) {
  auto r = load({}, Environment{{"PORT", "8181"}, {"CONNECTOR_LISTEN", "127.0.0.1:7000"}});
  ASSERT_TRUE(r.ok) << r.message;
  EXPECT_EQ(r.l.config.listen_host, "127.0.0.1");
  EXPECT_EQ(r.l.config.listen_port, 7000);
  auto r2 = load({"--listen", "127.0.0.1:7001"}, Environment{{"PORT", "8181"}});
  ASSERT_TRUE(r2.ok);
  EXPECT_EQ(r2.l.config.listen_port, 7001);
  // A bad PORT does not matter when it is not used.
  auto r3 = load({"--listen", "127.0.0.1:7001"}, Environment{{"PORT", "x"}});
  EXPECT_TRUE(r3.ok) << r3.message;
}

TEST(Config, BadPortIsExplained) {
  for (const char* bad : {"", "0", "65536", "80a", "-1"}) {
    auto r = load({}, Environment{{"PORT", bad}});
    EXPECT_FALSE(r.ok) << bad;
    EXPECT_NE(r.message.find("PORT"), std::string::npos) << r.message;
    EXPECT_NE(r.message.find("CONNECTOR_LISTEN"), std::string::npos) << r.message;
  }
}

TEST(Config, KeyVaultReferenceIsAStartupErrorForAnyOption) {
  for (const auto& o : app::options()) {
    std::string ref = "@Microsoft.KeyVault(SecretUri=https://v.vault.azure.net/secrets/s/)";
    auto r = load({}, Environment{{o.env, ref}});
    EXPECT_FALSE(r.ok) << o.env;
    EXPECT_NE(r.message.find(o.env), std::string::npos) << r.message;
    EXPECT_NE(r.message.find("Key Vault"), std::string::npos) << r.message;
    EXPECT_NE(r.message.find("managed identity"), std::string::npos) << r.message;
    EXPECT_EQ(r.message.find("v.vault.azure.net"), std::string::npos) << r.message;
  }
  // Also through a flag, and whatever the case App Service preserved.
  auto r = load({"--api-secret-key", "@microsoft.keyvault(VaultName=v;SecretName=s)"});
  EXPECT_FALSE(r.ok);
  EXPECT_NE(r.message.find("--api-secret-key"), std::string::npos) << r.message;
}

TEST(Config, UnknownFlagAndMissingValue) {
  auto r = load({"--listen", "127.0.0.1:1", "--frobnicate"});
  EXPECT_FALSE(r.ok);
  EXPECT_NE(r.message.find("unknown option '--frobnicate'"), std::string::npos) << r.message;
  EXPECT_NE(r.message.find("twitter-connector help"), std::string::npos) << r.message;
  auto r2 = load({"--frob=1"});
  EXPECT_NE(r2.message.find("'--frob'"), std::string::npos) << r2.message;
  auto r3 = load({"--data-dir"});
  EXPECT_FALSE(r3.ok);
  EXPECT_NE(r3.message.find("--data-dir needs a value"), std::string::npos) << r3.message;
}

TEST(Config, HelpAndPositionalArguments) {
  auto r = load({"extra", "--help", "--", "--listen"});
  ASSERT_TRUE(r.ok) << r.message;
  EXPECT_TRUE(r.l.help);
  EXPECT_EQ(r.l.positional, (std::vector<std::string>{"extra", "--listen"}));
}

// One bad value per option: the message names the option and the source and gives advice.
TEST(Config, BadValuesNameTheOptionAndTheFix) {
  struct Case {
    const char* env;
    const char* value;
    const char* advice;
  };
  const Case cases[] = {
      {"CONNECTOR_LISTEN", "localhost:8080", "IP address"},
      {"CONNECTOR_LISTEN", "8080", "HOST:PORT"},
      {"CONNECTOR_LISTEN", "127.0.0.1:99999", "0 to 65535"},
      {"CONNECTOR_LISTEN", "::1:80", "brackets"},
      {"CONNECTOR_LISTEN", "[::1]80", "[IPV6]:PORT"},
      {"CONNECTOR_DATA_DIR", "", "directory"},
      {"CONNECTOR_TENANT_ID", "contoso", "GUID"},
      {"CONNECTOR_TENANT_ID", "11111111-2222-3333-4444-55555555555g", "GUID"},
      {"CONNECTOR_API_SECRET_KEY", "has space", "openssl rand"},
      {"CONNECTOR_ENCRYPTION_KEY", "short", "openssl rand -hex 32"},
      {"CONNECTOR_LOG_LEVEL", "verbose", "debug, info, warn, error, off"},
      {"CONNECTOR_TWITTER_API_BASE", "api.twitter.com", "https://"},
      {"CONNECTOR_TWITTER_API_BASE", "https://", "host name"},
      {"CONNECTOR_TWITTER_API_BASE", "https://a.b/?x=1", "without ?query"},
      {"CONNECTOR_TWITTER_API_VERSION", "v3", "v2 or v1.1"},
      {"CONNECTOR_TWITTER_MAX_RATE_WAIT", "15m", "number of seconds"},
      {"CONNECTOR_TWITTER_MAX_RATE_WAIT", "86401", "number of seconds from 0 to 86400"},
      {"CONNECTOR_MEDIA_MAX_BYTES", "100", "number of bytes from 1024"},
      {"CONNECTOR_MEDIA_MAX_BYTES", "5000000000", "number of bytes from 1024"},
      {"CONNECTOR_AAD_AUTHORITY", "ftp://x", "https://"},
      {"CONNECTOR_AAD_OPENID_CONFIG", "https://us er@x", "host name"},
      {"CONNECTOR_AAD_APP_URI", "not a uri", "application ID URIs"},
      {"CONNECTOR_TRUST_PROXY", "yes please", "true or false"},
      {"CONNECTOR_EVENT_API_BASE", "webhook.ingestion.office.com", "https://"},
      {"CONNECTOR_UPLOAD_CONCURRENCY", "0", "whole number from 1 to 64"},
      {"CONNECTOR_UPLOAD_CONCURRENCY", "many", "whole number from 1 to 64"},
      {"CONNECTOR_CA_FILE", "/etc/ssl/\tcerts", "control characters"},
      {"CONNECTOR_MAX_BODY_BYTES", "1e6", "number of bytes"},
      {"CONNECTOR_MAX_BODY_BYTES", "999999999999", "number of bytes"},
      {"CONNECTOR_MAX_CONNECTIONS", "0", "number from 1"},
      {"CONNECTOR_MAX_CONNECTIONS", "100001", "number from 1"},
  };
  for (const Case& c : cases) {
    auto r = load({}, Environment{{c.env, c.value}});
    EXPECT_FALSE(r.ok) << c.env << "=" << c.value;
    EXPECT_NE(r.message.find(std::string("environment variable ") + c.env), std::string::npos)
        << r.message;
    EXPECT_NE(r.message.find(c.advice), std::string::npos) << r.message;
  }
  // Every option appears in the table above.
  for (const auto& o : app::options()) {
    bool found = false;
    for (const Case& c : cases) found = found || std::string_view(c.env) == o.env;
    EXPECT_TRUE(found) << o.env << " has no bad-value case";
  }
  // The same through a flag names the flag.
  auto r = load({"--max-connections", "lots"});
  EXPECT_NE(r.message.find("option --max-connections ('lots')"), std::string::npos) << r.message;
}

TEST(Config, SecretValuesAreNeverEchoed) {
  auto r = load({}, Environment{{"CONNECTOR_API_SECRET_KEY", "topsecret value"}});
  EXPECT_FALSE(r.ok);
  EXPECT_EQ(r.message.find("topsecret"), std::string::npos) << r.message;
  auto r2 = load({"--encryption-key", "topsecretkey"});
  EXPECT_FALSE(r2.ok);
  EXPECT_EQ(r2.message.find("topsecretkey"), std::string::npos) << r2.message;
}

TEST(Config, GoodValuesAreParsed) {
  Environment env{
      {"CONNECTOR_TENANT_ID", "11111111-2222-3333-4444-55555555555A"},
      {"CONNECTOR_API_SECRET_KEY", "s3cret"},
      {"CONNECTOR_ENCRYPTION_KEY", std::string(64, 'a')},
      {"CONNECTOR_TWITTER_API_BASE", "http://127.0.0.1:9000/"},
      {"CONNECTOR_TWITTER_API_VERSION", "v1.1"},
      {"CONNECTOR_AAD_APP_URI", "api://x, 22222222-3333-4444-5555-666666666666,"},
      {"CONNECTOR_MAX_BODY_BYTES", "65536"},
      {"CONNECTOR_MAX_CONNECTIONS", "100000"},
      {"CONNECTOR_LOG_LEVEL", "WARN"},
  };
  auto r = load({}, env);
  ASSERT_TRUE(r.ok) << r.message;
  const Config& c = r.l.config;
  EXPECT_EQ(c.tenant_id, "11111111-2222-3333-4444-55555555555A");
  EXPECT_EQ(c.api_secret_key, "s3cret");
  EXPECT_EQ(c.encryption_key, std::string(32, '\xaa'));
  EXPECT_EQ(c.twitter_api_base, "http://127.0.0.1:9000");
  EXPECT_EQ(c.twitter_api_version, app::TwitterApiVersion::V1_1);
  EXPECT_EQ(c.aad_app_uris,
            (std::vector<std::string>{"api://x", "22222222-3333-4444-5555-666666666666"}));
  EXPECT_EQ(c.max_body_bytes, 65536u);
  EXPECT_EQ(c.max_connections, 100000u);
  EXPECT_EQ(c.log_level, core::log::Level::Warn);
  EXPECT_EQ(app::aad_openid_config_url(c),
            "https://login.microsoftonline.com/11111111-2222-3333-4444-55555555555A/v2.0/"
            ".well-known/openid-configuration");
  // Base64 form of the encryption key.
  auto r2 = load({"--encryption-key", "qqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqo="});
  ASSERT_TRUE(r2.ok) << r2.message;
  EXPECT_EQ(r2.l.config.encryption_key.size(), 32u);
  // Empty optional settings mean "not set".
  auto r3 = load({"--tenant-id=", "--aad-app-uri="});
  ASSERT_TRUE(r3.ok) << r3.message;
  EXPECT_EQ(app::aad_openid_config_url(r3.l.config),
            "https://login.microsoftonline.com/common/v2.0/.well-known/openid-configuration");
}

TEST(Config, OverlongValuesAreRefused) {
  auto r = load({"--data-dir", std::string(core::limits::kMaxSettingBytes + 1, 'a')});
  EXPECT_FALSE(r.ok);
  EXPECT_NE(r.message.find("longer than"), std::string::npos);
}

TEST(Config, LogConfigNeverWritesSecrets) {
  struct Capture : core::log::Sink {
    std::string text;
    void write_line(std::string_view line) override { text.append(line); }
  } sink;
  auto r = load({"--api-secret-key", "hunter2hunter2", "--listen", "127.0.0.1:1"},
                Environment{{"CONNECTOR_ENCRYPTION_KEY", std::string(64, 'b')}});
  ASSERT_TRUE(r.ok) << r.message;
  core::log::set_sink(&sink);
  core::log::set_level(core::log::Level::Debug);
  app::log_config(r.l);
  core::log::set_level(core::log::Level::Info);
  core::log::set_sink(nullptr);
  EXPECT_EQ(sink.text.find("hunter2"), std::string::npos) << sink.text;
  EXPECT_EQ(sink.text.find("bbbb"), std::string::npos) << sink.text;
  EXPECT_NE(sink.text.find("\"name\":\"CONNECTOR_API_SECRET_KEY\",\"value\":\"(set)\""),
            std::string::npos)
      << sink.text;
  EXPECT_NE(sink.text.find("\"value\":\"127.0.0.1:1\",\"source\":\"flag\""), std::string::npos);
  EXPECT_NE(
      sink.text.find("\"name\":\"CONNECTOR_TENANT_ID\",\"value\":\"\",\"source\":\"default\""),
      std::string::npos)
      << sink.text;
}

TEST(Config, HelpListsEveryOption) {
  std::string help = app::options_help();
  for (const auto& o : app::options()) {
    EXPECT_NE(help.find(o.flag), std::string::npos) << o.flag;
    EXPECT_NE(help.find(o.env), std::string::npos) << o.env;
  }
}

// docs/config.md is generated from the option table (`twitter-connector help config`).
TEST(Config, DocsConfigMdMatchesTheOptionTable) {
  std::ifstream in(testing_support::project_root() + "/docs/config.md");
  ASSERT_TRUE(in.good()) << "docs/config.md is missing";
  std::stringstream ss;
  ss << in.rdbuf();
  EXPECT_EQ(ss.str(), app::config_reference_markdown())
      << "docs/config.md is out of date: run build/twitter-connector help config > docs/config.md";
  for (const auto& o : app::options()) {
    EXPECT_NE(ss.str().find(std::string("## ") + o.env + "\n\n### NAME"), std::string::npos);
  }
}

TEST(Config, TrustProxyFlag) {
  app::Config d = app::default_config();
  EXPECT_FALSE(d.trust_proxy);
  auto r = load({}, Environment{{"CONNECTOR_TRUST_PROXY", "true"}});
  ASSERT_TRUE(r.ok) << r.message;
  EXPECT_TRUE(r.l.config.trust_proxy);
}

TEST(Config, RateWaitAndMediaCapDefaultsAndOverrides) {
  app::Config d = app::default_config();
  EXPECT_EQ(d.twitter_max_rate_wait_ms, core::limits::kDefaultRateLimitMaxWaitMs);
  EXPECT_EQ(d.media_max_bytes, core::limits::kDefaultMediaMaxBytes);
  auto r = load({}, Environment{{"CONNECTOR_TWITTER_MAX_RATE_WAIT", "60"},
                                {"CONNECTOR_MEDIA_MAX_BYTES", "2048"}});
  ASSERT_TRUE(r.ok) << r.message;
  EXPECT_EQ(r.l.config.twitter_max_rate_wait_ms, 60000);
  EXPECT_EQ(r.l.config.media_max_bytes, 2048u);
}

TEST(Config, UploadConcurrencyDefaultOverrideAndBounds) {
  EXPECT_EQ(app::default_config().upload_concurrency,
            core::limits::m365::kDefaultUploadConcurrency);
  auto r = load({}, Environment{{"CONNECTOR_UPLOAD_CONCURRENCY", "16"}});
  ASSERT_TRUE(r.ok) << r.message;
  EXPECT_EQ(r.l.config.upload_concurrency, 16u);
  auto flag = load({"--upload-concurrency", "1"});
  ASSERT_TRUE(flag.ok) << flag.message;
  EXPECT_EQ(flag.l.config.upload_concurrency, 1u);
  for (const char* bad : {"0", "65", "-1", "eight", ""}) {
    auto b = load({}, Environment{{"CONNECTOR_UPLOAD_CONCURRENCY", bad}});
    if (std::string(bad).empty()) continue;  // empty = unset by the loader's convention
    EXPECT_FALSE(b.ok) << bad;
    EXPECT_NE(b.message.find("CONNECTOR_UPLOAD_CONCURRENCY"), std::string::npos) << b.message;
    EXPECT_NE(b.message.find("1 to 64"), std::string::npos) << b.message;
  }
}
