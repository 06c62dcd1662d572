#include "store/records.h"

#include <gtest/gtest.h>

#include "unit/store/store_harness.h"

using namespace store;

TEST(Records, JobRoundTripKeeps64BitIds) {
  Job j;
  j.job_id = "job";
  j.since_id = UINT64_MAX;
  j.items_imported = (1ULL << 60) + 1;
  j.last_result = TaskResult::PermanentFailure;
  j.created_ms = 1'700'000'000'123;
  json::Json v = job_to_json(j);
  std::string text = json::dump(v.get());
  EXPECT_NE(text.find("\"since_id\":\"18446744073709551615\""), std::string::npos) << text;
  auto back = job_from_json(json::parse(text)->get());
  ASSERT_TRUE(back.ok());
  EXPECT_EQ(back->since_id, UINT64_MAX);
  EXPECT_EQ(back->items_imported, (1ULL << 60) + 1);
  EXPECT_EQ(back->last_result, TaskResult::PermanentFailure);
  EXPECT_EQ(back->created_ms, 1'700'000'000'123);
}

TEST(Records, DecodersRejectWrongTypesAndLimits) {
  Job j;
  j.job_id = "job";
  json::Json v = job_to_json(j);
  cJSON_ReplaceItemInObjectCaseSensitive(v.get(), "since_id", cJSON_CreateNumber(5));
  auto r = job_from_json(v.get());
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().code, core::Errc::Corrupt);
  v = job_to_json(j);
  cJSON_ReplaceItemInObjectCaseSensitive(v.get(), "last_result", cJSON_CreateNumber(7));
  EXPECT_FALSE(job_from_json(v.get()).ok());
  v = job_to_json(j);
  cJSON_ReplaceItemInObjectCaseSensitive(v.get(), "job_id", cJSON_CreateString(""));
  EXPECT_FALSE(job_from_json(v.get()).ok());
  EXPECT_FALSE(job_from_json(nullptr).ok());
  Task t;
  t.task_id = "t";
  json::Json tv = task_to_json(t);
  cJSON_ReplaceItemInObjectCaseSensitive(tv.get(), "dirty_entities", cJSON_CreateString("x"));
  EXPECT_FALSE(task_from_json(tv.get()).ok());
  EXPECT_FALSE(items_from_json(json::parse("[[\"a\",\"b\"]]")->get()).ok());
  EXPECT_FALSE(items_from_json(json::parse("[[\"a\",\"b\",3]]")->get()).ok());
  EXPECT_TRUE(items_from_json(json::parse("[[\"a\",\"b\",\"c\"]]")->get()).ok());
}

TEST(Records, SealAndOpenEverySecretField) {
  Settings s;
  s.twitter_api_key = "k";
  s.twitter_api_secret_key = "ks";
  s.twitter_access_token = "at";
  s.twitter_access_token_secret = "ats";
  s.aad_app_id = "app-id";
  s.aad_app_secret = "";  // empty stays empty (nothing to hide)
  Job j;
  j.job_id = "job";
  j.user_token = "ut";
  j.user_token_secret = "uts";
  PendingAuth a{"rt", "rts", "job", "state", 0};
  json::Json tree = json::array();
  json::push(tree.get(), settings_to_json(s));
  json::push(tree.get(), job_to_json(j));
  json::push(tree.get(), auth_to_json(a));
  std::string clear = json::dump(tree.get());
  EXPECT_TRUE(has_plain_secrets(tree.get()));
  store_test::ToyCodec codec('q');
  ASSERT_TRUE(seal_secrets(tree.get(), &codec).ok());
  EXPECT_FALSE(has_plain_secrets(tree.get()));
  EXPECT_EQ(codec.seals, 7);
  std::string sealed = json::dump(tree.get());
  EXPECT_NE(sealed.find("\"aad_app_id\":\"app-id\""), std::string::npos);
  EXPECT_NE(sealed.find("\"request_token\":\"rt\""), std::string::npos);  // the key is not secret
  EXPECT_EQ(sealed.find("\"ut\""), std::string::npos);
  // Without a codec, or with the wrong one, sealed values do not open.
  auto parsed = json::parse(sealed);
  ASSERT_TRUE(parsed.ok());
  json::Json copy = std::move(parsed.value());
  auto st = open_secrets(copy.get(), nullptr);
  ASSERT_FALSE(st.ok());
  EXPECT_EQ(st.error().code, core::Errc::Crypto);
  store_test::ToyCodec wrong('w');
  EXPECT_FALSE(open_secrets(copy.get(), &wrong).ok());
  ASSERT_TRUE(open_secrets(tree.get(), &codec).ok());
  EXPECT_EQ(json::dump(tree.get()), clear);
}

