// jobs::make_item_stream against the fake X server's media (tests/support/fake_twitter.js,
// plain HTTP and TLS): the streamed document equals write_item() with the media's base64 in
// place, read in any cap; gone, refused and oversized media are null and reported; transient
// failures and failures after bytes were written fail the read; a slow consumer keeps the
// buffer under its bound (the download is paused, not buffered); destroying the stream
// mid-download cancels it. Every test ends with a clean loop.
#include "jobs/item_stream.h"

#include <gtest/gtest.h>

#include "core/codec.h"
#include "http/client.h"
#include "json/json.h"
#include "support/fake_media.h"
#include "support/loop_helpers.h"
#include "support/subprocess.h"
#include "support/test_servers.h"
#include "uv/timer.h"

namespace {

using namespace testing_support;
using core::Errc;
namespace lim = core::limits::jobs;

// Pulls a source the way BlobUploader does: read(cap) until 0, waiting on kWouldBlock. With
// delay_ms > 0 it sleeps between reads (a slow upload).
class Reader final : public m365::ItemSource::Waker, uv::Timer::Handler {
 public:
  Reader(uv::Loop& loop, m365::ItemSource& src, size_t cap, uint64_t delay_ms = 0)
      : src_(src), cap_(cap), delay_ms_(delay_ms), timer_(uv::Timer::create(loop.get(), this)) {}
  void start() { timer_->start(0); }
  void on_readable() override {
    EXPECT_TRUE(waiting_) << "woken while not waiting";
    waiting_ = false;
    ++wakes;
    pull();
  }
  void on_timer(uv::Timer*) override { pull(); }

  std::string out;
  bool done = false;
  std::optional<core::Error> error;
  int wakes = 0;

 private:
  void pull() {
    std::string buf(cap_, '\0');
    for (;;) {
      auto n = src_.read(buf.data(), cap_, this);
      if (!n.ok()) {
        error = n.error();
        timer_.reset();
        return;
      }
      if (*n == m365::ItemSource::kWouldBlock) {
        waiting_ = true;
        return;
      }
      EXPECT_LE(*n, cap_);
      if (*n == 0) {
        done = true;
        timer_.reset();
        return;
      }
      out.append(buf.data(), *n);
      if (delay_ms_ > 0) return timer_->start(delay_ms_);
    }
  }

