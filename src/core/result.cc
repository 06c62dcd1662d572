// Names and messages for Errc, generated from the one X-macro in result.h.
#include "core/result.h"

namespace core {

const char* errc_name(Errc code) noexcept {
  switch (code) {
#define TC_ERRC_NAME(name, msg) \
  case Errc::name: return #name;
    TC_ERRC_MAP(TC_ERRC_NAME)
#undef TC_ERRC_NAME
  }
  return "Unknown";
}

const char* errc_message(Errc code) noexcept {
  switch (code) {
#define TC_ERRC_MSG(name, msg) \
  case Errc::name: return msg;
    TC_ERRC_MAP(TC_ERRC_MSG)
#undef TC_ERRC_MSG
  }
  return "unknown error";
}

}  // namespace core