TEST(Records, SealedValueCannotMoveToAnotherField) {
  Job j;
  j.job_id = "job";
  j.user_token = "token";
  j.user_token_secret = "secret";
  json::Json v = job_to_json(j);
  store_test::ToyCodec codec('q');
  ASSERT_TRUE(seal_secrets(v.get(), &codec).ok());
  // Swap the two sealed boxes: the context (field name) no longer matches.
  cJSON* tok = cJSON_DetachItemFromObjectCaseSensitive(v.get(), "user_token");
  cJSON* sec = cJSON_DetachItemFromObjectCaseSensitive(v.get(), "user_token_secret");
  cJSON_AddItemToObject(v.get(), "user_token", sec);
  cJSON_AddItemToObject(v.get(), "user_token_secret", tok);
  EXPECT_FALSE(open_secrets(v.get(), &codec).ok());
}

TEST(Records, CheckId) {
  EXPECT_TRUE(check_id("abc-123", "x").ok());
  EXPECT_FALSE(check_id("", "x").ok());
  EXPECT_FALSE(check_id(std::string(core::limits::kMaxStoreIdBytes + 1, 'a'), "x").ok());
  EXPECT_TRUE(check_id(std::string(core::limits::kMaxStoreIdBytes, 'a'), "x").ok());
  EXPECT_FALSE(check_id("a\tb", "x").ok());
  EXPECT_FALSE(check_id(std::string("a\0b", 3), "x").ok());
}

TEST(Records, PreviousWindowEndRoundTripsAndOlderRecordsDecodeWithoutIt) {
  Job j;
  j.job_id = "job";
  json::Json v = job_to_json(j);
  EXPECT_NE(json::dump(v.get()).find("\"previous_window_end_ms\":null"), std::string::npos);
  auto back = job_from_json(v.get());
  ASSERT_TRUE(back.ok());
  EXPECT_FALSE(back->previous_window_end_ms.has_value());
  // 0 (the epoch) is a real value, distinct from unknown.
  j.previous_window_end_ms = 0;
  back = job_from_json(job_to_json(j).get());
  ASSERT_TRUE(back.ok());
  EXPECT_EQ(back->previous_window_end_ms, std::optional<int64_t>(0));
  j.previous_window_end_ms = 1'575'158'400'000;
  back = job_from_json(json::parse(json::dump(job_to_json(j).get()))->get());
  ASSERT_TRUE(back.ok());
  EXPECT_EQ(back->previous_window_end_ms, std::optional<int64_t>(1'575'158'400'000));
  // A record written before the field existed.
  v = job_to_json(j);
  cJSON_DeleteItemFromObjectCaseSensitive(v.get(), "previous_window_end_ms");
  back = job_from_json(v.get());
  ASSERT_TRUE(back.ok());
  EXPECT_FALSE(back->previous_window_end_ms.has_value());
  // A value of the wrong type is corruption, as for every other field.
  v = job_to_json(j);
  cJSON_ReplaceItemInObjectCaseSensitive(v.get(), "previous_window_end_ms",
                                         cJSON_CreateString("soon"));
  auto bad = job_from_json(v.get());
  ASSERT_FALSE(bad.ok());
  EXPECT_EQ(bad.error().code, core::Errc::Corrupt);
}
