// Blob addressing for uploads through a task's container SAS URI (m365-connector-protocol.md
// §10), pure: validating the SAS URI (https, a container, a signature), building blob and
// block URLs (path segments percent-encoded, the SAS query kept byte for byte), block ids,
// the Put Block List body, and reading the error code out of a Storage error answer.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "core/result.h"
#include "http/url.h"

namespace m365 {

// REST version sent as x-ms-version. With a SAS the service follows the SAS `sv` instead;
// this only matters for a SAS without one, and 2021-08-06 accepts blocks up to 4000 MiB.
inline constexpr char kBlobApiVersion[] = "2021-08-06";
inline constexpr char kItemContentType[] = "application/json; charset=utf-8";

// A validated container SAS URI. Host style: https://account.blob.core.windows.net/container?sas.
// Path style (the storage emulator, an IP or localhost host):
// https://127.0.0.1:10000/account/container?sas.
struct ContainerSas {
  http::Url url;        // parsed, normalised
  std::string base;     // "https://host[:port]/[account/]container" (no trailing '/')
  std::string query;    // SAS query without '?', unchanged
  std::string account;  // from the host (host style) or the first path segment
  std::string container;
  bool path_style = false;
};

// Errors (InvalidArgument, `where` = "sas_uri", the message says what is wrong and what to
// do; it never contains the signature): not https, no container, a blob path, no `sig`.
core::Result<ContainerSas> parse_container_sas(std::string_view uri, std::string* message);

// Blob name "{job_id}/{task_id}/{leaf}"; each part must be non-empty without '/', the
// whole at most limits::m365::kMaxBlobNameBytes. InvalidArgument with *message otherwise.
core::Result<std::string> blob_name(std::string_view job_id, std::string_view task_id,
                                    std::string_view leaf, std::string* message);
// "{base}/{percent-encoded segments of name}?{query}".
std::string blob_url(const ContainerSas& sas, std::string_view name);
// blob_url + "&comp=block&blockid=<percent-encoded id>".
std::string block_url(const ContainerSas& sas, std::string_view name, std::string_view block_id);
// blob_url + "&comp=blocklist".
std::string block_list_url(const ContainerSas& sas, std::string_view name);

// Block id n: base64 of the 6-digit zero-padded decimal index, so every id of a blob has the
// same length (the service requires it) and the ids sort in upload order.
std::string block_id(uint32_t index);
// <?xml ...?><BlockList><Latest>id0</Latest>...</BlockList> for blocks 0..count-1.
std::string block_list_body(uint32_t count);

// The <Code> of a Storage error body ("AuthenticationFailed"), or the x-ms-error-code header
// value when given; empty if neither is there. Bounded: only the first 4 KiB are scanned.
std::string storage_error_code(std::string_view body, const std::string* header_code);

}  // namespace m365
