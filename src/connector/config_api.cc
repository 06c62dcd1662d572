// Setup and Configuration endpoints; see config_api.h. Updates are read-modify-write on the
// whole Settings record, so they run one at a time (a queue): two admins saving different
// fields at once both keep their change.
#include "connector/config_api.h"

#include <cJSON.h>

#include <utility>

#include "core/limits.h"
#include "core/log.h"

namespace connector {
namespace log = core::log;
using core::Errc;

const std::array<ConfigField, kConfigFieldCount>& config_fields() {
  static const std::array<ConfigField, kConfigFieldCount> fields = {{
      {"TwitterApiKeyValue", "TwitterApiKeySet", true, &store::Settings::twitter_api_key},
      {"TwitterApiSecretKeyValue", "TwitterApiSecretKeySet", true,
       &store::Settings::twitter_api_secret_key},
      {"TwitterAccessTokenValue", "TwitterAccessTokenSet", true,
       &store::Settings::twitter_access_token},
      {"TwitterAccessTokenSecretValue", "TwitterAccessTokenSecretSet", true,
       &store::Settings::twitter_access_token_secret},
      {"AADAppIdValue", "AADAppIdSet", false, &store::Settings::aad_app_id},
      {"AADAppSecretValue", "AADAppSecretSet", true, &store::Settings::aad_app_secret},
  }};
  return fields;
}

json::Json configuration_view(const store::Settings& s) {
  json::Json out = json::object();
  for (const ConfigField& f : config_fields()) {
    const std::string& v = s.*f.member;
    if (f.secret || v.empty())
      json::add_null(out.get(), f.value_key);
    else
      json::add_string(out.get(), f.value_key, v);
    json::add_bool(out.get(), f.set_key, !v.empty());
  }
  return out;
}

bool ConfigurationUpdate::empty() const {
  for (const auto& v : values)
    if (v) return false;
  return true;
}

core::Result<ConfigurationUpdate> parse_configuration_update(std::string_view body,
                                                             std::string* message) {
  if (body.size() > core::limits::kMaxConfigurationBodyBytes) {
    *message = "the configuration body is larger than " +
               std::to_string(core::limits::kMaxConfigurationBodyBytes) + " bytes";
    return core::make_error(Errc::TooLarge, "configuration body");
  }
  auto doc = json::parse(body);
  if (!doc.ok()) {
    *message =
        "the body is not valid JSON; send an object such as {\"TwitterApiKeyValue\":\"...\"}";
    return core::make_error(Errc::Parse, "configuration body");
  }
  if (!cJSON_IsObject(doc->get())) {
    *message =
        "the body must be a JSON object with the keys TwitterApiKeyValue, "
        "TwitterApiSecretKeyValue, "
        "TwitterAccessTokenValue, TwitterAccessTokenSecretValue, AADAppIdValue, AADAppSecretValue";
    return core::make_error(Errc::Parse, "configuration body");
  }
  ConfigurationUpdate u;
  for (size_t i = 0; i < kConfigFieldCount; ++i) {
    const ConfigField& f = config_fields()[i];
    const cJSON* item = json::get_ci(doc->get(), f.value_key);
    if (!item || cJSON_IsNull(item)) continue;
    if (!cJSON_IsString(item) || !item->valuestring) {
      *message = std::string(f.value_key) + " must be a string (or \"\" to keep the stored value)";
      return core::make_error(Errc::Parse, "configuration value");
    }
    std::string_view v = item->valuestring;
    if (v.empty()) continue;
    if (v.size() > core::limits::kMaxStoreValueBytes) {
      *message = std::string(f.value_key) + " is longer than " +
                 std::to_string(core::limits::kMaxStoreValueBytes) + " bytes";
      return core::make_error(Errc::TooLarge, "configuration value");
    }
    for (unsigned char c : v) {
      if (c < 0x20 || c == 0x7f) {
        *message =
            std::string(f.value_key) +
            " contains a control character (a line break from copying?); paste the value alone";
        return core::make_error(Errc::Parse, "configuration value");
      }
    }
    u.values[i] = std::string(v);
  }
  return u;
}

void apply_update(const ConfigurationUpdate& update, store::Settings* settings) {
  for (size_t i = 0; i < kConfigFieldCount; ++i)
    if (update.values[i]) settings->*config_fields()[i].member = *update.values[i];
}

http::Handler ConfigApi::validate_handler() {
  return [](http::Request&, http::Responder res) {
    json::Json out = json::object();
    json::add_bool(out.get(), "Status", true);
    json::add_null(out.get(), "Message");
    res.respond(http::Response::json(200, out.get()));
  };
}

http::Handler ConfigApi::get_handler() {
  return [this](http::Request&, http::Responder res) { get(std::move(res)); };
}

http::Handler ConfigApi::post_handler() {
  return [this](http::Request& req, http::Responder res) { post(req, std::move(res)); };
}

void ConfigApi::get(http::Responder res) {
  auto held = std::make_shared<http::Responder>(std::move(res));
  store_.get_settings([held](core::Result<store::Settings> s) {
    if (!s.ok()) {
      log::error("cannot read the configuration from the store",
                 {log::f("error", s.error().where)});
      held->respond(
          http::Response::error(503, "the configuration store is unavailable; retry later"));
      return;
    }
    json::Json view = configuration_view(*s);
    http::Response r = http::Response::json(200, view.get());
    r.headers.set("Cache-Control", "no-store");
    held->respond(std::move(r));
  });
}

void ConfigApi::post(http::Request& req, http::Responder res) {
  std::string message;
  auto update = parse_configuration_update(req.body, &message);
  if (!update.ok()) {
    res.respond(http::Response::error(update.error().code == Errc::TooLarge ? 413 : 400, message));
    return;
  }
  if (queue_.size() >= core::limits::kMaxQueuedConfigurationUpdates) {
    http::Response r =
        http::Response::error(503, "too many configuration changes at once; retry in a moment");
    r.headers.set("Retry-After", "1");
    res.respond(std::move(r));
    return;
  }
  queue_.push_back(PendingUpdate{std::move(*update), std::move(res)});
  next();
}

void ConfigApi::next() {
  if (writing_ || queue_.empty()) return;
  writing_ = true;
  store_.get_settings([this](core::Result<store::Settings> current) {
    auto fail = [this](const char* what, const core::Error& e) {
      log::error("cannot save the configuration", {log::f("step", what), log::f("error", e.where),
                                                   log::f("code", core::errc_name(e.code))});
      PendingUpdate p = std::move(queue_.front());
      queue_.pop_front();
      writing_ = false;
      p.res.respond(
          http::Response::error(503, "the configuration could not be saved; retry later"));
      next();
    };
    if (!current.ok()) return fail("read", current.error());
    store::Settings s = std::move(*current);
    apply_update(queue_.front().update, &s);
    store::Settings saved = s;
    store_.put_settings(std::move(s), [this, fail, saved = std::move(saved)](core::Status st) {
      if (!st.ok()) return fail("write", st.error());
      PendingUpdate p = std::move(queue_.front());
      queue_.pop_front();
      writing_ = false;
      log::info("configuration saved", {log::f("fields", static_cast<unsigned long long>([&] {
                                                 size_t n = 0;
                                                 for (const auto& v : p.update.values)
                                                   n += v ? 1 : 0;
                                                 return n;
                                               }()))});
      p.res.respond(http::Response::text(200, "true", "application/json; charset=utf-8"));
      if (on_saved_) on_saved_(saved);
      next();
    });
  });
}

}  // namespace connector
