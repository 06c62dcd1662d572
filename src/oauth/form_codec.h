// application/x-www-form-urlencoded and query strings (WHATWG URL §5, RFC 5849 §3.4.1.3).
// Two readers: a lenient one that keeps every pair in order (what OAuth signs: duplicate names
// and valueless names are legal there) and a strict one for token endpoint answers, where a
// duplicate key, an empty name or a bad escape means the answer cannot be trusted.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "core/result.h"

namespace oauth {

// One decoded name/value pair.
struct Param {
  std::string name;
  std::string value;
  friend bool operator==(const Param&, const Param&) = default;
};
using Params = std::vector<Param>;

// Splits on '&', each item "name=value" or "name" (empty value); '+' decodes to a space.
// Empty items ("a=1&&b=2") are skipped as browsers do. Errors: Errc::Parse with where =
// "form: bad percent escape"; Errc::TooLarge past limits::kMaxFormFields.
core::Result<Params> parse_pairs(std::string_view text);

// Strict reader: every item must be "name=value" with a non-empty name, names unique, escapes
// valid, at most kMaxOAuthResponseBytes. The `where` of an error says which rule failed.
core::Result<Params> parse_form_strict(std::string_view text);

// Value of the first pair named `name`, or nullptr.
const std::string* find_param(const Params& params, std::string_view name);

// "a=1&b=x%20y" with RFC 3986 percent-encoding of names and values (space as %20, which every
// form reader accepts and which the OAuth base string needs anyway).
std::string encode_form(const Params& params);

}  // namespace oauth