  m365::ItemSource& src_;
  size_t cap_;
  uint64_t delay_ms_;
  bool waiting_ = false;
  uv::Ptr<uv::Timer> timer_;
};

twitter::Item item_with(const std::vector<std::string>& uris) {
  twitter::Item it;
  it.id = "1741966000000000000";
  it.item_type = "Tweet";
  it.container_id = "4113725063";
  it.container_name = "Contoso Media";
  it.sender.id = "4113725063";
  it.sender.name = "Contoso Media";
  it.sent_time_utc = "2024-01-01T00:00:00";
  it.content = it.message_preview_text = "media \"post\"";
  it.attachments.emplace();
  for (const std::string& u : uris) it.attachments->push_back({std::nullopt, u, "media", {}});
  return it;
}

class ItemStreamTest : public ::testing::Test {
 protected:
  void SetUp() override { ASSERT_FALSE(test_pki_dir().empty()); }
  void TearDown() override {
    media_.reset();
    http_.reset();
    loop_.run();
    EXPECT_EQ(loop_.live_handles(), 0);
    if (fake_) {
      EXPECT_EQ(fake_->stop(), 0);
    }
  }
  void start(bool tls, size_t max_bytes = 64u << 20) {
    std::vector<std::string> args = {"node", project_root() + "/tests/support/fake_twitter.js",
                                     "--max-lifetime", "120"};
    if (tls)
      for (const char* a : {"--cert", "good.crt", "--key", "good.key"})
        args.push_back(a[0] == '-' ? std::string(a) : test_pki_dir() + "/" + a);
    fake_ = std::make_unique<Subprocess>(Subprocess::Options{args});
    auto line = fake_->wait_for_line("listening on 127.0.0.1:");
    ASSERT_TRUE(line) << fake_->output();
    base_ =
        std::string(tls ? "https" : "http") + "://127.0.0.1:" + line->substr(line->rfind(':') + 1);
    std::string msg;
    http::Client::Options o;
    o.ca_file = test_pki_dir() + "/ca.crt";
    auto c = http::Client::create(loop_, std::move(o), &msg);
    ASSERT_TRUE(c.ok()) << msg;
    http_ = std::move(*c);
    media_ = std::make_unique<twitter::MediaFetcher>(*http_, max_bytes);
  }
  void run_loop(uint64_t limit_ms = 60000) {
    Watchdog w;
    w.loop = &loop_;
    auto t = uv::Timer::create(loop_.get(), &w);
    t->unref();
    t->start(limit_ms);
    loop_.run();
    t.reset();
    EXPECT_FALSE(w.fired) << "loop still busy after " << limit_ms << " ms";
  }
  void control(const std::string& body) {
    http::ClientRequest req;
    req.method = "POST";
    req.url = base_ + "/__control";
    req.body = body;
    int calls = 0;
    ASSERT_TRUE(http::fetch(*http_, std::move(req), [&](http::ClientResult& r) {
                  ++calls;
                  EXPECT_TRUE(r.ok && r.response.status == 200) << r.message << r.response.body;
                }).ok());
    run_loop();
    EXPECT_EQ(calls, 1);
  }
  void media_size(const std::string& path, size_t bytes) {
    control(R"({"media_size":{"path":")" + path + R"(","bytes":)" + std::to_string(bytes) + "}}");
  }
  // Streams item through a Reader; returns it for inspection.
  std::unique_ptr<Reader> stream(const twitter::Item& it, jobs::ItemStreamReport* report,
                                 size_t cap, uint64_t delay_ms = 0,
                                 twitter::ItemFormat f = {true, true}) {
    src_ = jobs::make_item_stream(it, *media_, {f}, report);
    auto r = std::make_unique<Reader>(loop_, *src_, cap, delay_ms);
    r->start();
    run_loop();
    src_.reset();
    return r;
  }
  // write_item() with the given Content values.
  static std::string expected(twitter::Item it, const std::vector<std::optional<std::string>>& c,
                              twitter::ItemFormat f = {true, true}) {
    for (size_t i = 0; i < c.size(); ++i) (*it.attachments)[i].content_base64 = c[i];
    return twitter::write_item(it, f);
  }

