// The connector's `Item` (m365-connector-protocol.md §11): one JSON document per tweet, in
// the reference's exact member order, with nulls written, SchemaVersion "1.0", ContentType
// as an integer and SentTimeUtc without a zone. The serialiser follows the Newtonsoft rules
// of §11.1 (escapes, indentation) so output matches what the platform already accepts.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace twitter {

struct ItemUser {
  std::string id;
  std::optional<std::string> photo_url;  // UserProfilePhotoUrl
  std::optional<std::string> name;
  // EmailAddress and MobileNumber are always null for Twitter.
};

struct ItemAttachment {
  // Base64 of the bytes (standard alphabet, padded); null until the media was downloaded.
  std::optional<std::string> content_base64;
  std::string uri;
  std::string type;                      // AttachmentType
  std::optional<std::string> file_name;  // AttachmentFileName
};

struct Item {
  std::string id;
  std::string item_type;  // "Tweet" | "Reply" | "Retweet" | "Quote"
  std::string container_id;
  std::optional<std::string> container_name;
  std::string thread_id;
  std::string parent_id;
  ItemUser sender;
  std::string sent_time_utc;  // yyyy-MM-ddTHH:mm:ss (UTC)
  std::string content;
  std::optional<std::vector<Item>> pre_context;
  int64_t num_of_likes = 0;
  std::string message_preview_text;
  std::optional<std::vector<ItemAttachment>> attachments;
};

struct ItemFormat {
  bool indented = false;  // Newtonsoft Formatting.Indented (2 spaces, "Name": value)
  bool crlf = true;       // line breaks when indented: CRLF as on the reference's Windows host
};

// Serialises one Item. Compact output has no whitespace at all (one JSON Lines record).
std::string write_item(const Item& item, ItemFormat format = {});

// write_item() cut open at every attachment's Content value, so a streaming writer can put
// each medium's base64 there without holding the document: texts[0] C0 texts[1] C1 ...
// texts[n], where Ci is the JSON value of the i-th attachment in document order (those of
// PreContext items come where those items are written). With every Ci written as the
// attachment's own content_base64 (a string, or null when unset) the concatenation is
// byte-identical to write_item(item, format).
struct ItemParts {
  std::vector<std::string> texts;  // attachments + 1
  std::vector<std::string> uris;   // each attachment's Uri, in the same order
};
ItemParts write_item_parts(const Item& item, ItemFormat format = {});
// Appends `s` as a JSON string literal with Newtonsoft's escaping (§11.1): \" \\ \b \f \n \r \t,
// other C0 controls and U+0085/U+2028/U+2029 as \uXXXX, '/' and other non-ASCII raw. Invalid
// UTF-8 bytes become U+FFFD so the output is always valid JSON.
void append_json_string(std::string_view s, std::string* out);

}  // namespace twitter
