// Compact JWS parsing, whole and at every prefix.
#include "jwt/token.h"

#include <gtest/gtest.h>

#include "unit/jwt/jwt_vectors.h"

using namespace jwt;

TEST(JwtToken, ParsesRfcA2) {
  auto t = parse(jwtvec::kRfcA2);
  ASSERT_TRUE(t.ok());
  EXPECT_EQ(t->alg, "RS256");
  EXPECT_EQ(t->kid, "");
  EXPECT_EQ(t->signature.size(), 256u);
  EXPECT_EQ(*json::get_string(t->payload.get(), "iss"), "joe");
  EXPECT_EQ(t->signing_input,
            std::string(jwtvec::kRfcA2).substr(0, std::string(jwtvec::kRfcA2).rfind('.')));
}

TEST(JwtToken, KidFallsBackToX5t) {
  auto t = parse(jwtvec::kV1);
  ASSERT_TRUE(t.ok());
  EXPECT_EQ(t->kid, "rfc7515-a2");
}

TEST(JwtToken, EveryPrefixFailsCleanly) {
  std::string tok = jwtvec::kV2;
  size_t last_dot = tok.rfind('.');
  for (size_t i = 0; i < tok.size(); ++i) {
    auto r = parse(tok.substr(0, i));
    // A prefix that ends inside the signature may still parse (shorter signature): the
    // validator rejects it on length. Anything shorter must fail.
    if (i <= last_dot) {
      EXPECT_FALSE(r.ok()) << i;
    }
  }
  EXPECT_TRUE(parse(tok).ok());
}
