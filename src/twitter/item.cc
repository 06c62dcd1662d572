// Item serialiser: a tiny writer with Newtonsoft's layout instead of cJSON's printer, whose
// indentation (tabs) and escaping differ from what the reference wrote into blobs.
#include "twitter/item.h"

#include <cstdio>

namespace twitter {
namespace {

class Writer {
 public:
  Writer(ItemFormat f, std::string* out, ItemParts* parts = nullptr)
      : f_(f), out_(out), parts_(parts) {}

  void begin(char c) {
    out_->push_back(c);
    ++depth_;
    first_ = true;
  }
  void end(char c) {
    --depth_;
    if (!first_) newline();
    out_->push_back(c);
    first_ = false;
  }
  // Empty arrays are written "[]" on one line, as Newtonsoft does.
  void empty_array() {
    out_->append("[]");
    first_ = false;
  }
  void key(const char* name) {
    separator();
    append_json_string(name, out_);
    out_->append(f_.indented ? ": " : ":");
  }
  void element() { separator(); }
  void str(const std::string& s) {
    append_json_string(s, out_);
    first_ = false;
  }
  void opt(const std::optional<std::string>& s) {
    if (s)
      str(*s);
    else
      null();
  }
  void null() {
    out_->append("null");
    first_ = false;
  }
  // An attachment's Content: its value, or (writing parts) the cut where it goes.
  void content(const ItemAttachment& a) {
    if (!parts_) return opt(a.content_base64);
    parts_->texts.push_back(std::move(*out_));
    out_->clear();
    parts_->uris.push_back(a.uri);
    first_ = false;
  }
  void num(int64_t v) {
    char buf[24];
    snprintf(buf, sizeof buf, "%lld", static_cast<long long>(v));
    out_->append(buf);
    first_ = false;
  }

 private:
  void separator() {
    if (!first_) out_->push_back(',');
    newline();
    first_ = true;
  }
  void newline() {
    if (!f_.indented) return;
    out_->append(f_.crlf ? "\r\n" : "\n");
    out_->append(static_cast<size_t>(depth_) * 2, ' ');
  }

