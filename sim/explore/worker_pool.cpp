#include "sim/explore/worker_pool.hpp"

#include <fmt/format.h>
#include <poll.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <iostream>
#include <stdexcept>

namespace clawnet::sim {
namespace {

bool write_all(int fd, std::string_view data) {
  while (!data.empty()) {
    const ssize_t written = ::write(fd, data.data(), data.size());
    if (written < 0 && errno == EINTR) continue;
    if (written <= 0) return false;
    data.remove_prefix(static_cast<std::size_t>(written));
  }
  return true;
}

std::string describe_status(int status) {
  if (WIFSIGNALED(status)) {
    return fmt::format("killed by signal {} ({})", WTERMSIG(status), ::strsignal(WTERMSIG(status)));
  }
  if (WIFEXITED(status)) return fmt::format("exited with status {} without answering", WEXITSTATUS(status));
  return "stopped without answering";
}

}  // namespace

WorkerPool::WorkerPool(unsigned workers, Job job, std::chrono::milliseconds deadline)
    : job_(std::move(job)), deadline_(deadline), workers_(workers) {
  ::signal(SIGPIPE, SIG_IGN);  // A dead worker's pipe must not kill the explorer.
  for (Worker& worker : workers_) spawn(worker);
}

WorkerPool::~WorkerPool() {
  for (Worker& worker : workers_) retire(worker, true);
}

void WorkerPool::spawn(Worker& worker) {
  int down[2];
  int up[2];
  if (::pipe(down) != 0 || ::pipe(up) != 0) throw std::runtime_error("explore: cannot create a pipe");
  std::cout.flush();
  std::cerr.flush();
  std::fflush(nullptr);
  const pid_t pid = ::fork();
  if (pid < 0) throw std::runtime_error("explore: cannot fork a worker");
  if (pid == 0) {
    // The child keeps only its own two pipe ends: another worker's pipes held
    // open here would hide that worker's death from the parent.
    for (const Worker& other : workers_) {
      if (other.to_child >= 0) ::close(other.to_child);
      if (other.from_child >= 0) ::close(other.from_child);
    }
    ::close(down[1]);
    ::close(up[0]);
    child_loop(down[0], up[1]);
  }
  ::close(down[0]);
  ::close(up[1]);
  worker = Worker{pid, down[1], up[0], std::nullopt, {}, {}};
}

void WorkerPool::child_loop(int from_parent, int to_parent) {
  std::string pending;
  char chunk[256];
  for (;;) {
    const std::size_t newline = pending.find('\n');
    if (newline == std::string::npos) {
      const ssize_t got = ::read(from_parent, chunk, sizeof chunk);
      if (got < 0 && errno == EINTR) continue;
      if (got <= 0) ::_exit(0);  // The parent is done with us.
      pending.append(chunk, static_cast<std::size_t>(got));
      continue;
    }
    const std::uint64_t seed = std::stoull(pending.substr(0, newline));
    pending.erase(0, newline + 1);
    const std::string answer = job_(seed) + "\n";
    std::cout.flush();
    std::fflush(nullptr);
    if (!write_all(to_parent, answer)) ::_exit(1);
  }
}

void WorkerPool::retire(Worker& worker, bool kill_first) {
  if (worker.pid < 0) return;
  if (kill_first) ::kill(worker.pid, SIGKILL);
  ::close(worker.to_child);
  ::close(worker.from_child);
  int status = 0;
  while (::waitpid(worker.pid, &status, 0) < 0 && errno == EINTR) {
  }
  worker = Worker{};
}

bool WorkerPool::has_idle() const {
  for (const Worker& worker : workers_) {
    if (!worker.seed) return true;
  }
  return false;
}

std::size_t WorkerPool::busy() const {
  std::size_t count = 0;
  for (const Worker& worker : workers_) count += worker.seed ? 1 : 0;
  return count;
}

void WorkerPool::submit(std::uint64_t seed) {
  for (Worker& worker : workers_) {
    if (worker.seed) continue;
    worker.seed = seed;
    worker.started = std::chrono::steady_clock::now();
    if (!write_all(worker.to_child, fmt::format("{}\n", seed))) {
      // Dead already: wait() reads its end-of-file and reports the death.
    }
    return;
  }
  throw std::logic_error("WorkerPool::submit with no idle worker");
}

std::vector<WorkerPool::Finished> WorkerPool::wait(std::chrono::milliseconds timeout) {
  std::vector<Finished> finished;
  std::vector<pollfd> polls;
  std::vector<Worker*> polled;
  for (Worker& worker : workers_) {
    if (!worker.seed) continue;
    polls.push_back(pollfd{worker.from_child, POLLIN, 0});
    polled.push_back(&worker);
  }
  if (polls.empty()) return finished;
  const int ready = ::poll(polls.data(), polls.size(), static_cast<int>(timeout.count()));
  if (ready < 0 && errno != EINTR) throw std::runtime_error("explore: poll failed");
  const auto now = std::chrono::steady_clock::now();
  for (std::size_t index = 0; index < polls.size(); index += 1) {
    Worker& worker = *polled[index];
    const std::uint64_t seed = *worker.seed;
    if (polls[index].revents != 0) {
      char chunk[4096];
      const ssize_t got = ::read(worker.from_child, chunk, sizeof chunk);
      if (got > 0) {
        worker.buffer.append(chunk, static_cast<std::size_t>(got));
        const std::size_t newline = worker.buffer.find('\n');
        if (newline != std::string::npos) {
          finished.push_back(Finished{seed, worker.buffer.substr(0, newline), {}, false});
          worker.buffer.erase(0, newline + 1);
          worker.seed.reset();
        }
        continue;
      }
      // End of file: the worker died in this seed.
      int status = 0;
      ::close(worker.to_child);
      ::close(worker.from_child);
      while (::waitpid(worker.pid, &status, 0) < 0 && errno == EINTR) {
      }
      worker = Worker{};
      finished.push_back(Finished{seed, std::nullopt, describe_status(status), false});
      spawn(worker);
      continue;
    }
    if (now - worker.started > deadline_) {
      retire(worker, true);
      finished.push_back(Finished{
          seed, std::nullopt,
          fmt::format("no answer within {} s of wall time (killed)",
                      std::chrono::duration_cast<std::chrono::seconds>(deadline_).count()),
          true});
      spawn(worker);
    }
  }
  return finished;
}

}  // namespace clawnet::sim
