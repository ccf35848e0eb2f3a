#include "prod/group_commit.hpp"

#include <boost/asio/post.hpp>

#include <utility>

namespace clawnet::prod {

GroupCommit::GroupCommit(boost::asio::io_context& io, QueueStore& store, std::size_t writes_max,
                         std::chrono::microseconds wait, Callbacks callbacks)
    : io_(io), store_(store), writes_max_(writes_max), wait_(wait), callbacks_(std::move(callbacks)), timer_(io) {}

void GroupCommit::push(Effect effect) {
  const bool write = store_.is_persistent(effect);
  if (!write && held_.empty()) return callbacks_.carry(effect);
  if (write) writes_.push_back(effect);
  held_.push_back(std::move(effect));
  if (writes_.size() >= writes_max_) return flush();
  if (write) schedule();
}

void GroupCommit::flush() {
  timer_.cancel();
  scheduled_ = false;
  generation_ += 1;
  if (writes_.empty()) return;
  const auto started = std::chrono::steady_clock::now();
  if (std::optional<StoreError> error = store_.apply_all(writes_)) {
    writes_.clear();
    held_.clear();
    return callbacks_.on_failure(*error);
  }
  callbacks_.committed(writes_.size(), std::chrono::duration_cast<std::chrono::microseconds>(
                                           std::chrono::steady_clock::now() - started));
  writes_.clear();
  // Carrying an effect out never feeds the machine, so nothing is pushed meanwhile.
  std::deque<Effect> ready = std::exchange(held_, {});
  for (Effect& effect : ready) callbacks_.carry(effect);
}

// One commit per group: the first write schedules it, later ones join it.
void GroupCommit::schedule() {
  if (scheduled_) return;
  scheduled_ = true;
  auto commit = [this, alive = std::weak_ptr<int>(alive_), generation = generation_] {
    if (!alive.expired() && scheduled_ && generation == generation_) flush();
  };
  if (wait_.count() == 0) return boost::asio::post(io_, commit);
  timer_.expires_after(wait_);
  timer_.async_wait([commit](const boost::system::error_code& error) {
    if (!error) commit();
  });
}

}  // namespace clawnet::prod
