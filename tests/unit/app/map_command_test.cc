#include "app/map_command.h"

#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "core/limits.h"
#include "json/json.h"
#include "twitter/tweet_parser.h"
#include "unit/twitter/fixture_util.h"

namespace {

struct MapRun {
  int rc;
  std::string out, err;
};

std::string slurp(FILE* f) {
  std::string s;
  rewind(f);
  char buf[65536];
  size_t n;
  while ((n = fread(buf, 1, sizeof buf, f)) > 0) s.append(buf, n);
  return s;
}

// Runs the command with stdin fed from `input` and stdout/stderr captured in temp files.
MapRun run(std::vector<std::string> args, const std::string& input = "") {
  args.insert(args.begin(), "map");
  std::vector<char*> argv;
  for (std::string& a : args) argv.push_back(a.data());
  FILE* in = tmpfile();
  FILE* out = tmpfile();
  FILE* err = tmpfile();
  fwrite(input.data(), 1, input.size(), in);
  rewind(in);
  MapRun r;
  r.rc = app::run_map(static_cast<int>(argv.size()), argv.data(), in, out, err);
  r.out = slurp(out);
  r.err = slurp(err);
  fclose(in);
  fclose(out);
  fclose(err);
  return r;
}

std::vector<std::string> lines(const std::string& s) {
  std::vector<std::string> out;
  size_t pos = 0, nl;
  while ((nl = s.find('\n', pos)) != std::string::npos) {
    out.push_back(s.substr(pos, nl - pos));
    pos = nl + 1;
  }
  EXPECT_EQ(pos, s.size()) << "output does not end with a newline";
  return out;
}

}  // namespace

TEST(MapCommand, EveryFixtureFromAFileGivesOneItemPerTweet) {
  for (const std::string& name : twitter_test::timeline_fixtures()) {
    MapRun r = run({twitter_test::fixture_path(name)});
    ASSERT_EQ(r.rc, 0) << name << ": " << r.err;
    auto page = twitter::parse_timeline(twitter_test::fixture(name));
    ASSERT_TRUE(page.ok());
    auto ls = lines(r.out);
    ASSERT_EQ(ls.size(), page->tweets.size()) << name;
    for (size_t i = 0; i < ls.size(); ++i) {
      auto item = json::parse(ls[i]);
      ASSERT_TRUE(item.ok()) << name << " line " << i;
      EXPECT_EQ(*json::get_string(item->get(), "Id"), std::to_string(page->tweets[i].id)) << name;
      EXPECT_EQ(*json::get_string(item->get(), "SchemaVersion"), "1.0");
    }
  }
}

TEST(MapCommand, ReadsStdinAndWarnsAboutPartialErrors) {
  MapRun r = run({"-"}, twitter_test::fixture("v2_tweets_lookup_partial_error.json"));
  ASSERT_EQ(r.rc, 0) << r.err;
  EXPECT_EQ(lines(r.out).size(), 1u);
  EXPECT_NE(r.err.find("warning: X reported \"Not Found Error\" for 506694458445152256"),
            std::string::npos)
      << r.err;
  MapRun implicit = run({}, twitter_test::fixture("v1_user_timeline_count1_page1.json"));
  ASSERT_EQ(implicit.rc, 0);
  EXPECT_NE(implicit.out.find("\"Id\":\"1149868110373171201\""), std::string::npos);
}

TEST(MapCommand, ReferenceStyleMatchesTheWorkedExample) {
  MapRun r = run({"--style=reference", "-"}, twitter_test::reference_tweets());
  ASSERT_EQ(r.rc, 0) << r.err;
  auto ls = lines(r.out);
  ASSERT_EQ(ls.size(), 67u);
  bool found = false;
  for (const std::string& l : ls)
    if (l.find("\"Id\":\"1106451391000834048\"") != std::string::npos) {
      found = true;
      EXPECT_NE(l.find("\"ItemType\":\"Tweet\",\"ContainerId\":\"4113725063\",\"ContainerName\":"
                       "\"Contoso Media\","
                       "\"ThreadId\":\"1095304683650977792\""),
                std::string::npos)
          << l;
    }
  EXPECT_TRUE(found);
  MapRun full = run({"-"}, twitter_test::reference_tweets());
  EXPECT_NE(full.out.find("\"ItemType\":\"Reply\""), std::string::npos);
  EXPECT_NE(full.out.find("?name=orig"), std::string::npos);
  EXPECT_EQ(full.out.find("\"Content\":\"iV"), std::string::npos);  // no media downloaded
}

TEST(MapCommand, MalformedInputFailsWithAClearMessage) {
  MapRun empty = run({"-"}, "");
  EXPECT_EQ(empty.rc, 1);
  EXPECT_NE(empty.err.find("standard input: the input is not valid JSON"), std::string::npos)
      << empty.err;
  EXPECT_TRUE(empty.out.empty());
  MapRun obj = run({"-"}, "{\"hello\":1}");
  EXPECT_EQ(obj.rc, 1);
  EXPECT_NE(obj.err.find("neither a v1.1 timeline"), std::string::npos) << obj.err;
  MapRun bad = run({"-"}, "[{\"id_str\":\"1\",\"created_at\":\"soon\",\"text\":\"x\"}]");
  EXPECT_EQ(bad.rc, 1);
  EXPECT_NE(bad.err.find("tweet #1 (id 1): created_at"), std::string::npos) << bad.err;
  MapRun missing = run({"/nonexistent/dir/page.json"});
  EXPECT_EQ(missing.rc, 1);
  EXPECT_NE(missing.err.find("cannot open '/nonexistent/dir/page.json'"), std::string::npos)
      << missing.err;
  MapRun html = run({twitter_test::fixture_path("error_v2_404_unknown_endpoint.html")});
  EXPECT_EQ(html.rc, 1);
}

TEST(MapCommand, InputOverTheLimitIsRefused) {
  std::string big(core::limits::kMaxMapInputBytes + 1, ' ');
  MapRun r = run({"-"}, big);
  EXPECT_EQ(r.rc, 1);
  EXPECT_NE(r.err.find("is larger than"), std::string::npos) << r.err;
}

TEST(MapCommand, UsageErrors) {
  MapRun opt = run({"--download-all", "x.json"});
  EXPECT_EQ(opt.rc, 2);
  EXPECT_NE(opt.err.find("unknown option '--download-all'"), std::string::npos);
  MapRun two = run({"a.json", "b.json"});
  EXPECT_EQ(two.rc, 2);
  MapRun help = run({"--help"});
  EXPECT_EQ(help.rc, 0);
  EXPECT_NE(help.out.find("usage: twitter-connector map"), std::string::npos);
}
