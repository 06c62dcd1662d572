// BoxCodec: the store's SecretCodec backed by store::SecretBox (AES-256-GCM with the key from
// CONNECTOR_ENCRYPTION_KEY). The store passes the field name as context; it becomes the
// SecretBox label, so a sealed value copied into another field fails to open. Sealed bytes are
// returned raw: the store base64-encodes them into {"sealed":...}.
#pragma once

#include <memory>
#include <string>
#include <string_view>

#include "core/rand.h"
#include "store/secret_box.h"
#include "store/store.h"

namespace store {

class BoxCodec final : public SecretCodec {
 public:
  // rng must outlive the codec and be the system CSPRNG outside tests (nonces).
  BoxCodec(const SecretKey& key, core::Rng& rng) : box_(key), rng_(rng) {}

  // From the decoded 32-byte key of app::Config::encryption_key. Errc::Config otherwise.
  static core::Result<std::unique_ptr<BoxCodec>> from_raw_key(std::string_view raw32,
                                                              core::Rng& rng);

  core::Result<std::string> seal(std::string_view plaintext, std::string_view context) override;
  core::Result<std::string> open(std::string_view sealed, std::string_view context) override;

 private:
  SecretBox box_;
  core::Rng& rng_;
};

}  // namespace store
