// The setup endpoints of the connector's admin page (m365-connector-protocol.md §2, §14):
//   GET  /setup/Validate     -> {"Status":true,"Message":null} (the caller got past auth)
//   GET  /api/Configuration  -> the non-secret values and, per secret, only whether it is set
//   POST /api/Configuration  -> the reference's six keys; "" or absent keeps the stored value;
//                               answers true once the change is durable in the Store
// Secrets never leave the process through this API. Register each behind the auth middleware:
//   router.get("/api/Configuration", auth.protect(config_api.get_handler()));
#pragma once

#include <array>
#include <cstddef>
#include <deque>
#include <functional>
#include <optional>
#include <string>
#include <string_view>

#include "core/result.h"
#include "http/router.h"
#include "json/json.h"
#include "store/store.h"

namespace connector {

// One setting as the API names it. secret: GET says only "<Name>Set": true/false.
struct ConfigField {
  const char* value_key;  // "TwitterApiKeyValue" (the reference's name)
  const char* set_key;    // "TwitterApiKeySet"
  bool secret;
  std::string store::Settings::*member;
};
inline constexpr size_t kConfigFieldCount = 6;
const std::array<ConfigField, kConfigFieldCount>& config_fields();

// GET body: {"TwitterApiKeyValue":null,"TwitterApiKeySet":true,...,"AADAppIdValue":"<id>",
// "AADAppIdSet":true,...}. Secret values are always null; a non-secret value is null when unset.
json::Json configuration_view(const store::Settings& s);

// Parsed POST body: per field, the new value, or nullopt to keep the stored one.
struct ConfigurationUpdate {
  std::array<std::optional<std::string>, kConfigFieldCount> values;
  bool empty() const;
};
// Errors (Errc::Parse / Errc::TooLarge) with *message for the caller: not JSON, not an object,
// a known key whose value is not a string, a value with control characters or longer than
// limits::kMaxStoreValueBytes. Unknown keys are ignored (as the reference's model binding does).
core::Result<ConfigurationUpdate> parse_configuration_update(std::string_view body,
                                                             std::string* message);
void apply_update(const ConfigurationUpdate& update, store::Settings* settings);

class ConfigApi {
 public:
  // store must outlive the api; the api must outlive the routes and the store's callbacks.
  explicit ConfigApi(store::Store& store) : store_(store) {}

  static http::Handler validate_handler();
  http::Handler get_handler();
  http::Handler post_handler();
  // Runs after each successful save with the stored settings (e.g. new AAD app credentials).
  void on_saved(std::function<void(const store::Settings&)> fn) { on_saved_ = std::move(fn); }

 private:
  struct PendingUpdate {
    ConfigurationUpdate update;
    http::Responder res;
  };
  void get(http::Responder res);
  void post(http::Request& req, http::Responder res);
  void next();  // starts the oldest queued update unless one is being written

  store::Store& store_;
  std::deque<PendingUpdate> queue_;
  bool writing_ = false;
  std::function<void(const store::Settings&)> on_saved_;
};

}  // namespace connector
