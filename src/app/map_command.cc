// Implementation of app/map_command.h: argument parsing, bounded input reading, and the
// twitter parser + mapper; all the tweet logic lives in src/twitter.
#include "app/map_command.h"

#include <cerrno>
#include <cstring>
#include <string>
#include <vector>

#include "app/config.h"
#include "core/limits.h"
#include "http/client.h"
#include "twitter/item_mapper.h"
#include "twitter/media_fetcher.h"
#include "twitter/tweet_parser.h"
#include "uv/loop.h"

namespace app {
namespace {

const char kUsage[] =
    "usage: twitter-connector map [--style=full|reference] [--download-media] [FILE|-]\n"
    "  Reads a saved X API timeline response (a v1.1 JSON array of tweets, or a v2 page\n"
    "  {\"data\",\"includes\",\"meta\"}) from FILE or standard input and writes one Item per\n"
    "  tweet as JSON Lines to standard output. Media are written as URIs unless\n"
    "  --download-media is given.\n"
    "  --style=full       the connector's Item (default): full text, ItemType, PreContext, media\n"
    "  --style=reference  exactly what the reference C# connector produced\n"
    "  --download-media   download every attachment (photo at original size, video/GIF as\n"
    "                     the highest-bitrate MP4) and write it base64 in Content; items larger\n"
    "                     than CONNECTOR_MEDIA_MAX_BYTES fail the command. Uses\n"
    "                     CONNECTOR_CA_FILE and the proxy variables like the service.\n";

// Reads at most cap + 1 bytes so an oversized input is detected without holding all of it.
bool read_bounded(FILE* f, size_t cap, std::string* out, bool* too_large) {
  char buf[65536];
  *too_large = false;
  size_t n;
  while ((n = fread(buf, 1, sizeof buf, f)) > 0) {
    if (out->size() + n > cap) {
      *too_large = true;
      return true;
    }
    out->append(buf, n);
  }
  return !ferror(f);
}

// Downloads the attachments of one Item at a time on a private loop (at most
// kMaxMediaPerTweet in flight), so memory holds one tweet's media, each below the size cap.
class MediaDownloader {
 public:
  bool init(FILE* err) {
    LoadedConfig loaded;
    std::string message;
    if (!load_config({}, Environment::from_process(), &loaded, &message).ok()) {
      fprintf(err, "twitter-connector map: %s\n", message.c_str());
      return false;
    }
    http::Client::Options o;
    o.ca_file = loaded.config.ca_file;
    o.proxy = http::ProxyEnv::from_environment();
    auto c = http::Client::create(loop_, std::move(o), &message);
    if (!c.ok()) {
      fprintf(err, "twitter-connector map: cannot set up HTTPS: %s\n", message.c_str());
      return false;
    }
    client_ = std::move(*c);
    fetcher_ = std::make_unique<twitter::MediaFetcher>(*client_, loaded.config.media_max_bytes);
    return true;
  }
  ~MediaDownloader() {
    fetcher_.reset();
    client_.reset();
    loop_.run();  // lets the closed handles finish
  }
  // Fills content_base64 of every attachment; on failure *message names the URL and reason.
  bool fill(twitter::Item* item, std::string* message) {
    if (!item->attachments) return true;
    failure_.clear();
    for (twitter::ItemAttachment& a : *item->attachments) {
      twitter::ItemAttachment* target = &a;
      auto st =
          fetcher_->fetch_base64(a.uri, [this, target](twitter::MediaResult& r, std::string& b64) {
            if (!r.status.ok()) {
              if (failure_.empty()) failure_ = r.message;
              return;
            }
            target->content_base64 = std::move(b64);
          });
      if (!st.ok()) {
        *message =
            a.uri + ": cannot start the download (" + core::errc_message(st.error().code) + ")";
        return false;
      }
    }
    loop_.run();
    if (!failure_.empty()) {
      *message = failure_;
      return false;
    }
    return true;
  }

