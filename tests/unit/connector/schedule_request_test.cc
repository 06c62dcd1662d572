// ScheduleTaskRequest parsing (protocol §7.3): the whole table of date forms the platform may
// send, case-insensitive property names, and one test per refusal with its message. Bodies are
// also fed cut at every byte: each prefix is refused cleanly, never half-parsed.
#include "connector/schedule_request.h"

#include <gtest/gtest.h>

#include "core/limits.h"

using namespace connector;
namespace lim = core::limits;

namespace {

constexpr int64_t kDec1 = 1575158400000;  // 2019-12-01T00:00:00Z
constexpr int64_t kDec2 = kDec1 + 86400000;
constexpr char kSas[] =
    "https://acct.blob.core.windows.net/cont?sv=2018-03-28&sr=c&sp=w&se=2030-01-01&sig=S3CRETSIG";

std::string body(const std::string& job = "\"job-1\"", const std::string& task = "\"task-1\"",
                 const std::string& start = "\"2019-12-01T00:00:00Z\"",
                 const std::string& end = "\"2019-12-02T00:00:00Z\"",
                 const std::string& sas = std::string("\"") + kSas + "\"",
                 const std::string& extra = "") {
  return "{\"JobId\":" + job + ",\"TaskId\":" + task + ",\"StartTime\":" + start +
         ",\"EndTime\":" + end + ",\"BlobSasUri\":" + sas + extra + "}";
}

// Parses and expects a refusal whose message contains `needle`; returns the message.
std::string refused(const std::string& b, const std::string& needle,
                    core::Errc code = core::Errc::InvalidArgument) {
  std::string message;
  auto r = parse_schedule_task_request(b, &message);
  EXPECT_FALSE(r.ok()) << b;
  if (r.ok()) return {};
  EXPECT_EQ(r.error().code, code) << message;
  EXPECT_NE(message.find(needle), std::string::npos) << "message: " << message;
  EXPECT_EQ(message.find("S3CRETSIG"), std::string::npos) << "the SAS signature leaked";
  return message;
}

}  // namespace

struct DateCase {
  const char* text;
  int64_t ms;
};

TEST(PlatformTime, AcceptsEveryFormTheReferenceBinds) {
  const DateCase cases[] = {
      {"2019-12-01T00:00:00Z", kDec1},
      {"2019-12-01T00:00:00", kDec1},  // no zone = UTC
      {"2019-12-01t00:00:00z", kDec1},
      {"2019-12-01T00:00:00.5Z", kDec1 + 500},
      {"2019-12-01T00:00:00.05Z", kDec1 + 50},
      {"2019-12-01T00:00:00.123Z", kDec1 + 123},
      {"2019-12-01T00:00:00.1234567Z", kDec1 + 123},  // .NET's 7 digits, cut to ms
      {"2019-12-01T00:00:00.999999999", kDec1 + 999},
      {"2019-12-01T00:00:00.0000000", kDec1},
      {"2019-12-01T01:00:00+01:00", kDec1},
      {"2019-12-01T01:00:00+0100", kDec1},
      {"2019-12-01T01:00:00+01", kDec1},
      {"2019-11-30T19:00:00-05:00", kDec1},
      {"2019-12-01T05:30:00.250+05:30", kDec1 + 250},
      {"2019-12-01T00:00:00+00:00", kDec1},
      {"2019-12-01T00:00:00-00:00", kDec1},
      {"2019-12-01T14:00:00+14:00", kDec1},
      {"2019-11-30T12:00:00-12:00", kDec1},
      {"/Date(1575158400000)/", kDec1},
      {"/Date(1575158400000+0100)/", kDec1},  // the offset is the writer's; the number is UTC
      {"/Date(1575158400000-0500)/", kDec1},
      {"/Date(0)/", 0},
      {"/Date(-1000)/", -1000},
      {"1970-01-01T00:00:00Z", 0},
      {"1969-12-31T23:59:59.999Z", -1},
      {"2020-02-29T00:00:00Z", 1582934400000},
      {"2000-02-29T12:00:00Z", 951825600000},
      {"0001-01-01T00:00:00Z", -62135596800000},
      {"9999-12-31T23:59:59.999Z", 253402300799999},
      {"/Date(253402300799999)/", 253402300799999},
  };
  for (const DateCase& c : cases) {
    auto r = parse_platform_time(c.text);
    ASSERT_TRUE(r.ok()) << c.text;
    EXPECT_EQ(*r, c.ms) << c.text;
  }
}

