// The test platform checked on its own, with curl standing in for the connector: a blob PUT
// through the SAS comes back through blob_names/read_blobs, a completion posted with a fake AAD
// token is recorded and parsed, scripted Event API failures are answered, the fake X's media
// bytes match media_base64, and its timeline state parses. A failure here is the harness's,
// not the connector's.
#include <gtest/gtest.h>

#include "e2e/platform.h"
#include "json/json.h"
#include "support/subprocess.h"
#include "support/test_servers.h"

namespace e2e {
namespace {
namespace ts = testing_support;

std::pair<int, std::string> curl(std::vector<std::string> args) {
  std::vector<std::string> argv = {"curl", "-sS", "--cacert", ts::test_pki_dir() + "/ca.crt"};
  argv.insert(argv.end(), args.begin(), args.end());
  return ts::run_command(argv, 30000);
}

TEST(Platform, HarnessSelfCheck) {
  Platform::Options o;
  o.synthetic = 12;
  Platform p(o);
  ASSERT_TRUE(p.start()) << p.error() << p.diagnostics();
  EXPECT_GT(p.connector().port(), 0);

  // Blobs: one PUT through the SAS, as the connector uploads.
  std::string sas = p.sas_uri();
  size_t q = sas.find('?');
  auto [rc, out] = curl({"-f", "-X", "PUT", "-H", "x-ms-blob-type: BlockBlob", "--data-binary",
                         "{\"Id\":\"1\"}", sas.substr(0, q) + "/job/task/1.json" + sas.substr(q)});
  ASSERT_EQ(rc, 0) << out;
  auto names = p.blob_names("job/");
  ASSERT_TRUE(names) << p.error();
  ASSERT_EQ(*names, std::vector<std::string>{"job/task/1.json"});
  auto bodies = p.read_blobs({"job/task/1.json", "job/task/missing.json"});
  EXPECT_EQ(bodies.size(), 1u);
  EXPECT_EQ(bodies["job/task/1.json"], "{\"Id\":\"1\"}");
  // An expired SAS is refused by the storage (the fault test relies on it).
  std::string old = p.sas_uri(-60);
  auto [rc2, out2] = curl({"-o", "/dev/null", "-w", "%{http_code}", "-X", "PUT", "-H",
                           "x-ms-blob-type: BlockBlob", "--data-binary", "x",
                           old.substr(0, q) + "/job/task/2.json" + old.substr(old.find('?'))});
  EXPECT_EQ(out2, "403");

  // Azurite stopped and started again on its port keeps the container and its blobs (the
  // storage-outage fault test relies on it), and the SAS stays valid.
  int port = p.azurite().port();
  p.azurite().stop();
  EXPECT_FALSE(p.blob_names("job/"));
  ASSERT_TRUE(p.azurite().start(port)) << p.azurite().error();
  names = p.blob_names("job/");
  ASSERT_TRUE(names) << p.error();
  EXPECT_EQ(names->size(), 1u);
  EXPECT_EQ(p.read_blobs({"job/task/1.json"}).size(), 1u);

  // Event API: a token from the fake AAD, a scripted 500, then a recorded 200.
  std::string aad = "https://127.0.0.1:" + std::to_string(p.aad_port());
  auto [rc3, tok] =
      curl({"-f", "-d",
            std::string("grant_type=client_credentials&client_id=") + Platform::kAadClientId +
                "&client_secret=" + Platform::kAadClientSecret +
                "&resource=https%3A%2F%2Fmicrosoft.onmicrosoft.com%2F4e476d41-2395-"
                "42be-89ff-34cb9186a1ac",
            aad + "/" + Platform::kTenant + "/oauth2/token"});
  ASSERT_EQ(rc3, 0) << tok;
  auto tj = json::parse(tok);
  ASSERT_TRUE(tj.ok()) << tok;
  std::string bearer(json::get_string(tj->get(), "access_token").value_or(""));
  ASSERT_FALSE(bearer.empty());
  ASSERT_TRUE(p.event_api_fail(1, 500));
  std::string body =
      "{\"taskId\":\"t1\",\"status\":0,\"itemMetadata\":[{\"id\":\"5\","
      "\"modificationTimestampUtc\":"
      "\"2024-01-01T00:00:00\",\"fileName\":\"5.json\"}]}";
  std::string url = "https://127.0.0.1:" + std::to_string(p.events_port()) +
                    "/api/data/ondownloadcomplete/?jobId=job";
  for (const char* want : {"500", "200"}) {
    auto [rc4, code] =
        curl({"-o", "/dev/null", "-w", "%{http_code}", "-H", "Authorization: Bearer " + bearer,
              "-H", "Content-Type: application/json; charset=utf-8", "--data-binary", body, url});
    EXPECT_EQ(code, want);
  }
  auto cs = p.completions();
  ASSERT_EQ(cs.size(), 2u);
  EXPECT_EQ(cs[0].answered_status, 500);
  EXPECT_EQ(cs[1].answered_status, 200);
  EXPECT_TRUE(cs[1].answered);
  EXPECT_TRUE(cs[1].shape_ok);
  EXPECT_EQ(cs[1].job_id, "job");
  EXPECT_EQ(cs[1].task_id, "t1");
  EXPECT_EQ(cs[1].status, 0);
  ASSERT_EQ(cs[1].items.size(), 1u);
  EXPECT_EQ(cs[1].items[0].file_name, "5.json");
  auto found =
      p.wait_completion("t1", 1000, [](const Completion& c) { return c.answered_status == 200; });
  ASSERT_TRUE(found);
  EXPECT_EQ(found->seq, cs[1].seq);

  // The fake X: its timeline, media on itself, bytes as media_base64 computes them.
  auto tweets = p.tweets();
  ASSERT_EQ(tweets.size(), 12u);
  EXPECT_EQ(tweets[0].ms, 1704067200000);  // 2024-01-01T00:00:00Z
  EXPECT_EQ(tweets[1].ms, 1704067200000 - 60000);
  EXPECT_EQ(sent_time(tweets[0].ms), "2024-01-01T00:00:00");
  EXPECT_EQ(iso_utc(tweets[1].ms), "2023-12-31T23:59:00Z");
  int with_media = 0;
  for (const auto& t : tweets) {
    if (t.media.empty()) continue;
    ++with_media;
    ASSERT_EQ(t.media.size(), 1u);
    EXPECT_EQ(
        t.media[0].rfind("https://127.0.0.1:" + std::to_string(p.twitter_port()) + "/media/", 0),
        0u)
        << t.media[0];
    auto [rc5, b64] =
        ts::run_command({"sh", "-c", "curl -sS -f --cacert \"$0\" \"$1\" | base64 -w0",
                         ts::test_pki_dir() + "/ca.crt", t.media[0]},
                        30000);
    EXPECT_EQ(b64, media_base64(t.media[0]));
  }
  EXPECT_EQ(with_media, 2);  // tweets 5 and 10 of 12
  EXPECT_GE(p.twitter_requests(), with_media);
  EXPECT_EQ(in_window(tweets, tweets[5].ms, tweets[2].ms).size(), 4u);
  EXPECT_EQ(in_window(tweets, tweets[5].ms, tweets[2].ms, id_u64(tweets[4].id)).size(),
            2u);  // tweets 2 and 3

  // The connector restarts on its data directory; kill -9 leaves it restartable.
  p.connector().kill9();
  EXPECT_FALSE(p.connector().running());
  ASSERT_TRUE(p.connector().start()) << p.connector().error();
  EXPECT_EQ(p.call("GET", "/setup/Validate").status, 200);
  EXPECT_EQ(p.connector().restarts(), 1);
  EXPECT_NE(p.metric("process_uptime_seconds"), -1);
  EXPECT_EQ(p.connector().stop(), 0);
}

}  // namespace
}  // namespace e2e
