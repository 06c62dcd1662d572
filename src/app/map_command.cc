// Implementation of app/map_command.h: argument parsing, bounded input reading, and the
// twitter parser + mapper; all the tweet logic lives in src/twitter.
#include "app/map_command.h"

#include <cerrno>
#include <cstring>
#include <string>

#include "core/limits.h"
#include "twitter/item_mapper.h"
#include "twitter/tweet_parser.h"

namespace app {
namespace {

const char kUsage[] =
    "usage: twitter-connector map [--style=full|reference] [FILE|-]\n"
    "  Reads a saved X API timeline response (a v1.1 JSON array of tweets, or a v2 page\n"
    "  {\"data\",\"includes\",\"meta\"}) from FILE or standard input and writes one Item per\n"
    "  tweet as JSON Lines to standard output. Media are written as URIs (not downloaded).\n"
    "  --style=full       the connector's Item (default): full text, ItemType, PreContext, media\n"
    "  --style=reference  exactly what the reference C# connector produced\n";

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

}  // namespace

int run_map(int argc, char** argv, FILE* in, FILE* out, FILE* err) {
  twitter::MapOptions options;
  const char* path = nullptr;
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
    } else if (a[0] == '-' && a[1] != '\0') {
      fprintf(err, "twitter-connector map: unknown option '%s'\n%s", a, kUsage);
      return 2;
    } else if (path) {
      fprintf(err, "twitter-connector map: only one input file may be given ('%s' and '%s')\n%s", path, a,
              kUsage);
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
    fprintf(err, "twitter-connector map: %s is larger than %zu bytes; save one API response per file\n", name,
            core::limits::kMaxMapInputBytes);
    return 1;
  }
  std::string why;
  auto page = twitter::parse_timeline(body, &why);
  if (!page) {
    fprintf(err, "twitter-connector map: %s: %s\n", name, why.empty() ? "malformed input" : why.c_str());
    return 1;
  }
  // Partial errors inside a 200 (a referenced post that is gone) do not stop the page.
  for (const twitter::PartialError& e : page->errors)
    fprintf(err, "twitter-connector map: warning: X reported \"%s\" for %s: %s\n", e.title.c_str(),
            e.resource_id.empty() ? "a resource" : e.resource_id.c_str(), e.detail.c_str());
  std::string line;
  for (const twitter::Tweet& t : page->tweets) {
    line = twitter::write_item(twitter::map_tweet(t, *page, options));
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

}  // namespace app
