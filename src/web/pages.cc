// Implementation of web/pages.h. Everything is prepared once at startup (bodies, hashes), so
// serving a page is a copy of a string and a header comparison.
#include "web/pages.h"

#include <mbedtls/sha256.h>

#include "core/codec.h"
#include "core/limits.h"
#include "core/log.h"
#include "web/embedded.h"

namespace web {
namespace {

constexpr char kAssetPrefix[] = "/assets/";
constexpr char kVersionToken[] = "{{VERSION}}";
constexpr char kRefreshToken[] = "{{JOBS_REFRESH_SECONDS}}";
// An asset linked with its current fingerprint never changes under that URL.
constexpr char kImmutable[] = "public, max-age=31536000, immutable";
// Pages (and an asset asked for without its fingerprint) are revalidated on every use; the
// ETag makes that a 304 without a body.
constexpr char kRevalidate[] = "no-cache";

bool ends_with(std::string_view s, std::string_view suffix) {
  return s.size() >= suffix.size() && s.substr(s.size() - suffix.size()) == suffix;
}

std::string sha256_hex(std::string_view data) {
  unsigned char digest[32];
  mbedtls_sha256(reinterpret_cast<const unsigned char*>(data.data()), data.size(), digest, 0);
  return core::hex_encode(std::string_view(reinterpret_cast<const char*>(digest), 16));
}

void replace_all(std::string* s, std::string_view from, std::string_view to) {
  for (size_t pos = s->find(from); pos != std::string::npos; pos = s->find(from, pos + to.size()))
    s->replace(pos, from.size(), to);
}

// Trims optional whitespace (RFC 9110 OWS) around a list element.
std::string_view trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) s.remove_suffix(1);
  return s;
}

}  // namespace

const std::vector<PageRoute>& page_routes() {
  static const std::vector<PageRoute> routes = {
      {"/", "index.html"},
      {"/Views/Configure", "configure.html"},
      {"/Configure", "configure.html"},
      // The platform's "Add connector" wizard opens one of these (§6.2: which one is
      // unverified), with ?jobId=…&tenantId=….
      {"/Views/NativeConnectorSetup", "setup.html"},
      {"/NativeConnectorSetup", "setup.html"},
      {"/preview/OnJobCreating", "setup.html"},
      {"/Views/TwitterOAuthDone", "oauth_done.html"},
      {"/Views/Jobs", "jobs.html"},
      {"/Jobs", "jobs.html"},
  };
  return routes;
}

std::string_view content_type_for(std::string_view name) {
  if (ends_with(name, ".html")) return "text/html; charset=utf-8";
  if (ends_with(name, ".css")) return "text/css; charset=utf-8";
  if (ends_with(name, ".js")) return "text/javascript; charset=utf-8";
  if (ends_with(name, ".svg")) return "image/svg+xml; charset=utf-8";
  if (ends_with(name, ".png")) return "image/png";
  return "application/octet-stream";
}

bool if_none_match(std::string_view header, std::string_view etag) {
  header = trim(header);
  if (header == "*") return true;
  auto strip_weak = [](std::string_view t) {
    if (t.size() >= 2 && (t[0] == 'W' || t[0] == 'w') && t[1] == '/') t.remove_prefix(2);
    return t;
  };
  std::string_view want = strip_weak(etag);
  while (!header.empty()) {
    size_t comma = header.find(',');
    std::string_view one = trim(header.substr(0, comma));
    header = comma == std::string_view::npos ? std::string_view() : header.substr(comma + 1);
    one = strip_weak(one);
    if (one.size() >= 2 && one.front() == '"' && one.back() == '"' && one == want) return true;
  }
  return false;
}

void add_security_headers(http::Headers* h) {
  h->set("Content-Security-Policy", kContentSecurityPolicy);
  h->set("X-Content-Type-Options", "nosniff");
  h->set("Referrer-Policy", "no-referrer");
  h->set("X-Frame-Options", "DENY");
}

size_t embedded_bytes() {
  size_t n = 0;
  for (size_t i = 0; i < kEmbeddedFileCount; ++i) n += kEmbeddedFiles[i].size;
  return n;
}

Pages::Pages() {
  assets_.reserve(kEmbeddedFileCount);
  for (size_t i = 0; i < kEmbeddedFileCount; ++i) {
    const EmbeddedFile& f = kEmbeddedFiles[i];
    Asset a;
    a.name = f.name;
    a.body = std::string(contents(f));
    a.content_type = std::string(content_type_for(a.name));
    a.html = ends_with(a.name, ".html");
    assets_.push_back(std::move(a));
  }
  // Assets first: the pages link to them by fingerprint, so a page's ETag changes with them.
  for (Asset& a : assets_) {
    if (a.html) continue;
    std::string hex = sha256_hex(a.body);
    a.etag = "\"" + hex + "\"";
    a.fingerprint = hex.substr(0, 12);
  }
  for (Asset& a : assets_) {
    if (!a.html) continue;
    replace_all(&a.body, kVersionToken, TC_VERSION);
    replace_all(&a.body, kRefreshToken, std::to_string(core::limits::web::kJobsRefreshSeconds));
    for (const Asset& linked : assets_) {
      if (linked.html) continue;
      std::string link = std::string(kAssetPrefix) + linked.name + "\"";
      replace_all(&a.body, link,
                  std::string(kAssetPrefix) + linked.name + "?v=" + linked.fingerprint + "\"");
    }
    std::string hex = sha256_hex(a.body);
    a.etag = "\"" + hex + "\"";
    a.fingerprint = hex.substr(0, 12);
  }
}

const Asset* Pages::find(std::string_view name) const {
  for (const Asset& a : assets_)
    if (a.name == name) return &a;
  return nullptr;
}

http::Response Pages::respond(const Asset& asset, const http::Request& req) const {
  http::Response r;
  add_security_headers(&r.headers);
  r.headers.set("ETag", asset.etag);
  auto v = req.query_param("v");
  bool current = !asset.html && v && *v == asset.fingerprint;
  r.headers.set("Cache-Control", current ? kImmutable : kRevalidate);
  auto inm = req.headers.get("If-None-Match");
  if (inm && if_none_match(*inm, asset.etag)) {
    r.status = 304;
    return r;
  }
  r.status = 200;
  r.headers.set("Content-Type", asset.content_type);
  r.body = asset.body;
  return r;
}

void Pages::add_routes(http::Router& router) const {
  for (const PageRoute& route : page_routes()) {
    const Asset* a = find(route.file);
    if (!a) {
      // The build embeds every file of src/web/assets; a missing one is a packaging bug.
      core::log::error("admin page missing from the build", {core::log::f("file", route.file)});
      continue;
    }
    router.add(
        http::Method::Get, route.path,
        [this, a](http::Request& req, http::Responder res) { res.respond(respond(*a, req)); },
        "page");
  }
  for (const Asset& a : assets_) {
    if (a.html) continue;
    const Asset* p = &a;
    router.add(
        http::Method::Get, std::string(kAssetPrefix) + a.name,
        [this, p](http::Request& req, http::Responder res) { res.respond(respond(*p, req)); },
        "asset");
  }
}

}  // namespace web
