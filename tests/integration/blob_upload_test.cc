// m365::BlobUploader and UploadQueue against Azurite (the Azure Storage emulator) over HTTPS
// with the test CA: small items read back byte for byte, overwrite by name, a 50 MB item
// streamed in blocks with bounded peak memory, an expired SAS, a missing container, bad SAS
// URIs, the emulator stopped and restarted, and the concurrency bound of the queue.
#include <gtest/gtest.h>

#include <cstring>
#include <fstream>

#include <mbedtls/sha256.h>

#include "core/codec.h"
#include "core/log.h"
#include "http/client.h"
#include "m365/blob_uploader.h"
#include "m365/upload_queue.h"
#include "support/azurite.h"
#include "support/loop_helpers.h"
#include "uv/timer.h"

namespace {

using namespace testing_support;
using core::Errc;
using m365::FailureClass;

struct LogCapture final : core::log::Sink {
  std::string text;
  void write_line(std::string_view line) override { text.append(line); }
};

// A generated item of `size` bytes (JSON-looking text with a base64-like filler), hashed as
// it is produced. Every `stall_every` reads it answers kWouldBlock and wakes the uploader
// from a timer, as a source waiting for a media download would.
class PatternSource final : public m365::ItemSource, uv::Timer::Handler {
 public:
  PatternSource(uv::Loop& loop, uint64_t size, int stall_every = 0)
      : loop_(loop), size_(size), stall_every_(stall_every) {
    mbedtls_sha256_init(&sha_);
    mbedtls_sha256_starts(&sha_, 0);
  }
  ~PatternSource() override { mbedtls_sha256_free(&sha_); }

  core::Result<size_t> read(char* out, size_t cap, Waker* waker) override {
    if (stall_every_ > 0 && ++reads_ % stall_every_ == 0) {
      waker_ = waker;
      timer_ = uv::Timer::create(loop_.get(), this);
      timer_->start(1);
      return kWouldBlock;
    }
    static const char kAlphabet[] =
        "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    size_t n = static_cast<size_t>(std::min<uint64_t>(std::min<size_t>(cap, 100000), size_ - pos_));
    for (size_t i = 0; i < n; ++i) {
      uint64_t p = pos_ + i;
      out[i] = p == 0 ? '{' : p + 1 == size_ ? '}' : kAlphabet[(p * 2654435761u >> 7) % 64];
    }
    mbedtls_sha256_update(&sha_, reinterpret_cast<unsigned char*>(out), n);
    pos_ += n;
    return n;
  }
  void on_timer(uv::Timer*) override {
    timer_.reset();
    waker_->on_readable();
  }
  std::string hex() {
    unsigned char out[32];
    mbedtls_sha256_finish(&sha_, out);
    return core::hex_encode(std::string_view(reinterpret_cast<char*>(out), 32));
  }

