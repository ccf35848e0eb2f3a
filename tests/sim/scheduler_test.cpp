#include "sim/scheduler.hpp"

#include <gtest/gtest.h>

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