  uv::Loop loop_;
  std::unique_ptr<Subprocess> fake_;
  std::string base_;
  std::unique_ptr<http::Client> http_;
  std::unique_ptr<twitter::MediaFetcher> media_;
  std::unique_ptr<m365::ItemSource> src_;
};

TEST_F(ItemStreamTest, EmbedsEveryMediumInAnyReadSize) {
  start(false);
  media_size("/media/a.jpg", 100000);
  media_size("/media/b.png", 1);
  media_size("/media/c.jpg", 0);
  twitter::Item it =
      item_with({base_ + "/media/a.jpg", base_ + "/media/b.png", base_ + "/media/c.jpg"});
  // A PreContext item with its own medium comes first in the document.
  twitter::Item parent = item_with({base_ + "/tweet_video/p.mp4"});
  parent.id = "1741965000000000000";
  it.pre_context = std::vector<twitter::Item>{parent};
  std::string a = core::base64_encode(fake_media_bytes("/media/a.jpg", 100000));
  std::string b = core::base64_encode(fake_media_bytes("/media/b.png", 1));
  for (size_t cap : {size_t{1}, size_t{7}, size_t{4096}, size_t{1} << 22}) {
    for (twitter::ItemFormat f : {twitter::ItemFormat{true, true}, twitter::ItemFormat{false}}) {
      jobs::ItemStreamReport report;
      auto r = stream(it, &report, cap, 0, f);
      ASSERT_TRUE(r->done) << (r->error ? core::errc_name(r->error->code) : "");
      EXPECT_EQ(report.media_embedded, 4u);
      EXPECT_EQ(report.media_missing, 0u);
      // Check against write_item with every Content filled.
      auto doc = json::parse(r->out);
      ASSERT_TRUE(doc.ok()) << "cap " << cap;
      const cJSON* pre = cJSON_GetArrayItem(json::get_array(doc->get(), "PreContext"), 0);
      const cJSON* patt = cJSON_GetArrayItem(json::get_array(pre, "ContentAttachments"), 0);
      std::string pb64(*json::get_string(patt, "Content"));
      auto pbytes = core::base64_decode(pb64);
      ASSERT_TRUE(pbytes.ok());
      EXPECT_EQ(*pbytes, fake_media_bytes("/tweet_video/p.mp4", pbytes->size()));
      twitter::Item want = it;
      (*(*want.pre_context)[0].attachments)[0].content_base64 = pb64;
      EXPECT_EQ(r->out, expected(want, {a, b, std::string()}, f)) << "cap " << cap;
      EXPECT_EQ(report.media_bytes, 100000u + 1u + 0u + pbytes->size());
    }
  }
  EXPECT_EQ(media_->pending(), 0u);
}

TEST_F(ItemStreamTest, ItemWithoutMediaIsWrittenAsIs) {
  start(false);
  twitter::Item it = item_with({});
  it.attachments.reset();
  jobs::ItemStreamReport report;
  auto r = stream(it, &report, 3);
  ASSERT_TRUE(r->done);
  EXPECT_EQ(r->out, twitter::write_item(it, {true, true}));
  EXPECT_EQ(r->wakes, 0);
  EXPECT_EQ(report.media_embedded + report.media_missing, 0u);
}

TEST_F(ItemStreamTest, GoneRefusedAndOversizedMediaStayNullAndAreReported) {
  start(false, 50000);
  control(R"({"inject":[{"status":404,"match":"/media/gone.jpg","body":"gone"},)"
          R"({"status":410,"match":"/media/old.jpg","body":"gone"},)"
          R"({"status":403,"match":"/media/private.jpg","body":"no"}]})");
  media_size("/media/huge.mp4", 60000);
  media_size("/media/ok.jpg", 2000);
  twitter::Item it =
      item_with({base_ + "/media/gone.jpg", base_ + "/media/ok.jpg", base_ + "/media/huge.mp4",
                 base_ + "/media/old.jpg", base_ + "/media/private.jpg", "not a url"});
  jobs::ItemStreamReport report;
  auto r = stream(it, &report, 1000);
  ASSERT_TRUE(r->done) << (r->error ? core::errc_name(r->error->code) : "");
  std::string ok = core::base64_encode(fake_media_bytes("/media/ok.jpg", 2000));
  EXPECT_EQ(r->out, expected(it, {std::nullopt, ok, std::nullopt, std::nullopt, std::nullopt,
                                  std::nullopt}));
  EXPECT_EQ(report.media_embedded, 1u);
  EXPECT_EQ(report.media_missing, 5u);
  ASSERT_EQ(report.messages.size(), 5u);
  EXPECT_NE(report.messages[0].find("/media/gone.jpg: HTTP 404"), std::string::npos);
  EXPECT_NE(report.messages[1].find("CONNECTOR_MEDIA_MAX_BYTES"), std::string::npos)
      << report.messages[1];
  EXPECT_NE(report.messages[2].find("HTTP 410"), std::string::npos);
  EXPECT_NE(report.messages[3].find("HTTP 403"), std::string::npos);
  EXPECT_EQ(report.messages[4], "not a url: not a valid media URL");
  EXPECT_TRUE(report.failure.empty());
}

TEST_F(ItemStreamTest, TransientFailureFailsTheRead) {
  start(false);
  control(
      R"({"inject":[{"status":503,"match":"/media/busy.jpg"},{"status":503,"match":"/media/busy.jpg"},)"
      R"({"status":503,"match":"/media/busy.jpg"},{"status":503,"match":"/media/busy.jpg"}]})");
  twitter::Item it = item_with({base_ + "/media/busy.jpg"});
  jobs::ItemStreamReport report;
  auto r = stream(it, &report, 4096);
  EXPECT_FALSE(r->done);
  ASSERT_TRUE(r->error);
  EXPECT_EQ(r->error->code, Errc::HttpStatus);
  EXPECT_EQ(r->error->detail, 503);
  EXPECT_NE(report.failure.find("/media/busy.jpg: HTTP 503"), std::string::npos) << report.failure;
  // What was written stops before the attachment's value: nothing of it was emitted.
  EXPECT_EQ(r->out.substr(r->out.size() - 11), "\"Content\": ");
}

TEST_F(ItemStreamTest, ResetAfterBytesWereWrittenFailsTheRead) {
  start(false);
  media_size("/media/cut.jpg", 400000);
  control(R"({"inject":[{"reset_mid_body":true,"match":"/media/cut.jpg"}]})");
  twitter::Item it = item_with({base_ + "/media/cut.jpg"});
  jobs::ItemStreamReport report;
  auto r = stream(it, &report, 1 << 20, 0);
  EXPECT_FALSE(r->done);
  ASSERT_TRUE(r->error);
  EXPECT_TRUE(r->error->code == Errc::ConnReset || r->error->code == Errc::ConnClosed)
      << core::errc_name(r->error->code);
  EXPECT_NE(report.failure.find("after part of it was written"), std::string::npos)
      << report.failure;
  EXPECT_EQ(report.media_missing, 0u);  // never silently null once begun
}

TEST_F(ItemStreamTest, SlowConsumerKeepsTheBufferBoundedPlain) {
  start(false);
  const size_t kSize = 6u << 20;
  media_size("/tweet_video/slow.mp4", kSize);
  twitter::Item it = item_with({base_ + "/tweet_video/slow.mp4"});
  jobs::ItemStreamReport report;
  auto r = stream(it, &report, 64 * 1024, 1);
  ASSERT_TRUE(r->done);
  EXPECT_EQ(r->out,
            expected(it, {core::base64_encode(fake_media_bytes("/tweet_video/slow.mp4", kSize))}));
  EXPECT_GE(report.peak_buffer_bytes, lim::kItemStreamHighWaterBytes);  // pressure was felt
  EXPECT_LE(report.peak_buffer_bytes, lim::kItemStreamMaxBufferBytes);
}

TEST_F(ItemStreamTest, SlowConsumerKeepsTheBufferBoundedTls) {
  start(true);
  const size_t kSize = 6u << 20;
  media_size("/tweet_video/slow.mp4", kSize);
  twitter::Item it = item_with({base_ + "/tweet_video/slow.mp4"});
  jobs::ItemStreamReport report;
  // Small caps, slowly: the download spends most of its time paused.
  auto r = stream(it, &report, 48 * 1024, 1);
  ASSERT_TRUE(r->done) << (r->error ? core::errc_name(r->error->code) : "");
  EXPECT_EQ(r->out,
            expected(it, {core::base64_encode(fake_media_bytes("/tweet_video/slow.mp4", kSize))}));
  EXPECT_GE(report.peak_buffer_bytes, lim::kItemStreamHighWaterBytes);
  EXPECT_LE(report.peak_buffer_bytes, lim::kItemStreamMaxBufferBytes);
}

TEST_F(ItemStreamTest, DestroyingTheStreamCancelsItsDownload) {
  start(true);
  media_size("/tweet_video/left.mp4", 8u << 20);
  twitter::Item it = item_with({base_ + "/tweet_video/left.mp4"});
  jobs::ItemStreamReport report;
  src_ = jobs::make_item_stream(it, *media_, {}, &report);
  struct Stop final : m365::ItemSource::Waker, uv::Timer::Handler {
    std::unique_ptr<m365::ItemSource>* src;
    int reads = 0;
    void on_readable() override {
      char buf[1000];
      auto n = (*src)->read(buf, sizeof buf, this);
      ASSERT_TRUE(n.ok());
      if (*n != m365::ItemSource::kWouldBlock) ++reads;
      if (reads < 50) {
        if (*n != m365::ItemSource::kWouldBlock) on_readable();
        return;
      }
      src->reset();  // mid-medium: the download goes with it
    }
    void on_timer(uv::Timer*) override { on_readable(); }
  } stop;
  stop.src = &src_;
  auto kick = uv::Timer::create(loop_.get(), &stop);
  kick->start(0);
  run_loop();
  kick.reset();
  EXPECT_EQ(src_, nullptr);
  EXPECT_EQ(media_->pending(), 0u);
  EXPECT_GT(stop.reads, 0);
}

}  // namespace
