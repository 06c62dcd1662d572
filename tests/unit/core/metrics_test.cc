// Prometheus text exposition 0.0.4: families, labels, escaping, value formatting.
#include "core/metrics.h"

#include <gtest/gtest.h>

#include <cmath>

namespace core {
namespace {

TEST(Metrics, RendersCountersAndGauges) {
  Metrics m;
  m.counter("http_requests_total", "Requests", {{"route", "/a"}, {"status", "200"}}).inc();
  m.counter("http_requests_total", "ignored", {{"route", "/a"}, {"status", "200"}}).inc(2);
  m.counter("http_requests_total", "Requests", {{"route", "unmatched"}, {"status", "404"}}).inc();
  m.gauge("open", "Open things").set(3);
  m.gauge("open", "Open things").dec();
  std::string out;
  m.render(&out);
  EXPECT_EQ(out,
            "# HELP http_requests_total Requests\n"
            "# TYPE http_requests_total counter\n"
            "http_requests_total{route=\"/a\",status=\"200\"} 3\n"
            "http_requests_total{route=\"unmatched\",status=\"404\"} 1\n"
            "# HELP open Open things\n"
            "# TYPE open gauge\n"
            "open 2\n");
  EXPECT_EQ(m.family_count(), 2u);
}

TEST(Metrics, ReferencesStayValid) {
  Metrics m;
  Counter& c = m.counter("c", "h", {{"k", "v0"}});
  for (int i = 1; i < 200; ++i) m.counter("c", "h", {{"k", std::to_string(i)}});
  c.inc(5);
  EXPECT_EQ(&c, &m.counter("c", "h", {{"k", "v0"}}));
  EXPECT_EQ(m.counter("c", "h", {{"k", "v0"}}).value(), 5);
}

TEST(Metrics, CountersNeverGoDown) {
  Metrics m;
  Counter& c = m.counter("c", "h");
  c.inc(2);
  c.inc(-1);
  EXPECT_EQ(c.value(), 2);
}

TEST(Metrics, EscapesHelpAndLabelValues) {
  Metrics m;
  m.counter("x", "line1\nback\\slash", {{"l", "a\"b\\c\nd"}}).inc();
  std::string out;
  m.render(&out);
  EXPECT_EQ(out, "# HELP x line1\\nback\\\\slash\n# TYPE x counter\nx{l=\"a\\\"b\\\\c\\nd\"} 1\n");
}

TEST(Metrics, ValueFormatting) {
  auto fmt = [](double v) {
    std::string s;
    append_metric_value(v, &s);
    return s;
  };
  EXPECT_EQ(fmt(0), "0");
  EXPECT_EQ(fmt(1234567), "1234567");
  EXPECT_EQ(fmt(-3), "-3");
  EXPECT_EQ(fmt(0.5), "0.5");
  EXPECT_EQ(fmt(1.25), "1.25");
  EXPECT_EQ(fmt(0.1), "0.1");
  EXPECT_EQ(fmt(1e300), "1e+300");
  EXPECT_EQ(fmt(INFINITY), "+Inf");
  EXPECT_EQ(fmt(-INFINITY), "-Inf");
  EXPECT_EQ(fmt(NAN), "NaN");
}

TEST(MetricsDeathTest, MisuseAborts) {
  GTEST_FLAG_SET(death_test_style, "threadsafe");
  EXPECT_DEATH(
      {
        Metrics m;
        m.counter("x", "h");
        m.gauge("x", "h");
      },
      "another type");
  EXPECT_DEATH(
      {
        Metrics m;
        m.counter("x", "h", {{"a", "1"}});
        m.counter("x", "h", {{"b", "1"}});
      },
      "other labels");
  EXPECT_DEATH(
      {
        Metrics m;
        m.counter("bad-name", "h");
      },
      "invalid metric name");
}

}  // namespace
}  // namespace core
