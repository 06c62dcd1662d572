// libFuzzer target for the setup-flow input an unauthenticated browser (or X) controls: the
// popup's loginUrl, the callback's Cookie header, a redirectUrl and X's error bodies.
// Invariants checked: an accepted loginUrl leads only to X's sign-in pages of the configured
// base (no open redirect, no header splitting); an accepted redirectUrl is our callback page;
// a cookie value never spans pairs; X's error text for the log is short and printable.
#include <cctype>
#include <cstdint>
#include <cstdlib>
#include <string>
#include <string_view>

#include "connector/setup_flow.h"
#include "twitter/oauth_client.h"

namespace {

constexpr std::string_view kBase = "https://api.twitter.com";

void check(bool ok) {
  if (!ok) abort();
}

bool starts_with(std::string_view s, std::string_view p) { return s.substr(0, p.size()) == p; }

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view in(reinterpret_cast<const char*>(data), size);
  if (connector::is_allowed_login_url(in, kBase)) {
    check(starts_with(in, std::string(kBase) + "/oauth/authenticate?") ||
          starts_with(in, std::string(kBase) + "/oauth/authorize?"));
    check(in.find_first_of(" \r\n\t#") == std::string_view::npos);
  }
  std::string why;
  if (connector::check_redirect_url(in, &why)) {
    std::string lower;
    for (char c : in) lower += static_cast<char>(tolower(static_cast<unsigned char>(c)));
    check(starts_with(lower, "https://") || starts_with(lower, "http://"));
    check(lower.size() > 19 && lower.substr(lower.size() - 19) == "/views/twitteroauth");
    check(in.find_first_of("?# \r\n") == std::string_view::npos);
  } else {
    check(!why.empty());
  }
  http::Headers h;
  h.add("Cookie", std::string(in));
  if (auto v = connector::cookie_value(h, connector::kSignInCookie))
    check(v->find(';') == std::string::npos);
  twitter::XErrorText x = twitter::x_error_text(in);
  check(x.text.size() <= 200);
  for (unsigned char c : x.text) check(c >= 0x20 && c < 0x7f);
  return 0;
}