 private:
  uv::Loop& loop_;
  uint64_t size_;
  uint64_t pos_ = 0;
  int stall_every_;
  int reads_ = 0;
  Waker* waker_ = nullptr;
  uv::Ptr<uv::Timer> timer_;
  mbedtls_sha256_context sha_;
};

class BlobUploadTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    azurite_ = new Azurite();
    if (!azurite_->start()) start_error_ = azurite_->error();
  }
  static void TearDownTestSuite() {
    delete azurite_;
    azurite_ = nullptr;
  }
  void SetUp() override {
    ASSERT_TRUE(start_error_.empty()) << start_error_;
    ASSERT_TRUE(azurite_->running()) << "Azurite is not running";
    make_uploader({});
  }
  void TearDown() override {
    queue_.reset();
    uploader_.reset();
    client_.reset();
    loop_.run();
    EXPECT_EQ(loop_.live_handles(), 0);
  }
  void make_uploader(m365::BlobUploader::Options o) {
    queue_.reset();
    uploader_.reset();
    if (!client_) {
      std::string msg;
      auto c = http::Client::create(loop_, {.ca_file = azurite_->ca_file()}, &msg);
      ASSERT_TRUE(c.ok()) << msg;
      client_ = std::move(*c);
    }
    o.retry.base_delay_ms = 20;
    o.retry.max_delay_ms = 100;
    uploader_ = std::make_unique<m365::BlobUploader>(loop_, *client_, o);
  }
  void run_loop(uint64_t limit_ms = 120000) {
    Watchdog w;
    w.loop = &loop_;
    auto t = uv::Timer::create(loop_.get(), &w);
    t->unref();
    t->start(limit_ms);
    loop_.run();
    t.reset();
    EXPECT_FALSE(w.fired) << "loop still busy after " << limit_ms << " ms";
  }
  std::string container(const char* name) {
    EXPECT_TRUE(azurite_->create_container(name)) << azurite_->error();
    return azurite_->container_sas_uri(name);
  }
  // Uploads one item and runs the loop until it is done; asserts the callback ran once.
  m365::UploadResult upload(const std::string& sas, const std::string& name,
                            std::unique_ptr<m365::ItemSource> src) {
    int calls = 0;
    m365::UploadResult out;
    std::string msg;
    auto id = uploader_->upload(
        {sas, "job-1", "task-1", name, std::move(src)},
        [&](m365::UploadResult& r) {
          ++calls;
          out = std::move(r);
        },
        &msg);
    EXPECT_TRUE(id.ok()) << msg;
    EXPECT_EQ(calls, 0);  // never from inside upload()
    run_loop();
    EXPECT_EQ(calls, 1);
    return out;
  }
  static std::unique_ptr<m365::ItemSource> text(std::string s) {
    return std::make_unique<m365::StringItemSource>(std::move(s));
  }

  static Azurite* azurite_;
  static std::string start_error_;
  uv::Loop loop_;
  std::unique_ptr<http::Client> client_;
  std::unique_ptr<m365::BlobUploader> uploader_;
  std::unique_ptr<m365::UploadQueue> queue_;
};

Azurite* BlobUploadTest::azurite_ = nullptr;
std::string BlobUploadTest::start_error_;

TEST(AzuriteHarness, StorageSignatureKnownAnswer) {
  // HMAC-SHA256 with the emulator key, checked with
  // printf 'abc' | openssl dgst -sha256 -mac HMAC -macopt hexkey:$(base64 -d <<<KEY | xxd -p -c
  // 256) -binary | base64
  auto [rc, out] = run_command(
      {"sh", "-c",
       std::string("printf abc | openssl dgst -sha256 -mac HMAC -macopt hexkey:$(printf %s '") +
           Azurite::kAccountKey + "' | base64 -d | od -An -tx1 | tr -d ' \\n') -binary | base64"});
  ASSERT_EQ(rc, 0) << out;
  while (!out.empty() && (out.back() == '\n' || out.back() == '\r')) out.pop_back();
  EXPECT_EQ(storage_signature(Azurite::kAccountKey, "abc"), out);
}

TEST_F(BlobUploadTest, SmallItemReadBackByteExact) {
  std::string sas = container("small");
  std::string item =
      "{\n  \"Id\": \"1106451391000834048\",\n  \"Body\": \"h\xC3\xA9llo \\\"world\\\"\"\n}";
  auto r = upload(sas, "1552633543123", text(item));
  ASSERT_TRUE(r.ok) << r.message;
  EXPECT_EQ(r.file_name, "1552633543123.json");
  EXPECT_EQ(r.blob_name, "job-1/task-1/1552633543123.json");
  EXPECT_EQ(r.blocks, 0u);
  EXPECT_EQ(r.bytes, item.size());
  auto back = azurite_->read_blob("small", r.blob_name);
  ASSERT_TRUE(back) << azurite_->error();
  EXPECT_EQ(*back, item);
  auto list = azurite_->list_blobs("small");
  ASSERT_TRUE(list) << azurite_->error();
  ASSERT_EQ(list->size(), 1u);
  EXPECT_EQ((*list)[0].content_type, "application/json; charset=utf-8");
}

