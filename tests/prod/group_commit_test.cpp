// GroupCommit (prod/group_commit.hpp) on a real QueueStore and a real io_context:
// the order effects are carried out in, what waits for a commit, how writes share
// one, and that a failed group leaves nothing behind and tells nobody.
#include "prod/group_commit.hpp"

#include "tests/store/store_test_support.hpp"

#include <boost/asio/io_context.hpp>
#include <gtest/gtest.h>

#include <fmt/format.h>

#include <string>
#include <vector>

namespace clawnet::prod {
namespace {

using store_test::TempDir;

std::string channel(Ticket ticket) { return fmt::format("p-{:04x}", ticket); }
Effect join(Ticket ticket) { return PersistJoin{ticket, channel(ticket), 0}; }
Effect reply(Ticket ticket) { return JoinReply{ticket, true, channel(ticket), ticket, 0, {}, 0}; }
Effect note(std::string text) { return Log{std::move(text)}; }

class GroupCommitTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto opened = QueueStore::open(dir_.file("queue.db"));
    ASSERT_TRUE(std::holds_alternative<std::unique_ptr<QueueStore>>(opened));
    store_ = std::move(std::get<std::unique_ptr<QueueStore>>(opened));
  }

  GroupCommit make(std::size_t writes_max, std::chrono::microseconds wait = {}) {
    return GroupCommit(io_, *store_, writes_max, wait,
                       GroupCommit::Callbacks{
                           .carry = [this](Effect& effect) { carried_.push_back(describe(effect)); },
                           .committed = [this](std::size_t writes,
                                               std::chrono::microseconds) { commits_.push_back(writes); },
                           .on_failure = [this](const StoreError& error) { failures_.push_back(error.message); },
                       });
  }

  std::size_t stored_waiting() const {
    auto loaded = store_->load();
    EXPECT_TRUE(std::holds_alternative<StoredQueue>(loaded));
    return std::holds_alternative<StoredQueue>(loaded) ? std::get<StoredQueue>(loaded).waiting.size() : 0;
  }

  TempDir dir_;
  std::unique_ptr<QueueStore> store_;
  boost::asio::io_context io_;
  std::vector<std::string> carried_;
  std::vector<std::size_t> commits_;
  std::vector<std::string> failures_;
};

TEST_F(GroupCommitTest, EffectsBeforeAnyWriteAreCarriedOutAtOnce) {
  GroupCommit commits = make(100);
  commits.push(note("first"));
  commits.push(note("second"));
  EXPECT_EQ(carried_, (std::vector<std::string>{describe(note("first")), describe(note("second"))}));
  EXPECT_TRUE(commits_.empty());
}

TEST_F(GroupCommitTest, AReplyWaitsForTheCommitOfItsJoin) {
  GroupCommit commits = make(100);
  commits.push(note("before"));
  commits.push(join(1));
  commits.push(reply(1));
  commits.push(note("after"));
  EXPECT_EQ(carried_, std::vector<std::string>{describe(note("before"))}) << "nothing after the write yet";
  EXPECT_EQ(commits.pending_writes(), 1U);
  io_.run();
  EXPECT_EQ(commits_, std::vector<std::size_t>{1});
  EXPECT_EQ(carried_, (std::vector<std::string>{describe(note("before")), describe(join(1)), describe(reply(1)),
                                                describe(note("after"))}));
  EXPECT_EQ(stored_waiting(), 1U);
}

TEST_F(GroupCommitTest, WritesPushedTogetherShareOneCommit) {
  GroupCommit commits = make(100);
  for (Ticket ticket = 1; ticket <= 5; ticket += 1) {
    commits.push(join(ticket));
    commits.push(reply(ticket));
  }
  EXPECT_TRUE(carried_.empty());
  io_.run();
  EXPECT_EQ(commits_, std::vector<std::size_t>{5});
  ASSERT_EQ(carried_.size(), 10U);
  EXPECT_EQ(carried_[8], describe(join(5)));
  EXPECT_EQ(carried_[9], describe(reply(5)));
  EXPECT_EQ(stored_waiting(), 5U);
}

TEST_F(GroupCommitTest, AFullGroupCommitsAtOnce) {
  GroupCommit commits = make(2);
  commits.push(join(1));
  commits.push(reply(1));
  commits.push(join(2));
  EXPECT_EQ(commits_, std::vector<std::size_t>{2}) << "without running the loop";
  EXPECT_EQ(carried_.size(), 3U);
  commits.push(reply(2));
  EXPECT_EQ(carried_.size(), 4U) << "no write is pending: carried at once";
  io_.run();
  EXPECT_EQ(commits_, std::vector<std::size_t>{2}) << "the scheduled commit found nothing to do";
}

TEST_F(GroupCommitTest, AWaitHoldsTheGroupUntilItsTimeOrAFlush) {
  GroupCommit commits = make(100, std::chrono::seconds(10));
  commits.push(join(1));
  commits.push(reply(1));
  io_.poll();
  EXPECT_TRUE(commits_.empty()) << "the wait has not passed";
  commits.flush();
  EXPECT_EQ(commits_, std::vector<std::size_t>{1});
  EXPECT_EQ(carried_.size(), 2U);
  commits.flush();
  EXPECT_EQ(commits_.size(), 1U) << "a flush with nothing pending does nothing";
}

TEST_F(GroupCommitTest, AFailedGroupKeepsNothingAndTellsNobody) {
  GroupCommit commits = make(100);
  commits.push(join(1));
  commits.push(reply(1));
  commits.push(join(1));  // A duplicate ticket: the store refuses it.
  commits.push(reply(1));
  io_.run();
  ASSERT_EQ(failures_.size(), 1U);
  EXPECT_NE(failures_[0].find("ticket 1"), std::string::npos) << failures_[0];
  EXPECT_TRUE(carried_.empty()) << "no reply went out";
  EXPECT_TRUE(commits_.empty());
  EXPECT_EQ(stored_waiting(), 0U) << "the first join went with the group";
}

TEST_F(GroupCommitTest, ACommitScheduledBeforeTheGroupCommitterIsGoneDoesNothing) {
  {
    GroupCommit commits = make(100);
    commits.push(join(1));
  }
  io_.run();
  EXPECT_TRUE(commits_.empty());
  EXPECT_TRUE(carried_.empty());
}

}  // namespace
}  // namespace clawnet::prod