TEST(PlatformTime, RefusesWhatIsNotOneOfThoseForms) {
  const char* bad[] = {
      "",
      "2019-12-01",
      "2019-12-01T00:00Z",
      "2019-12-01 00:00:00",
      " 2019-12-01T00:00:00Z",
      "2019-12-01T00:00:00Z ",
      "2019-12-01T00:00:00ZZ",
      "2019-13-01T00:00:00Z",
      "2019-00-01T00:00:00Z",
      "2019-12-00T00:00:00Z",
      "2019-12-32T00:00:00Z",
      "2019-04-31T00:00:00Z",
      "2019-02-29T00:00:00Z",
      "1900-02-29T00:00:00Z",
      "2019-12-01T24:00:00Z",
      "2019-12-01T00:60:00Z",
      "2019-12-01T00:00:60Z",
      "2019-12-01T00:00:00.Z",
      "2019-12-01T00:00:00.1234567890Z",
      "2019-12-01T00:00:00+15:00",
      "2019-12-01T00:00:00+14:01",
      "2019-12-01T00:00:00+01:60",
      "2019-12-01T00:00:00+1",
      "2019-12-01T00:00:00+01:",
      "2019-12-01T00:00:00+01:0",
      "2019-12-01T00:00:00+01:000",
      "2019-12-01T00:00:00UTC",
      "0000-01-01T00:00:00Z",
      "0001-01-01T00:00:00+01:00",  // before year 1 in UTC
      "２019-12-01T00:00:00Z",
      "/Date()/",
      "/Date(abc)/",
      "/Date(-)/",
      "/Date(1575158400000)",
      "Date(1575158400000)/",
      "/Date(1+01)/",
      "/Date(1+01000)/",
      "/Date(1 )/",
      "/Date(253402300800000)/",
      "/Date(-62135596800001)/",
      "/Date(9999999999999999999)/",
      "1575158400000",
  };
  for (const char* b : bad) EXPECT_FALSE(parse_platform_time(b).ok()) << b;
  std::string longer = "2019-12-01T00:00:00.000000000+00:00" + std::string(40, '0');
  EXPECT_GT(longer.size(), lim::kMaxScheduleDateBytes);
  EXPECT_FALSE(parse_platform_time(longer).ok());
}

TEST(PlatformTime, FormatUtcRoundTrips) {
  EXPECT_EQ(format_utc(kDec1), "2019-12-01T00:00:00.000Z");
  EXPECT_EQ(format_utc(kDec1 + 123), "2019-12-01T00:00:00.123Z");
  EXPECT_EQ(*parse_platform_time(format_utc(kDec1 + 7)), kDec1 + 7);
  EXPECT_EQ(format_utc(-62135596800000), "0001-01-01T00:00:00.000Z");
}

