// Implementation of uv/signal.h.
#include "uv/signal.h"

#include <cstdio>
#include <cstdlib>

namespace uv {

Ptr<Signal> Signal::create(uv_loop_t* loop, Handler* handler) {
  auto* s = new Signal(handler);
  int rc = uv_signal_init(loop, &s->handle_);
  if (rc != 0) {
    fprintf(stderr, "fatal: uv_signal_init: %s\n", uv_strerror(rc));
    abort();
  }
  return Ptr<Signal>(s);
}

int Signal::start(int signum) {
  return uv_signal_start(
      &handle_,
      [](uv_signal_t* h, int sig) {
        auto* self = static_cast<Signal*>(h->data);
        if (!self->closing_) self->handler_->on_signal(self, sig);
      },
      signum);
}

}  // namespace uv