TEST_F(BlobUploadTest, ReuploadOverwritesWithoutDuplicate) {
  std::string sas = container("again");
  ASSERT_TRUE(upload(sas, "42", text("{\"v\":1}")).ok);
  auto r = upload(sas, "42", text("{\"v\":2,\"longer\":true}"));
  ASSERT_TRUE(r.ok) << r.message;
  auto list = azurite_->list_blobs("again");
  ASSERT_TRUE(list);
  ASSERT_EQ(list->size(), 1u);
  EXPECT_EQ(*azurite_->read_blob("again", "job-1/task-1/42.json"), "{\"v\":2,\"longer\":true}");
}

TEST_F(BlobUploadTest, FiftyMegabyteItemStreamedInBlocksWithBoundedMemory) {
  std::string sas = container("large");
  constexpr uint64_t kSize = 50ull * 1000 * 1000;
  auto src = std::make_unique<PatternSource>(loop_, kSize, 7);
  PatternSource* raw = src.get();
  { std::ofstream("/proc/self/clear_refs") << "5"; }  // reset VmHWM to the current RSS
  size_t before = vm_kib("VmHWM:");
  // Keep the source alive past the upload to read its hash: upload through a forwarding source.
  struct Forward final : m365::ItemSource {
    ItemSource* inner;
    core::Result<size_t> read(char* o, size_t c, Waker* w) override { return inner->read(o, c, w); }
  };
  auto fwd = std::make_unique<Forward>();
  fwd->inner = raw;
  auto r = upload(sas, "big", std::move(fwd));
  size_t peak = vm_kib("VmHWM:");
  ASSERT_TRUE(r.ok) << r.message;
  EXPECT_EQ(r.bytes, kSize);
  size_t block = core::limits::m365::kBlobBlockBytes;
  EXPECT_EQ(r.blocks, (kSize + block - 1) / block);
  // One 4 MiB block plus TLS and client buffers; the item itself is 50 MB. Under
  // AddressSanitizer freed blocks sit in its quarantine (256 MB by default) and count as
  // resident, so the bound is asserted only in the regular build (`make test`).
#if defined(__SANITIZE_ADDRESS__)
  (void)peak;
#else
  EXPECT_LT(peak - before, 16u * 1024) << "peak RSS grew by " << (peak - before) << " KiB";
#endif
  printf("50 MB item in %u blocks: peak RSS grew by %zu KiB\n", r.blocks, peak - before);
  std::string hash = raw->hex();
  src.reset();
  auto list = azurite_->list_blobs("large");
  ASSERT_TRUE(list);
  ASSERT_EQ(list->size(), 1u);
  EXPECT_EQ((*list)[0].size, kSize);
  EXPECT_EQ((*list)[0].content_type, "application/json; charset=utf-8");
  TempDir tmp;
  std::string file = tmp.path() + "/big.json";
  ASSERT_TRUE(azurite_->download_blob("large", "job-1/task-1/big.json", file)) << azurite_->error();
  auto [rc, sum] = run_command({"sha256sum", file});
  ASSERT_EQ(rc, 0);
  EXPECT_EQ(sum.substr(0, 64), hash);
}

TEST_F(BlobUploadTest, SmallBlocksPartialAndExactLastBlock) {
  make_uploader({.block_bytes = core::limits::m365::kMinBlobBlockBytes});
  std::string sas = container("blocks");
  for (uint64_t size : {1023u, 1024u, 2048u, 5000u}) {
    auto src = std::make_unique<PatternSource>(loop_, size, 3);
    std::string name = "n" + std::to_string(size);
    auto r = upload(sas, name, std::move(src));
    ASSERT_TRUE(r.ok) << size << ": " << r.message;
    uint64_t blocks = size < 1024 ? 0 : (size + 1023) / 1024;
    EXPECT_EQ(r.blocks, blocks) << size;
    auto list = azurite_->list_blobs("blocks");
    ASSERT_TRUE(list);
    bool found = false;
    for (const auto& b : *list)
      if (b.name == "job-1/task-1/" + name + ".json") {
        found = true;
        EXPECT_EQ(b.size, size);
      }
    EXPECT_TRUE(found) << name;
  }
  auto back = azurite_->read_blob("blocks", "job-1/task-1/n5000.json");
  ASSERT_TRUE(back);
  PatternSource again(loop_, 5000);
  std::string expect(5000, '\0');
  ASSERT_EQ(*again.read(expect.data(), expect.size(), nullptr), 5000u);
  EXPECT_EQ(*back, expect);
}

