// Implementation of store/log_format.h.
#include "store/log_format.h"

#include <array>

namespace store {
namespace {

constexpr uint32_t kMagic = 0x474C4354;      // "TCLG" read as little-endian
constexpr uint32_t kMarkMagic = 0x4B4D4354;  // "TCMK"

constexpr std::array<uint32_t, 256> make_crc_table() {
  std::array<uint32_t, 256> t{};
  for (uint32_t i = 0; i < 256; ++i) {
    uint32_t c = i;
    for (int k = 0; k < 8; ++k) c = (c & 1) ? 0xEDB88320u ^ (c >> 1) : c >> 1;
    t[i] = c;
  }
  return t;
}
constexpr std::array<uint32_t, 256> kCrcTable = make_crc_table();

void put_u32(char* p, uint32_t v) {
  for (int i = 0; i < 4; ++i) p[i] = static_cast<char>((v >> (8 * i)) & 0xFF);
}

uint32_t get_u32(const char* p) {
  uint32_t v = 0;
  for (int i = 3; i >= 0; --i) v = (v << 8) | static_cast<unsigned char>(p[i]);
  return v;
}

void put_u64(char* p, uint64_t v) {
  put_u32(p, static_cast<uint32_t>(v));
  put_u32(p + 4, static_cast<uint32_t>(v >> 32));
}

uint64_t get_u64(const char* p) {
  return static_cast<uint64_t>(get_u32(p)) | (static_cast<uint64_t>(get_u32(p + 4)) << 32);
}

bool all_zero(std::string_view s) {
  for (char c : s)
    if (c != 0) return false;
  return true;
}

}  // namespace

uint32_t crc32(std::string_view data, uint32_t crc) {
  crc = ~crc;
  for (char ch : data) crc = kCrcTable[(crc ^ static_cast<unsigned char>(ch)) & 0xFF] ^ (crc >> 8);
  return ~crc;
}

void frame_record(std::string_view payload, std::string* out) {
  char h[kRecordHeaderBytes];
  put_u32(h, kMagic);
  put_u32(h + 4, static_cast<uint32_t>(payload.size()));
  put_u32(h + 8, crc32(payload));
  put_u32(h + 12, crc32(std::string_view(h, 12)));
  out->append(h, sizeof h);
  out->append(payload);
}

LogScan scan_log(std::string_view bytes, size_t max_record_bytes) {
  LogScan s;
  size_t pos = 0;
  auto corrupt = [&](const char* why) {
    s.corrupt = true;
    s.corrupt_offset = pos;
    s.corrupt_reason = why;
    return s;
  };
  while (pos < bytes.size()) {
    std::string_view rest = bytes.substr(pos);
    if (rest.size() < kRecordHeaderBytes) {  // a header cut short: the write never finished
      s.torn_bytes = rest.size();
      break;
    }
    const char* h = rest.data();
    if (get_u32(h + 12) != crc32(rest.substr(0, 12))) {
      if (all_zero(rest)) {
        s.torn_bytes = rest.size();
        break;
      }
      return corrupt("record header checksum mismatch");
    }
    if (get_u32(h) != kMagic) return corrupt("bad record magic");
    size_t len = get_u32(h + 4);
    if (len > max_record_bytes) return corrupt("record longer than the record size limit");
    if (len > rest.size() - kRecordHeaderBytes) {  // proven incomplete by its own header
      s.torn_bytes = rest.size();
      break;
    }
    std::string_view payload = rest.substr(kRecordHeaderBytes, len);
    if (get_u32(h + 8) != crc32(payload)) return corrupt("record payload checksum mismatch");
    s.records.push_back(LogRecord{pos, payload});
    pos += kRecordHeaderBytes + len;
    s.good_end = pos;
  }
  return s;
}

std::string encode_mark(const CommitMark& mark) {
  char b[kMarkSlotBytes] = {0};
  put_u32(b, kMarkMagic);
  put_u64(b + 4, mark.generation);
  put_u64(b + 12, mark.length);
  put_u64(b + 20, mark.counter);
  put_u32(b + 28, crc32(std::string_view(b, 28)));
  return std::string(b, sizeof b);
}

std::optional<CommitMark> pick_mark(std::string_view file) {
  std::optional<CommitMark> best;
  for (size_t slot = 0; slot < 2; ++slot) {
    if (file.size() < (slot + 1) * kMarkSlotBytes) break;
    const char* b = file.data() + slot * kMarkSlotBytes;
    if (get_u32(b) != kMarkMagic || get_u32(b + 28) != crc32(std::string_view(b, 28))) continue;
    CommitMark m{get_u64(b + 4), get_u64(b + 12), get_u64(b + 20)};
    if (!best || m.counter > best->counter) best = m;
  }
  return best;
}

}  // namespace store
