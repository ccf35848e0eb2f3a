#include "tests/prod/broker_process.hpp"

#include <mosquitto.h>
#include <mqtt_protocol.h>

#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <signal.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <cstdlib>
#include <fstream>
#include <sstream>
#include <stdexcept>
#include <thread>

namespace clawnet::prod::testing {

namespace {

// Generous: only a broken broker takes this long; the wait returns as soon as it answers.
constexpr auto broker_ready_timeout = std::chrono::seconds(10);

// Returns true iff an MQTT 5 CONNECT to the port got a CONNACK.
bool connack_received(std::uint16_t port) {
  mosquitto_lib_init();
  bool answered = false;
  mosquitto* client = mosquitto_new(nullptr, true, &answered);
  if (client == nullptr) return false;
  mosquitto_int_option(client, MOSQ_OPT_PROTOCOL_VERSION, MQTT_PROTOCOL_V5);
  mosquitto_connect_v5_callback_set(client, [](mosquitto*, void* user, int, int, const mosquitto_property*) {
    *static_cast<bool*>(user) = true;
  });
  if (mosquitto_connect(client, "127.0.0.1", port, 5) == MOSQ_ERR_SUCCESS) {
    for (int i = 0; i < 20 && !answered; ++i) {
      if (mosquitto_loop(client, 100, 1) != MOSQ_ERR_SUCCESS) break;
    }
    mosquitto_disconnect(client);
  }
  mosquitto_destroy(client);
  return answered;
}

}  // namespace

std::string find_mosquitto() {
  for (const char* candidate : {"/usr/sbin/mosquitto", "/usr/local/sbin/mosquitto", "/usr/bin/mosquitto"}) {
    if (::access(candidate, X_OK) == 0) return candidate;
  }
  const char* path = std::getenv("PATH");
  std::stringstream folders(path != nullptr ? path : "");
  std::string folder;
  while (std::getline(folders, folder, ':')) {
    const std::string candidate = folder + "/mosquitto";
    if (!folder.empty() && ::access(candidate.c_str(), X_OK) == 0) return candidate;
  }
  return {};
}

std::uint16_t free_loopback_port() {
  const int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  if (fd < 0) throw std::runtime_error("socket() failed");
  sockaddr_in address{};
  address.sin_family = AF_INET;
  address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  address.sin_port = 0;
  socklen_t length = sizeof address;
  if (::bind(fd, reinterpret_cast<sockaddr*>(&address), sizeof address) != 0 ||
      ::getsockname(fd, reinterpret_cast<sockaddr*>(&address), &length) != 0) {
    ::close(fd);
    throw std::runtime_error("bind to a free loopback port failed");
  }
  ::close(fd);
  return ntohs(address.sin_port);
}

ProcessResult run_process(const std::vector<std::string>& argv,
                          const std::vector<std::pair<std::string, std::string>>& environment) {
  ProcessResult result;
  int output[2];
  if (argv.empty() || ::pipe(output) != 0) return result;
  const pid_t child = ::fork();
  if (child < 0) return result;
  if (child == 0) {
    ::dup2(output[1], STDOUT_FILENO);
    ::dup2(output[1], STDERR_FILENO);
    ::close(output[0]);
    for (const auto& [name, value] : environment) ::setenv(name.c_str(), value.c_str(), 1);
    std::vector<char*> args;
    for (const std::string& arg : argv) args.push_back(const_cast<char*>(arg.c_str()));
    args.push_back(nullptr);
    ::execvp(args[0], args.data());
    ::_exit(127);
  }
  ::close(output[1]);
  char buffer[4096];
  ssize_t got = 0;
  while ((got = ::read(output[0], buffer, sizeof buffer)) != 0) {
    if (got < 0 && errno == EINTR) continue;
    if (got < 0) break;
    result.output.append(buffer, static_cast<std::size_t>(got));
  }
  ::close(output[0]);
  int status = 0;
  ::waitpid(child, &status, 0);
  if (WIFEXITED(status)) result.exit_code = WEXITSTATUS(status);
  return result;
}

BrokerProcess::BrokerProcess() {
  std::string pattern = (std::filesystem::temp_directory_path() / "clawnet-broker-XXXXXX").string();
  if (::mkdtemp(pattern.data()) == nullptr) throw std::runtime_error("mkdtemp failed");
  directory_ = pattern;
}

BrokerProcess::~BrokerProcess() {
  stop();
  std::error_code ignored;
  std::filesystem::remove_all(directory_, ignored);
}

std::optional<std::string> BrokerProcess::start(const std::string& config_lines, std::uint16_t port) {
  const std::string binary = find_mosquitto();
  if (binary.empty()) return "mosquitto binary not found (install the Debian package mosquitto)";
  stop();
  port_ = port != 0 ? port : free_loopback_port();
  const auto config_path = directory_ / "mosquitto.conf";
  {
    std::ofstream config(config_path);
    // Started as root, mosquitto would drop to user mosquitto and lose our files.
    if (::geteuid() == 0) config << "user root\n";
    config << "listener " << port_ << " 127.0.0.1\n" << config_lines << "\n";
  }
  const std::string log_path = (directory_ / "mosquitto.log").string();
  const pid_t child = ::fork();
  if (child < 0) return "fork failed";
  if (child == 0) {
    const int log_fd = ::open(log_path.c_str(), O_WRONLY | O_CREAT | O_APPEND, 0600);
    if (log_fd >= 0) {
      ::dup2(log_fd, STDOUT_FILENO);
      ::dup2(log_fd, STDERR_FILENO);
    }
    ::execl(binary.c_str(), binary.c_str(), "-c", config_path.c_str(), static_cast<char*>(nullptr));
    ::_exit(127);
  }
  pid_ = child;
  const auto deadline = std::chrono::steady_clock::now() + broker_ready_timeout;
  while (std::chrono::steady_clock::now() < deadline) {
    int status = 0;
    if (::waitpid(pid_, &status, WNOHANG) == pid_) {
      pid_ = -1;
      return "mosquitto exited at start:\n" + log();
    }
    if (connack_received(port_)) return std::nullopt;
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  stop();
  return "mosquitto did not answer CONNECT:\n" + log();
}

void BrokerProcess::stop() {
  if (pid_ <= 0) return;
  ::kill(pid_, SIGTERM);
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(5);
  int status = 0;
  while (::waitpid(pid_, &status, WNOHANG) == 0) {
    if (std::chrono::steady_clock::now() > deadline) {
      ::kill(pid_, SIGKILL);
      ::waitpid(pid_, &status, 0);
      break;
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  pid_ = -1;
}

std::string BrokerProcess::log() const {
  std::ifstream file(directory_ / "mosquitto.log");
  std::stringstream text;
  text << file.rdbuf();
  return text.str();
}

std::string shipped_broker_rules(const std::filesystem::path& deploy_dir, const std::filesystem::path& dynsec_file) {
  std::ifstream file(deploy_dir / "mosquitto.conf");
  std::string line;
  std::string rules;
  while (std::getline(file, line)) {
    std::istringstream words(line);
    std::string key;
    words >> key;
    if (key == "per_listener_settings" || key == "allow_anonymous" || key == "plugin" || key == "max_keepalive") {
      rules += line + "\n";
    } else if (key == "plugin_opt_config_file") {
      rules += "plugin_opt_config_file " + dynsec_file.string() + "\n";
    }
  }
  return rules;
}

}  // namespace clawnet::prod::testing
