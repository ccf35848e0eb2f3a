// ChildProcess: one program the end-to-end tests start, talk to and stop by PID.
//
// start() forks and execs `argv` with `environment` added; the child's stdin is a
// pipe we write lines into, its stdout and stderr one pipe a reader thread splits
// into lines, each stamped with the steady time it was read. The child gets
// SIGKILL if the test process dies first (PR_SET_PDEATHSIG), so nothing outlives
// a crashed test. stop() sends SIGTERM, then SIGKILL after `term_bound`, and reaps
// the PID; kill9() sends SIGKILL at once. The destructor stops it.
// Thread-safe: lines are read on the reader thread, everything else on the caller's.
#pragma once

#include <sys/types.h>

#include <chrono>
#include <condition_variable>
#include <functional>
#include <mutex>
#include <optional>
#include <string>
#include <thread>
#include <utility>
#include <vector>

namespace clawnet::e2e {

using Clock = std::chrono::steady_clock;

struct OutputLine {
  Clock::time_point read_at;
  std::string text;
};

class ChildProcess {
 public:
  ChildProcess() = default;
  ~ChildProcess();
  ChildProcess(const ChildProcess&) = delete;
  ChildProcess& operator=(const ChildProcess&) = delete;

  // Returns an error text, or nullopt once the child runs.
  std::optional<std::string> start(std::string name, const std::vector<std::string>& argv,
                                   const std::vector<std::pair<std::string, std::string>>& environment = {});
  void stop(std::chrono::milliseconds term_bound = std::chrono::seconds(3));
  void kill9();
  // Sends SIGSTOP / SIGCONT (a frozen peer: its sockets stay open, nothing moves).
  void freeze();
  void thaw();

  bool running() const { return pid_ > 0; }
  pid_t pid() const { return pid_; }
  const std::string& name() const { return name_; }
  // Writes one line to the child's stdin; false if it is gone.
  bool write_line(const std::string& line);

  // Waits until some line from index `from` on satisfies `match`, or `limit`
  // passes (a guard against a hang). Returns the index of the first match.
  std::optional<std::size_t> wait_for_line(const std::function<bool(const std::string&)>& match,
                                           std::chrono::milliseconds limit, std::size_t from = 0);
  std::vector<OutputLine> lines() const;
  std::size_t line_count() const;
  // Everything it printed, for failure messages.
  std::string output() const;

 private:
  void read_output(int fd);
  void reap(bool wait);

  std::string name_;
  pid_t pid_ = -1;
  int stdin_fd_ = -1;
  std::thread reader_;
  mutable std::mutex mutex_;
  std::condition_variable changed_;
  std::vector<OutputLine> lines_;
};

}  // namespace clawnet::e2e