  ItemFormat f_;
  std::string* out_;
  ItemParts* parts_;
  int depth_ = 0;
  bool first_ = true;  // no member written yet at the current level
};

void write_user(Writer& w, const ItemUser& u) {
  w.begin('{');
  w.key("Id");
  w.str(u.id);
  w.key("UserProfilePhotoUrl");
  w.opt(u.photo_url);
  w.key("Name");
  w.opt(u.name);
  w.key("EmailAddress");
  w.null();
  w.key("MobileNumber");
  w.null();
  w.end('}');
}

void write_item_to(Writer& w, const Item& it) {
  w.begin('{');
  w.key("SchemaVersion");
  w.str("1.0");
  w.key("Id");
  w.str(it.id);
  w.key("SourceType");
  w.str("Twitter");
  w.key("ItemType");
  w.str(it.item_type);
  w.key("ContainerId");
  w.str(it.container_id);
  w.key("ContainerName");
  w.opt(it.container_name);
  w.key("ThreadId");
  w.str(it.thread_id);
  w.key("ParentId");
  w.str(it.parent_id);
  w.key("Sender");
  write_user(w, it.sender);
  w.key("Recipients");
  w.empty_array();
  w.key("SentTimeUtc");
  w.str(it.sent_time_utc);
  w.key("ContentType");
  w.num(1);
  w.key("Content");
  w.str(it.content);
  w.key("PreContext");
  if (!it.pre_context) {
    w.null();
  } else if (it.pre_context->empty()) {
    w.empty_array();
  } else {
    w.begin('[');
    for (const Item& p : *it.pre_context) {
      w.element();
      write_item_to(w, p);
    }
    w.end(']');
  }
  w.key("PostContext");
  w.null();
  w.key("NumOfLikes");
  w.num(it.num_of_likes);
  w.key("MessagePreviewText");
  w.str(it.message_preview_text);
  w.key("ContentAttachments");
  if (!it.attachments) {
    w.null();
  } else if (it.attachments->empty()) {
    w.empty_array();
  } else {
    w.begin('[');
    for (const ItemAttachment& a : *it.attachments) {
      w.element();
      w.begin('{');
      w.key("Content");
      w.content(a);
      w.key("Uri");
      w.str(a.uri);
      w.key("AttachmentType");
      w.str(a.type);
      w.key("AttachmentFileName");
      w.opt(a.file_name);
      w.end('}');
    }
    w.end(']');
  }
  w.end('}');
}

// Length of the valid UTF-8 sequence at s[i], or 0 if the bytes there are not one.
size_t utf8_len(std::string_view s, size_t i, uint32_t* cp) {
  unsigned char c = static_cast<unsigned char>(s[i]);
  size_t n;
  uint32_t v;
  if (c >= 0xC2 && c <= 0xDF) {
    n = 2;
    v = c & 0x1F;
  } else if (c >= 0xE0 && c <= 0xEF) {
    n = 3;
    v = c & 0x0F;
  } else if (c >= 0xF0 && c <= 0xF4) {
    n = 4;
    v = c & 0x07;
  } else
    return 0;
  if (i + n > s.size()) return 0;
  for (size_t k = 1; k < n; ++k) {
    unsigned char cc = static_cast<unsigned char>(s[i + k]);
    if ((cc & 0xC0) != 0x80) return 0;
    v = (v << 6) | (cc & 0x3F);
  }
  if ((n == 3 && (v < 0x800 || (v >= 0xD800 && v <= 0xDFFF))) ||
      (n == 4 && (v < 0x10000 || v > 0x10FFFF)))
    return 0;
  *cp = v;
  return n;
}

}  // namespace

void append_json_string(std::string_view s, std::string* out) {
  out->push_back('"');
  for (size_t i = 0; i < s.size();) {
    unsigned char c = static_cast<unsigned char>(s[i]);
    if (c >= 0x20 && c < 0x80 && c != '"' && c != '\\') {
      // A run of printable ASCII needs no escaping: append it in one piece.
      size_t j = i + 1;
      while (j < s.size()) {
        unsigned char d = static_cast<unsigned char>(s[j]);
        if (d < 0x20 || d >= 0x80 || d == '"' || d == '\\') break;
        ++j;
      }
      out->append(s.data() + i, j - i);
      i = j;
      continue;
    }
    if (c < 0x80) {
      switch (c) {
        case '"': out->append("\\\""); break;
        case '\\': out->append("\\\\"); break;
        case '\b': out->append("\\b"); break;
        case '\f': out->append("\\f"); break;
        case '\n': out->append("\\n"); break;
        case '\r': out->append("\\r"); break;
        case '\t': out->append("\\t"); break;
        default:
          if (c < 0x20) {
            char buf[8];
            snprintf(buf, sizeof buf, "\\u%04x", c);
            out->append(buf);
          } else {
            out->push_back(static_cast<char>(c));
          }
      }
      ++i;
      continue;
    }
    uint32_t cp = 0;
    size_t n = utf8_len(s, i, &cp);
    if (n == 0) {
      out->append("\xEF\xBF\xBD");
      ++i;
      continue;
    }
    if (cp == 0x85 || cp == 0x2028 || cp == 0x2029) {
      char buf[8];
      snprintf(buf, sizeof buf, "\\u%04x", cp);
      out->append(buf);
    } else {
      out->append(s.substr(i, n));
    }
    i += n;
  }
  out->push_back('"');
}

std::string write_item(const Item& item, ItemFormat format) {
  std::string out;
  out.reserve(1024);
  Writer w(format, &out);
  write_item_to(w, item);
  return out;
}

ItemParts write_item_parts(const Item& item, ItemFormat format) {
  ItemParts parts;
  std::string out;
  Writer w(format, &out, &parts);
  write_item_to(w, item);
  parts.texts.push_back(std::move(out));
  return parts;
}

}  // namespace twitter
