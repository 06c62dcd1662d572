// The files of src/web/assets as the build compiled them into the binary
// ($(BUILD)/gen/web_assets.cc, written by src/web/embed_assets.sh). Read-only, static storage:
// views into them stay valid for the life of the process.
#pragma once

#include <cstddef>
#include <string_view>

namespace web {

struct EmbeddedFile {
  const char* name;           // path below src/web/assets, e.g. "configure.html"
  const unsigned char* data;  // size bytes (followed by a 0 that is not part of the file)
  size_t size;
};

extern const EmbeddedFile kEmbeddedFiles[];
extern const size_t kEmbeddedFileCount;

inline std::string_view contents(const EmbeddedFile& f) {
  return {reinterpret_cast<const char*>(f.data), f.size};
}

}  // namespace web