TEST_F(BlobUploadTest, MoreBlocksThanAllowedFailsPermanently) {
  make_uploader({.block_bytes = core::limits::m365::kMinBlobBlockBytes, .max_blocks = 3});
  std::string sas = container("toobig");
  auto ok = upload(sas, "fits", std::make_unique<PatternSource>(loop_, 3 * 1024));
  EXPECT_TRUE(ok.ok) << ok.message;  // exactly the block limit
  auto r = upload(sas, "over", std::make_unique<PatternSource>(loop_, 3 * 1024 + 1));
  ASSERT_FALSE(r.ok);
  EXPECT_EQ(r.failure, FailureClass::Permanent);
  EXPECT_EQ(r.error.code, Errc::TooLarge);
  EXPECT_NE(r.message.find("blocks"), std::string::npos) << r.message;
}

TEST_F(BlobUploadTest, ExpiredSasIsPermanentAndTheSignatureNeverShows) {
  container("expired");
  std::string sas = azurite_->container_sas_uri("expired", "rcwl", -3600);
  std::string sig = sas.substr(sas.find("sig=") + 4);
  LogCapture logs;
  core::log::set_sink(&logs);
  auto r = upload(sas, "1", text("{}"));
  core::log::set_sink(nullptr);
  ASSERT_FALSE(r.ok);
  EXPECT_EQ(r.failure, FailureClass::Permanent);
  EXPECT_EQ(r.error.code, Errc::Forbidden);
  EXPECT_EQ(r.http_status, 403);
  // Azure answers AuthenticationFailed; the emulator says AuthorizationFailure for an expiry.
  EXPECT_TRUE(r.storage_code == "AuthenticationFailed" || r.storage_code == "AuthorizationFailure")
      << r.storage_code;
  EXPECT_NE(r.message.find(r.storage_code), std::string::npos) << r.message;
  EXPECT_NE(r.message.find("expired"), std::string::npos) << r.message;
  EXPECT_NE(r.message.find("127.0.0.1"), std::string::npos) << r.message;
  EXPECT_EQ(r.message.find(sig), std::string::npos) << r.message;
  EXPECT_NE(logs.text.find("blob upload failed"), std::string::npos);
  EXPECT_EQ(logs.text.find(sig), std::string::npos) << logs.text;
}

TEST_F(BlobUploadTest, ForgedSignatureIsPermanent) {
  container("forged");
  std::string sas = azurite_->container_sas_uri("forged");
  size_t at = sas.find("sig=") + 4;
  sas[at] = sas[at] == 'A' ? 'B' : 'A';
  auto r = upload(sas, "1", text("{}"));
  ASSERT_FALSE(r.ok);
  EXPECT_EQ(r.failure, FailureClass::Permanent);
  EXPECT_EQ(r.http_status, 403);
  EXPECT_TRUE(r.storage_code == "AuthenticationFailed" || r.storage_code == "AuthorizationFailure")
      << r.storage_code;
  EXPECT_EQ(r.message.find(sas.substr(at)), std::string::npos) << r.message;
  EXPECT_NE(r.message.find("sig=***"), std::string::npos) << r.message;
}

TEST_F(BlobUploadTest, MissingContainerIsPermanent) {
  std::string sas = azurite_->container_sas_uri("never-created");
  auto r = upload(sas, "1", text("{}"));
  ASSERT_FALSE(r.ok);
  EXPECT_EQ(r.failure, FailureClass::Permanent);
  EXPECT_EQ(r.http_status, 404);
  EXPECT_EQ(r.storage_code, "ContainerNotFound");
  EXPECT_NE(r.message.find("container does not exist"), std::string::npos) << r.message;
}

