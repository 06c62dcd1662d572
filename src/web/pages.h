// The admin pages (m365-connector-protocol.md §6), served from the files compiled into the
// binary (web/embedded.h): the routes of each page, the assets, and the headers every one of
// them carries (strict CSP, no sniffing, no referrer, no framing, ETag + 304, caching).
// Pages are public; the data they show comes from the protected /api/… routes, called by the
// pages' own scripts with the admin's credentials. Registered by app::Service.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

#include "http/message.h"
#include "http/router.h"

namespace web {

// Sent with every page and asset: scripts, styles, images and fetch() only from this origin,
// nothing inline, no plugins, never inside a frame, forms post only here.
inline constexpr char kContentSecurityPolicy[] =
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self'; "
    "connect-src 'self'; object-src 'none'; base-uri 'none'; form-action 'self'; "
    "frame-ancestors 'none'";

// One servable file after startup processing.
struct Asset {
  std::string name;          // path below src/web/assets ("configure.html")
  std::string body;          // HTML: version and asset fingerprints filled in
  std::string content_type;  // with charset for text
  std::string etag;          // strong: "\"" + 32 hex digits of SHA-256(body) + "\""
  std::string fingerprint;   // 12 hex digits, the ?v= of links to a non-HTML asset
  bool html = false;         // pages are revalidated on every load; assets are cached
};

// A path the platform or the admin may open, and the page file it shows.
struct PageRoute {
  const char* path;
  const char* file;
};
// `/`, `/Views/Configure`, `/Configure`, the setup page at `/Views/NativeConnectorSetup`,
// `/NativeConnectorSetup` and `/preview/OnJobCreating`, `/Views/TwitterOAuthDone`,
// `/Views/Jobs` and `/Jobs`.
const std::vector<PageRoute>& page_routes();

// "text/html; charset=utf-8" etc. by extension; application/octet-stream when unknown.
std::string_view content_type_for(std::string_view name);
// If-None-Match (RFC 9110 §13.1.2): "*" or a comma-separated list of entity tags, compared
// weakly (W/ ignored). False for an empty or malformed header.
bool if_none_match(std::string_view header, std::string_view etag);
// CSP, X-Content-Type-Options, Referrer-Policy, X-Frame-Options.
void add_security_headers(http::Headers* h);

class Pages {
 public:
  // Indexes the embedded files and prepares each one's body, ETag and fingerprint. HTML files
  // get "{{VERSION}}" replaced by TC_VERSION, "{{JOBS_REFRESH_SECONDS}}" by
  // limits::web::kJobsRefreshSeconds, and every "/assets/NAME" link followed by
  // ?v=<fingerprint of NAME>, so a new build never mixes with a cached old script.
  Pages();

  // Registers GET (and so HEAD) for every page route and for /assets/NAME of each non-HTML
  // file. The Pages object must outlive the router's use of the routes.
  void add_routes(http::Router& router) const;

  const Asset* find(std::string_view name) const;
  const std::vector<Asset>& assets() const { return assets_; }
  // The answer for a GET/HEAD of `asset` (pure): 200 with body, or 304 when If-None-Match
  // names its ETag; always with the security headers, ETag and Cache-Control (HTML no-cache;
  // an asset requested with its current ?v= is immutable for a year, otherwise no-cache).
  http::Response respond(const Asset& asset, const http::Request& req) const;

 private:
  std::vector<Asset> assets_;
};

// Bytes of every embedded file together (what the pages cost the binary and the browser).
size_t embedded_bytes();

}  // namespace web
