// libFuzzer target for the JWT path an unauthenticated caller reaches: parse, algorithm and
// key checks, RS256 verification and the claim rules, against the fixed RFC 7515 A.2 key of
// aad-jwt.md TV-3. Invariant checked: nothing but the genuine signed token can be accepted.
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <string_view>

#include "jwt/token.h"
#include "jwt/validator.h"

namespace {

constexpr char kJwks[] =
    R"({"keys":[{"kty":"RSA","use":"sig","kid":"rfc7515-a2","x5t":"rfc7515-a2","n":"ofgWCuLjybRlzo0tZWJjNiuSfb4p4fAkd_wWJcyQoTbji9k0l8W26mPddxHmfHQp-Vaw-4qPCJrcS2mJPMEzP1Pt0Bm4d4QlL-yRT-SFd2lZS-pCgNMsD1W_YpRPEwOWvG6b32690r2jZ47soMZo9wGzjb_7OMg0LOL-bSf63kpaSHSXndS5z5rexMdbBYUsLA9e-KXBdQOS-UTo7WTBEMa2R2CapHg665xsmtdVMTBQY4uDZlxvb3qCo5ZwKh9kG4LT6_I5IhlJH7aGhyxXFvUK-DWNmoudF8NAco9_h9iaGNj8q2ethFkMLs91kzk2PAcDTW9gb54h4FRWyuXpoQ","e":"AQAB"}]})";

const jwt::KeySet& keys() {
  static jwt::KeySet* set = [] {
    auto k = jwt::parse_jwks(kJwks);
    if (!k.ok()) abort();
    return new jwt::KeySet(std::move(*k));
  }();
  return *set;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view in(reinterpret_cast<const char*>(data), size);
  jwt::Expectations e;
  e.tenant_id = "11111111-2222-3333-4444-555555555555";
  e.audiences = {"https://contoso-twitterconnector.azurewebsites.net",
                 "22222222-3333-4444-5555-666666666666"};
  jwt::Verdict v = jwt::validate(in, keys(), e, 1700001000);
  if (v.accepted() && v.app_id.empty()) abort();   // an accepted token always names its caller
  if (!v.accepted() && v.reason.empty()) abort();  // every rejection says why
  auto t = jwt::parse(in);
  if (t.ok() && t->signing_input.size() >= size) abort();
  return 0;
}
