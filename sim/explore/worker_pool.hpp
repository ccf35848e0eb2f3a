// WorkerPool: forked worker processes that each run one seed at a time and
// answer with one text line. A worker that dies (a crash, a failed assertion)
// or does not answer within its deadline is reported as such, reaped, and
// replaced, so no seed can take the explorer down or hang it.
//
// Contract:
//  - submit() hands a seed to an idle worker; wait() returns what finished
//    (answers and deaths), waiting at most `timeout` for the first.
//  - The job runs in the child; its return value is the answer line (it must
//    not contain '\n'). A child never returns to the caller's code: it leaves
//    with _exit, so the parent's buffers and atexit handlers are not run twice.
//  - The destructor kills and reaps every worker.
// Not thread-safe. POSIX only.
#pragma once

#include <sys/types.h>

#include <chrono>
#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <vector>

namespace clawnet::sim {

class WorkerPool {
 public:
  using Job = std::function<std::string(std::uint64_t seed)>;

  struct Finished {
    std::uint64_t seed = 0;
    std::optional<std::string> answer;  // Set iff the worker answered.
    std::string death;                  // Otherwise: how it died ("killed by signal 6 (Aborted)").
    bool overran = false;               // Killed for missing its deadline.
  };

  // Starts `workers` processes. `deadline` bounds one seed's wall time.
  WorkerPool(unsigned workers, Job job, std::chrono::milliseconds deadline);
  ~WorkerPool();
  WorkerPool(const WorkerPool&) = delete;
  WorkerPool& operator=(const WorkerPool&) = delete;

  bool has_idle() const;
  std::size_t busy() const;
  // REQUIRES: has_idle().
  void submit(std::uint64_t seed);
  std::vector<Finished> wait(std::chrono::milliseconds timeout);

 private:
  struct Worker {
    pid_t pid = -1;
    int to_child = -1;
    int from_child = -1;
    std::optional<std::uint64_t> seed;
    std::chrono::steady_clock::time_point started;
    std::string buffer;
  };

  void spawn(Worker& worker);
  void retire(Worker& worker, bool kill_first);
  [[noreturn]] void child_loop(int from_parent, int to_parent);

  Job job_;
  std::chrono::milliseconds deadline_;
  std::vector<Worker> workers_;
};

}  // namespace clawnet::sim
