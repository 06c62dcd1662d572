// Downloads of tweet media (photos at original size, the highest-bitrate MP4 of videos and
// GIFs; item_mapper chooses the URL) from pbs.twimg.com / video.twimg.com, which take no OAuth.
// Bodies stream through an http::BodySink into the caller's sink, so the uploader can encode
// and send blob blocks without holding a whole video; the size cap (CONNECTOR_MEDIA_MAX_BYTES)
// stops a download as soon as it is announced or reached. fetch_base64() is the in-memory
// convenience for small items (the `map --download-media` command).
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "core/limits.h"
#include "core/result.h"
#include "http/client.h"

namespace twitter {

// Standard base64 (with padding) of a stream of bytes, encoded as they arrive: at most two
// raw bytes wait for the next piece, so any cut of the input gives the same text.
class Base64Encoder {
 public:
  // Appends the base64 of every complete 3-byte group seen so far to *out.
  void append(std::string_view data, std::string* out);
  // Appends the last 1-2 bytes with padding; the encoder is then empty again.
  void finish(std::string* out);
  void reset() { npending_ = 0; }
  // Base64 characters append() may add for n more input bytes (for buffer bounds).
  static size_t max_output(size_t n) { return (n + 2) / 3 * 4; }

 private:
  unsigned char pending_[2] = {0, 0};
  size_t npending_ = 0;
};

// A sink that collects the base64 of a whole body in memory (bounded by the caller's cap).
class Base64Sink final : public http::BodySink {
 public:
  core::Status on_start(const http::ClientResponse& head) override;
  core::Status on_data(std::string_view data) override;
  // Encodes the last 1-2 bytes with padding and hands the text over.
  std::string finish();

 private:
  std::string out_;
  Base64Encoder enc_;
};

struct MediaResult {
  core::Status status;  // ok, or the error (TooLarge, NotFound, HttpStatus, network ...)
  std::string message;  // on failure: "<url>: <reason>", for the admin
  uint64_t bytes = 0;   // body bytes delivered to the sink
  std::string content_type;
};

class MediaFetcher {
 public:
  // max_bytes: the per-item cap (setting CONNECTOR_MEDIA_MAX_BYTES).
  explicit MediaFetcher(http::Client& http, size_t max_bytes = core::limits::kDefaultMediaMaxBytes);
  ~MediaFetcher();
  MediaFetcher(const MediaFetcher&) = delete;
  MediaFetcher& operator=(const MediaFetcher&) = delete;

  using DoneFn = std::function<void(MediaResult& result)>;
  // Streams the body of url into sink (which must outlive the download). done runs exactly
  // once, later, unless this returns an error (bad URL, queue full). Destroying the fetcher
  // cancels pending downloads without callbacks. The sink gets the download's flow control
  // (BodySink::on_flow) and may pause it. *id (if given) names it for cancel().
  core::Status fetch(const std::string& url, http::BodySink* sink, DoneFn done,
                     uint64_t* id = nullptr);
  // Stops a download; done does not run. false if unknown or finished.
  bool cancel(uint64_t id);
  http::Client& client() { return http_; }
  // The whole item as base64 in memory (bounded by max_bytes); text is empty on failure.
  using Base64Fn = std::function<void(MediaResult& result, std::string& base64)>;
  core::Status fetch_base64(const std::string& url, Base64Fn done);

  size_t max_bytes() const { return max_bytes_; }
  size_t pending() const { return pending_.size(); }

 private:
  struct Download;
  void complete(Download* d, http::ClientResult& r);

  http::Client& http_;
  size_t max_bytes_;
  std::vector<std::unique_ptr<Download>> pending_;
};

}  // namespace twitter
