// Implementation of jobs/item_stream.h. One ItemStream per item, a small state machine driven
// by read(): Text (a part of the JSON) -> Fetching (download started, nothing known yet) ->
// Streaming ('"' + base64 as it arrives + '"', or "null" when the medium is gone for good) ->
// Text ... -> Done. The download pushes base64 into a bounded buffer (the BodySink side) and
// is paused above the high-water mark; read() drains it and resumes below the low mark.
#include "jobs/item_stream.h"

#include <algorithm>
#include <cstring>
#include <optional>

#include "core/limits.h"
#include "core/log.h"
#include "uv/timer.h"

namespace jobs {
namespace {

namespace lim = core::limits::jobs;

class ItemStream final : public m365::ItemSource, http::BodySink, uv::Timer::Handler {
 public:
  enum class State { Text, Fetching, Streaming, Done };

  ItemStream(twitter::ItemParts parts, twitter::MediaFetcher& media, ItemStreamReport* report)
      : parts_(std::move(parts)),
        media_(media),
        report_(report),
        wake_timer_(uv::Timer::create(media.client().loop().get(), this)) {}

  ~ItemStream() override {
    if (download_id_ != 0) media_.cancel(download_id_);
  }

  core::Result<size_t> read(char* out, size_t cap, Waker* waker) override {
    size_t n = 0;
    while (n < cap) {
      if (error_) return *error_;
      switch (state_) {
        case State::Text: {
          std::string& t = parts_.texts[index_];
          size_t k = std::min(cap - n, t.size() - text_pos_);
          memcpy(out + n, t.data() + text_pos_, k);
          n += k;
          text_pos_ += k;
          if (text_pos_ < t.size()) break;
          std::string().swap(t);  // written: let it go
          text_pos_ = 0;
          if (index_ < parts_.uris.size())
            start_fetch();
          else
            state_ = State::Done;
          break;
        }
        case State::Fetching: return wait(n, waker);
        case State::Streaming: {
          size_t k = std::min(cap - n, buf_.size() - buf_pos_);
          memcpy(out + n, buf_.data() + buf_pos_, k);
          n += k;
          buf_pos_ += k;
          if (buf_pos_ == buf_.size()) {
            buf_.clear();
            buf_pos_ = 0;
          }
          if (paused_ && flow_ && buffered() <= lim::kItemStreamLowWaterBytes) {
            paused_ = false;
            flow_->resume();
          }
          if (buffered() > 0) break;
          if (!fetch_done_) return wait(n, waker);
          ++index_;  // this medium is written: on to the text after it
          state_ = State::Text;
          break;
        }
        case State::Done: return n;
      }
    }
    return n;
  }

  // http::BodySink (through MediaFetcher's download)
  void on_flow(http::BodyFlow* flow) override {
    flow_ = flow;
    paused_ = false;  // a new attempt starts unpaused; an ended flow cannot be resumed
  }
  core::Status on_start(const http::ClientResponse&) override {
    enc_.reset();  // a retried attempt: nothing of the previous one was written
    return core::ok_status();
  }
  core::Status on_data(std::string_view data) override {
    if (!started_) {
      started_ = true;
      state_ = State::Streaming;
      buf_.push_back('"');
    }
    if (buf_pos_ > 0 && buf_pos_ >= buffered()) {  // drop what read() took, moving less
      buf_.erase(0, buf_pos_);
      buf_pos_ = 0;
    }
    enc_.append(data, &buf_);
    report_->peak_buffer_bytes = std::max(report_->peak_buffer_bytes, buffered());
    if (buffered() > lim::kItemStreamMaxBufferBytes)
      return core::make_error(core::Errc::Internal, "item stream buffer");  // flow ignored
    if (!paused_ && flow_ && buffered() >= lim::kItemStreamHighWaterBytes) {
      paused_ = true;
      flow_->pause();
    }
    wake();
    return core::ok_status();
  }

  void on_timer(uv::Timer*) override {
    Waker* w = waker_;
    waker_ = nullptr;
    if (w) w->on_readable();
  }

 private:
  size_t buffered() const { return buf_.size() - buf_pos_; }

  core::Result<size_t> wait(size_t n, Waker* waker) {
    if (n > 0) return n;
    waker_ = waker;
    return kWouldBlock;
  }

  // Wakes the reader from a loop callback: never inside the download's own callbacks, where
  // the reader could finish the upload and destroy this source.
  void wake() {
    if (waker_ && !wake_timer_->active()) wake_timer_->start(0);
  }

