// Benchmark driver for one tweet carrying a large video (built by `make bench`): the fake X
// server (tests/support/fake_twitter.js, TLS) serves the video, jobs::make_item_stream embeds
// it as base64 while m365::BlobUploader streams the Item into Azurite over TLS, all through
// one http::Client on one loop, as the service runs it. Reports item MB/s, CPU time and the
// process's peak RSS (VmHWM, whole process, nothing reset), then downloads the blob and checks
// that its text is the Item's and its Content decodes to the served bytes.
//   item_stream_bench [VIDEO_MB (default 500)] [--no-verify]
#include <sys/resource.h>

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <memory>
#include <string>

#include "http/client.h"
#include "jobs/item_stream.h"
#include "m365/blob_uploader.h"
#include "support/azurite.h"
#include "support/fake_media.h"
#include "support/item_blob_check.h"
#include "support/loop_helpers.h"
#include "support/subprocess.h"
#include "support/test_servers.h"
#include "uv/loop.h"

namespace {

using namespace testing_support;

double cpu_s() {
  rusage u{};
  getrusage(RUSAGE_SELF, &u);
  return u.ru_utime.tv_sec + u.ru_stime.tv_sec + (u.ru_utime.tv_usec + u.ru_stime.tv_usec) / 1e6;
}
double now_s() {
  return std::chrono::duration<double>(std::chrono::steady_clock::now().time_since_epoch()).count();
}
int fail(const std::string& why) {
  fprintf(stderr, "item_stream_bench: %s\n", why.c_str());
  return 1;
}

}  // namespace

int main(int argc, char** argv) {
  uint64_t video_mb = 500;
  bool verify = true;
  for (int i = 1; i < argc; ++i) {
    if (strcmp(argv[i], "--no-verify") == 0)
      verify = false;
    else
      video_mb = strtoull(argv[i], nullptr, 10);
  }
  const uint64_t video_bytes = video_mb * 1000 * 1000;
  const std::string video_path = "/ext_tw_video/bench.mp4";
  if (test_pki_dir().empty()) return fail("test PKI generation failed");
  Azurite azurite;
  if (!Azurite::missing_reason().empty()) return fail(Azurite::missing_reason());
  if (!azurite.start()) return fail("Azurite: " + azurite.error());
  if (!azurite.create_container("bench")) return fail("Azurite: " + azurite.error());
  Subprocess fake({{"node", project_root() + "/tests/support/fake_twitter.js", "--cert",
                    test_pki_dir() + "/good.crt", "--key", test_pki_dir() + "/good.key",
                    "--max-lifetime", "1800"}});
  auto line = fake.wait_for_line("listening on 127.0.0.1:");
  if (!line) return fail("fake X server did not start: " + fake.output());
  std::string media_base = "https://127.0.0.1:" + line->substr(line->rfind(':') + 1);

  size_t rss_start = vm_kib("VmHWM:");
  uv::Loop loop;
  std::string msg;
  auto client = http::Client::create(loop, {.ca_file = azurite.ca_file()}, &msg);
  if (!client.ok()) return fail(msg);
  twitter::MediaFetcher media(**client);
  m365::BlobUploader uploader(loop, **client, {});

  // The video's size on the fake server.
  bool sized = false;
  http::ClientRequest ctl;
  ctl.method = "POST";
  ctl.url = media_base + "/__control";
  ctl.body = R"({"media_size":{"path":")" + video_path + R"(","bytes":)" +
             std::to_string(video_bytes) + "}}";
  (void)http::fetch(**client, std::move(ctl),
                    [&](http::ClientResult& r) { sized = r.ok && r.response.status == 200; });
  loop.run();
  if (!sized) return fail("fake X server refused the media size");

  twitter::Item it;
  it.id = "1741966000000000500";
  it.item_type = "Tweet";
  it.container_id = it.sender.id = "4113725063";
  it.container_name = it.sender.name = "Contoso Media";
  it.sent_time_utc = "2024-01-01T00:00:00";
  it.content = it.message_preview_text = "a long video";
  it.attachments = std::vector<twitter::ItemAttachment>{
      {std::nullopt, media_base + video_path, "video/mp4", std::string("bench.mp4")}};

  jobs::ItemStreamReport report;
  m365::UploadResult result;
  size_t rss_before = vm_kib("VmRSS:");
  double c0 = cpu_s(), t0 = now_s();
  auto id = uploader.upload(
      {azurite.container_sas_uri("bench"), "job-bench", "task-bench", it.id,
       jobs::make_item_stream(it, media, {{true, true}}, &report)},
      [&](m365::UploadResult& r) { result = std::move(r); }, &msg);
  if (!id.ok()) return fail(msg);
  loop.run();
  double secs = now_s() - t0, cpu = cpu_s() - c0;
  size_t peak = vm_kib("VmHWM:");
  if (!result.ok) return fail(result.message + " / " + report.failure);

  printf("video %llu bytes -> item %llu bytes in %u blocks\n",
         static_cast<unsigned long long>(video_bytes),
         static_cast<unsigned long long>(result.bytes), result.blocks);
  printf(
      "time %.1f s: %.1f MB/s of item, %.1f MB/s of video; CPU %.1f s (%.2f s per 100 MB of "
      "video)\n",
      secs, result.bytes / secs / 1e6, video_bytes / secs / 1e6, cpu, cpu / (video_bytes / 1e8));
  printf(
      "peak RSS (VmHWM, whole process) %zu KiB = %.1f MB; before the loop %zu KiB, RSS at "
      "upload start %zu KiB; stream buffer peak %zu bytes\n",
      peak, peak * 1024 / 1e6, rss_start, rss_before, report.peak_buffer_bytes);

  if (verify) {
    TempDir tmp;
    std::string file = tmp.path() + "/blob.json";
    if (!azurite.download_blob("bench", result.blob_name, file))
      return fail("download: " + azurite.error());
    std::string why = check_item_blob(file, twitter::write_item_parts(it, {true, true}),
                                      {fake_media_sha256(video_path, video_bytes)});
    if (!why.empty()) return fail("blob check: " + why);
    printf("blob verified: text identical to the Item, Content decodes to the served video\n");
  }
  printf("goal peak RSS <= 32 MB: %s\n", peak * 1024 <= 32u * 1000 * 1000 ? "met" : "NOT met");
  return 0;
}
