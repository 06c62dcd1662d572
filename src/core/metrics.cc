// Implementation of core/metrics.h.
#include "core/metrics.h"

#include <cmath>
#include <cstdio>
#include <cstdlib>

namespace core {
namespace {

bool valid_name(std::string_view name, bool allow_colon) {
  if (name.empty()) return false;
  for (size_t i = 0; i < name.size(); ++i) {
    char c = name[i];
    bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_' ||
              (allow_colon && c == ':') || (i > 0 && c >= '0' && c <= '9');
    if (!ok) return false;
  }
  return true;
}

[[noreturn]] void misuse(const char* what, std::string_view name) {
  fprintf(stderr, "fatal: metrics: %s: %.*s\n", what, static_cast<int>(name.size()), name.data());
  abort();
}

// HELP text escapes backslash and newline; label values also escape the double quote.
void append_escaped(std::string_view s, bool quote, std::string* out) {
  for (char c : s) {
    if (c == '\\') {
      out->append("\\\\");
    } else if (c == '\n') {
      out->append("\\n");
    } else if (quote && c == '"') {
      out->append("\\\"");
    } else {
      out->push_back(c);
    }
  }
}

}  // namespace

void append_metric_value(double v, std::string* out) {
  if (std::isnan(v)) {
    out->append("NaN");
    return;
  }
  if (std::isinf(v)) {
    out->append(v > 0 ? "+Inf" : "-Inf");
    return;
  }
  char buf[32];
  if (v == std::floor(v) && std::fabs(v) < 9007199254740992.0) {
    snprintf(buf, sizeof buf, "%lld", static_cast<long long>(v));
  } else {
    snprintf(buf, sizeof buf, "%.17g", v);
    // Prefer the shortest representation that reads back to the same double.
    for (int prec = 1; prec < 17; ++prec) {
      char shorter[32];
      snprintf(shorter, sizeof shorter, "%.*g", prec, v);
      if (strtod(shorter, nullptr) == v) {
        snprintf(buf, sizeof buf, "%s", shorter);
        break;
      }
    }
  }
  out->append(buf);
}

Metrics::Child& Metrics::child(Type type, std::string_view name, std::string_view help,
                               std::initializer_list<Label> labels) {
  Family* fam = nullptr;
  for (auto& f : families_) {
    if (f->name == name) {
      fam = f.get();
      break;
    }
  }
  if (!fam) {
    if (!valid_name(name, true)) misuse("invalid metric name", name);
    auto f = std::make_unique<Family>();
    f->name = std::string(name);
    f->help = std::string(help);
    f->type = type;
    for (const Label& l : labels) {
      if (!valid_name(l.first, false) || l.first.substr(0, 2) == "__")
        misuse("invalid label name", l.first);
      f->label_names.emplace_back(l.first);
    }
    fam = f.get();
    families_.push_back(std::move(f));
  }
  if (fam->type != type) misuse("metric registered with another type", name);
  if (fam->label_names.size() != labels.size()) misuse("metric registered with other labels", name);
  size_t i = 0;
  for (const Label& l : labels) {
    if (fam->label_names[i++] != l.first) misuse("metric registered with other labels", name);
  }
  for (auto& c : fam->children) {
    bool same = true;
    i = 0;
    for (const Label& l : labels) {
      if (c->values[i++] != l.second) {
        same = false;
        break;
      }
    }
    if (same) return *c;
  }
  auto c = std::make_unique<Child>();
  for (const Label& l : labels) c->values.emplace_back(l.second);
  fam->children.push_back(std::move(c));
  return *fam->children.back();
}

Counter& Metrics::counter(std::string_view name, std::string_view help,
                          std::initializer_list<Label> labels) {
  return child(Type::Counter, name, help, labels).counter;
}

Gauge& Metrics::gauge(std::string_view name, std::string_view help,
                      std::initializer_list<Label> labels) {
  return child(Type::Gauge, name, help, labels).gauge;
}

void Metrics::render(std::string* out) const {
  for (const auto& f : families_) {
    out->append("# HELP ").append(f->name).push_back(' ');
    append_escaped(f->help, false, out);
    out->append("\n# TYPE ")
        .append(f->name)
        .append(f->type == Type::Counter ? " counter\n" : " gauge\n");
    for (const auto& c : f->children) {
      out->append(f->name);
      if (!f->label_names.empty()) {
        out->push_back('{');
        for (size_t i = 0; i < f->label_names.size(); ++i) {
          if (i) out->push_back(',');
          out->append(f->label_names[i]).append("=\"");
          append_escaped(c->values[i], true, out);
          out->push_back('"');
        }
        out->push_back('}');
      }
      out->push_back(' ');
      append_metric_value(f->type == Type::Counter ? c->counter.value() : c->gauge.value(), out);
      out->push_back('\n');
    }
  }
}

}  // namespace core
