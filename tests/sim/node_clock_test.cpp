#include "sim/node_clock.hpp"

#include <gtest/gtest.h>

namespace clawnet::sim {
namespace {

TEST(NodeClock, StartsPerfectAndRunsAtItsDrift) {
  NodeClock clock;
  EXPECT_EQ(clock.local(0), 0);
  EXPECT_EQ(clock.local(60'000), 60'000);
  clock.set_drift(1'000, 0);  // 0.1 % fast.
  EXPECT_EQ(clock.local(60'000), 60'060);
  clock.set_drift(-1'000, 60'000);  // From then on 0.1 % slow; no jump at the change.
  EXPECT_EQ(clock.local(60'000), 60'060);
  EXPECT_EQ(clock.local(120'000), 120'000);
}

TEST(NodeClock, StepsJumpForwardAndTimeNeverGoesBack) {
  NodeClock clock;
  clock.set_drift(-1'000, 0);
  clock.step(5'000, 10'000);
  EXPECT_EQ(clock.local(10'000), 14'990);
  TimeMs last = -1;
  for (TimeMs at = 0; at <= 50'000; at += 7) {
    if (at == 20'006) clock.set_drift(1'000, at);
    if (at == 30'002) clock.step(1, at);
    EXPECT_GE(clock.local(at), last) << at;
    last = clock.local(at);
  }
}

// A timer asked for at local time L is due at the first true time the clock reads L.
TEST(NodeClock, TrueAtIsTheFirstInstantTheClockReachesALocalTime) {
  for (std::int64_t drift : {-1'000, -333, 0, 7, 1'000}) {
    NodeClock clock;
    clock.step(3'600'000, 0);
    clock.set_drift(drift, 0);
    for (TimeMs wanted = 3'600'000; wanted < 3'700'000; wanted += 997) {
      const TimeMs due = clock.true_at(wanted);
      EXPECT_GE(clock.local(due), wanted) << drift << " " << wanted;
      if (due > 0) {
        EXPECT_LT(clock.local(due - 1), wanted) << drift << " " << wanted;
      }
    }
    EXPECT_EQ(clock.true_at(time_never), time_never);
    EXPECT_EQ(clock.true_at(0), 0);  // Already past: due at once.
  }
}

}  // namespace
}  // namespace clawnet::sim
