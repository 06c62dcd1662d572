// Loading the shared Twitter fixtures (../shared/fixtures) in unit tests.
#pragma once

#include <gtest/gtest.h>

#include <cstdio>
#include <string>
#include <vector>

#include "support/subprocess.h"

namespace twitter_test {

inline std::string read_file(const std::string& path) {
  FILE* f = fopen(path.c_str(), "rb");
  if (!f) {
    ADD_FAILURE() << "cannot open " << path;
    return "";
  }
  std::string out;
  char buf[65536];
  size_t n;
  while ((n = fread(buf, 1, sizeof buf, f)) > 0) out.append(buf, n);
  fclose(f);
  return out;
}

inline std::string fixture_path(const std::string& name) {
  return testing_support::shared_dir() + "/fixtures/twitter/" + name;
}
inline std::string fixture(const std::string& name) { return read_file(fixture_path(name)); }
inline std::string reference_tweets() {
  return read_file(testing_support::shared_dir() + "/fixtures/reference/FakeTweets.json");
}

// Every timeline page among the fixtures (v1.1 arrays and v2 pages/lookups with data).
inline std::vector<std::string> timeline_fixtures() {
  return {"v1_home_timeline_andypiper_quotes.json",
          "v1_home_timeline_tweepydev_video.json",
          "v1_mentions_timeline_empty.json",
          "v1_user_timeline_count1_page1.json",
          "v1_user_timeline_count1_page2_max_id.json",
          "v1_user_timeline_extended_Bioconductor.json",
          "v1_user_timeline_extended_cnn_count10.json",
          "v1_user_timeline_extended_mvabercron.json",
          "v1_user_timeline_extended_rOpenSci.json",
          "v1_user_timeline_tweepydev_photos.json",
          "v1_user_timeline_twitter_2021.json",
          "v1_user_timeline_twitter_page1.json",
          "v2_tweets_lookup_default_fields.json",
          "v2_tweets_lookup_partial_error.json",
          "v2_tweets_lookup_quote_and_reply_edited.json",
          "v2_tweets_lookup_video_variants.json",
          "v2_users_17880989_mentions_empty.json",
          "v2_users_2351222345_tweets_page_expanded.json",
          "v2_users_783214_tweets_default_fields.json"};
}

}  // namespace twitter_test
