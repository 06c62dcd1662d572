// Event API completion body (exact bytes, field order, escaping, limits), URL building, and
// the CONNECTOR_UPLOAD_CONCURRENCY setting and upload failure classes.
#include "m365/event_api.h"

#include <gtest/gtest.h>

#include "core/limits.h"
#include "m365/upload_queue.h"

using namespace m365;

TEST(EventApiBody, ExactCompactShape) {
  std::string msg;
  auto b = download_complete_body(
      "a1b2", TaskStatus::Success,
      {{"1106451391000834048", "2019-03-15T07:05:43", "1552633543123.json"}}, &msg);
  ASSERT_TRUE(b.ok()) << msg;
  EXPECT_EQ(*b,
            "{\"taskId\":\"a1b2\",\"status\":0,\"itemMetadata\":[{\"id\":\"1106451391000834048\","
            "\"modificationTimestampUtc\":\"2019-03-15T07:05:43\",\"fileName\":\"1552633543123."
            "json\"}]}");
}

TEST(EventApiBody, FailureHasEmptyArrayNeverNull) {
  std::string msg;
  EXPECT_EQ(*download_complete_body("t", TaskStatus::TemporaryFailure, {}, &msg),
            "{\"taskId\":\"t\",\"status\":1,\"itemMetadata\":[]}");
  EXPECT_EQ(*download_complete_body("t", TaskStatus::PermanentFailure, {}, &msg),
            "{\"taskId\":\"t\",\"status\":2,\"itemMetadata\":[]}");
}

TEST(EventApiBody, StringsAreEscaped) {
  std::string msg;
  auto b = download_complete_body("q\"\\", TaskStatus::Success,
                                  {{"1", "2019-03-15T07:05:43", "a\nb.json"}}, &msg);
  ASSERT_TRUE(b.ok());
  EXPECT_NE(b->find("\"taskId\":\"q\\\"\\\\\""), std::string::npos) << *b;
  EXPECT_NE(b->find("a\\nb.json"), std::string::npos) << *b;
}

TEST(EventApiBody, Limits) {
  namespace lim = core::limits::m365;
  std::string msg;
  EXPECT_EQ(download_complete_body("", TaskStatus::Success, {}, &msg).error().code,
            core::Errc::InvalidArgument);
  EXPECT_TRUE(download_complete_body(std::string(lim::kMaxEventFieldBytes, 't'),
                                     TaskStatus::Success, {}, &msg)
                  .ok());
  EXPECT_FALSE(download_complete_body(std::string(lim::kMaxEventFieldBytes + 1, 't'),
                                      TaskStatus::Success, {}, &msg)
                   .ok());
  EXPECT_FALSE(download_complete_body("t", TaskStatus::Success,
                                      {{"", "2019-03-15T07:05:43", "f.json"}}, &msg)
                   .ok());
  EXPECT_FALSE(download_complete_body("t", static_cast<TaskStatus>(3), {}, &msg).ok());
  std::vector<ItemMetadata> items(lim::kMaxEventItems,
                                  ItemMetadata{"1", "2019-03-15T07:05:43", "f.json"});
  EXPECT_TRUE(download_complete_body("t", TaskStatus::Success, items, &msg).ok());
  items.push_back(items.back());
  auto over = download_complete_body("t", TaskStatus::Success, items, &msg);
  ASSERT_FALSE(over.ok());
  EXPECT_EQ(over.error().code, core::Errc::TooLarge);
  EXPECT_NE(msg.find("at most"), std::string::npos);
}

TEST(EventApiUrl, BuildsFromBase) {
  std::string msg;
  EXPECT_EQ(*download_complete_url("https://webhook.ingestion.office.com", "j-1", &msg),
            "https://webhook.ingestion.office.com/api/data/ondownloadcomplete/?jobId=j-1");
  EXPECT_EQ(*download_complete_url("http://127.0.0.1:9001/", "a b", &msg),
            "http://127.0.0.1:9001/api/data/ondownloadcomplete/?jobId=a%20b");
  EXPECT_EQ(*download_complete_url("https://x.test/prefix//", "j", &msg),
            "https://x.test/prefix/api/data/ondownloadcomplete/?jobId=j");
  EXPECT_FALSE(download_complete_url("ftp://x.test", "j", &msg).ok());
  EXPECT_NE(msg.find("CONNECTOR_EVENT_API_BASE"), std::string::npos);
  EXPECT_FALSE(download_complete_url("https://x.test/?a=1", "j", &msg).ok());
  EXPECT_FALSE(download_complete_url("https://x.test", "", &msg).ok());
}

TEST(UploadConcurrency, ParsesTheSetting) {
  namespace lim = core::limits::m365;
  std::string msg;
  EXPECT_EQ(*parse_upload_concurrency("1", &msg), 1u);
  EXPECT_EQ(*parse_upload_concurrency(std::to_string(lim::kMaxUploadConcurrency), &msg),
            lim::kMaxUploadConcurrency);
  for (const char* bad : {"", "0", "-1", "8x", " 8", "65", "99999"}) {
    auto r = parse_upload_concurrency(bad, &msg);
    ASSERT_FALSE(r.ok()) << bad;
    EXPECT_EQ(r.error().code, core::Errc::Config);
    EXPECT_NE(msg.find("CONNECTOR_UPLOAD_CONCURRENCY"), std::string::npos);
  }
}

TEST(UploadFailure, ClassifiesStorageAnswers) {
  auto classify = [](int status, const char* body) {
    http::ClientResult r;
    r.ok = true;
    r.response.status = status;
    r.response.body = body;
    r.response.attempts = 3;
    UploadResult out;
    classify_failure(r, "https://a.blob.core.windows.net/c/x?sig=***", &out);
    return out;
  };
  auto forbidden = classify(403, "<Error><Code>AuthenticationFailed</Code></Error>");
  EXPECT_EQ(forbidden.failure, FailureClass::Permanent);
  EXPECT_EQ(forbidden.error.code, core::Errc::Forbidden);
  EXPECT_EQ(forbidden.storage_code, "AuthenticationFailed");
  EXPECT_NE(forbidden.message.find("expired"), std::string::npos);
  EXPECT_EQ(classify(404, "<Error><Code>ContainerNotFound</Code></Error>").failure,
            FailureClass::Permanent);
  EXPECT_EQ(classify(413, "").failure, FailureClass::Permanent);
  EXPECT_EQ(classify(500, "").failure, FailureClass::Temporary);
  EXPECT_EQ(classify(503, "").failure, FailureClass::Temporary);
  EXPECT_EQ(classify(429, "").error.code, core::Errc::RateLimited);
  EXPECT_EQ(classify(408, "").failure, FailureClass::Temporary);

  http::ClientResult t;
  t.ok = false;
  t.error = core::make_error(core::Errc::ConnectRefused, "connect");
  t.message = "127.0.0.1:1: connection refused";
  UploadResult out;
  classify_failure(t, "u", &out);
  EXPECT_EQ(out.failure, FailureClass::Temporary);
  t.error = core::make_error(core::Errc::TlsUntrusted, "tls");
  classify_failure(t, "u", &out);
  EXPECT_EQ(out.failure, FailureClass::Permanent);
}
