// Implementation of app/doctor.h. Each endpoint is probed with one http::Connection carrying
// a HEAD request; the state the connection failed in tells which step broke, so the lines
// name the real cause (DNS, refused, proxy, untrusted, hostname, expired, timeout).
#include "app/doctor.h"

#include <cstdlib>
#include <memory>
#include <vector>

#include "http/client_connection.h"
#include "http/url.h"
#include "tls/client_config.h"
#include "uv/loop.h"

namespace app {
namespace {

using State = http::Connection::State;

class Probe final : http::Connection::Owner {
 public:
  Probe(uv::Loop& loop, const tls::ClientConfig& tls, http::Endpoint ep, const http::Url& url,
        uint64_t timeout_ms)
      : conn_(loop.get(), std::move(ep), &tls, owner(), 1000) {
    http::Connection::Exchange ex;
    head_ = "HEAD " + url.target + " HTTP/1.1\r\nHost: " + url.authority() +
            "\r\nUser-Agent: twitter-connector/" TC_VERSION " doctor\r\nConnection: close\r\n\r\n";
    ex.head = head_;
    ex.head_request = true;
    ex.max_header_bytes = 64 * 1024;
    ex.timeouts = {timeout_ms, timeout_ms, timeout_ms};
    conn_.start(std::move(ex));
  }
  bool done = false;
  bool ok = false;
  std::string message;
  int status = 0;
  http::Connection& conn() { return conn_; }

 private:
  http::Connection::Owner* owner() { return this; }
  core::Status on_conn_head(http::Connection*, http::ResponseParser& p) override {
    status = p.status();
    return core::ok_status();
  }
  core::Status on_conn_body(http::Connection*, std::string_view) override {
    return core::ok_status();
  }
  void on_conn_done(http::Connection*, core::Status st, const std::string& msg) override {
    done = true;
    ok = st.ok();
    message = msg;
    conn_.close();
  }
  void on_conn_idle_closed(http::Connection*) override {}
  std::string head_;
  http::Connection conn_;
};

struct Printer {
  FILE* out;
  bool all_ok = true;
  void ok(const std::string& check, const std::string& text) {
    fprintf(out, "ok   %s %s\n", check.c_str(), text.c_str());
  }
  void fail(const std::string& check, const std::string& text) {
    all_ok = false;
    fprintf(out, "FAIL %s %s\n", check.c_str(), text.c_str());
  }
  void skip(const std::string& check, const std::string& text) {
    fprintf(out, "skip %s %s\n", check.c_str(), text.c_str());
  }
};

int rank(State s) {
  switch (s) {
    case State::Resolve: return 0;
    case State::Connect: return 1;
    case State::ProxyConnect: return 2;
    case State::Handshake: return 3;
    default: return 4;  // failed after TLS was up: every check passed
  }
}

void check_endpoint(Printer& p, uv::Loop& loop, const tls::ClientConfig& tls,
                    const http::ProxyConfig& proxies, const char* setting, const std::string& base,
                    uint64_t timeout_ms) {
  auto url = http::parse_url(base);
  if (!url.ok()) {
    p.fail("config",
           std::string(setting) + "=" + http::redact_url(base) + ": not a valid http(s) URL");
    return;
  }
  auto route = proxies.route_for(*url);
  http::Endpoint ep{url->host, url->port, url->https(), route};
  std::string host = url->host;
  std::string hostport = url->authority();
  if (url->default_port()) hostport += ":" + std::to_string(url->port);
  Probe probe(loop, tls, ep, *url, timeout_ms);
  loop.run();
  http::Connection& c = probe.conn();
  int reached = probe.ok ? 4 : rank(c.failed_in());
  std::string dns_name = route ? route->proxy.host + " (proxy for " + host + ")" : host;
  std::string tcp_name = route ? route->proxy.authority() + " (proxy)" : hostport;
  const std::string& why = probe.message;
  if (reached == 0) {
    p.fail("dns", why);
    p.skip("tcp", tcp_name + ": not attempted");
    return;
  }
  p.ok("dns", dns_name + " -> " + c.remote_ip());
  if (reached == 1) {
    p.fail("tcp", why);
    return;
  }
  p.ok("tcp", tcp_name + " connected (" + c.remote_ip() + ")");
  if (route && url->https()) {
    if (reached == 2) {
      p.fail("proxy", why);
      return;
    }
    p.ok("proxy", route->proxy.authority() + " opened a tunnel to " + hostport);
  }
  if (!url->https()) {
    p.ok("tls", host + ": not used (plain http URL; use https in production)");
    return;
  }
  if (reached == 3) {
    p.fail("tls", why);
    return;
  }
  p.ok("tls", host + ": " + c.tls_version() + ", certificate verified (" + c.peer_summary() + ")");
}

std::string env_or(const char* name, const std::string& fallback) {
  const char* v = getenv(name);
  return v && *v ? v : fallback;
}

}  // namespace

DoctorOptions DoctorOptions::from_environment() {
  DoctorOptions o;
  o.twitter_api_base = env_or("CONNECTOR_TWITTER_API_BASE", o.twitter_api_base);
  o.aad_authority = env_or("CONNECTOR_AAD_AUTHORITY", o.aad_authority);
  o.event_api_base = env_or("CONNECTOR_EVENT_API_BASE", o.event_api_base);
  o.ca_file = env_or("CONNECTOR_CA_FILE", "");
  o.proxy = http::ProxyEnv::from_environment();
  return o;
}

int run_doctor(const DoctorOptions& o) {
  Printer p{o.out};
  std::string message;
  auto tls = tls::ClientConfig::create(o.ca_file, &message);
  if (!tls.ok()) {
    p.fail("ca", message);
    return 1;
  }
  p.ok("ca", (*tls)->ca_source() + " (" + std::to_string((*tls)->ca_count()) + " certificates)");
  auto proxies = http::ProxyConfig::create(o.proxy, &message);
  if (!proxies.ok()) {
    p.fail("proxy", message);
    return 1;
  }
  if (!o.proxy.https_proxy.empty() || !o.proxy.http_proxy.empty())
    p.ok("proxy", "settings: HTTPS_PROXY=" + http::redact_url(o.proxy.https_proxy) +
                      " HTTP_PROXY=" + http::redact_url(o.proxy.http_proxy) +
                      " NO_PROXY=" + o.proxy.no_proxy);
  uv::Loop loop;
  check_endpoint(p, loop, **tls, *proxies, "CONNECTOR_TWITTER_API_BASE", o.twitter_api_base,
                 o.timeout_ms);
  check_endpoint(p, loop, **tls, *proxies, "CONNECTOR_AAD_AUTHORITY", o.aad_authority,
                 o.timeout_ms);
  check_endpoint(p, loop, **tls, *proxies, "CONNECTOR_EVENT_API_BASE", o.event_api_base,
                 o.timeout_ms);
  fflush(o.out);
  return p.all_ok ? 0 : 1;
}

}  // namespace app
