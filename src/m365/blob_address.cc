// Implementation of blob_address.h.
#include "m365/blob_address.h"

#include <cstdio>
#include <vector>

#include "core/codec.h"
#include "core/limits.h"

namespace m365 {
namespace {

core::Error bad_sas(std::string* message, std::string text) {
  if (message) *message = std::move(text);
  return core::make_error(core::Errc::InvalidArgument, "sas_uri");
}

std::vector<std::string_view> split_path(std::string_view path) {
  std::vector<std::string_view> parts;
  size_t i = 0;
  while (i < path.size()) {
    size_t j = path.find('/', i);
    if (j == std::string_view::npos) j = path.size();
    if (j > i) parts.push_back(path.substr(i, j - i));
    i = j + 1;
  }
  return parts;
}

// The storage emulator and private endpoints address the account in the path.
bool is_path_style_host(const http::Url& u) {
  if (u.host == "localhost" || u.ipv6_literal()) return true;
  for (char c : u.host)
    if (!(c == '.' || (c >= '0' && c <= '9'))) return false;
  return true;  // dotted IPv4
}

bool query_has_value(std::string_view query, std::string_view key) {
  size_t i = 0;
  while (i <= query.size()) {
    size_t j = query.find('&', i);
    if (j == std::string_view::npos) j = query.size();
    std::string_view pair = query.substr(i, j - i);
    size_t eq = pair.find('=');
    if (eq != std::string_view::npos && pair.substr(0, eq) == key && eq + 1 < pair.size())
      return true;
    i = j + 1;
  }
  return false;
}

// Container names: 3-63 of [a-z0-9-] (Azure's rule), or the special "$root".
bool valid_container(std::string_view c) {
  if (c == "$root") return true;
  if (c.size() < 3 || c.size() > 63) return false;
  for (char ch : c)
    if (!((ch >= 'a' && ch <= 'z') || (ch >= '0' && ch <= '9') || ch == '-')) return false;
  return true;
}

}  // namespace

core::Result<ContainerSas> parse_container_sas(std::string_view uri, std::string* message) {
  constexpr char kHint[] =
      " (expected https://ACCOUNT.blob.core.windows.net/CONTAINER?sv=...&sig=..., "
      "the BlobSasUri of the task)";
  if (uri.empty()) return bad_sas(message, std::string("the blob SAS URI is empty") + kHint);
  auto parsed = http::parse_url(uri);
  if (!parsed.ok())
    return bad_sas(message,
                   "the blob SAS URI is not a valid URL: " + http::redact_url(uri) + kHint);
  ContainerSas sas;
  sas.url = std::move(*parsed);
  std::string shown = http::redact_url(sas.url.str());
  if (!sas.url.https())
    return bad_sas(message,
                   "the blob SAS URI must use https (a SAS sent in clear text can be stolen): " +
                       shown + kHint);
  std::string_view target = sas.url.target;
  size_t qpos = target.find('?');
  std::string_view query =
      qpos == std::string_view::npos ? std::string_view() : target.substr(qpos + 1);
  if (!query_has_value(query, "sig"))
    return bad_sas(message, "the blob SAS URI has no signature (sig=): " + shown + kHint);
  auto parts = split_path(sas.url.path());
  sas.path_style = is_path_style_host(sas.url);
  size_t want = sas.path_style ? 2 : 1;
  if (parts.size() < want)
    return bad_sas(message, "the blob SAS URI names no container: " + shown + kHint);
  if (parts.size() > want)
    return bad_sas(
        message, "the blob SAS URI must name a container, not a blob or folder: " + shown + kHint);
  if (sas.path_style) {
    sas.account = std::string(parts[0]);
  } else {
    size_t dot = sas.url.host.find('.');
    sas.account = sas.url.host.substr(0, dot);
  }
  auto decoded = core::percent_decode(parts.back());
  if (!decoded.ok() || !valid_container(*decoded))
    return bad_sas(
        message,
        "the blob SAS URI has an invalid container name (3-63 of a-z, 0-9, '-'): " + shown);
  sas.container = std::move(*decoded);
  std::string scheme_host = sas.url.str();
  scheme_host.resize(scheme_host.size() - target.size());  // "https://host[:port]"
  sas.base = scheme_host;
  for (auto p : parts) {
    sas.base += '/';
    sas.base += p;
  }
  sas.query = std::string(query);
  return sas;
}

core::Result<std::string> blob_name(std::string_view job_id, std::string_view task_id,
                                    std::string_view leaf, std::string* message) {
  struct Part {
    const char* what;
    std::string_view value;
  } parts[] = {{"job id", job_id}, {"task id", task_id}, {"item name", leaf}};
  for (const auto& p : parts) {
    if (p.value.empty() || p.value.find('/') != std::string_view::npos || p.value == "." ||
        p.value == "..") {
      if (message)
        *message = std::string("blob name: the ") + p.what + " must be non-empty, without '/' ('" +
                   std::string(p.value.substr(0, 64)) + "')";
      return core::make_error(core::Errc::InvalidArgument, "blob_name");
    }
  }
  std::string name;
  name.reserve(job_id.size() + task_id.size() + leaf.size() + 2);
  name.append(job_id).append("/").append(task_id).append("/").append(leaf);
  if (name.size() > core::limits::m365::kMaxBlobNameBytes) {
    if (message)
      *message = "blob name is " + std::to_string(name.size()) + " bytes; Azure allows at most " +
                 std::to_string(core::limits::m365::kMaxBlobNameBytes);
    return core::make_error(core::Errc::TooLarge, "blob_name");
  }
  return name;
}

std::string blob_url(const ContainerSas& sas, std::string_view name) {
  std::string url = sas.base;
  for (auto seg : split_path(name)) {
    url += '/';
    core::percent_encode_to(seg, &url);
  }
  if (!sas.query.empty()) url.append("?").append(sas.query);
  return url;
}

std::string block_url(const ContainerSas& sas, std::string_view name, std::string_view block_id) {
  std::string url = blob_url(sas, name);
  url += sas.query.empty() ? "?" : "&";
  url += "comp=block&blockid=";
  core::percent_encode_to(block_id, &url);
  return url;
}

std::string block_list_url(const ContainerSas& sas, std::string_view name) {
  std::string url = blob_url(sas, name);
  url += sas.query.empty() ? "?comp=blocklist" : "&comp=blocklist";
  return url;
}

std::string block_id(uint32_t index) {
  char digits[16];
  snprintf(digits, sizeof digits, "%06u", index % 1000000u);
  return core::base64_encode(digits);
}

std::string block_list_body(uint32_t count) {
  std::string body = "<?xml version=\"1.0\" encoding=\"utf-8\"?><BlockList>";
  body.reserve(body.size() + count * 26u + 16);
  for (uint32_t i = 0; i < count; ++i)
    body.append("<Latest>").append(block_id(i)).append("</Latest>");
  body += "</BlockList>";
  return body;
}

std::string storage_error_code(std::string_view body, const std::string* header_code) {
  if (header_code && !header_code->empty()) return header_code->substr(0, 128);
  body = body.substr(0, 4096);
  size_t a = body.find("<Code>");
  if (a == std::string_view::npos) return {};
  a += 6;
  size_t b = body.find("</Code>", a);
  if (b == std::string_view::npos || b - a > 128) return {};
  return std::string(body.substr(a, b - a));
}

}  // namespace m365
