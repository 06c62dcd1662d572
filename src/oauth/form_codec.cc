// Form and query string codec; see form_codec.h for the two reading modes.
#include "oauth/form_codec.h"

#include "core/codec.h"
#include "core/limits.h"

namespace oauth {

namespace {

using core::Errc;
using core::make_error;

// Calls item(name_raw, value_raw, had_equals) for each non-empty '&'-separated item.
template <class F>
core::Status split_items(std::string_view text, F&& item) {
  size_t count = 0;
  size_t pos = 0;
  while (pos <= text.size()) {
    size_t amp = text.find('&', pos);
    if (amp == std::string_view::npos) amp = text.size();
    std::string_view part = text.substr(pos, amp - pos);
    pos = amp + 1;
    if (part.empty()) continue;
    if (++count > core::limits::kMaxFormFields)
      return make_error(Errc::TooLarge, "form: too many fields");
    size_t eq = part.find('=');
    bool has_eq = eq != std::string_view::npos;
    std::string_view name = has_eq ? part.substr(0, eq) : part;
    std::string_view value = has_eq ? part.substr(eq + 1) : std::string_view();
    TC_TRY(item(name, value, has_eq));
  }
  return core::ok_status();
}

core::Result<Param> decode_pair(std::string_view name, std::string_view value) {
  auto n = core::percent_decode(name, true);
  if (!n.ok()) return make_error(Errc::Parse, "form: bad percent escape in a name");
  auto v = core::percent_decode(value, true);
  if (!v.ok()) return make_error(Errc::Parse, "form: bad percent escape in a value");
  return Param{std::move(*n), std::move(*v)};
}

}  // namespace

core::Result<Params> parse_pairs(std::string_view text) {
  Params out;
  auto st = split_items(text, [&](std::string_view n, std::string_view v, bool) -> core::Status {
    auto p = decode_pair(n, v);
    if (!p.ok()) return p.error();
    out.push_back(std::move(*p));
    return core::ok_status();
  });
  if (!st.ok()) return st.error();
  return out;
}

core::Result<Params> parse_form_strict(std::string_view text) {
  if (text.size() > core::limits::kMaxOAuthResponseBytes)
    return make_error(Errc::TooLarge, "form: body too large");
  Params out;
  auto st =
      split_items(text, [&](std::string_view n, std::string_view v, bool has_eq) -> core::Status {
        if (!has_eq) return make_error(Errc::Parse, "form: item without '='");
        if (n.empty()) return make_error(Errc::Parse, "form: empty name");
        auto p = decode_pair(n, v);
        if (!p.ok()) return p.error();
        if (find_param(out, p->name)) return make_error(Errc::Parse, "form: duplicate name");
        out.push_back(std::move(*p));
        return core::ok_status();
      });
  if (!st.ok()) return st.error();
  return out;
}

const std::string* find_param(const Params& params, std::string_view name) {
  for (const Param& p : params)
    if (p.name == name) return &p.value;
  return nullptr;
}

std::string encode_form(const Params& params) {
  std::string out;
  for (const Param& p : params) {
    if (!out.empty()) out += '&';
    core::percent_encode_to(p.name, &out);
    out += '=';
    core::percent_encode_to(p.value, &out);
  }
  return out;
}

}  // namespace oauth