  void start_fetch() {
    state_ = State::Fetching;
    started_ = false;
    fetch_done_ = false;
    enc_.reset();
    const std::string& uri = parts_.uris[index_];
    core::Status st = media_.fetch(
        uri, this, [this](twitter::MediaResult& r) { on_fetched(r); }, &download_id_);
    if (st.ok()) return;
    download_id_ = 0;
    twitter::MediaResult r;
    r.status = st;
    r.message = uri + (st.error().code == core::Errc::InvalidArgument
                           ? std::string(": not a valid media URL")
                           : std::string(": the download could not start (") +
                                 core::errc_message(st.error().code) + ")");
    on_fetched(r);
  }

  void on_fetched(twitter::MediaResult& r) {
    download_id_ = 0;
    if (r.status.ok()) {
      if (!started_) {  // an empty body: an empty string
        started_ = true;
        buf_.push_back('"');
      }
      enc_.finish(&buf_);
      buf_.push_back('"');
      ++report_->media_embedded;
      report_->media_bytes += r.bytes;
      state_ = State::Streaming;
      fetch_done_ = true;
    } else if (!started_ && media_failure_is_permanent(r.status.error())) {
      buf_ = "null";
      buf_pos_ = 0;
      ++report_->media_missing;
      report_->messages.push_back(r.message);
      core::log::warn("media left out of item", {core::log::f("error", r.message)});
      state_ = State::Streaming;
      fetch_done_ = true;
    } else {
      // Bytes of this medium are already in the item (or the failure is transient): the
      // document cannot be completed now; the upload fails and the task is repeated.
      core::Errc code = r.status.error().code;
      bool network = code == core::Errc::Timeout || code == core::Errc::ConnReset ||
                     code == core::Errc::ConnClosed || code == core::Errc::HttpStatus;
      error_ = started_ && !network ? core::make_error(core::Errc::Io, "media download")
                                    : r.status.error();
      report_->failure = r.message + (started_ ? " (after part of it was written)" : "");
    }
    wake();
  }

  twitter::ItemParts parts_;
  twitter::MediaFetcher& media_;
  ItemStreamReport* report_;
  uv::Ptr<uv::Timer> wake_timer_;
  State state_ = State::Text;
  size_t index_ = 0;     // current text part, or the attachment after texts[index_]
  size_t text_pos_ = 0;  // bytes of texts[index_] written
  uint64_t download_id_ = 0;
  bool started_ = false;     // a byte of the current medium is in the buffer ('"' written)
  bool fetch_done_ = false;  // the current medium's text is complete in the buffer
  twitter::Base64Encoder enc_;
  std::string buf_;  // base64 waiting for read(), from buf_pos_
  size_t buf_pos_ = 0;
  http::BodyFlow* flow_ = nullptr;
  bool paused_ = false;
  Waker* waker_ = nullptr;
  std::optional<core::Error> error_;
};

// Holds the report when the caller passes none.
class OwnedReportStream final : public m365::ItemSource {
 public:
  OwnedReportStream() = default;
  ItemStreamReport report;
  std::unique_ptr<m365::ItemSource> inner;
  core::Result<size_t> read(char* out, size_t cap, Waker* waker) override {
    return inner->read(out, cap, waker);
  }
};

}  // namespace

bool media_failure_is_permanent(const core::Error& e) {
  switch (e.code) {
    case core::Errc::NotFound:      // 404, 410: deleted
    case core::Errc::TooLarge:      // over CONNECTOR_MEDIA_MAX_BYTES, as announced
    case core::Errc::Unauthorized:  // 401, 403: not ours to fetch
    case core::Errc::Forbidden:
    case core::Errc::InvalidArgument:  // not a URL we can fetch
      return true;
    case core::Errc::HttpStatus:  // other statuses: 4xx except 408/429 will not change
      return e.detail >= 400 && e.detail <= 499 && e.detail != 408 && e.detail != 429;
    default: return false;
  }
}

std::unique_ptr<m365::ItemSource> make_item_stream(twitter::Item item, twitter::MediaFetcher& media,
                                                   ItemStreamOptions options,
                                                   ItemStreamReport* report) {
  twitter::ItemParts parts = twitter::write_item_parts(item, options.format);
  if (parts.uris.empty())
    return std::make_unique<m365::StringItemSource>(std::move(parts.texts[0]));
  if (report) return std::make_unique<ItemStream>(std::move(parts), media, report);
  auto owned = std::make_unique<OwnedReportStream>();
  owned->inner = std::make_unique<ItemStream>(std::move(parts), media, &owned->report);
  return owned;
}

}  // namespace jobs
