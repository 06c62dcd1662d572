// Fuzz target for the request path: bytes go through RequestParser (with small limits, so
// the limit paths are reached) whole and split at a position chosen by the first input byte,
// every complete request is taken and routed, and the two runs must agree.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string>
#include <vector>

#include "http/request_parser.h"
#include "http/router.h"

namespace {

struct Outcome {
  std::vector<std::string> summary;
  int error = 0;
};

void route(const http::Request& r, std::vector<std::string>* out) {
  static const http::Router router = [] {
    http::Router rt;
    rt.get("/healthz", [](http::Request&, http::Responder) {});
    rt.post("/api/items", [](http::Request&, http::Responder) {});
    return rt;
  }();
  http::Router::Match m = router.match(r.method, r.path);
  std::string s = std::string(http::method_name(r.method)) + " " + r.path + "?" + r.query + " " +
                  std::to_string(r.headers.size()) + " " + std::to_string(r.body.size()) + " " +
                  std::to_string(m.status);
  out->push_back(std::move(s));
}

Outcome run(const uint8_t* data, size_t size, size_t split) {
  static const http::ParserLimits limits = [] {
    http::ParserLimits l;
    l.max_header_bytes = 2048;
    l.max_headers = 16;
    l.max_url_bytes = 512;
    l.max_body_bytes = 4096;
    return l;
  }();
  Outcome out;
  http::RequestParser p(&limits);
  const char* chunks[2] = {reinterpret_cast<const char*>(data),
                           reinterpret_cast<const char*>(data) + split};
  size_t lens[2] = {split, size - split};
  for (int i = 0; i < 2; ++i) {
    const char* d = chunks[i];
    size_t len = lens[i];
    while (len > 0) {
      auto step = p.feed(d, len);
      if (step.consumed > len) abort();
      d += step.consumed;
      len -= step.consumed;
      if (step.phase == http::RequestParser::Phase::Complete) {
        auto req = p.take();
        if (!req) abort();
        route(*req, &out.summary);
        if (!p.keep_alive()) return out;  // the server would close here
      } else if (step.phase == http::RequestParser::Phase::Error) {
        out.error = p.error_status();
        if (out.error < 400 || out.error > 599 || p.error_message().empty()) abort();
        return out;
      } else if (step.consumed == 0) {
        abort();  // no progress without a reason
      }
    }
  }
  return out;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size == 0) return 0;
  size_t split = data[0] % (size + 1);
  Outcome whole = run(data, size, size);
  Outcome parts = run(data, size, split);
  if (whole.summary != parts.summary || whole.error != parts.error) abort();
  return 0;
}
