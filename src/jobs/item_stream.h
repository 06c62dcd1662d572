// jobs::make_item_stream: the blob body of one Item with its media embedded as base64 while it
// is uploaded (m365-connector-protocol.md §10, §11 R3). The Item JSON is written in parts
// (twitter::write_item_parts); where an attachment's Content goes, its media is downloaded
// through twitter::MediaFetcher and encoded piece by piece. The download is paused whenever
// the upload falls behind, so memory stays at a few hundred KiB whatever the media size.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "m365/blob_uploader.h"
#include "twitter/item.h"
#include "twitter/media_fetcher.h"

namespace jobs {

struct ItemStreamOptions {
  twitter::ItemFormat format;
};

// What happened to the media of one item; filled while the source is read. The caller owns
// it and keeps it alive as long as the source.
struct ItemStreamReport {
  uint32_t media_embedded = 0;  // attachments whose Content holds their media
  uint32_t media_missing = 0;   // left null for good (gone, refused, over the size limit)
  uint64_t media_bytes = 0;     // media bytes embedded (before base64)
  // One sentence per missing medium: "<url>: <reason and what to do>".
  std::vector<std::string> messages;
  // Why read() failed, when it did (the upload's own message names only the error class).
  std::string failure;
  size_t peak_buffer_bytes = 0;  // most base64 held at once (bounded by the limits)
};

// The blob body of one Item: write_item() output, with each attachment's Content filled by
// streaming its uri through media (base64, bounded memory). An item without attachments is a
// plain StringItemSource. Media that cannot be had for good (404/410, other 4xx except
// 408/429, an invalid URL, over CONNECTOR_MEDIA_MAX_BYTES) leave Content null and are counted
// in *report; a transient media failure (5xx after the client's retries, network, timeout),
// or any failure once bytes of that medium were written, fails the read (the upload fails
// Temporary). Downloads run one at a time, in document order, only while the source is read.
// media and its http::Client must outlive the source; destroying the source cancels its
// download.
std::unique_ptr<m365::ItemSource> make_item_stream(twitter::Item item, twitter::MediaFetcher& media,
                                                   ItemStreamOptions options,
                                                   ItemStreamReport* report);

// Whether a media failure is for good (Content stays null) rather than worth a later retry.
bool media_failure_is_permanent(const core::Error& e);

}  // namespace jobs
