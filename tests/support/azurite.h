// Azurite (the Azure Storage emulator, npm `azurite`, installed by `npm ci --prefix tests`)
// for the blob upload tests: its blob service over HTTPS with the test CA's certificate on
// 127.0.0.1, data in a temporary --location, stopped with the object. Containers are made
// with Shared Key requests and container SAS URIs are signed by hand with the emulator's
// well-known devstoreaccount1 key; blobs are listed and read back with curl.
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "support/subprocess.h"

namespace testing_support {

class Azurite {
 public:
  static constexpr char kAccount[] = "devstoreaccount1";
  // The emulator's published account key (not a secret).
  static constexpr char kAccountKey[] =
      "Eby8vdM02xNOcqFlqUwJPLlmEtlCDXJ1OUzFT50uSRZ6IFsuFq2UVErCz4I6tq/K1SZFPTOtr/KBHBeksoGMGw==";

  Azurite();
  ~Azurite();

  // Empty when Azurite is installed, else what to run to install it.
  static std::string missing_reason();

  // Starts the blob service (port 0: any free port; restarting passes the previous one so
  // SAS URIs stay valid). false with error() on failure.
  bool start(int port = 0);
  void stop();
  bool running() const { return proc_ != nullptr; }
  int port() const { return port_; }
  const std::string& error() const { return error_; }
  std::string ca_file() const;
  // https://127.0.0.1:PORT/devstoreaccount1
  std::string account_url() const;

  bool create_container(const std::string& name);
  // Container SAS URI (sv=2021-08-06, sr=c, spr=https) valid until now + expires_in_s (negative:
  // already expired).
  std::string container_sas_uri(const std::string& container,
                                const std::string& permissions = "rcwl",
                                int64_t expires_in_s = 3600) const;

  struct BlobInfo {
    std::string name;
    uint64_t size = 0;
    std::string content_type;
  };
  // Every blob of the container, or nullopt (error()) if the listing failed.
  std::optional<std::vector<BlobInfo>> list_blobs(const std::string& container);
  // Downloads a blob into a file; false (error()) on failure.
  bool download_blob(const std::string& container, const std::string& name,
                     const std::string& file);
  std::optional<std::string> read_blob(const std::string& container, const std::string& name);

 private:
  std::pair<int, std::string> curl(std::vector<std::string> args);

  TempDir dir_;
  std::unique_ptr<Subprocess> proc_;
  int port_ = 0;
  std::string error_;
};

// HMAC-SHA256(base64-decoded key, text), base64 — the Storage signature (exposed for tests).
std::string storage_signature(const std::string& key_b64, const std::string& string_to_sign);

}  // namespace testing_support
