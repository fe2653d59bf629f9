// GroupCommit: concurrent submissions share a write, results go back to their own
// requests, and a failing batch is retried one request at a time.
#include <utility>

#include <gtest/gtest.h>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/asio/use_future.hpp>

#include <algorithm>
#include <future>
#include <stdexcept>
#include <string>
#include <vector>

#include "platform/db/group_commit.h"

namespace ticketly::db {
namespace {

namespace asio = boost::asio;

// Records every write's batch; "poison" makes a write throw.
struct FakeStore {
  std::vector<std::vector<int>> writes;
  asio::awaitable<std::vector<std::string>> write(const std::vector<int>& batch) {
    writes.push_back(batch);
    // Like a database round trip: the writer suspends, so later submissions queue up.
    co_await asio::post(co_await asio::this_coro::executor, asio::use_awaitable);
    for (int v : batch) {
      if (v < 0) throw std::runtime_error("cannot write " + std::to_string(v));
    }
    std::vector<std::string> out;
    for (int v : batch) out.push_back("r" + std::to_string(v));
    co_return out;
  }
};

class GroupCommitTest : public ::testing::Test {
 protected:
  void SetUp() override { io_.start(); }
  void TearDown() override {
    io_.stop();
    io_.join();
  }

  // Submits every value from one worker before any write can run: they queue together.
  std::vector<std::string> submit_all(GroupCommit<int, std::string>& commit, const std::vector<int>& values,
                                      std::vector<std::string>* errors = nullptr) {
    std::vector<std::future<std::string>> futures;
    std::promise<void> queued;
    asio::post(io_.context(0), [&] {
      for (int v : values) futures.push_back(asio::co_spawn(io_.context(0), commit.submit(v), asio::use_future));
      queued.set_value();
    });
    queued.get_future().get();
    std::vector<std::string> out;
    for (auto& f : futures) {
      try {
        out.push_back(f.get());
      } catch (const std::exception& e) {
        out.push_back("error");
        if (errors) errors->push_back(e.what());
      }
    }
    return out;
  }

  runtime::IoPool io_{1};
  FakeStore store_;
};

TEST_F(GroupCommitTest, RequestsQueuedTogetherShareOneWriteAndGetTheirOwnResults) {
  GroupCommit<int, std::string> commit(
      io_, [this](const std::vector<int>& b) { return store_.write(b); }, 256, 1);
  const auto results = submit_all(commit, {1, 2, 3, 4, 5});
  EXPECT_EQ(results, (std::vector<std::string>{"r1", "r2", "r3", "r4", "r5"}));
  // One batch in flight at a time: whatever queued while it ran went in one more write.
  ASSERT_LE(store_.writes.size(), 2u);
  std::vector<int> written;
  for (const auto& w : store_.writes) written.insert(written.end(), w.begin(), w.end());
  EXPECT_EQ(written, (std::vector<int>{1, 2, 3, 4, 5}));
}

TEST_F(GroupCommitTest, BatchesAreCutAtTheirMaximumSize) {
  GroupCommit<int, std::string> commit(
      io_, [this](const std::vector<int>& b) { return store_.write(b); }, 2, 1);
  submit_all(commit, {1, 2, 3, 4, 5});
  for (const auto& w : store_.writes) EXPECT_LE(w.size(), 2u);
  std::size_t total = 0;
  for (const auto& w : store_.writes) total += w.size();
  EXPECT_EQ(total, 5u);
}

TEST_F(GroupCommitTest, AFailedBatchIsWrittenAgainOneRequestAtATime) {
  GroupCommit<int, std::string> commit(
      io_, [this](const std::vector<int>& b) { return store_.write(b); }, 256, 1);
  std::vector<std::string> errors;
  const auto results = submit_all(commit, {1, 2, -3, 4}, &errors);
  // Only the poisoned request fails; its batch mates are written on their own.
  EXPECT_EQ(results, (std::vector<std::string>{"r1", "r2", "error", "r4"}));
  ASSERT_EQ(errors.size(), 1u);
  EXPECT_EQ(errors[0], "cannot write -3");
  // The write that held -3 with others is followed by one write per request of it.
  std::size_t failed = store_.writes.size();
  for (std::size_t i = 0; i < store_.writes.size(); ++i) {
    const auto& w = store_.writes[i];
    if (w.size() > 1 && std::find(w.begin(), w.end(), -3) != w.end()) failed = i;
  }
  ASSERT_LT(failed, store_.writes.size());
  const auto batch = store_.writes[failed];
  ASSERT_GE(store_.writes.size(), failed + 1 + batch.size());
  for (std::size_t k = 0; k < batch.size(); ++k) {
    EXPECT_EQ(store_.writes[failed + 1 + k], (std::vector<int>{batch[k]}));
  }
}

TEST_F(GroupCommitTest, SubmittingOutsideThePoolIsALogicError) {
  GroupCommit<int, std::string> commit(
      io_, [this](const std::vector<int>& b) { return store_.write(b); }, 256, 1);
  asio::io_context elsewhere;
  auto f = asio::co_spawn(elsewhere, commit.submit(1), asio::use_future);
  elsewhere.run();
  EXPECT_THROW(f.get(), std::logic_error);
}

}  // namespace
}  // namespace ticketly::db
