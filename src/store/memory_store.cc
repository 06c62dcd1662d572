// Implementation of store/memory_store.h (out of line so the vtable lives in the library).
#include "store/memory_store.h"

namespace store {

MemoryStore::MemoryStore(uv_loop_t* loop, const core::Clock& clock) : IndexedStore(loop, clock) {}
MemoryStore::~MemoryStore() = default;

// Nothing to write: the change is as durable as this backend gets once it is in the index.
void MemoryStore::commit(json::Json, uint64_t seq) { set_durable(seq); }
bool MemoryStore::commit_in_flight() const { return false; }

}  // namespace store
