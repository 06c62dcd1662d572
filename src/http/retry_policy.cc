// Implementation of http/retry_policy.h.
#include "http/retry_policy.h"

#include <uv.h>

#include <cstdlib>

namespace http {
namespace {

std::string_view trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) s.remove_suffix(1);
  return s;
}

std::optional<int64_t> parse_uint(std::string_view s) {
  s = trim(s);
  if (s.empty() || s.size() > 12) return std::nullopt;
  int64_t v = 0;
  for (char c : s) {
    if (c < '0' || c > '9') return std::nullopt;
    v = v * 10 + (c - '0');
  }
  return v;
}

int month_index(std::string_view m) {
  static const char* const kMonths[] = {"Jan", "Feb", "Mar", "Apr", "May", "Jun",
                                        "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"};
  for (int i = 0; i < 12; ++i)
    if (m == kMonths[i]) return i + 1;
  return 0;
}

// "08:49:37" -> seconds of day.
std::optional<int64_t> parse_time(std::string_view t) {
  if (t.size() != 8 || t[2] != ':' || t[5] != ':') return std::nullopt;
  auto h = parse_uint(t.substr(0, 2)), m = parse_uint(t.substr(3, 2)),
       s = parse_uint(t.substr(6, 2));
  if (!h || !m || !s || *h > 23 || *m > 59 || *s > 60) return std::nullopt;
  return *h * 3600 + *m * 60 + *s;
}

std::optional<int64_t> make_time(int64_t year, int month, int64_t day, int64_t secs) {
  if (month == 0 || day < 1 || day > 31 || year < 1970 || year > 9999) return std::nullopt;
  return core::days_from_civil(year, static_cast<unsigned>(month), static_cast<unsigned>(day)) *
             86400 +
         secs;
}

}  // namespace

std::optional<int64_t> parse_http_date(std::string_view s) {
  s = trim(s);
  size_t comma = s.find(',');
  if (comma != std::string_view::npos) {
    std::string_view rest = trim(s.substr(comma + 1));
    if (rest.size() == 24 && rest[2] == ' ' && rest[6] == ' ' && rest[11] == ' ' &&
        rest.substr(20) == " GMT") {
      // IMF-fixdate: "06 Nov 1994 08:49:37 GMT"
      auto day = parse_uint(rest.substr(0, 2)), year = parse_uint(rest.substr(7, 4));
      auto secs = parse_time(rest.substr(12, 8));
      if (!day || !year || !secs) return std::nullopt;
      return make_time(*year, month_index(rest.substr(3, 3)), *day, *secs);
    }
    if (rest.size() == 22 && rest[2] == '-' && rest[6] == '-' && rest[9] == ' ' &&
        rest.substr(18) == " GMT") {
      // RFC 850: "06-Nov-94 08:49:37 GMT"; two-digit years are 19xx/20xx per RFC 9110.
      auto day = parse_uint(rest.substr(0, 2)), yy = parse_uint(rest.substr(7, 2));
      auto secs = parse_time(rest.substr(10, 8));
      if (!day || !yy || !secs) return std::nullopt;
      return make_time(*yy < 70 ? 2000 + *yy : 1900 + *yy, month_index(rest.substr(3, 3)), *day,
                       *secs);
    }
    return std::nullopt;
  }
  // asctime: "Sun Nov  6 08:49:37 1994"
  if (s.size() == 24 && s[3] == ' ' && s[7] == ' ' && s[10] == ' ' && s[19] == ' ') {
    std::string_view d = s.substr(8, 2);
    if (d[0] == ' ') d.remove_prefix(1);
    auto day = parse_uint(d), year = parse_uint(s.substr(20, 4));
    auto secs = parse_time(s.substr(11, 8));
    if (!day || !year || !secs) return std::nullopt;
    return make_time(*year, month_index(s.substr(4, 3)), *day, *secs);
  }
  return std::nullopt;
}

bool RetryPolicy::retryable_status(int status) {
  switch (status) {
    case 408:
    case 429:
    case 500:
    case 502:
    case 503:
    case 504: return true;
    default: return false;
  }
}

bool RetryPolicy::retryable(const AttemptResult& r) {
  if (r.error) {
    switch (r.error->code) {
      case core::Errc::ConnectRefused:
      case core::Errc::Connect:
      case core::Errc::ConnReset:
      case core::Errc::ConnClosed:
      case core::Errc::Timeout: return true;
      case core::Errc::Dns:
        // Only a temporary resolver failure; an unknown name stays unknown.
        return r.error->detail == UV_EAI_AGAIN;
      default: return false;
    }
  }
  return retryable_status(r.status);
}

std::optional<uint64_t> RetryPolicy::server_wait_ms(const ClientHeaders& headers, int64_t now_ms) {
  if (const std::string* ra = find_header(headers, "retry-after")) {
    if (auto secs = parse_uint(*ra)) return static_cast<uint64_t>(*secs) * 1000;
    if (auto when = parse_http_date(*ra)) {
      int64_t d = *when * 1000 - now_ms;
      return static_cast<uint64_t>(d > 0 ? d : 0);
    }
  }
  if (const std::string* reset = find_header(headers, "x-rate-limit-reset")) {
    if (auto epoch = parse_uint(*reset)) {
      int64_t d = *epoch * 1000 - now_ms;
      return static_cast<uint64_t>(d > 0 ? d : 0);
    }
  }
  return std::nullopt;
}

std::optional<uint64_t> RetryPolicy::next_delay(uint32_t attempts_done, bool retry_safe,
                                                const AttemptResult& r) const {
  if (!retry_safe || attempts_done >= config_.max_attempts || !retryable(r)) return std::nullopt;
  if (!r.error && r.headers) {
    if (auto wait = server_wait_ms(*r.headers, clock_->now_unix_ms())) {
      if (*wait > config_.max_server_wait_ms) return std::nullopt;
      return *wait;
    }
  }
  uint64_t ceiling = config_.base_delay_ms;
  for (uint32_t i = 1; i < attempts_done && ceiling < config_.max_delay_ms; ++i) ceiling *= 2;
  if (ceiling > config_.max_delay_ms) ceiling = config_.max_delay_ms;
  return rng_->uniform(ceiling + 1);  // full jitter: anywhere in [0, ceiling]
}

}  // namespace http
