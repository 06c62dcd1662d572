// The pure part of jobs/item_stream: which media failures leave Content null for good and
// which fail the upload so the task is repeated. The streaming itself runs against a real
// media server in tests/integration/item_stream_test.cc.
#include "jobs/item_stream.h"

#include <gtest/gtest.h>

using core::Errc;
using core::make_error;
using jobs::media_failure_is_permanent;

TEST(ItemStreamFailures, GoneRefusedOversizedAndInvalidArePermanent) {
  EXPECT_TRUE(media_failure_is_permanent(make_error(Errc::NotFound, "media", 404)));
  EXPECT_TRUE(media_failure_is_permanent(make_error(Errc::NotFound, "media", 410)));
  EXPECT_TRUE(media_failure_is_permanent(make_error(Errc::TooLarge, "response body")));
  EXPECT_TRUE(media_failure_is_permanent(make_error(Errc::Unauthorized, "media", 401)));
  EXPECT_TRUE(media_failure_is_permanent(make_error(Errc::Forbidden, "media", 403)));
  EXPECT_TRUE(media_failure_is_permanent(make_error(Errc::InvalidArgument, "url")));
  EXPECT_TRUE(media_failure_is_permanent(make_error(Errc::HttpStatus, "media", 400)));
  EXPECT_TRUE(media_failure_is_permanent(make_error(Errc::HttpStatus, "media", 451)));
}

TEST(ItemStreamFailures, ServerNetworkAndRateLimitsAreTransient) {
  for (int s : {408, 429, 500, 502, 503, 504})
    EXPECT_FALSE(media_failure_is_permanent(make_error(Errc::HttpStatus, "media", s))) << s;
  for (Errc e : {Errc::Timeout, Errc::ConnReset, Errc::ConnClosed, Errc::Dns, Errc::Connect,
                 Errc::ConnectRefused, Errc::Tls, Errc::Busy, Errc::RateLimited, Errc::Io})
    EXPECT_FALSE(media_failure_is_permanent(make_error(e, "media"))) << core::errc_name(e);
}
