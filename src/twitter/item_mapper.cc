// Implementation of twitter/item_mapper.h.
#include "twitter/item_mapper.h"

#include "core/limits.h"
#include "twitter/text.h"

namespace twitter {
namespace {

// R1: ThreadId/ParentId are the replied-to id only for a reply to oneself, else "".
std::string self_reply_parent(const Tweet& t) {
  if (!t.in_reply_to_status_id || t.author.id.empty() || t.in_reply_to_user_id != t.author.id)
    return "";
  return std::to_string(t.in_reply_to_status_id);
}

void fill_common(const Tweet& t, Item* it) {
  it->id = std::to_string(t.id);
  it->container_id = t.author.id;
  it->container_name = t.author.name;
  it->thread_id = it->parent_id = self_reply_parent(t);
  it->sender.id = t.author.id;
  it->sender.photo_url = t.author.profile_image_url;
  it->sender.name = t.author.name ? *t.author.name : std::string("Anonymous");
  it->sent_time_utc = format_sent_time(t.created_at_s);
  it->num_of_likes = t.like_count;
}

Item map_reference(const Tweet& t, const Page& page, int depth) {
  Item it;
  fill_common(t, &it);
  it.item_type = "Tweet";
  it.content = it.message_preview_text = t.text;
  // R2: only replies get a PreContext, and only from an embedded quoted/retweeted status.
  if (t.in_reply_to_status_id && depth < core::limits::kMaxEmbeddedTweetDepth) {
    const Ref* r = t.ref(t.is_quote_status ? RefType::Quoted : RefType::Retweeted);
    bool visible =
        !r || r->type != RefType::Quoted || page.version == ApiVersion::V2 || t.quoted_embedded;
    const Tweet* parent = r && visible ? page.find_included(r->id) : nullptr;
    if (parent) it.pre_context = std::vector<Item>{map_reference(*parent, page, depth + 1)};
  }
  // R3: entities.media first, then extended media not already listed; thumbnails for videos.
  bool has_entity_media = !t.entity_media_urls.empty() && !t.entity_media_urls[0].empty();
  if (has_entity_media || (page.version == ApiVersion::V2 && !t.media.empty())) {
    std::vector<std::string> uris = t.entity_media_urls;
    for (const Media& m : t.media) {
      const std::string& u = m.url.empty() ? m.preview_url : m.url;
      bool seen = u.empty();
      for (const std::string& x : uris) seen = seen || x == u;
      if (!seen) uris.push_back(u);
    }
    it.attachments.emplace();
    for (std::string& u : uris)
      it.attachments->push_back({std::nullopt, std::move(u), "media", std::nullopt});
  }
  return it;
}

const char* item_type(const Tweet& t) {
  if (t.ref(RefType::Retweeted)) return "Retweet";
  if (t.ref(RefType::RepliedTo) || t.in_reply_to_status_id) return "Reply";
  if (t.ref(RefType::Quoted)) return "Quote";
  return "Tweet";
}

// "RT @user: " from the retweet's own (truncated) text, for when the author is unknown.
std::string rt_prefix(const Tweet& retweet, const Tweet* original) {
  if (original && !original->author.username.empty())
    return "RT @" + original->author.username + ": ";
  std::string_view s = retweet.text;
  size_t colon = s.find(": ");
  if (s.substr(0, 4) == "RT @" && colon != std::string_view::npos)
    return std::string(s.substr(0, colon + 2));
  return "";
}

void add_media(const Tweet& t, std::vector<ItemAttachment>* out, std::vector<std::string>* seen) {
  for (const Media& m : t.media) {
    auto choice = select_media(m);
    if (!choice) continue;
    bool dup = false;
    for (const std::string& u : *seen) dup = dup || u == choice->uri;
    if (dup) continue;
    seen->push_back(choice->uri);
    out->push_back(
        {std::nullopt, choice->uri, choice->type,
         choice->file_name.empty() ? std::nullopt : std::optional<std::string>(choice->file_name)});
  }
}

Item map_full(const Tweet& t, const Page& page, int depth) {
  Item it;
  fill_common(t, &it);
  it.item_type = item_type(t);
  const Ref* rt = t.ref(RefType::Retweeted);
  const Tweet* original = rt ? page.find_included(rt->id) : nullptr;
  if (original) {
    // The retweet's own text is cut at 140 characters; the original has all of it.
    it.content = decode_html_entities(rt_prefix(t, original) + full_text(*original));
    it.message_preview_text = it.content;
  } else {
    it.content = decode_html_entities(full_text(t));
    if (t.display_range && t.note_text.empty())
      it.message_preview_text = decode_html_entities(
          slice_code_points(t.text, t.display_range->first, t.display_range->second));
    else
      it.message_preview_text = it.content;
  }
  if (depth < core::limits::kMaxEmbeddedTweetDepth) {
    // Retweeted post first (it is the content), then the quoted one, then the replied-to one.
    std::vector<Item> ctx;
    for (RefType type : {RefType::Retweeted, RefType::Quoted, RefType::RepliedTo})
      for (const Ref& r : t.refs)
        if (const Tweet* ref = r.type == type ? page.find_included(r.id) : nullptr;
            ref && ref != &t)
          ctx.push_back(map_full(*ref, page, depth + 1));
    if (!ctx.empty()) it.pre_context = std::move(ctx);
  }
  std::vector<ItemAttachment> atts;
  std::vector<std::string> seen;
  add_media(t, &atts, &seen);
  // Media of a retweeted post is often only on the original (fixtures: Bioconductor).
  if (original) add_media(*original, &atts, &seen);
  if (!atts.empty()) it.attachments = std::move(atts);
  return it;
}

std::string_view url_path_end(std::string_view url) {
  size_t cut = url.find_first_of("?#");
  return cut == std::string_view::npos ? url : url.substr(0, cut);
}

}  // namespace

const std::string& full_text(const Tweet& t) { return t.note_text.empty() ? t.text : t.note_text; }

Item map_tweet(const Tweet& tweet, const Page& page, const MapOptions& options) {
  return options.style == ItemStyle::Reference ? map_reference(tweet, page, 0)
                                               : map_full(tweet, page, 0);
}

std::string file_name_from_url(std::string_view url) {
  std::string_view path = url_path_end(url);
  size_t scheme = path.find("://");
  if (scheme != std::string_view::npos) {
    size_t slash = path.find('/', scheme + 3);
    if (slash == std::string_view::npos) return "";
    path = path.substr(slash);
  }
  size_t last = path.rfind('/');
  std::string_view name = last == std::string_view::npos ? path : path.substr(last + 1);
  // Legacy size suffix "x.jpg:large" is not part of the file name.
  size_t colon = name.find(':');
  if (colon != std::string_view::npos) name = name.substr(0, colon);
  return std::string(name);
}

std::string photo_original_url(std::string_view url) {
  constexpr std::string_view kHost = "https://pbs.twimg.com/";
  if (url.substr(0, kHost.size()) != kHost) return std::string(url);
  std::string base(url_path_end(url));
  size_t slash = base.rfind('/');
  size_t colon = base.find(':', slash == std::string::npos ? 0 : slash);
  if (colon != std::string::npos) base.resize(colon);  // "x.jpg:large" (legacy size suffix)
  return base + "?name=orig";
}

const MediaVariant* best_mp4(const Media& media) {
  const MediaVariant* best = nullptr;
  for (const MediaVariant& v : media.variants) {
    if (v.content_type != "video/mp4") continue;
    if (!best || (v.bitrate < 0 ? 0 : v.bitrate) > (best->bitrate < 0 ? 0 : best->bitrate))
      best = &v;
  }
  return best;
}

std::optional<MediaChoice> select_media(const Media& m) {
  MediaChoice c;
  if (m.type == "video" || m.type == "animated_gif") {
    if (const MediaVariant* v = best_mp4(m)) {
      c.uri = v->url;
      c.type = m.type;
    } else if (!m.preview_url.empty()) {
      c.uri = m.preview_url;
      c.type = m.type + "_preview";
    } else {
      return std::nullopt;
    }
  } else {
    const std::string& u = m.url.empty() ? m.preview_url : m.url;
    if (u.empty()) return std::nullopt;
    c.uri = photo_original_url(u);
    c.type = m.type.empty() ? "photo" : m.type;
  }
  c.file_name = file_name_from_url(c.uri);
  return c;
}

}  // namespace twitter
