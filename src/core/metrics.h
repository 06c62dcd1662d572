// Process metrics in the Prometheus text exposition format 0.0.4. Families (one name, help,
// type and fixed label names) hold children keyed by label values; a child is created once
// and its Counter&/Gauge& stays valid for the life of the Metrics, so hot paths look it up
// once and then increment a double with no allocation. Single-threaded, like the loop.
#pragma once

#include <cstddef>
#include <initializer_list>
#include <memory>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace core {

using Label = std::pair<std::string_view, std::string_view>;  // name, value

class Counter {
 public:
  void inc(double by = 1) {
    if (by > 0) value_ += by;  // counters only go up (Prometheus semantics)
  }
  double value() const { return value_; }

 private:
  double value_ = 0;
};

class Gauge {
 public:
  void set(double v) { value_ = v; }
  void inc(double by = 1) { value_ += by; }
  void dec(double by = 1) { value_ -= by; }
  double value() const { return value_; }

 private:
  double value_ = 0;
};

class Metrics {
 public:
  Metrics() = default;
  Metrics(const Metrics&) = delete;
  Metrics& operator=(const Metrics&) = delete;

  // Returns the child of family `name` with these labels, creating family and child on first
  // use. A family keeps the help text and label names it was first registered with; asking
  // for it with another type or other label names is a programming error and aborts.
  // Names must match [a-zA-Z_:][a-zA-Z0-9_:]*; label values are escaped on render.
  Counter& counter(std::string_view name, std::string_view help,
                   std::initializer_list<Label> labels = {});
  Gauge& gauge(std::string_view name, std::string_view help,
               std::initializer_list<Label> labels = {});

  // Appends every family, in registration order, children in creation order.
  void render(std::string* out) const;
  size_t family_count() const { return families_.size(); }

 private:
  enum class Type { Counter, Gauge };
  struct Child {
    std::vector<std::string> values;
    Counter counter;
    Gauge gauge;
  };
  struct Family {
    std::string name;
    std::string help;
    Type type;
    std::vector<std::string> label_names;
    std::vector<std::unique_ptr<Child>> children;
  };
  Child& child(Type type, std::string_view name, std::string_view help,
               std::initializer_list<Label> labels);

  std::vector<std::unique_ptr<Family>> families_;
};

// Appends a sample value as Prometheus writes it: integers without a fraction, "+Inf",
// "-Inf", "NaN", otherwise the shortest round-trip decimal.
void append_metric_value(double v, std::string* out);

}  // namespace core
