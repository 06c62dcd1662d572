// Container SAS URI validation (host and path style), blob/block URLs with encoded segments
// and the SAS query unchanged, block ids, the block list body and Storage error codes.
#include "m365/blob_address.h"

#include <gtest/gtest.h>

#include <set>

#include "core/codec.h"
#include "core/limits.h"

using namespace m365;

namespace {
constexpr char kHostSas[] =
    "https://acct.blob.core.windows.net/"
    "items?sv=2021-08-06&sr=c&sp=rcwl&se=2030-01-01T00%3A00%3A00Z&sig=AbC%2Bd%3D";
}

TEST(BlobAddress, HostStyleSas) {
  std::string msg;
  auto s = parse_container_sas(kHostSas, &msg);
  ASSERT_TRUE(s.ok()) << msg;
  EXPECT_FALSE(s->path_style);
  EXPECT_EQ(s->account, "acct");
  EXPECT_EQ(s->container, "items");
  EXPECT_EQ(s->base, "https://acct.blob.core.windows.net/items");
  EXPECT_EQ(s->query, "sv=2021-08-06&sr=c&sp=rcwl&se=2030-01-01T00%3A00%3A00Z&sig=AbC%2Bd%3D");
}

TEST(BlobAddress, PathStyleSasForTheEmulator) {
  std::string msg;
  auto s = parse_container_sas("https://127.0.0.1:10000/devstoreaccount1/box-1/?sv=x&sig=q", &msg);
  ASSERT_TRUE(s.ok()) << msg;
  EXPECT_TRUE(s->path_style);
  EXPECT_EQ(s->account, "devstoreaccount1");
  EXPECT_EQ(s->container, "box-1");
  EXPECT_EQ(s->base, "https://127.0.0.1:10000/devstoreaccount1/box-1");
  auto l = parse_container_sas("https://localhost:10000/devstoreaccount1/box?sig=q", &msg);
  ASSERT_TRUE(l.ok()) << msg;
  EXPECT_TRUE(l->path_style);
}

TEST(BlobAddress, BadSasUrisGetClearErrorsWithoutTheSignature) {
  struct Case {
    const char* uri;
    const char* says;
  } cases[] = {
      {"", "empty"},
      {"not a url", "not a valid URL"},
      {"http://acct.blob.core.windows.net/items?sv=1&sig=SECRETSIG", "must use https"},
      {"https://acct.blob.core.windows.net/items?sv=1&sp=rcwl", "no signature"},
      {"https://acct.blob.core.windows.net/items?sv=1&sig=", "no signature"},
      {"https://acct.blob.core.windows.net/?sv=1&sig=SECRETSIG", "names no container"},
      {"https://acct.blob.core.windows.net?sv=1&sig=SECRETSIG", "names no container"},
      {"https://127.0.0.1:10000/devstoreaccount1?sig=SECRETSIG", "names no container"},
      {"https://acct.blob.core.windows.net/items/a.json?sig=SECRETSIG", "not a blob"},
      {"https://acct.blob.core.windows.net/Items?sig=SECRETSIG", "invalid container name"},
      {"https://acct.blob.core.windows.net/ab?sig=SECRETSIG", "invalid container name"},
  };
  for (const auto& c : cases) {
    std::string msg;
    auto r = parse_container_sas(c.uri, &msg);
    ASSERT_FALSE(r.ok()) << c.uri;
    EXPECT_EQ(r.error().code, core::Errc::InvalidArgument);
    EXPECT_NE(msg.find(c.says), std::string::npos) << c.uri << " -> " << msg;
    EXPECT_EQ(msg.find("SECRETSIG"), std::string::npos) << msg;
  }
}

TEST(BlobAddress, BlobUrlEncodesSegmentsAndKeepsTheQuery) {
  std::string msg;
  auto s = parse_container_sas(kHostSas, &msg);
  ASSERT_TRUE(s.ok());
  auto name = blob_name("job 1", "t%2", "17 ü.json", &msg);
  ASSERT_TRUE(name.ok()) << msg;
  EXPECT_EQ(*name, "job 1/t%2/17 ü.json");
  std::string q = "?sv=2021-08-06&sr=c&sp=rcwl&se=2030-01-01T00%3A00%3A00Z&sig=AbC%2Bd%3D";
  EXPECT_EQ(blob_url(*s, *name),
            "https://acct.blob.core.windows.net/items/job%201/t%252/17%20%C3%BC.json" + q);
  EXPECT_EQ(
      block_url(*s, "j/t/n.json", "MDAwMDAx"),
      "https://acct.blob.core.windows.net/items/j/t/n.json" + q + "&comp=block&blockid=MDAwMDAx");
  EXPECT_EQ(block_list_url(*s, "j/t/n.json"),
            "https://acct.blob.core.windows.net/items/j/t/n.json" + q + "&comp=blocklist");
}

TEST(BlobAddress, BlobNameRules) {
  std::string msg;
  EXPECT_FALSE(blob_name("", "t", "n.json", &msg).ok());
  EXPECT_NE(msg.find("job id"), std::string::npos);
  EXPECT_FALSE(blob_name("j", "a/b", "n.json", &msg).ok());
  EXPECT_NE(msg.find("task id"), std::string::npos);
  EXPECT_FALSE(blob_name("j", "t", "..", &msg).ok());
  std::string leaf(core::limits::m365::kMaxBlobNameBytes - 4, 'x');
  EXPECT_TRUE(blob_name("j", "t", leaf, &msg).ok());  // exactly the limit
  auto over = blob_name("j", "t", leaf + "x", &msg);
  ASSERT_FALSE(over.ok());
  EXPECT_EQ(over.error().code, core::Errc::TooLarge);
}

TEST(BlobAddress, BlockIdsHaveOneLengthAndAreDistinct) {
  std::set<std::string> seen;
  size_t len = block_id(0).size();
  for (uint32_t i : {0u, 1u, 9u, 10u, 4999u, 49999u}) {
    std::string id = block_id(i);
    EXPECT_EQ(id.size(), len);
    EXPECT_TRUE(seen.insert(id).second);
    EXPECT_TRUE(core::base64_decode(id).ok());
  }
  EXPECT_EQ(block_id(0), "MDAwMDAw");  // base64("000000")
  EXPECT_EQ(*core::base64_decode(block_id(49999)), "049999");
  // Every id a blob can have fits one length.
  EXPECT_EQ(block_id(core::limits::m365::kMaxBlobBlocks - 1).size(), len);
}

TEST(BlobAddress, BlockListBody) {
  EXPECT_EQ(block_list_body(2),
            "<?xml version=\"1.0\" encoding=\"utf-8\"?><BlockList><Latest>MDAwMDAw</Latest>"
            "<Latest>MDAwMDAx</Latest></BlockList>");
}

TEST(BlobAddress, StorageErrorCode) {
  std::string body =
      "\xEF\xBB\xBF<?xml version=\"1.0\" "
      "encoding=\"utf-8\"?><Error><Code>AuthenticationFailed</Code>"
      "<Message>Server failed to authenticate the request.</Message></Error>";
  EXPECT_EQ(storage_error_code(body, nullptr), "AuthenticationFailed");
  std::string header = "ContainerNotFound";
  EXPECT_EQ(storage_error_code(body, &header), "ContainerNotFound");
  EXPECT_EQ(storage_error_code("<html>", nullptr), "");
  EXPECT_EQ(storage_error_code("<Code>unterminated", nullptr), "");
}
