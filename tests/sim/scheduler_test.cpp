#include "sim/scheduler.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <optional>
#include <set>
#include <string>
#include <vector>

namespace clawnet::sim {
namespace {

void must_schedule(Scheduler& scheduler, TimeMs at_ms, std::function<void()> action) {
  ASSERT_TRUE(scheduler.schedule(at_ms, std::move(action)).has_value());
}

TEST(Scheduler, RunsEventsInTimeOrder) {
  Scheduler scheduler;
  std::vector<TimeMs> ran;
  for (TimeMs at : {30, 10, 20}) must_schedule(scheduler, at, [&, at] { ran.push_back(at); });
  EXPECT_EQ(scheduler.next_time(), 10);
  while (scheduler.run_next()) EXPECT_EQ(scheduler.now(), ran.back());
  EXPECT_EQ(ran, (std::vector<TimeMs>{10, 20, 30}));
  EXPECT_TRUE(scheduler.empty());
  EXPECT_EQ(scheduler.next_time(), time_never);
  EXPECT_FALSE(scheduler.run_next());
}

TEST(Scheduler, EqualTimesRunInSchedulingOrder) {
  Scheduler scheduler;
  std::string ran;
  for (char name : std::string("abcde")) must_schedule(scheduler, 5, [&, name] { ran += name; });
  // An event scheduled for "now" from inside an event runs after those already due.
  must_schedule(scheduler, 5, [&] {
    ran += 'f';
    must_schedule(scheduler, 5, [&] { ran += 'h'; });
  });
  must_schedule(scheduler, 5, [&] { ran += 'g'; });
  while (scheduler.run_next()) {
  }
  EXPECT_EQ(ran, "abcdefgh");
}

std::string run_ties(std::optional<std::uint64_t> shuffle_seed, std::vector<Lane> lanes) {
  Scheduler scheduler;
  if (shuffle_seed) scheduler.shuffle_ties(*shuffle_seed);
  std::string ran;
  for (std::size_t index = 0; index < lanes.size(); index += 1) {
    const char name = static_cast<char>('a' + index);
    EXPECT_TRUE(scheduler.schedule(5, [&ran, name] { ran += name; }, lanes[index]).has_value());
  }
  EXPECT_TRUE(scheduler.schedule(3, [&ran] { ran += '<'; }).has_value());
  EXPECT_TRUE(scheduler.schedule(9, [&ran] { ran += '>'; }).has_value());
  while (scheduler.run_next()) {
  }
  return ran;
}

TEST(Scheduler, ShuffledTiesRunInASeededOrderAndKeepTimeOrder) {
  const std::vector<Lane> no_lanes(12, no_lane);
  EXPECT_EQ(run_ties(std::nullopt, no_lanes), "<abcdefghijkl>");
  const std::string first = run_ties(1, no_lanes);
  EXPECT_EQ(run_ties(1, no_lanes), first);  // Same seed, same order.
  std::set<std::string> orders;
  for (std::uint64_t seed = 1; seed <= 20; seed += 1) {
    const std::string order = run_ties(seed, no_lanes);
    EXPECT_EQ(order.front(), '<');
    EXPECT_EQ(order.back(), '>');
    std::string sorted = order.substr(1, 12);
    std::sort(sorted.begin(), sorted.end());
    EXPECT_EQ(sorted, "abcdefghijkl");  // Each event runs once.
    orders.insert(order);
  }
  EXPECT_GE(orders.size(), 15U);  // 12! orders: twenty seeds all but never repeat one.
}

TEST(Scheduler, ALaneKeepsItsOrderAmongShuffledTies) {
  Scheduler lanes_from;
  const Lane one = lanes_from.new_lane();
  const Lane two = lanes_from.new_lane();
  const std::vector<Lane> lanes{one, two, one, no_lane, two, one, no_lane, two, one};
  std::set<std::string> orders;
  for (std::uint64_t seed = 1; seed <= 30; seed += 1) {
    const std::string order = run_ties(seed, lanes);
    std::string in_one, in_two;
    for (char name : order) {
      if (std::string("acfi").find(name) != std::string::npos) in_one += name;
      if (std::string("beh").find(name) != std::string::npos) in_two += name;
    }
    EXPECT_EQ(in_one, "acfi") << order;
    EXPECT_EQ(in_two, "beh") << order;
    orders.insert(order);
  }
  EXPECT_GT(orders.size(), 1U);  // The lanes and lone events still interleave differently.
}

TEST(Scheduler, CancelRemovesOnlyThatEvent) {
  Scheduler scheduler;
  std::vector<int> ran;
  const auto first = scheduler.schedule(10, [&] { ran.push_back(1); });
  const auto second = scheduler.schedule(10, [&] { ran.push_back(2); });
  ASSERT_TRUE(first && second);
  EXPECT_TRUE(scheduler.cancel(*first));
  EXPECT_FALSE(scheduler.cancel(*first));
  EXPECT_EQ(scheduler.pending(), 1U);
  while (scheduler.run_next()) {
  }
  EXPECT_EQ(ran, (std::vector<int>{2}));
  EXPECT_FALSE(scheduler.cancel(*second));  // Already ran.
}

TEST(Scheduler, EventCanCancelALaterEvent) {
  Scheduler scheduler;
  bool late_ran = false;
  const auto late = scheduler.schedule(20, [&] { late_ran = true; });
  ASSERT_TRUE(late);
  must_schedule(scheduler, 10, [&] { EXPECT_TRUE(scheduler.cancel(*late)); });
  while (scheduler.run_next()) {
  }
  EXPECT_FALSE(late_ran);
  EXPECT_EQ(scheduler.now(), 10);
}

TEST(Scheduler, TimeNeverGoesBackwardsAndThePastIsClampedToNow) {
  Scheduler scheduler;
  std::vector<TimeMs> seen;
  must_schedule(scheduler, 100, [&] {
    seen.push_back(scheduler.now());
    must_schedule(scheduler, 40, [&] { seen.push_back(scheduler.now()); });  // In the past.
  });
  must_schedule(scheduler, 100, [&] { seen.push_back(scheduler.now()); });
  EXPECT_EQ(scheduler.run_until(99), 0U);
  EXPECT_EQ(scheduler.now(), 99);
  while (scheduler.run_next()) {
  }
  EXPECT_EQ(seen, (std::vector<TimeMs>{100, 100, 100}));
  scheduler.run_until(50);  // Asking for an earlier time does not rewind.
  EXPECT_EQ(scheduler.now(), 100);
}

TEST(Scheduler, RunUntilRunsDueEventsAndAdvancesTheClock) {
  Scheduler scheduler;
  int ran = 0;
  for (TimeMs at : {5, 10, 15}) must_schedule(scheduler, at, [&] { ++ran; });
  EXPECT_EQ(scheduler.run_until(10), 2U);
  EXPECT_EQ(ran, 2);
  EXPECT_EQ(scheduler.now(), 10);
  EXPECT_EQ(scheduler.next_time(), 15);
}

TEST(Scheduler, RefusesEventsBeyondItsBound) {
  Scheduler scheduler(2);
  EXPECT_TRUE(scheduler.schedule(1, [] {}).has_value());
  EXPECT_TRUE(scheduler.schedule(2, [] {}).has_value());
  EXPECT_FALSE(scheduler.schedule(3, [] {}).has_value());
  EXPECT_EQ(scheduler.pending(), 2U);
  EXPECT_TRUE(scheduler.run_next());
  EXPECT_TRUE(scheduler.schedule(3, [] {}).has_value());
}

}  // namespace
}  // namespace clawnet::sim
