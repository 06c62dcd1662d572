// MemoryStore: the Store semantics of store/state.h with nothing written anywhere. A real
// implementation (same validation, queue, leases, poison cap and callback ordering as
// FileStore) for tests of the layers above and for a throwaway run; a restart loses it all.
#pragma once

#include <memory>

#include "store/indexed_store.h"

namespace store {

class MemoryStore final : public IndexedStore {
 public:
  // The loop delivers callbacks; the clock drives leases, TTLs and timestamps. Both must
  // outlive the store.
  MemoryStore(uv_loop_t* loop, const core::Clock& clock);
  ~MemoryStore() override;

 private:
  void commit(json::Json ops, uint64_t seq) override;
  bool commit_in_flight() const override;
};

}  // namespace store
