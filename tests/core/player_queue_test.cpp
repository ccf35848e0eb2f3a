// PlayerQueue against an obviously correct model (a std::deque in join order),
// compared after every step of long seeded random operation sequences.
#include "core/player_queue.hpp"

#include "tests/core/effect_inspection.hpp"

#include <gtest/gtest.h>
#include <fmt/format.h>

#include <algorithm>
#include <cstddef>
#include <deque>
#include <optional>
#include <string>

namespace clawnet {
namespace {

struct ModelPlayer {
  Ticket ticket = 0;
  std::string channel;
  bool present = false;
  std::uint64_t shown_position = 0;
};

std::string channel_for(Ticket ticket) { return fmt::format("p-{:x}", ticket); }

class QueueAgainstModel {
 public:
  explicit QueueAgainstModel(std::uint64_t seed) : random_(seed) {}

  void insert_at_back() {
    const Ticket ticket = next_ticket_;
    next_ticket_ += 1 + random_.below(3);  // Tickets grow, with gaps (departed players).
    const bool present = random_.below(2) == 0;
    queue_.insert(ticket, channel_for(ticket), present);
    model_.push_back({ticket, channel_for(ticket), present, 0});
  }

  void erase_anywhere() {
    if (model_.empty() || random_.below(10) == 0) {
      // A ticket that is not queued: never joined, or already gone.
      EXPECT_FALSE(queue_.erase(next_ticket_ + 5).has_value());
      return;
    }
    const std::size_t rank = pick_rank();
    const Ticket ticket = model_[rank].ticket;
    std::optional<std::size_t> erased_rank = queue_.erase(ticket);
    model_.erase(model_.begin() + static_cast<std::ptrdiff_t>(rank));
    ASSERT_TRUE(erased_rank.has_value());
    EXPECT_EQ(*erased_rank, rank);
    EXPECT_FALSE(queue_.erase(ticket).has_value());  // Erasing twice is a no-op.
  }

  void set_present() {
    if (model_.empty()) return;
    const std::size_t rank = pick_rank();
    const bool present = random_.below(2) == 0;
    queue_.set_present(model_[rank].ticket, present);
    model_[rank].present = present;
  }

  void set_shown_position() {
    if (model_.empty()) return;
    const std::size_t rank = pick_rank();
    const std::uint64_t shown = random_.below(1'000'000);
    queue_.set_shown_position(model_[rank].ticket, shown);
    model_[rank].shown_position = shown;
  }

  void random_step() {
    // Biased towards growth so the queue reaches a few hundred players.
    switch (random_.below(10)) {
      case 0: case 1: case 2: case 3: insert_at_back(); break;
      case 4: case 5: case 6: erase_anywhere(); break;
      case 7: case 8: set_present(); break;
      default: set_shown_position(); break;
    }
  }

  // Every query against the model; `samples` ranks are probed when the queue is
  // big, every rank when it is small.
  void compare(std::size_t samples) {
    ASSERT_EQ(queue_.size(), model_.size());
    EXPECT_EQ(queue_.empty(), model_.empty());
    const auto present_count =
        static_cast<std::size_t>(std::count_if(model_.begin(), model_.end(), [](const ModelPlayer& p) { return p.present; }));
    EXPECT_EQ(queue_.present_count(), present_count);

    auto first = std::find_if(model_.begin(), model_.end(), [](const ModelPlayer& p) { return p.present; });
    if (first == model_.end()) {
      EXPECT_FALSE(queue_.first_present().has_value());
    } else {
      EXPECT_EQ(queue_.first_present(), first->ticket);
    }

    const bool every_rank = model_.size() <= samples;
    const std::size_t probes = every_rank ? model_.size() : samples;
    for (std::size_t probe = 0; probe < probes; probe += 1) {
      const std::size_t rank = every_rank ? probe : pick_rank();
      const ModelPlayer& expected = model_[rank];
      const QueuedPlayer& actual = queue_.at(rank);
      ASSERT_EQ(actual.ticket, expected.ticket) << "at rank " << rank;
      EXPECT_EQ(actual.channel, expected.channel);
      EXPECT_EQ(actual.present, expected.present);
      EXPECT_EQ(actual.shown_position, expected.shown_position);
      EXPECT_EQ(queue_.rank_of(expected.ticket), rank);
      EXPECT_EQ(queue_.ticket_of(expected.channel), expected.ticket);
      const QueuedPlayer* found = queue_.find(expected.ticket);
      ASSERT_NE(found, nullptr);
      EXPECT_EQ(found->channel, expected.channel);
    }
    EXPECT_FALSE(queue_.ticket_of(channel_for(next_ticket_ + 5)).has_value());
    EXPECT_EQ(queue_.find(next_ticket_ + 5), nullptr);
  }

  void compare_in_order() {
    std::size_t rank = 0;
    queue_.for_each([&](const QueuedPlayer& player) {
      ASSERT_LT(rank, model_.size());
      EXPECT_EQ(player.ticket, model_[rank].ticket);
      rank += 1;
    });
    EXPECT_EQ(rank, model_.size());
  }

  std::size_t size() const { return model_.size(); }

 private:
  std::size_t pick_rank() { return random_.index_below(model_.size()); }

  test::SplitMix random_;
  PlayerQueue queue_;
  std::deque<ModelPlayer> model_;
  Ticket next_ticket_ = 1;
};

TEST(PlayerQueue, MatchesDequeModelUnderLongRandomSequences) {
  for (std::uint64_t seed : {1ULL, 2ULL, 0xc1a3'2024ULL}) {
    SCOPED_TRACE(seed);
    QueueAgainstModel run(seed);
    for (int step = 0; step < 20'000; step += 1) {
      run.random_step();
      run.compare(64);
      if (::testing::Test::HasFatalFailure()) return;
    }
    run.compare_in_order();
  }
}

TEST(PlayerQueue, MatchesDequeModelWhenLarge) {
  QueueAgainstModel run(42);
  for (int join = 0; join < 20'000; join += 1) run.insert_at_back();
  run.compare(20'000);
  for (int step = 0; step < 20'000; step += 1) {
    run.random_step();
    run.compare(16);
    if (::testing::Test::HasFatalFailure()) return;
  }
  run.compare_in_order();
}

TEST(PlayerQueue, EmptyQueue) {
  PlayerQueue queue;
  EXPECT_TRUE(queue.empty());
  EXPECT_EQ(queue.size(), 0U);
  EXPECT_FALSE(queue.first_present().has_value());
  EXPECT_FALSE(queue.erase(1).has_value());
  EXPECT_FALSE(queue.ticket_of("p-1").has_value());
}

TEST(PlayerQueue, FirstPresentSkipsAbsentPlayersAndFollowsPresence) {
  PlayerQueue queue;
  queue.insert(1, "p-1", false);
  queue.insert(2, "p-2", false);
  queue.insert(3, "p-3", true);
  EXPECT_EQ(queue.first_present(), 3U);
  queue.set_present(2, true);
  EXPECT_EQ(queue.first_present(), 2U);
  queue.set_present(2, false);
  queue.erase(3);
  EXPECT_FALSE(queue.first_present().has_value());
  EXPECT_EQ(queue.present_count(), 0U);
}

}  // namespace
}  // namespace clawnet
