// SecretCodec over SecretBox; see box_codec.h.
#include "store/box_codec.h"

#include "core/codec.h"

namespace store {

core::Result<std::unique_ptr<BoxCodec>> BoxCodec::from_raw_key(std::string_view raw32,
                                                               core::Rng& rng) {
  // SecretKey validates the length; its only entry point is base64, as the variable is given.
  auto key = SecretKey::from_base64(core::base64_encode(raw32));
  if (!key.ok()) return key.error();
  return std::make_unique<BoxCodec>(*key, rng);
}

core::Result<std::string> BoxCodec::seal(std::string_view plaintext, std::string_view context) {
  return box_.seal(plaintext, context, rng_);
}

core::Result<std::string> BoxCodec::open(std::string_view sealed, std::string_view context) {
  return box_.open(sealed, context);
}

}  // namespace store
