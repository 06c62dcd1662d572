// Routes (method + exact path, case-insensitive like ASP.NET) and the Responder a handler
// answers through. Matching is pure: match() says which route applies, or 404, or 405 with
// the Allow list; the server does the calling, the counting and the writing.
#pragma once

#include <functional>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "http/message.h"

namespace http {

// The server side of one exchange; implemented by the server's connection.
class Exchange {
 public:
  virtual void send(Response r) = 0;

 protected:
  ~Exchange() = default;
};
// Shared by the connection and the Responder; the connection clears `target` when it goes
// away, so a late respond() finds nothing to write to.
struct ExchangeLink {
  Exchange* target = nullptr;
};

// Move-only handle to a pending exchange. respond() sends the response exactly once; if the
// client went away meanwhile it does nothing. Handlers may keep it and answer later (async).
// A Responder destroyed without answering sends 500, so a forgotten path never hangs a client.
class Responder {
 public:
  Responder() = default;
  explicit Responder(std::shared_ptr<ExchangeLink> link) : link_(std::move(link)) {}
  Responder(Responder&&) noexcept = default;
  Responder& operator=(Responder&& o) noexcept;
  Responder(const Responder&) = delete;
  Responder& operator=(const Responder&) = delete;
  ~Responder();

  void respond(Response r);
  // True while the client still waits for this response.
  bool alive() const { return link_ && link_->target; }

 private:
  std::shared_ptr<ExchangeLink> link_;
};

// The Request is valid only during the call; an async handler moves out what it needs.
using Handler = std::function<void(Request& req, Responder res)>;

struct Route {
  Method method;
  std::string path;   // as registered
  std::string label;  // metrics label (defaults to the path)
  Handler handler;
};

class Router {
 public:
  // Exact path, case-insensitive (as ASP.NET routes are); a trailing '/' in the request is
  // ignored. GET routes also answer HEAD (without body). Registering a method+path twice
  // replaces the earlier handler.
  void add(Method m, std::string_view path, Handler h, std::string_view route_label = {});
  void get(std::string_view path, Handler h) { add(Method::Get, path, std::move(h)); }
  void post(std::string_view path, Handler h) { add(Method::Post, path, std::move(h)); }
  void put(std::string_view path, Handler h) { add(Method::Put, path, std::move(h)); }
  void del(std::string_view path, Handler h) { add(Method::Delete, path, std::move(h)); }
  void patch(std::string_view path, Handler h) { add(Method::Patch, path, std::move(h)); }

  struct Match {
    const Route* route = nullptr;  // set when a handler applies
    int status = 0;                // otherwise 404, 405, or 204 (OPTIONS on a known path)
    std::string allow;             // for 405/204: "GET, HEAD, POST"
    std::string_view label;        // route label, or "unmatched" for 404
  };
  Match match(Method m, std::string_view path) const;
  const std::vector<std::unique_ptr<Route>>& routes() const { return routes_; }

 private:
  std::vector<std::unique_ptr<Route>> routes_;
};

}  // namespace http
