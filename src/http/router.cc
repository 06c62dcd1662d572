// Implementation of http/router.h.
#include "http/router.h"

namespace http {

Responder& Responder::operator=(Responder&& o) noexcept {
  if (this != &o) {
    if (alive()) respond(Response::error(500, "request handler finished without a response"));
    link_ = std::move(o.link_);
  }
  return *this;
}

Responder::~Responder() {
  if (alive()) respond(Response::error(500, "request handler finished without a response"));
}

void Responder::respond(Response r) {
  if (!link_) return;
  std::shared_ptr<ExchangeLink> link = std::move(link_);
  if (Exchange* target = link->target) {
    link->target = nullptr;
    target->send(std::move(r));
  }
}

void Router::add(Method m, std::string_view path, Handler h, std::string_view route_label) {
  std::string label(route_label.empty() ? path : route_label);
  for (auto& r : routes_) {
    if (r->method == m && iequals(r->path, path)) {
      r->handler = std::move(h);
      r->label = std::move(label);
      return;
    }
  }
  routes_.push_back(
      std::make_unique<Route>(Route{m, std::string(path), std::move(label), std::move(h)}));
}

Router::Match Router::match(Method m, std::string_view path) const {
  if (path.size() > 1 && path.back() == '/') path.remove_suffix(1);
  Match out;
  const Route* get_route = nullptr;
  bool any = false;
  bool allowed[8] = {};
  for (const auto& r : routes_) {
    std::string_view rp = r->path;
    if (rp.size() > 1 && rp.back() == '/') rp.remove_suffix(1);
    if (!iequals(rp, path)) continue;
    any = true;
    allowed[static_cast<int>(r->method)] = true;
    if (r->method == m) {
      out.route = r.get();
      out.label = r->label;
      return out;
    }
    if (r->method == Method::Get) get_route = r.get();
  }
  if (m == Method::Head && get_route) {
    out.route = get_route;
    out.label = get_route->label;
    return out;
  }
  if (!any) {
    out.status = 404;
    out.label = "unmatched";
    return out;
  }
  if (allowed[static_cast<int>(Method::Get)]) allowed[static_cast<int>(Method::Head)] = true;
  allowed[static_cast<int>(Method::Options)] = true;
  static constexpr Method kOrder[] = {Method::Get,   Method::Head,   Method::Post,   Method::Put,
                                      Method::Patch, Method::Delete, Method::Options};
  for (Method each : kOrder) {
    if (!allowed[static_cast<int>(each)]) continue;
    if (!out.allow.empty()) out.allow += ", ";
    out.allow += method_name(each);
  }
  out.status = m == Method::Options ? 204 : 405;
  // Label: the first route registered on this path, so 405s are counted against it.
  for (const auto& r : routes_) {
    std::string_view rp = r->path;
    if (rp.size() > 1 && rp.back() == '/') rp.remove_suffix(1);
    if (iequals(rp, path)) {
      out.label = r->label;
      break;
    }
  }
  return out;
}

}  // namespace http
