// One-shot and repeating timers. The handler is told which Timer fired, so one owner can hold
// several (one timeout per state, as the house style asks).
#pragma once

#include <cstdint>

#include "uv/handle.h"

namespace uv {

class Timer final : public Handle<uv_timer_t> {
 public:
  class Handler {
   public:
    virtual void on_timer(Timer* timer) = 0;

   protected:
    ~Handler() = default;
  };
  static Ptr<Timer> create(uv_loop_t* loop, Handler* handler);
  // Replaces any pending expiry. repeat_ms = 0 for one-shot.
  void start(uint64_t timeout_ms, uint64_t repeat_ms = 0);
  void stop();
  bool active() const { return uv_is_active(reinterpret_cast<const uv_handle_t*>(&handle_)) != 0; }
  void unref() { uv_unref(reinterpret_cast<uv_handle_t*>(&handle_)); }

 private:
  explicit Timer(Handler* h) : handler_(h) {}
  Handler* handler_;
};

}  // namespace uv
