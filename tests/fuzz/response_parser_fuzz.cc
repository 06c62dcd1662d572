// libFuzzer driver for the client's response parser (http/response_parser.h): the first two
// bytes choose the piece size and HEAD mode, the rest is the server's reply. `make fuzz`
// grows tests/fuzz/corpus/response_parser/; `make test` replays it.
#include <cstddef>
#include <cstdint>

#include "http/response_parser.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  http::fuzz_response_parser(data, size);
  return 0;
}