 private:
  uv::Loop loop_;
  std::unique_ptr<http::Client> client_;
  std::unique_ptr<twitter::MediaFetcher> fetcher_;
  std::string failure_;
};

}  // namespace

int run_map(int argc, char** argv, FILE* in, FILE* out, FILE* err) {
  twitter::MapOptions options;
  const char* path = nullptr;
  bool download_media = false;
  for (int i = 1; i < argc; ++i) {
    const char* a = argv[i];
    if (strcmp(a, "--help") == 0 || strcmp(a, "-h") == 0) {
      fputs(kUsage, out);
      return 0;
    }
    if (strcmp(a, "--style=full") == 0) {
      options.style = twitter::ItemStyle::Full;
    } else if (strcmp(a, "--style=reference") == 0) {
      options.style = twitter::ItemStyle::Reference;
    } else if (strcmp(a, "--download-media") == 0) {
      download_media = true;
    } else if (a[0] == '-' && a[1] != '\0') {
      fprintf(err, "twitter-connector map: unknown option '%s'\n%s", a, kUsage);
      return 2;
    } else if (path) {
      fprintf(err, "twitter-connector map: only one input file may be given ('%s' and '%s')\n%s",
              path, a, kUsage);
      return 2;
    } else {
      path = a;
    }
  }
  const bool use_stdin = !path || strcmp(path, "-") == 0;
  const char* name = use_stdin ? "standard input" : path;
  FILE* f = use_stdin ? in : fopen(path, "rb");
  if (!f) {
    fprintf(err, "twitter-connector map: cannot open '%s': %s\n", path, strerror(errno));
    return 1;
  }
  std::string body;
  bool too_large = false;
  bool ok = read_bounded(f, core::limits::kMaxMapInputBytes, &body, &too_large);
  if (!use_stdin) fclose(f);
  if (!ok) {
    fprintf(err, "twitter-connector map: cannot read %s\n", name);
    return 1;
  }
  if (too_large) {
    fprintf(err,
            "twitter-connector map: %s is larger than %zu bytes; save one API response per file\n",
            name, core::limits::kMaxMapInputBytes);
    return 1;
  }
  std::string why;
  auto page = twitter::parse_timeline(body, &why);
  if (!page) {
    fprintf(err, "twitter-connector map: %s: %s\n", name,
            why.empty() ? "malformed input" : why.c_str());
    return 1;
  }
  // Partial errors inside a 200 (a referenced post that is gone) do not stop the page.
  for (const twitter::PartialError& e : page->errors)
    fprintf(err, "twitter-connector map: warning: X reported \"%s\" for %s: %s\n", e.title.c_str(),
            e.resource_id.empty() ? "a resource" : e.resource_id.c_str(), e.detail.c_str());
  std::unique_ptr<MediaDownloader> media;
  if (download_media) {
    media = std::make_unique<MediaDownloader>();
    if (!media->init(err)) return 1;
  }
  std::string line;
  for (const twitter::Tweet& t : page->tweets) {
    twitter::Item item = twitter::map_tweet(t, *page, options);
    std::string why_media;
    if (media && !media->fill(&item, &why_media)) {
      fprintf(err, "twitter-connector map: media download failed: %s\n", why_media.c_str());
      return 1;
    }
    line = twitter::write_item(item);
    line.push_back('\n');
    if (fwrite(line.data(), 1, line.size(), out) != line.size()) {
      fprintf(err, "twitter-connector map: cannot write to standard output: %s\n", strerror(errno));
      return 1;
    }
  }
  if (fflush(out) != 0) {
    fprintf(err, "twitter-connector map: cannot write to standard output: %s\n", strerror(errno));
    return 1;
  }
  return 0;
}

int run_map(int argc, char** argv) { return run_map(argc, argv, stdin, stdout, stderr); }

int run_map_args(std::span<const std::string_view> args) {
  std::vector<std::string> owned(args.begin(), args.end());
  std::vector<char*> argv;
  for (std::string& a : owned) argv.push_back(a.data());
  argv.push_back(nullptr);
  return run_map(static_cast<int>(owned.size()), argv.data());
}

}  // namespace app
