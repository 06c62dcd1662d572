// libFuzzer target: bytes → v1.1/v2 page parse → Item mapping in both styles → serialisation.
// Checks that whatever parses maps to valid JSON with the tweet's id, and that nothing crashes.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string>
#include <string_view>

#include "json/json.h"
#include "twitter/item_mapper.h"
#include "twitter/timeline_pager.h"
#include "twitter/tweet_parser.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view body(reinterpret_cast<const char*>(data), size);
  std::string why;
  auto page = twitter::parse_timeline(body, &why);
  if (!page) {
    if (why.empty()) abort();  // every refusal must say why
    return 0;
  }
  for (const twitter::Tweet& t : page->tweets) {
    for (auto style : {twitter::ItemStyle::Full, twitter::ItemStyle::Reference}) {
      twitter::Item item = twitter::map_tweet(t, *page, twitter::MapOptions{style});
      std::string out = twitter::write_item(item);
      auto back = json::parse(out);
      if (!back) abort();  // the writer must always produce valid JSON
      auto id = json::get_string(back->get(), "Id");
      if (!id || *id != std::to_string(t.id)) abort();
      (void)twitter::write_item(item, twitter::ItemFormat{true, true});
    }
  }
  // The pagers must accept any parsed page of their version without breaking their invariants.
  if (page->version == twitter::ApiVersion::V1) {
    twitter::V1TimelinePager pager("", {});
    auto out = pager.consume(*page);
    if (out)
      for (size_t i : out->accepted)
        if (i >= page->tweets.size()) abort();
  } else {
    twitter::V2TimelinePager pager("1", {});
    auto out = pager.consume(*page);
    if (out)
      for (size_t i : out->accepted)
        if (i >= page->tweets.size()) abort();
  }
  return 0;
}
