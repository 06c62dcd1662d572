// Ownership of libuv handles (uvw's model): each wrapper lives on the heap, cannot be copied or
// moved, points the uv handle's data at itself, and is deleted only in its close callback.
// Owners hold a uv::Ptr<T>; dropping it calls close(), after which no callback reaches the
// owner again. close() is idempotent.
#pragma once

#include <uv.h>

#include <memory>

namespace uv {

template <class UvType>
class Handle {
 public:
  Handle(const Handle&) = delete;
  Handle& operator=(const Handle&) = delete;

  void close() {
    if (closing_) return;
    closing_ = true;
    uv_close(reinterpret_cast<uv_handle_t*>(&handle_),
             [](uv_handle_t* h) { delete static_cast<Handle*>(h->data); });
  }
  bool closing() const { return closing_; }
  UvType* raw() { return &handle_; }
  uv_loop_t* loop() { return handle_.loop; }

 protected:
  Handle() { handle_.data = this; }
  virtual ~Handle() = default;

  UvType handle_{};
  bool closing_ = false;  // set by close(); callbacks check it before reaching the owner
};

template <class T>
struct Closer {
  void operator()(T* h) const { h->close(); }
};
template <class T>
using Ptr = std::unique_ptr<T, Closer<T>>;

}  // namespace uv
