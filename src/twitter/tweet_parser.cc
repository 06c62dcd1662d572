// Implementation of twitter/tweet_parser.h. Field choices follow twitter-api.md §4.2 (v1.1)
// and §5.2 (v2); the quirks handled here are listed in the shared fixtures' README.
#include "twitter/tweet_parser.h"

#include <cstdio>

#include "core/limits.h"
#include "json/json.h"
#include "twitter/text.h"

namespace twitter {
namespace {

namespace lim = core::limits;

// Collects the first failure as a sentence; parsing stops at it.
struct Ctx {
  std::string* why;
  Page* page;
  core::Error fail(const std::string& msg, core::Errc code = core::Errc::Parse) {
    if (why) *why = msg;
    return core::make_error(code, "twitter parse");
  }
};

std::string str(const cJSON* obj, const char* key) {
  auto v = json::get_string(obj, key);
  return v ? std::string(*v) : std::string();
}

std::optional<std::string> nullable_str(const cJSON* obj, const char* key) {
  auto v = json::get_string(obj, key);
  if (!v) return std::nullopt;
  return std::string(*v);
}

// A 64-bit id from a string member; 0 when absent or null. Present but malformed is an error.
bool id_member(const cJSON* obj, const char* key, uint64_t* out) {
  const cJSON* v = cJSON_GetObjectItemCaseSensitive(obj, key);
  *out = 0;
  if (!v || cJSON_IsNull(v)) return true;
  if (!cJSON_IsString(v) || !v->valuestring) return false;
  auto id = json::parse_u64(v->valuestring);
  if (!id) return false;
  *out = *id;
  return true;
}

int64_t count_member(const cJSON* obj, const char* key) {
  auto v = json::get_int(obj, key);
  return v && *v >= 0 ? *v : 0;
}

std::string describe(size_t index, uint64_t id) {
  char buf[64];
  if (id)
    snprintf(buf, sizeof buf, "tweet #%zu (id %llu)", index + 1,
             static_cast<unsigned long long>(id));
  else
    snprintf(buf, sizeof buf, "tweet #%zu", index + 1);
  return buf;
}

void display_range(const cJSON* t, Tweet* out) {
  const cJSON* r = json::get_array(t, "display_text_range");
  if (!r || cJSON_GetArraySize(r) != 2) return;
  const cJSON* a = cJSON_GetArrayItem(r, 0);
  const cJSON* b = cJSON_GetArrayItem(r, 1);
  if (!cJSON_IsNumber(a) || !cJSON_IsNumber(b)) return;
  double x = a->valuedouble, y = b->valuedouble;
  if (x < 0 || y < x || y > 1e6) return;
  out->display_range = {static_cast<uint32_t>(x), static_cast<uint32_t>(y)};
}

void variants_into(const cJSON* arr, const char* bitrate_key, Media* m) {
  const cJSON* v;
  cJSON_ArrayForEach(v, arr) {
    if (m->variants.size() >= lim::kMaxVariantsPerMedia) break;
    MediaVariant mv;
    mv.url = str(v, "url");
    mv.content_type = str(v, "content_type");
    auto br = json::get_int(v, bitrate_key);
    if (br && *br >= 0) mv.bitrate = *br;
    if (!mv.url.empty()) m->variants.push_back(std::move(mv));
  }
}

// --- v1.1 -----------------------------------------------------------------------------------

Media v1_media(const cJSON* m) {
  Media out;
  out.key = str(m, "id_str");
  out.type = str(m, "type");
  std::string url = str(m, "media_url_https");
  if (url.empty()) url = str(m, "media_url");
  if (out.type == "photo")
    out.url = url;
  else
    out.preview_url = url;
  if (const cJSON* vi = json::get_object(m, "video_info"))
    if (const cJSON* vars = json::get_array(vi, "variants")) variants_into(vars, "bitrate", &out);
  return out;
}

core::Status parse_v1_tweet(const cJSON* t, size_t index, int depth, Ctx* ctx, Tweet* out);

// Embedded tweets go to Page::included (deduplicated by id), bounded by depth.
core::Status embed_v1(const cJSON* t, const char* key, RefType type, size_t index, int depth,
                      Ctx* ctx, Tweet* out) {
  const cJSON* inner = json::get_object(t, key);
  if (!inner) return core::ok_status();
  Tweet embedded;
  TC_TRY(parse_v1_tweet(inner, index, depth + 1, ctx, &embedded));
  if (!out->ref(type)) out->refs.push_back({type, embedded.id});
  if (type == RefType::Quoted) out->quoted_embedded = true;
  if (depth + 1 <= lim::kMaxEmbeddedTweetDepth && !ctx->page->find_included(embedded.id)) {
    if (ctx->page->included.size() >= lim::kMaxTweetsPerPage)
      return ctx->fail(
          "more than " + std::to_string(lim::kMaxTweetsPerPage) + " tweets in one response",
          core::Errc::TooLarge);
    ctx->page->included.push_back(std::move(embedded));
  }
  return core::ok_status();
}

core::Status parse_v1_tweet(const cJSON* t, size_t index, int depth, Ctx* ctx, Tweet* out) {
  if (!cJSON_IsObject(t)) return ctx->fail(describe(index, 0) + " is not a JSON object");
  if (!id_member(t, "id_str", &out->id) || out->id == 0)
    return ctx->fail(describe(index, 0) + " has no valid id_str (a decimal string)");
  const std::string who = describe(index, out->id);
  auto created = json::get_string(t, "created_at");
  auto when = created ? parse_v1_date(*created) : std::nullopt;
  if (!when)
    return ctx->fail(
        who + ": created_at is missing or not a v1.1 date like \"Wed Apr 24 08:30:23 +0000 2019\"");
  out->created_at_s = *when;
  auto text = json::get_string(t, "full_text");
  if (!text) text = json::get_string(t, "text");
  if (!text) return ctx->fail(who + ": has neither full_text nor text");
  out->text = std::string(*text);
  display_range(t, out);
  if (const cJSON* u = json::get_object(t, "user")) {
    out->author.id = str(u, "id_str");
    out->author.name = nullable_str(u, "name");
    out->author.username = str(u, "screen_name");
    out->author.profile_image_url = nullable_str(u, "profile_image_url_https");
  }
  if (!id_member(t, "in_reply_to_status_id_str", &out->in_reply_to_status_id))
    return ctx->fail(who + ": in_reply_to_status_id_str is not a decimal id");
  out->in_reply_to_user_id = str(t, "in_reply_to_user_id_str");
  out->is_quote_status = json::get_bool(t, "is_quote_status").value_or(false);
  if (out->in_reply_to_status_id)
    out->refs.push_back({RefType::RepliedTo, out->in_reply_to_status_id});
  uint64_t quoted = 0;
  if (!id_member(t, "quoted_status_id_str", &quoted))
    return ctx->fail(who + ": quoted_status_id_str is not a decimal id");
  if (quoted) out->refs.push_back({RefType::Quoted, quoted});
  out->like_count = count_member(t, "favorite_count");

  const cJSON* ents = json::get_object(t, "entities");
  const cJSON* emedia = ents ? json::get_array(ents, "media") : nullptr;
  const cJSON* m;
  cJSON_ArrayForEach(m, emedia) {
    if (out->entity_media_urls.size() >= lim::kMaxMediaPerTweet) break;
    out->entity_media_urls.push_back(str(m, "media_url_https"));
  }
  const cJSON* ext = json::get_object(t, "extended_entities");
  const cJSON* xmedia = ext ? json::get_array(ext, "media") : nullptr;
  const cJSON* real_media = xmedia ? xmedia : emedia;
  cJSON_ArrayForEach(m, real_media) {
    if (out->media.size() >= lim::kMaxMediaPerTweet) break;
    out->media.push_back(v1_media(m));
  }

  if (depth < lim::kMaxEmbeddedTweetDepth) {
    TC_TRY(embed_v1(t, "retweeted_status", RefType::Retweeted, index, depth, ctx, out));
    TC_TRY(embed_v1(t, "quoted_status", RefType::Quoted, index, depth, ctx, out));
  }
  return core::ok_status();
}

// --- v2 -------------------------------------------------------------------------------------

struct V2Includes {
  std::vector<User> users;
  std::vector<Media> media;
};

core::Status parse_v2_tweet(const cJSON* t, size_t index, Ctx* ctx, Tweet* out,
                            std::vector<std::string>* media_keys) {
  if (!cJSON_IsObject(t)) return ctx->fail(describe(index, 0) + " is not a JSON object");
  if (!id_member(t, "id", &out->id) || out->id == 0)
    return ctx->fail(describe(index, 0) + " has no valid id (a decimal string)");
  const std::string who = describe(index, out->id);
  auto text = json::get_string(t, "text");
  if (!text) return ctx->fail(who + ": has no text");
  out->text = std::string(*text);
  if (const cJSON* note = json::get_object(t, "note_tweet")) out->note_text = str(note, "text");
  if (auto created = json::get_string(t, "created_at")) {
    auto when = parse_rfc3339(*created);
    if (!when)
      return ctx->fail(who + ": created_at \"" + std::string(*created) +
                       "\" is not an RFC 3339 time");
    out->created_at_s = *when;
  } else if (auto ms = snowflake_unix_ms(out->id)) {
    // created_at not requested: the snowflake id carries the creation time to the millisecond.
    out->created_at_s = *ms / 1000;
  } else {
    return ctx->fail(who + ": has no created_at and its id predates snowflake ids");
  }
  display_range(t, out);
  out->author.id = str(t, "author_id");
  out->in_reply_to_user_id = str(t, "in_reply_to_user_id");
  if (!id_member(t, "conversation_id", &out->conversation_id))
    return ctx->fail(who + ": conversation_id is not a decimal id");
  const cJSON* r;
  cJSON_ArrayForEach(r, json::get_array(t, "referenced_tweets")) {
    auto type = json::get_string(r, "type");
    uint64_t id = 0;
    if (!type || !id_member(r, "id", &id) || id == 0)
      return ctx->fail(who + ": a referenced_tweets entry lacks a type or a decimal id");
    RefType rt;
    if (*type == "replied_to")
      rt = RefType::RepliedTo;
    else if (*type == "quoted")
      rt = RefType::Quoted;
    else if (*type == "retweeted")
      rt = RefType::Retweeted;
    else
      continue;  // a future kind: not one the Item can express
    out->refs.push_back({rt, id});
    if (rt == RefType::RepliedTo) out->in_reply_to_status_id = id;
    if (rt == RefType::Quoted) out->is_quote_status = true;
  }
  if (const cJSON* att = json::get_object(t, "attachments")) {
    const cJSON* k;
    cJSON_ArrayForEach(k, json::get_array(att, "media_keys")) {
      if (media_keys->size() >= lim::kMaxMediaPerTweet) break;
      if (cJSON_IsString(k) && k->valuestring) media_keys->push_back(k->valuestring);
    }
  }
  if (const cJSON* pm = json::get_object(t, "public_metrics"))
    out->like_count = count_member(pm, "like_count");
  const cJSON* e;
  cJSON_ArrayForEach(e, json::get_array(t, "edit_history_tweet_ids")) {
    auto id = cJSON_IsString(e) && e->valuestring ? json::parse_u64(e->valuestring) : std::nullopt;
    if (!id)
      return ctx->fail(who + ": edit_history_tweet_ids holds a value that is not a decimal id");
    if (out->edit_history_ids.size() < 64) out->edit_history_ids.push_back(*id);
  }
  return core::ok_status();
}

V2Includes parse_v2_includes(const cJSON* inc) {
  V2Includes out;
  const cJSON* x;
  cJSON_ArrayForEach(x, json::get_array(inc, "users")) {
    if (out.users.size() >= lim::kMaxTweetsPerPage) break;
    User u;
    u.id = str(x, "id");
    u.name = nullable_str(x, "name");
    u.username = str(x, "username");
    u.profile_image_url = nullable_str(x, "profile_image_url");
    out.users.push_back(std::move(u));
  }
  cJSON_ArrayForEach(x, json::get_array(inc, "media")) {
    if (out.media.size() >= lim::kMaxTweetsPerPage) break;
    Media m;
    m.key = str(x, "media_key");
    m.type = str(x, "type");
    m.url = str(x, "url");
    m.preview_url = str(x, "preview_image_url");
    if (const cJSON* vars = json::get_array(x, "variants")) variants_into(vars, "bit_rate", &m);
    out.media.push_back(std::move(m));
  }
  return out;
}

void resolve(const V2Includes& inc, const std::vector<std::string>& keys, Tweet* t) {
  for (const User& u : inc.users)
    if (!t->author.id.empty() && u.id == t->author.id) {
      t->author = u;
      break;
    }
  for (const std::string& k : keys)
    for (const Media& m : inc.media)
      if (m.key == k) {
        t->media.push_back(m);
        break;
      }
}

core::Status parse_v2_tweets(const cJSON* arr, V2Includes& inc, Ctx* ctx, std::vector<Tweet>* out) {
  const cJSON* t;
  size_t index = 0;
  cJSON_ArrayForEach(t, arr) {
    if (ctx->page->tweets.size() + ctx->page->included.size() >= lim::kMaxTweetsPerPage)
      return ctx->fail(
          "more than " + std::to_string(lim::kMaxTweetsPerPage) + " tweets in one response",
          core::Errc::TooLarge);
    Tweet tw;
    std::vector<std::string> keys;
    TC_TRY(parse_v2_tweet(t, index++, ctx, &tw, &keys));
    resolve(inc, keys, &tw);
    out->push_back(std::move(tw));
  }
  return core::ok_status();
}

core::Result<json::Json> parse_json(std::string_view body, Ctx* ctx) {
  if (body.size() > lim::kMaxTimelineBodyBytes)
    return ctx->fail(
        "the response is larger than " + std::to_string(lim::kMaxTimelineBodyBytes) + " bytes",
        core::Errc::TooLarge);
  if (body.substr(0, 3) == "\xEF\xBB\xBF") body.remove_prefix(3);
  auto root = json::parse(body);
  if (!root) return ctx->fail("the input is not valid JSON");
  return root;
}

core::Result<Page> v1_from(const cJSON* root, Ctx& ctx, Page& page) {
  if (!cJSON_IsArray(root)) return ctx.fail("a v1.1 timeline must be a JSON array of tweets");
  page.version = ApiVersion::V1;
  const cJSON* t;
  size_t index = 0;
  cJSON_ArrayForEach(t, root) {
    if (page.tweets.size() >= lim::kMaxTweetsPerPage)
      return ctx.fail(
          "more than " + std::to_string(lim::kMaxTweetsPerPage) + " tweets in one response",
          core::Errc::TooLarge);
    Tweet tw;
    TC_TRY(parse_v1_tweet(t, index++, 0, &ctx, &tw));
    page.tweets.push_back(std::move(tw));
  }
  page.meta.result_count = static_cast<uint32_t>(page.tweets.size());
  for (const Tweet& tw : page.tweets) {
    if (tw.id > page.meta.newest_id) page.meta.newest_id = tw.id;
    if (page.meta.oldest_id == 0 || tw.id < page.meta.oldest_id) page.meta.oldest_id = tw.id;
  }
  return std::move(page);
}

bool looks_v2(const cJSON* root) {
  return cJSON_IsObject(root) && (cJSON_GetObjectItemCaseSensitive(root, "data") ||
                                  cJSON_GetObjectItemCaseSensitive(root, "meta") ||
                                  cJSON_GetObjectItemCaseSensitive(root, "includes") ||
                                  cJSON_GetObjectItemCaseSensitive(root, "errors"));
}

core::Result<Page> v2_from(const cJSON* root, Ctx& ctx, Page& page) {
  if (!looks_v2(root))
    return ctx.fail("a v2 page must be a JSON object with data, includes, meta or errors");
  page.version = ApiVersion::V2;
  const cJSON* data = cJSON_GetObjectItemCaseSensitive(root, "data");
  if (data && !cJSON_IsArray(data))
    return ctx.fail(
        "\"data\" is not an array of posts (a single-object data is a lookup of one user or post, "
        "not a timeline page)");
  const cJSON* inc = json::get_object(root, "includes");
  V2Includes includes = parse_v2_includes(inc);
  TC_TRY(parse_v2_tweets(json::get_array(inc, "tweets"), includes, &ctx, &page.included));
  TC_TRY(parse_v2_tweets(data, includes, &ctx, &page.tweets));
  if (const cJSON* meta = json::get_object(root, "meta")) {
    auto n = json::get_int(meta, "result_count");
    page.meta.result_count = n && *n >= 0 ? static_cast<uint32_t>(*n) : 0;
    if (!id_member(meta, "newest_id", &page.meta.newest_id) ||
        !id_member(meta, "oldest_id", &page.meta.oldest_id))
      return ctx.fail("meta.newest_id / meta.oldest_id is not a decimal id");
    page.meta.next_token = str(meta, "next_token");
  }
  const cJSON* e;
  cJSON_ArrayForEach(e, json::get_array(root, "errors")) {
    if (page.errors.size() >= lim::kMaxPartialErrorsPerPage) break;
    PartialError pe;
    pe.title = str(e, "title");
    pe.detail = str(e, "detail");
    if (pe.detail.empty()) pe.detail = str(e, "message");
    pe.resource_id = str(e, "resource_id");
    page.errors.push_back(std::move(pe));
  }
  return std::move(page);
}

}  // namespace

core::Result<Page> parse_v1_timeline(std::string_view body, std::string* why) {
  Page page;
  Ctx ctx{why, &page};
  auto root = parse_json(body, &ctx);
  if (!root) return root.error();
  return v1_from(root->get(), ctx, page);
}

core::Result<Page> parse_v2_page(std::string_view body, std::string* why) {
  Page page;
  Ctx ctx{why, &page};
  auto root = parse_json(body, &ctx);
  if (!root) return root.error();
  return v2_from(root->get(), ctx, page);
}

core::Result<Page> parse_timeline(std::string_view body, std::string* why) {
  Page page;
  Ctx ctx{why, &page};
  auto root = parse_json(body, &ctx);
  if (!root) return root.error();
  if (cJSON_IsArray(root->get())) return v1_from(root->get(), ctx, page);
  if (looks_v2(root->get())) return v2_from(root->get(), ctx, page);
  return ctx.fail(
      "the input is neither a v1.1 timeline (a JSON array of tweets) nor a v2 page "
      "(an object with data/includes/meta)");
}

}  // namespace twitter
