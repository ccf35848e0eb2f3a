// GroupCommit: the server machine's effects, carried out in order, with the
// store's writes committed in groups (docs/store.md, "Group commit").
//
// Contract:
//  - Every effect is carried out (the `carry` callback) in the order push() got
//    it, and only once every persistent effect pushed before it is committed: a
//    JoinReply never answers before its PersistJoin is durable, and nothing the
//    machine said after a write reaches the world before that write is.
//  - Persistent effects wait for a commit that holds up to `writes_max` of them: it
//    runs `wait` after the first one, or at once when the group is full; a wait
//    of zero commits once the event loop has run the handlers already ready
//    (everything that arrived together shares one commit), and flush() commits now.
//  - A failed commit calls `on_failure` (clawd stops: the store keeps none of the
//    group, and no effect of it was carried out).
//  - Destroying it drops what is not committed: its owner flushes first.
// Not thread-safe: use from the io_context's thread.
#pragma once

#include "core/effects.hpp"
#include "store/queue_store.hpp"

#include <boost/asio/io_context.hpp>
#include <boost/asio/steady_timer.hpp>

#include <chrono>
#include <cstddef>
#include <deque>
#include <functional>
#include <memory>
#include <vector>

namespace clawnet::prod {

class GroupCommit {
 public:
  struct Callbacks {
    std::function<void(Effect&)> carry;
    // One commit: how many writes it held and how long it took.
    std::function<void(std::size_t writes, std::chrono::microseconds took)> committed;
    std::function<void(const StoreError&)> on_failure;
  };

  GroupCommit(boost::asio::io_context& io, QueueStore& store, std::size_t writes_max,
              std::chrono::microseconds wait, Callbacks callbacks);

  void push(Effect effect);
  void flush();
  // Writes pushed and not yet committed.
  std::size_t pending_writes() const { return writes_.size(); }

 private:
  void schedule();

  boost::asio::io_context& io_;
  QueueStore& store_;
  std::size_t writes_max_;
  std::chrono::microseconds wait_;
  Callbacks callbacks_;
  boost::asio::steady_timer timer_;
  bool scheduled_ = false;
  std::uint64_t generation_ = 0;  // Of the group a scheduled commit is for.
  std::vector<Effect> writes_;    // The group's writes, in order.
  std::deque<Effect> held_;       // Every effect since the group's first write, in order.
  std::shared_ptr<int> alive_ = std::make_shared<int>(0);  // A scheduled commit outliving us does nothing.
};

}  // namespace clawnet::prod
