#include "store/log_format.h"

#include <gtest/gtest.h>

#include "core/limits.h"

using namespace store;

namespace {

std::string log_of(std::initializer_list<std::string_view> payloads) {
  std::string out;
  for (auto p : payloads) frame_record(p, &out);
  return out;
}

}  // namespace

TEST(LogFormat, Crc32CheckValue) {
  EXPECT_EQ(crc32("123456789"), 0xCBF43926u);  // the CRC-32/ISO-HDLC check value
  EXPECT_EQ(crc32(""), 0u);
  EXPECT_EQ(crc32("6789", crc32("12345")), 0xCBF43926u);  // incremental
}

TEST(LogFormat, RoundTrip) {
  std::string log = log_of({"[1]", "", "{\"a\":\"b\"}"});
  LogScan s = scan_log(log, 1 << 20);
  ASSERT_FALSE(s.corrupt);
  ASSERT_EQ(s.records.size(), 3u);
  EXPECT_EQ(s.records[0].payload, "[1]");
  EXPECT_EQ(s.records[1].payload, "");
  EXPECT_EQ(s.records[2].payload, "{\"a\":\"b\"}");
  EXPECT_EQ(s.records[1].offset, kRecordHeaderBytes + 3);
  EXPECT_EQ(s.good_end, log.size());
  EXPECT_EQ(s.torn_bytes, 0u);
}

TEST(LogFormat, EveryTruncationOfTheLastRecordIsATornTail) {
  std::string log = log_of({"first", "second record"});
  size_t first_end = kRecordHeaderBytes + 5;
  for (size_t cut = first_end + 1; cut < log.size(); ++cut) {
    LogScan s = scan_log(std::string_view(log).substr(0, cut), 1 << 20);
    ASSERT_FALSE(s.corrupt) << cut;
    ASSERT_EQ(s.records.size(), 1u) << cut;
    EXPECT_EQ(s.good_end, first_end);
    EXPECT_EQ(s.torn_bytes, cut - first_end);
  }
}

TEST(LogFormat, ZeroFilledTailIsTorn) {
  std::string log = log_of({"first"});
  size_t end = log.size();
  log.append(100, '\0');
  LogScan s = scan_log(log, 1 << 20);
  EXPECT_FALSE(s.corrupt);
  EXPECT_EQ(s.good_end, end);
  EXPECT_EQ(s.torn_bytes, 100u);
}

TEST(LogFormat, EveryFlippedByteIsDetected) {
  std::string log = log_of({"first", "second", "third"});
  for (size_t i = 0; i < log.size(); ++i) {
    std::string bad = log;
    bad[i] ^= 0x01;
    LogScan s = scan_log(bad, 1 << 20);
    // The header checksum covers magic and length, the payload checksum the rest: a flipped
    // bit anywhere is damage, never a torn tail and never accepted.
    ASSERT_TRUE(s.corrupt) << i;
    EXPECT_LE(s.corrupt_offset, i) << i;
    EXPECT_EQ(s.torn_bytes, 0u) << i;
  }
}

TEST(LogFormat, FlipInAMiddleRecordReportsItsOffset) {
  std::string log = log_of({"first", "second", "third"});
  size_t second = kRecordHeaderBytes + 5;
  log[second + kRecordHeaderBytes + 2] ^= 0x40;  // inside "second"
  LogScan s = scan_log(log, 1 << 20);
  ASSERT_TRUE(s.corrupt);
  EXPECT_EQ(s.corrupt_offset, second);
  EXPECT_STREQ(s.corrupt_reason, "record payload checksum mismatch");
  EXPECT_EQ(s.records.size(), 1u);
}

TEST(LogFormat, RecordOverTheLimitIsCorrupt) {
  std::string log = log_of({"0123456789"});
  LogScan s = scan_log(log, 9);
  EXPECT_TRUE(s.corrupt);
  EXPECT_STREQ(s.corrupt_reason, "record longer than the record size limit");
  EXPECT_FALSE(scan_log(log, 10).corrupt);
}

TEST(LogFormat, GarbageAfterGoodRecordsIsCorruptNotTorn) {
  std::string log = log_of({"first"});
  log += "this is not a record header at all";
  LogScan s = scan_log(log, 1 << 20);
  EXPECT_TRUE(s.corrupt);
  EXPECT_EQ(s.corrupt_offset, kRecordHeaderBytes + 5);
}

TEST(LogFormat, CommitMarkNewestValidSlotWins) {
  std::string file(2 * kMarkSlotBytes, '\0');
  CommitMark a{3, 100, 7}, b{3, 250, 8};
  file.replace(7 % 2 * kMarkSlotBytes, kMarkSlotBytes, encode_mark(a));
  file.replace(8 % 2 * kMarkSlotBytes, kMarkSlotBytes, encode_mark(b));
  auto m = pick_mark(file);
  ASSERT_TRUE(m);
  EXPECT_EQ(m->length, 250u);
  EXPECT_EQ(m->counter, 8u);
  file[3] ^= 1;  // slot 0 (counter 8) torn: the older slot still answers
  m = pick_mark(file);
  ASSERT_TRUE(m);
  EXPECT_EQ(m->length, 100u);
  file[kMarkSlotBytes + 10] ^= 1;
  EXPECT_FALSE(pick_mark(file));
  EXPECT_FALSE(pick_mark(""));
  EXPECT_FALSE(pick_mark(std::string(2 * kMarkSlotBytes, '\0')));
}

TEST(LogFormat, RecordSizeLimitOfTheStore) {
  std::string log;
  frame_record(std::string(core::limits::kMaxStoreRecordBytes, 'x'), &log);
  EXPECT_FALSE(scan_log(log, core::limits::kMaxStoreRecordBytes).corrupt);
  log.clear();
  frame_record(std::string(core::limits::kMaxStoreRecordBytes + 1, 'x'), &log);
  EXPECT_TRUE(scan_log(log, core::limits::kMaxStoreRecordBytes).corrupt);
}