TEST(ScheduleTaskRequestParse, ReadsTheReferenceBody) {
  std::string message;
  auto r = parse_schedule_task_request(
      body("\"7f9c\"", "\"a1b2\"", "\"2019-12-01T00:00:00Z\"", "\"2019-12-02T00:00:00Z\"",
           std::string("\"") + kSas + "\"", ",\"DirtyEntities\":null"),
      &message);
  ASSERT_TRUE(r.ok()) << message;
  EXPECT_EQ(r->job_id, "7f9c");
  EXPECT_EQ(r->task_id, "a1b2");
  EXPECT_EQ(r->start_ms, kDec1);
  EXPECT_EQ(r->end_ms, kDec2);
  EXPECT_EQ(r->blob_sas_uri, kSas);
  EXPECT_TRUE(r->dirty_entities.empty());
  store::Task t = to_task(*r, "tenant-9");
  EXPECT_EQ(t.task_id, "a1b2");
  EXPECT_EQ(t.job_id, "7f9c");
  EXPECT_EQ(t.tenant_id, "tenant-9");
  EXPECT_EQ(t.start_ms, kDec1);
  EXPECT_EQ(t.end_ms, kDec2);
  EXPECT_EQ(t.blob_sas_uri, kSas);
}

TEST(ScheduleTaskRequestParse, NamesAreCaseInsensitiveAndUnknownOnesIgnored) {
  std::string b = std::string("{\"jobid\":\"j\",\"TASKID\":\"t\",\"startTime\":\"\\/Date(") +
                  std::to_string(kDec1) +
                  ")\\/\",\"endtime\":\"2019-12-02T01:00:00+01:00\",\"blobSasUri\":\"" + kSas +
                  "\",\"dirtyentities\":[\"a\",\"\",\"b\"],\"Unknown\":{\"x\":[1,2]},\"Extra\":5}";
  std::string message;
  auto r = parse_schedule_task_request(b, &message);
  ASSERT_TRUE(r.ok()) << message;
  EXPECT_EQ(r->job_id, "j");
  EXPECT_EQ(r->task_id, "t");
  EXPECT_EQ(r->start_ms, kDec1);
  EXPECT_EQ(r->end_ms, kDec2);
  // Empty entries name nothing and are dropped; the others are kept in order.
  EXPECT_EQ(r->dirty_entities, (std::vector<std::string>{"a", "b"}));
}

TEST(ScheduleTaskRequestParse, AStoreSizedIdIsAcceptedAndOneByteMoreIsNot) {
  std::string message;
  std::string id(lim::kMaxStoreIdBytes, 'x');
  EXPECT_TRUE(parse_schedule_task_request(body("\"" + id + "\"", "\"" + id + "\""), &message).ok())
      << message;
  refused(body("\"" + id + "x\""), "JobId is 257 bytes long; at most 256");
  refused(body("\"j\"", "\"" + id + "x\""), "TaskId is 257 bytes long");
}

TEST(ScheduleTaskRequestParse, EqualStartAndEndIsAnEmptyWindowNotAnError) {
  std::string message;
  auto r = parse_schedule_task_request(
      body("\"j\"", "\"t\"", "\"2019-12-01T00:00:00Z\"", "\"2019-12-01T01:00:00+01:00\""),
      &message);
  ASSERT_TRUE(r.ok()) << message;
  EXPECT_EQ(r->start_ms, r->end_ms);
}

TEST(ScheduleTaskRequestParse, MalformedBodies) {
  refused("{\"JobId\":", "not valid JSON", core::Errc::Parse);
  refused("", "not valid JSON", core::Errc::Parse);
  refused("[{\"JobId\":\"j\"}]", "must be a JSON object", core::Errc::Parse);
  refused("\"JobId\"", "must be a JSON object", core::Errc::Parse);
  refused("null", "must be a JSON object", core::Errc::Parse);
  refused(body() + "x", "not valid JSON", core::Errc::Parse);
}

TEST(ScheduleTaskRequestParse, MissingPropertiesAreAllNamed) {
  std::string m = refused("{}", "missing JobId, TaskId, StartTime, EndTime, BlobSasUri");
  EXPECT_NE(m.find("a ScheduleTaskRequest needs"), std::string::npos) << m;
  refused("{\"JobId\":\"j\",\"StartTime\":\"2019-12-01T00:00:00Z\",\"EndTime\":null}",
          "missing TaskId, EndTime, BlobSasUri;");
  refused(body("null"), "missing JobId;");
  refused(body("\"j\"", "\"t\"", "\"2019-12-01T00:00:00Z\"", "\"2019-12-02T00:00:00Z\"", "null"),
          "missing BlobSasUri;");
}

