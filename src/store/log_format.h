// Framing of the store log (docs/internals/store.md): each record is a 16-byte header
// {magic "TCLG", payload length, CRC-32 of the payload, CRC-32 of the first 12 header bytes}
// followed by the payload (a JSON array of ops). The header checksum lets a reader tell a
// record cut short by a crash (valid header, payload runs past the end of the file) from a
// damaged one, which is never used. Pure functions, no I/O.
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace store {

inline constexpr size_t kRecordHeaderBytes = 16;

// CRC-32 (IEEE 802.3, the zlib/PNG polynomial), to detect damage, not tampering.
uint32_t crc32(std::string_view data, uint32_t crc = 0);

// Appends the framed record to *out.
void frame_record(std::string_view payload, std::string* out);

struct LogRecord {
  size_t offset;             // of the header in the file
  std::string_view payload;  // points into the scanned bytes
};

struct LogScan {
  std::vector<LogRecord> records;  // every intact record, in order
  size_t good_end = 0;             // bytes up to the end of the last intact record
  size_t torn_bytes = 0;           // size of an incomplete last record dropped (0 = none)
  bool corrupt = false;            // damage that is not a torn tail: the log must not be used
  size_t corrupt_offset = 0;
  const char* corrupt_reason = "";
};

// Scans a whole log. A torn tail is only reported when it is provably incomplete: fewer bytes
// than a header, a header whose own checksum holds but whose payload runs past the end, or a
// tail that is all zero bytes (file extended but never written, after a power loss).
LogScan scan_log(std::string_view bytes, size_t max_record_bytes);

// The commit mark (file state.mark): how many bytes of which log generation have been
// acknowledged. A log shorter than its mark lost acknowledged data (truncated, not torn), which
// a log alone cannot tell from a crash. Two 32-byte slots are written alternately, so a mark
// torn by a crash leaves the other slot intact: {magic "TCMK", generation, length, counter (u64
// each), CRC-32 of the first 28 bytes}.
struct CommitMark {
  uint64_t generation = 0;  // incremented by every snapshot rewrite of the log
  uint64_t length = 0;      // acknowledged bytes of that log
  uint64_t counter = 0;     // write count; the higher valid slot wins
};
inline constexpr size_t kMarkSlotBytes = 32;
// The slot bytes for `mark` (write them at offset (counter % 2) * kMarkSlotBytes).
std::string encode_mark(const CommitMark& mark);
// The newest valid slot of a mark file's bytes; nullopt when neither slot is valid.
std::optional<CommitMark> pick_mark(std::string_view file);

}  // namespace store
