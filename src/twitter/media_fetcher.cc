// Implementation of twitter/media_fetcher.h: one unsigned streamed GET per item, a counting
// sink in front of the caller's, and base64 encoding that carries 0-2 bytes between pieces.
#include "twitter/media_fetcher.h"

#include <algorithm>
#include <utility>

namespace twitter {

namespace {
constexpr char kAlphabet[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

void encode_group(const unsigned char* in, size_t n, char* out) {
  uint32_t v = static_cast<uint32_t>(in[0]) << 16;
  if (n > 1) v |= static_cast<uint32_t>(in[1]) << 8;
  if (n > 2) v |= in[2];
  out[0] = kAlphabet[(v >> 18) & 63];
  out[1] = kAlphabet[(v >> 12) & 63];
  out[2] = n > 1 ? kAlphabet[(v >> 6) & 63] : '=';
  out[3] = n > 2 ? kAlphabet[v & 63] : '=';
}
}  // namespace

void Base64Encoder::append(std::string_view data, std::string* out) {
  auto in = reinterpret_cast<const unsigned char*>(data.data());
  size_t n = data.size();
  while (npending_ > 0 && npending_ < 3 && n > 0) {
    if (npending_ == 2) {
      unsigned char g[3] = {pending_[0], pending_[1], *in};
      char o[4];
      encode_group(g, 3, o);
      out->append(o, 4);
      npending_ = 0;
    } else {
      pending_[npending_++] = *in;
    }
    ++in;
    --n;
  }
  size_t whole = n - n % 3;
  size_t at = out->size();
  out->resize(at + whole / 3 * 4);
  char* o = out->data() + at;
  for (size_t i = 0; i < whole; i += 3, o += 4) encode_group(in + i, 3, o);
  for (size_t i = whole; i < n; ++i) pending_[npending_++] = in[i];
}

void Base64Encoder::finish(std::string* out) {
  if (npending_ > 0) {
    char o[4];
    encode_group(pending_, npending_, o);
    out->append(o, 4);
  }
  npending_ = 0;
}

core::Status Base64Sink::on_start(const http::ClientResponse&) {
  out_.clear();  // a retried attempt starts over (no byte of the previous one was kept)
  enc_.reset();
  return core::ok_status();
}

core::Status Base64Sink::on_data(std::string_view data) {
  enc_.append(data, &out_);
  return core::ok_status();
}

std::string Base64Sink::finish() {
  enc_.finish(&out_);
  return std::move(out_);
}

// One download: counts what reaches the caller's sink and owns the completion callback.
struct MediaFetcher::Download final : http::BodySink, http::ResponseHandler {
  MediaFetcher* owner = nullptr;
  std::string url;
  http::BodySink* sink = nullptr;
  DoneFn done;
  std::unique_ptr<Base64Sink> b64;  // fetch_base64 only
  uint64_t bytes = 0;
  uint64_t id = 0;
  std::string content_type;

  core::Status on_start(const http::ClientResponse& head) override {
    bytes = 0;
    if (const std::string* ct = head.header("content-type")) content_type = *ct;
    return sink->on_start(head);
  }
  core::Status on_data(std::string_view data) override {
    bytes += data.size();
    return sink->on_data(data);
  }
  void on_flow(http::BodyFlow* flow) override { sink->on_flow(flow); }
  void on_complete(uint64_t, http::ClientResult& r) override { owner->complete(this, r); }
};

MediaFetcher::MediaFetcher(http::Client& http, size_t max_bytes)
    : http_(http), max_bytes_(max_bytes) {}

MediaFetcher::~MediaFetcher() {
  for (auto& d : pending_) http_.cancel(d->id);
}

core::Status MediaFetcher::fetch(const std::string& url, http::BodySink* sink, DoneFn done,
                                 uint64_t* id_out) {
  auto d = std::make_unique<Download>();
  d->owner = this;
  d->url = url;
  d->sink = sink;
  d->done = std::move(done);
  http::ClientRequest req;
  req.url = url;
  req.sink = d.get();
  req.max_body_bytes = max_bytes_;
  req.total_timeout_ms = core::limits::kMediaTotalTimeoutMs;
  auto id = http_.request(std::move(req), d.get());
  if (!id.ok()) return id.error();
  d->id = *id;
  if (id_out) *id_out = *id;
  pending_.push_back(std::move(d));
  return core::ok_status();
}

bool MediaFetcher::cancel(uint64_t id) {
  for (auto it = pending_.begin(); it != pending_.end(); ++it) {
    if ((*it)->id != id) continue;
    std::unique_ptr<Download> d = std::move(*it);
    pending_.erase(it);
    http_.cancel(id);  // ends the sink's flow before d goes
    return true;
  }
  return false;
}

core::Status MediaFetcher::fetch_base64(const std::string& url, Base64Fn done) {
  auto sink = std::make_unique<Base64Sink>();
  Base64Sink* raw = sink.get();
  auto st = fetch(url, raw, [raw, done = std::move(done)](MediaResult& r) {
    std::string text;
    if (r.status.ok()) text = raw->finish();
    done(r, text);
  });
  if (!st.ok()) return st;
  pending_.back()->b64 = std::move(sink);
  return core::ok_status();
}

void MediaFetcher::complete(Download* d, http::ClientResult& r) {
  MediaResult m;
  m.bytes = d->bytes;
  m.content_type = d->content_type;
  if (!r.ok) {
    m.status = r.error;
    if (r.error.code == core::Errc::TooLarge)
      m.message = d->url + ": larger than the media size limit of " + std::to_string(max_bytes_) +
                  " bytes (raise CONNECTOR_MEDIA_MAX_BYTES to archive it)";
    else
      m.message = d->url + ": " + r.message;
  } else if (r.response.status / 100 != 2) {
    int s = r.response.status;
    m.status = core::make_error(s == 404 || s == 410 ? core::Errc::NotFound
                                : s == 401           ? core::Errc::Unauthorized
                                : s == 403           ? core::Errc::Forbidden
                                                     : core::Errc::HttpStatus,
                                "media", s);
    m.message = d->url + ": HTTP " + std::to_string(s) +
                (s == 404 || s == 410 ? " (the media item was deleted)" : " from the media server");
  }
  // Take the download out of the list first: done may destroy the fetcher.
  std::unique_ptr<Download> self;
  for (auto it = pending_.begin(); it != pending_.end(); ++it)
    if (it->get() == d) {
      self = std::move(*it);
      pending_.erase(it);
      break;
    }
  DoneFn done = std::move(self->done);
  done(m);
}

}  // namespace twitter