TEST(ScheduleTaskRequestParse, WrongTypesAndEmptyValues) {
  refused(body("42"), "JobId must be a JSON string", core::Errc::Parse);
  refused(body("\"j\"", "{}"), "TaskId must be a JSON string", core::Errc::Parse);
  refused(body("\"j\"", "\"t\"", "1575158400000"), "StartTime must be a JSON string",
          core::Errc::Parse);
  refused(body("\"j\"", "\"t\"", "\"2019-12-01T00:00:00Z\"", "\"2019-12-02T00:00:00Z\"", "true"),
          "BlobSasUri must be a JSON string", core::Errc::Parse);
  refused(body("\"\""), "JobId is empty");
  refused(body("\"j\"", "\"\""), "TaskId is empty");
  refused(body("\"j\"", "\"t\"", "\"\""), "StartTime is empty");
  refused(body("\"j\"", "\"t\"", "\"2019-12-01T00:00:00Z\"", "\"2019-12-02T00:00:00Z\"", "\"\""),
          "BlobSasUri is empty");
}

TEST(ScheduleTaskRequestParse, IdsThatCannotNameABlobFolder) {
  refused(body("\"a/b\""), "JobId \"a/b\" contains '/' or a control character");
  refused(body("\"j\"", "\"t\\n\""), "TaskId \"t\n\" contains '/' or a control character");
  refused(body("\"j\"", "\"..\""), "TaskId cannot be \".\" or \"..\"");
  refused(body("\".\""), "JobId cannot be");
}

TEST(ScheduleTaskRequestParse, BadDatesSayWhichAndWhatToSend) {
  std::string m = refused(body("\"j\"", "\"t\"", "\"2019-13-01T00:00:00Z\""),
                          "StartTime \"2019-13-01T00:00:00Z\" is not a date", core::Errc::Parse);
  EXPECT_NE(m.find("ISO 8601 such as \"2019-12-01T00:00:00Z\""), std::string::npos) << m;
  EXPECT_NE(m.find("\\/Date(1575158400000)\\/"), std::string::npos) << m;
  refused(body("\"j\"", "\"t\"", "\"2019-12-01T00:00:00Z\"", "\"tomorrow\""),
          "EndTime \"tomorrow\" is not a date", core::Errc::Parse);
  // A long value is cut in the message.
  std::string m2 = refused(body("\"j\"", "\"t\"", "\"" + std::string(500, '9') + "\""),
                           "is not a date", core::Errc::Parse);
  EXPECT_LT(m2.size(), 400u) << m2;
}

TEST(ScheduleTaskRequestParse, EndBeforeStart) {
  refused(body("\"j\"", "\"t\"", "\"2019-12-02T00:00:00Z\"", "\"2019-12-01T00:00:00Z\""),
          "EndTime (2019-12-01T00:00:00.000Z) is before StartTime (2019-12-02T00:00:00.000Z)");
  refused(body("\"j\"", "\"t\"", "\"2019-12-01T00:00:00.001Z\"", "\"2019-12-01T00:00:00Z\""),
          "is before StartTime");
}

