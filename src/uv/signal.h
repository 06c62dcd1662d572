// Signal watcher (SIGTERM/SIGINT for graceful shutdown) on the loop.
#pragma once

#include "uv/handle.h"

namespace uv {

class Signal final : public Handle<uv_signal_t> {
 public:
  class Handler {
   public:
    virtual void on_signal(Signal* s, int signum) = 0;

   protected:
    ~Handler() = default;
  };
  static Ptr<Signal> create(uv_loop_t* loop, Handler* handler);
  [[nodiscard]] int start(int signum);
  void unref() { uv_unref(reinterpret_cast<uv_handle_t*>(&handle_)); }

 private:
  explicit Signal(Handler* h) : handler_(h) {}
  Handler* handler_;
};

}  // namespace uv
