// Text and date helpers for tweets: HTML-entity decoding (Twitter escapes &, < and > in
// tweet text), slicing by display_text_range (indices count code points of the escaped
// text), the two API date formats, the Item's SentTimeUtc format and snowflake timestamps.
// Pure functions, no allocation beyond the returned strings.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace twitter {

// Decodes &amp; &lt; &gt; &quot; &#39; and numeric references (&#NNN; &#xHH;) in one left-to-
// right pass, so "&amp;lt;" becomes "&lt;" (what the author typed). Anything else is kept.
std::string decode_html_entities(std::string_view text);

// The code points [begin, end) of UTF-8 text; out-of-range bounds are clamped. Invalid UTF-8
// bytes count as one code point each, so the slice never splits a valid sequence.
std::string_view slice_code_points(std::string_view text, uint32_t begin, uint32_t end);
size_t count_code_points(std::string_view text);

// "Wed Apr 24 08:30:23 +0000 2019" (v1.1) → Unix seconds. Any numeric offset is applied.
std::optional<int64_t> parse_v1_date(std::string_view text);
// "2020-05-05T21:36:21.000Z" / "2020-05-05T21:36:21Z" (v2, RFC 3339 with Z or ±HH:MM).
std::optional<int64_t> parse_rfc3339(std::string_view text);
// Unix seconds → "2019-03-15T07:05:43" (the Item's SentTimeUtc: UTC, no zone, no fraction).
std::string format_sent_time(int64_t unix_s);
// Unix seconds → "2019-03-15T07:05:43Z" (v2 start_time/end_time).
std::string format_rfc3339(int64_t unix_s);

// Creation time encoded in a snowflake id (ids after 2010-11-04): ms since the Unix epoch,
// or nullopt for older sequential ids.
std::optional<int64_t> snowflake_unix_ms(uint64_t id);

}  // namespace twitter
