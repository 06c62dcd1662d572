// m365::AadTokenProvider: the Event API's TokenProvider (m365/event_api.h) on top of the
// AadTokenClient, so the completion client asks for "a token for this tenant" without knowing
// about client credentials. AAD configuration errors (wrong secret, unknown app or tenant) are
// marked permanent: the task reports PermanentFailure instead of retrying for hours.
#pragma once

#include <string>
#include <vector>

#include "m365/aad_token_client.h"
#include "m365/event_api.h"
#include "uv/loop.h"
#include "uv/timer.h"

namespace m365 {

class AadTokenProvider final : public TokenProvider, uv::Timer::Handler {
 public:
  // loop and client outlive the provider.
  AadTokenProvider(uv::Loop& loop, AadTokenClient& client);
  // Drops callbacks not delivered yet.
  ~AadTokenProvider() override;
  AadTokenProvider(const AadTokenProvider&) = delete;
  AadTokenProvider& operator=(const AadTokenProvider&) = delete;

  void get_token(const std::string& tenant, Callback cb) override;
  void invalidate(const std::string& tenant) override { client_.invalidate(tenant); }

 private:
  void on_timer(uv::Timer* timer) override;

  uv::Loop& loop_;
  AadTokenClient& client_;
  // acquire() refused at once: delivered from the next loop turn (contract: never inside).
  std::vector<std::pair<Callback, TokenResult>> refused_;
  uv::Ptr<uv::Timer> timer_;
  std::shared_ptr<char> alive_ = std::make_shared<char>(0);  // guards the client's callbacks
};

// The TokenResult for an AadTokenClient outcome (exposed for tests).
TokenResult token_result(const core::Result<AadToken>& r, const std::string& detail);

}  // namespace m365
