// Implementation of m365/aad_token_provider.h.
#include "m365/aad_token_provider.h"

#include <memory>

namespace m365 {

AadTokenProvider::AadTokenProvider(uv::Loop& loop, AadTokenClient& client)
    : loop_(loop), client_(client) {}

AadTokenProvider::~AadTokenProvider() = default;

TokenResult token_result(const core::Result<AadToken>& r, const std::string& detail) {
  TokenResult t;
  if (r.ok()) {
    t.ok = true;
    t.access_token = r->access_token;
    return t;
  }
  t.error = r.error();
  t.permanent = r.error().code == core::Errc::Config;
  t.message = "cannot get an Azure AD token for the Event API";
  if (!detail.empty()) t.message += ": " + detail;
  if (t.permanent)
    t.message += " (check the AAD application id and secret in the connector configuration)";
  return t;
}

void AadTokenProvider::get_token(const std::string& tenant, Callback cb) {
  std::weak_ptr<char> alive = alive_;
  auto shared_cb = std::make_shared<Callback>(std::move(cb));
  core::Status st =
      client_.acquire(tenant, [this, alive, shared_cb](const core::Result<AadToken>& r) {
        if (alive.expired()) return;
        (*shared_cb)(token_result(r, r.ok() ? "" : client_.last_error()));
      });
  if (st.ok()) return;
  std::string detail = client_.has_credentials()
                           ? std::string(core::errc_message(st.error().code))
                           : "the AAD application id or secret is not configured";
  refused_.emplace_back(std::move(*shared_cb),
                        token_result(core::Result<AadToken>(st.error()), detail));
  if (!timer_) timer_ = uv::Timer::create(loop_.get(), this);
  timer_->start(0);
}

void AadTokenProvider::on_timer(uv::Timer*) {
  auto due = std::move(refused_);
  refused_.clear();
  std::weak_ptr<char> alive = alive_;
  for (auto& [cb, result] : due) {
    cb(result);
    if (alive.expired()) return;  // a callback destroyed the provider
  }
}

}  // namespace m365
