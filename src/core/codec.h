// Byte codecs shared by every layer: base64 (RFC 4648 §4, and base64url §5), hex, and
// percent-encoding (RFC 3986 §2.1; the unreserved set is what OAuth 1.0a §3.6 requires).
// Pure functions; decoders reject malformed input instead of guessing.
#pragma once

#include <string>
#include <string_view>

#include "core/result.h"

namespace core {

std::string base64_encode(std::string_view in);
std::string base64url_encode(std::string_view in);  // no padding
// Standard alphabet; padding required unless the length makes it implicit.
Result<std::string> base64_decode(std::string_view in);
// URL alphabet; padding optional (JWT segments carry none).
Result<std::string> base64url_decode(std::string_view in);

std::string hex_encode(std::string_view in);  // lower case

// Encodes every byte outside ALPHA / DIGIT / "-" / "." / "_" / "~" as %XX (upper-case hex).
std::string percent_encode(std::string_view in);
void percent_encode_to(std::string_view in, std::string* out);
// Decodes %XX escapes; with plus_as_space (application/x-www-form-urlencoded) '+' is a space.
// A '%' not followed by two hex digits is an error.
Result<std::string> percent_decode(std::string_view in, bool plus_as_space = false);

// Constant-time equality for secrets: time depends only on the lengths.
bool constant_time_equal(std::string_view a, std::string_view b);

}  // namespace core
