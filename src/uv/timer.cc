// Implementation of uv/timer.h.
#include "uv/timer.h"

#include <cstdio>
#include <cstdlib>

namespace uv {

Ptr<Timer> Timer::create(uv_loop_t* loop, Handler* handler) {
  auto* t = new Timer(handler);
  int rc = uv_timer_init(loop, &t->handle_);
  if (rc != 0) {  // uv_timer_init cannot fail on Linux; treat as a broken environment
    fprintf(stderr, "fatal: uv_timer_init: %s\n", uv_strerror(rc));
    abort();
  }
  return Ptr<Timer>(t);
}

void Timer::start(uint64_t timeout_ms, uint64_t repeat_ms) {
  if (closing_) return;
  uv_timer_start(
      &handle_,
      [](uv_timer_t* h) {
        auto* self = static_cast<Timer*>(h->data);
        if (!self->closing_) self->handler_->on_timer(self);
      },
      timeout_ms, repeat_ms);
}

void Timer::stop() {
  if (!closing_) uv_timer_stop(&handle_);
}

}  // namespace uv