TEST_F(BlobUploadTest, BadSasUrisAreRefusedUpFront) {
  std::string good = azurite_->container_sas_uri("small");
  std::string origin = "https://127.0.0.1:" + std::to_string(azurite_->port());
  struct Case {
    std::string uri;
    const char* says;
  } cases[] = {
      {"http://127.0.0.1:1/devstoreaccount1/small?sv=1&sig=abc", "must use https"},
      {good.substr(0, good.find("&sig=")), "no signature"},
      {origin + "/devstoreaccount1?sv=1&sig=abc", "names no container"},
  };
  for (auto& c : cases) {
    int calls = 0;
    std::string msg;
    auto id = uploader_->upload(
        {c.uri, "j", "t", "n", text("{}")}, [&](m365::UploadResult&) { ++calls; }, &msg);
    ASSERT_FALSE(id.ok()) << c.uri;
    EXPECT_EQ(id.error().code, Errc::InvalidArgument);
    EXPECT_NE(msg.find(c.says), std::string::npos) << msg;
    EXPECT_EQ(msg.find("sig=abc"), std::string::npos) << msg;
    run_loop();
    EXPECT_EQ(calls, 0);
  }
  std::string msg;
  auto id = uploader_->upload(
      {good, "", "t", "n", text("{}")}, [](m365::UploadResult&) {}, &msg);
  ASSERT_FALSE(id.ok());
  EXPECT_NE(msg.find("job id"), std::string::npos);
}

TEST_F(BlobUploadTest, QueueRunsAtMostNAtOnce) {
  std::string sas = container("queued");
  queue_ = std::make_unique<m365::UploadQueue>(*uploader_, 3);
  int done = 0, failed = 0;
  for (int i = 0; i < 12; ++i) {
    std::string msg;
    auto st = queue_->submit(
        {sas, "job-1", "task-1", "q" + std::to_string(i),
         text("{\"n\":" + std::to_string(i) + "}")},
        [&](m365::UploadResult& r) {
          ++done;
          if (!r.ok) ++failed;
          EXPECT_LE(queue_->running(), 3u);
        },
        &msg);
    ASSERT_TRUE(st.ok()) << msg;
  }
  EXPECT_EQ(queue_->running(), 3u);
  EXPECT_EQ(queue_->waiting(), 9u);
  std::string msg;
  EXPECT_FALSE(
      queue_
          ->submit(
              {"http://x/c?sig=1", "j", "t", "n", text("{}")}, [](m365::UploadResult&) {}, &msg)
          .ok());
  run_loop();
  EXPECT_EQ(done, 12);
  EXPECT_EQ(failed, 0);
  EXPECT_EQ(queue_->peak_running(), 3u);
  EXPECT_EQ(queue_->running(), 0u);
  auto list = azurite_->list_blobs("queued");
  ASSERT_TRUE(list);
  EXPECT_EQ(list->size(), 12u);
}

// Runs last in this suite: it stops and restarts the shared emulator.
TEST_F(BlobUploadTest, StorageDownIsTemporaryThenRetrySucceeds) {
  std::string sas = container("restart");
  make_uploader({.retry = {.max_attempts = 2}});
  int port = azurite_->port();
  azurite_->stop();
  auto down = upload(sas, "7", text("{\"try\":1}"));
  ASSERT_FALSE(down.ok);
  EXPECT_EQ(down.failure, FailureClass::Temporary) << down.message;
  EXPECT_EQ(down.error.code, Errc::ConnectRefused) << down.message;
  EXPECT_NE(down.message.find("retried later"), std::string::npos) << down.message;
  ASSERT_TRUE(azurite_->start(port)) << azurite_->error();
  auto up = upload(sas, "7", text("{\"try\":2}"));
  ASSERT_TRUE(up.ok) << up.message;
  EXPECT_EQ(*azurite_->read_blob("restart", "job-1/task-1/7.json"), "{\"try\":2}");
}

}  // namespace
