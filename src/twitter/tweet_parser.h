// Parsers from a response body into the tweet model (twitter/tweet.h): a v1.1 timeline
// (JSON array of tweets) and a v2 page ({data, includes, meta, errors}). Ids come from
// strings only (`id_str`, v2 ids) because cJSON keeps numbers as doubles. The body is parsed
// whole; sizes and nesting are bounded by core/limits.h. No I/O.
#pragma once

#include <string>
#include <string_view>

#include "core/result.h"
#include "twitter/tweet.h"

namespace twitter {

// Each parser returns Errc::Parse (or TooLarge) and, when `why` is given, a sentence naming
// what is wrong ("tweet #3 (id 123): created_at \"x\" is not a v1.1 date").
core::Result<Page> parse_v1_timeline(std::string_view body, std::string* why = nullptr);
core::Result<Page> parse_v2_page(std::string_view body, std::string* why = nullptr);
// Picks the parser from the body's shape: a JSON array is v1.1, an object with any of
// data/includes/meta/errors is a v2 page. A leading UTF-8 byte-order mark is skipped.
core::Result<Page> parse_timeline(std::string_view body, std::string* why = nullptr);

}  // namespace twitter
