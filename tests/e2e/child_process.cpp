#include "tests/e2e/child_process.hpp"

#include <fcntl.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cstdlib>

extern char** environ;

namespace clawnet::e2e {

ChildProcess::~ChildProcess() { stop(); }

std::optional<std::string> ChildProcess::start(std::string name, const std::vector<std::string>& argv,
                                               const std::vector<std::pair<std::string, std::string>>& environment) {
  if (argv.empty()) return "no program to start";
  if (running()) return name_ + " is already running";
  if (reader_.joinable()) reader_.join();
  name_ = std::move(name);
  int input[2];
  int output[2];
  if (::pipe2(input, O_CLOEXEC) != 0) return "pipe failed";
  if (::pipe2(output, O_CLOEXEC) != 0) {
    ::close(input[0]);
    ::close(input[1]);
    return "pipe failed";
  }
  // Built before fork: the child of a threaded process may only exec.
  std::vector<std::string> env_text;
  for (char** entry = environ; *entry != nullptr; ++entry) {
    const std::string text = *entry;
    bool overridden = false;
    for (const auto& [key, value] : environment) overridden = overridden || text.starts_with(key + "=");
    if (!overridden) env_text.push_back(text);
  }
  for (const auto& [key, value] : environment) env_text.push_back(key + "=" + value);
  std::vector<char*> envp;
  for (std::string& text : env_text) envp.push_back(text.data());
  envp.push_back(nullptr);
  std::vector<char*> args;
  std::vector<std::string> argv_text = argv;
  for (std::string& arg : argv_text) args.push_back(arg.data());
  args.push_back(nullptr);
  const pid_t parent = ::getpid();
  const pid_t child = ::fork();
  if (child < 0) return "fork failed";
  if (child == 0) {
    // Nothing the test starts may outlive it, even if it crashes.
    ::prctl(PR_SET_PDEATHSIG, SIGKILL);
    if (::getppid() != parent) ::_exit(127);
    ::dup2(input[0], STDIN_FILENO);
    ::dup2(output[1], STDOUT_FILENO);
    ::dup2(output[1], STDERR_FILENO);
    ::execve(args[0], args.data(), envp.data());
    ::_exit(127);
  }
  ::close(input[0]);
  ::close(output[1]);
  pid_ = child;
  stdin_fd_ = input[1];
  {
    std::lock_guard lock(mutex_);
    lines_.clear();
  }
  reader_ = std::thread([this, fd = output[0]] { read_output(fd); });
  return std::nullopt;
}

void ChildProcess::read_output(int fd) {
  std::string pending;
  char buffer[4096];
  for (;;) {
    const ssize_t got = ::read(fd, buffer, sizeof buffer);
    if (got < 0 && errno == EINTR) continue;
    if (got <= 0) break;
    pending.append(buffer, static_cast<std::size_t>(got));
    std::size_t end = 0;
    std::lock_guard lock(mutex_);
    while ((end = pending.find('\n')) != std::string::npos) {
      lines_.push_back({Clock::now(), pending.substr(0, end)});
      pending.erase(0, end + 1);
    }
    changed_.notify_all();
  }
  ::close(fd);
  std::lock_guard lock(mutex_);
  if (!pending.empty()) lines_.push_back({Clock::now(), pending});
  changed_.notify_all();
}

void ChildProcess::reap(bool wait) {
  if (pid_ <= 0) return;
  int status = 0;
  const pid_t done = ::waitpid(pid_, &status, wait ? 0 : WNOHANG);
  if (done == pid_ || (done < 0 && errno == ECHILD)) {
    pid_ = -1;
    if (stdin_fd_ >= 0) ::close(stdin_fd_);
    stdin_fd_ = -1;
    if (reader_.joinable()) reader_.join();
  }
}

void ChildProcess::stop(std::chrono::milliseconds term_bound) {
  reap(false);
  if (pid_ <= 0) return;
  ::kill(pid_, SIGCONT);  // A frozen child cannot handle SIGTERM.
  ::kill(pid_, SIGTERM);
  const auto deadline = Clock::now() + term_bound;
  while (pid_ > 0 && Clock::now() < deadline) {
    reap(false);
    if (pid_ > 0) std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  if (pid_ > 0) kill9();
}

void ChildProcess::kill9() {
  reap(false);
  if (pid_ <= 0) return;
  ::kill(pid_, SIGKILL);
  reap(true);
}

void ChildProcess::freeze() {
  if (pid_ > 0) ::kill(pid_, SIGSTOP);
}

void ChildProcess::thaw() {
  if (pid_ > 0) ::kill(pid_, SIGCONT);
}

bool ChildProcess::write_line(const std::string& line) {
  if (stdin_fd_ < 0) return false;
  const std::string text = line + "\n";
  std::size_t sent = 0;
  while (sent < text.size()) {
    const ssize_t n = ::write(stdin_fd_, text.data() + sent, text.size() - sent);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) return false;
    sent += static_cast<std::size_t>(n);
  }
  return true;
}

std::optional<std::size_t> ChildProcess::wait_for_line(const std::function<bool(const std::string&)>& match,
                                                       std::chrono::milliseconds limit, std::size_t from) {
  const auto deadline = Clock::now() + limit;
  std::unique_lock lock(mutex_);
  std::size_t checked = from;
  for (;;) {
    for (; checked < lines_.size(); ++checked) {
      if (match(lines_[checked].text)) return checked;
    }
    if (changed_.wait_until(lock, deadline) == std::cv_status::timeout) {
      for (; checked < lines_.size(); ++checked) {
        if (match(lines_[checked].text)) return checked;
      }
      return std::nullopt;
    }
  }
}

std::vector<OutputLine> ChildProcess::lines() const {
  std::lock_guard lock(mutex_);
  return lines_;
}

std::size_t ChildProcess::line_count() const {
  std::lock_guard lock(mutex_);
  return lines_.size();
}

std::string ChildProcess::output() const {
  std::lock_guard lock(mutex_);
  std::string text;
  for (const OutputLine& line : lines_) text += name_ + "| " + line.text + "\n";
  return text;
}

}  // namespace clawnet::e2e
