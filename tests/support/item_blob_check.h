// Checks an uploaded item blob (a file) against the Item it was made from without loading it:
// the text around each attachment's Content must be exactly twitter::write_item_parts' parts,
// each Content a base64 string whose decoded bytes have the expected SHA-256 (or null where
// null is expected), and the document with the media taken out must parse as JSON. Used by
// the item upload test and the 500 MB video benchmark, where the blob is ~700 MB.
#pragma once

#include <mbedtls/sha256.h>

#include <cstdio>
#include <string>
#include <vector>

#include "core/codec.h"
#include "json/json.h"
#include "twitter/item.h"

namespace testing_support {

class BlobFileReader {
 public:
  explicit BlobFileReader(const std::string& path) : f_(fopen(path.c_str(), "rb")) {}
  ~BlobFileReader() {
    if (f_) fclose(f_);
  }
  bool ok() const { return f_ != nullptr; }
  // Next byte, or -1 at the end.
  int get() {
    if (pos_ == len_) {
      len_ = f_ ? fread(buf_, 1, sizeof buf_, f_) : 0;
      pos_ = 0;
      if (len_ == 0) return -1;
    }
    return static_cast<unsigned char>(buf_[pos_++]);
  }

 private:
  FILE* f_;
  char buf_[1 << 16];
  size_t pos_ = 0, len_ = 0;
};

// "" when the blob is right, else the first difference. media_sha256[i]: hex SHA-256 of the
// i-th attachment's bytes, or "null" when its Content must be null.
inline std::string check_item_blob(const std::string& file, const twitter::ItemParts& parts,
                                   const std::vector<std::string>& media_sha256) {
  if (media_sha256.size() != parts.uris.size()) return "wrong number of expected media";
  BlobFileReader in(file);
  if (!in.ok()) return "cannot open " + file;
  std::string skeleton;
  uint64_t offset = 0;
  for (size_t i = 0; i < parts.texts.size(); ++i) {
    for (char want : parts.texts[i]) {
      int c = in.get();
      if (c != static_cast<unsigned char>(want))
        return "text differs at byte " + std::to_string(offset) + " (part " + std::to_string(i) +
               ")";
      ++offset;
    }
    skeleton += parts.texts[i];
    if (i == parts.uris.size()) break;
    if (media_sha256[i] == "null") {
      for (char want : std::string("null")) {
        if (in.get() != want) return "attachment " + std::to_string(i) + " is not null";
        ++offset;
      }
      skeleton += "null";
      continue;
    }
    if (in.get() != '"') return "attachment " + std::to_string(i) + " is not a string";
    ++offset;
    mbedtls_sha256_context sha;
    mbedtls_sha256_init(&sha);
    mbedtls_sha256_starts(&sha, 0);
    std::string quad;
    bool ended = false;
    std::string error;
    for (;;) {
      int c = in.get();
      ++offset;
      if (c < 0) {
        error = "blob ends inside attachment " + std::to_string(i);
        break;
      }
      if (c == '"') {
        ended = true;
        break;
      }
      quad.push_back(static_cast<char>(c));
      if (quad.size() == 4 * 4096) {
        auto bytes = core::base64_decode(quad);
        if (!bytes.ok()) {
          error = "attachment " + std::to_string(i) + " is not base64 near byte " +
                  std::to_string(offset);
          break;
        }
        mbedtls_sha256_update(&sha, reinterpret_cast<const unsigned char*>(bytes->data()),
                              bytes->size());
        quad.clear();
      }
    }
    if (ended && !quad.empty()) {
      auto bytes = core::base64_decode(quad);
      if (!bytes.ok())
        error = "attachment " + std::to_string(i) + " ends with invalid base64";
      else
        mbedtls_sha256_update(&sha, reinterpret_cast<const unsigned char*>(bytes->data()),
                              bytes->size());
    }
    unsigned char digest[32];
    mbedtls_sha256_finish(&sha, digest);
    mbedtls_sha256_free(&sha);
    if (!error.empty()) return error;
    std::string hex = core::hex_encode(std::string_view(reinterpret_cast<char*>(digest), 32));
    if (hex != media_sha256[i])
      return "attachment " + std::to_string(i) + " decodes to other bytes (sha256 " + hex + ")";
    skeleton += "\"\"";
  }
  if (in.get() != -1) return "blob longer than the item";
  if (!json::parse(skeleton).ok()) return "the item without its media is not valid JSON";
  return "";
}

}  // namespace testing_support
