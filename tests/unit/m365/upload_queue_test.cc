// UploadQueue and BlobUploader bookkeeping without a server: the waiting-queue bound, option
// checks, and that dropping the queue or cancelling cancels uploads without callbacks and
// leaves a clean loop.
#include "m365/upload_queue.h"

#include <gtest/gtest.h>

#include "core/limits.h"
#include "http/client.h"

namespace {

namespace lim = core::limits::m365;

constexpr char kSas[] = "https://127.0.0.1:9/devstoreaccount1/box?sv=2021-08-06&sig=abc";

class UploadQueueTest : public ::testing::Test {
 protected:
  void SetUp() override {
    std::string msg;
    auto c = http::Client::create(loop_, {}, &msg);
    ASSERT_TRUE(c.ok()) << msg;
    client_ = std::move(*c);
  }
  void TearDown() override {
    client_.reset();
    loop_.run();
    EXPECT_EQ(loop_.live_handles(), 0);
  }
  static m365::UploadRequest item(int i) {
    return {kSas, "j", "t", "n" + std::to_string(i),
            std::make_unique<m365::StringItemSource>("{}")};
  }

  uv::Loop loop_;
  std::unique_ptr<http::Client> client_;
};

TEST_F(UploadQueueTest, WaitingUploadsAreBounded) {
  m365::BlobUploader uploader(loop_, *client_, {});
  int calls = 0;
  {
    m365::UploadQueue queue(uploader, 2);
    for (size_t i = 0; i < 2 + lim::kMaxQueuedUploads; ++i) {
      std::string msg;
      ASSERT_TRUE(queue
                      .submit(
                          item(static_cast<int>(i)), [&](m365::UploadResult&) { ++calls; }, &msg)
                      .ok())
          << i << ": " << msg;
    }
    EXPECT_EQ(queue.running(), 2u);
    EXPECT_EQ(queue.waiting(), lim::kMaxQueuedUploads);
    std::string msg;
    auto st = queue.submit(
        item(-1), [&](m365::UploadResult&) { ++calls; }, &msg);
    ASSERT_FALSE(st.ok());
    EXPECT_EQ(st.error().code, core::Errc::Busy);
    EXPECT_NE(msg.find("full"), std::string::npos);
    EXPECT_EQ(uploader.in_flight(), 2u);
  }  // the queue cancels what it started
  EXPECT_EQ(uploader.in_flight(), 0u);
  loop_.run();
  EXPECT_EQ(calls, 0);
}

TEST_F(UploadQueueTest, UploaderOptionsAndCancel) {
  m365::BlobUploader small(loop_, *client_, {.block_bytes = lim::kMinBlobBlockBytes - 1});
  std::string msg;
  auto bad = small.upload(
      item(1), [](m365::UploadResult&) {}, &msg);
  ASSERT_FALSE(bad.ok());
  EXPECT_NE(msg.find("block size"), std::string::npos);
  m365::BlobUploader too_many(loop_, *client_, {.max_blocks = lim::kMaxBlobBlocks + 1});
  EXPECT_FALSE(too_many
                   .upload(
                       item(1), [](m365::UploadResult&) {}, &msg)
                   .ok());

  m365::BlobUploader uploader(loop_, *client_, {});
  int calls = 0;
  auto id = uploader.upload(
      item(2), [&](m365::UploadResult&) { ++calls; }, &msg);
  ASSERT_TRUE(id.ok()) << msg;
  EXPECT_TRUE(uploader.cancel(*id));
  EXPECT_FALSE(uploader.cancel(*id));
  auto no_source = uploader.upload(
      {kSas, "j", "t", "n", nullptr}, [](m365::UploadResult&) {}, &msg);
  EXPECT_FALSE(no_source.ok());
  loop_.run();
  EXPECT_EQ(calls, 0);
}

}  // namespace