TEST(ScheduleTaskRequestParse, BlobSasUriMustBeAnHttpsContainerSasWithASignature) {
  auto with_sas = [](const std::string& sas) {
    return body("\"j\"", "\"t\"", "\"2019-12-01T00:00:00Z\"", "\"2019-12-02T00:00:00Z\"",
                "\"" + sas + "\"");
  };
  refused(with_sas("http://acct.blob.core.windows.net/cont?sv=1&sig=S3CRETSIG"),
          "BlobSasUri: the blob SAS URI must use https");
  refused(with_sas("https://acct.blob.core.windows.net/cont?sv=2018-03-28&sp=w"),
          "BlobSasUri: the blob SAS URI has no signature (sig=)");
  refused(with_sas("https://acct.blob.core.windows.net/cont/blob.json?sv=1&sig=S3CRETSIG"),
          "must name a container, not a blob");
  refused(with_sas("https://acct.blob.core.windows.net/?sv=1&sig=S3CRETSIG"), "names no container");
  refused(with_sas("not a url"), "BlobSasUri: the blob SAS URI is not a valid URL");
  std::string huge = std::string(kSas) + "&x=" + std::string(lim::kMaxStoreUriBytes, 'a');
  refused(with_sas(huge), "BlobSasUri is " + std::to_string(huge.size()) + " bytes long");
  // The storage emulator's path style is a valid container SAS too.
  std::string message;
  EXPECT_TRUE(parse_schedule_task_request(
                  with_sas("https://127.0.0.1:10000/devstoreaccount1/cont?sv=1&sig=x"), &message)
                  .ok())
      << message;
}

TEST(ScheduleTaskRequestParse, DirtyEntitiesShapeAndLimits) {
  refused(body().substr(0, body().size() - 1) + ",\"DirtyEntities\":\"a\"}",
          "DirtyEntities must be an array of strings", core::Errc::Parse);
  refused(body("\"j\"", "\"t\"", "\"2019-12-01T00:00:00Z\"", "\"2019-12-02T00:00:00Z\"",
               std::string("\"") + kSas + "\"", ",\"DirtyEntities\":[1]"),
          "DirtyEntities must be an array of strings", core::Errc::Parse);
  std::string many = ",\"DirtyEntities\":[";
  for (size_t i = 0; i <= lim::kMaxDirtyEntities; ++i) many += (i ? ",\"e\"" : "\"e\"");
  many += "]";
  refused(body("\"j\"", "\"t\"", "\"2019-12-01T00:00:00Z\"", "\"2019-12-02T00:00:00Z\"",
               std::string("\"") + kSas + "\"", many),
          "DirtyEntities has more than 1000 entries");
  refused(body("\"j\"", "\"t\"", "\"2019-12-01T00:00:00Z\"", "\"2019-12-02T00:00:00Z\"",
               std::string("\"") + kSas + "\"",
               ",\"DirtyEntities\":[\"" + std::string(lim::kMaxStoreIdBytes + 1, 'e') + "\"]"),
          "a DirtyEntities entry is longer than 256 bytes");
}

TEST(ScheduleTaskRequestParse, APropertyGivenTwiceInAnyCasingIsRefused) {
  refused(body("\"j\"", "\"t\"", "\"2019-12-01T00:00:00Z\"", "\"2019-12-02T00:00:00Z\"",
               std::string("\"") + kSas + "\"", ",\"jobId\":\"other\""),
          "JobId appears more than once");
}

TEST(ScheduleTaskRequestParse, OversizedBodyIsTooLargeBeforeParsing) {
  std::string b(lim::kMaxScheduleRequestBodyBytes + 1, ' ');
  refused(b, "may have at most 524288", core::Errc::TooLarge);
  std::string message;
  std::string padded = body() + std::string(lim::kMaxScheduleRequestBodyBytes - body().size(), ' ');
  EXPECT_TRUE(parse_schedule_task_request(padded, &message).ok()) << message;
}

TEST(ScheduleTaskRequestParse, EveryPrefixOfAValidBodyIsRefusedCleanly) {
  std::string whole = body();
  for (size_t n = 0; n < whole.size(); ++n) {
    std::string message;
    auto r = parse_schedule_task_request(whole.substr(0, n), &message);
    EXPECT_FALSE(r.ok()) << n;
    EXPECT_FALSE(message.empty()) << n;
  }
  std::string message;
  EXPECT_TRUE(parse_schedule_task_request(whole, &message).ok()) << message;
}
