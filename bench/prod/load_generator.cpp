// Load generator: thousands of real MQTT players against the shipped stack on
// loopback (mosquitto with the shipped rules and dynamic security, clawd, clawcab
// on simulated GPIO, as the end-to-end tests start them). Players join through
// POST /v1/join at a set rate, each with its own broker account; each connects
// (its own MQTT connection, will and retained presence), listens on its channel
// and the lobby, and plays when granted: alternating left and right presses, then
// a drop. Bounded in players, rate and time; every process is stopped by its PID.
//
// Prints: join latency p50 / p99 and the rate reached; position messages each
// player received per queue change (a turn start moves everybody up by one);
// command-to-GPIO latency p50 / p99 for the player in control (its publish to
// clawcab's log line for the motor) while the others wait; clawd's and the
// broker's CPU (share of one core, from /proc) and resident memory.
//
// Usage: prod_load_generator [players] [joins_per_s] [turns]   (default 5000 250 3)
#include "core/protocol.hpp"
#include "prod/mqtt_transport.hpp"
#include "prod/topics.hpp"
#include "tests/e2e/cluster.hpp"

#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/steady_timer.hpp>
#include <fmt/format.h>

#include <sys/resource.h>
#include <unistd.h>

#include <algorithm>
#include <charconv>
#include <chrono>
#include <cstdio>
#include <fstream>
#include <atomic>
#include <map>
#include <memory>
#include <mutex>
#include <thread>
#include <optional>
#include <sstream>
#include <string>
#include <string_view>
#include <vector>

namespace {

using namespace clawnet;
using Clock = std::chrono::steady_clock;

constexpr std::size_t players_max = 20'000;
constexpr std::size_t joins_per_s_max = 5'000;
constexpr std::size_t turns_max = 100;
constexpr auto run_bound = std::chrono::minutes(15);  // A hang guard for the whole run.
constexpr auto press_ms = std::chrono::milliseconds(300);
constexpr int presses_per_turn = 6;

struct Options {
  std::size_t players = 5'000;
  std::size_t joins_per_s = 250;
  std::size_t turns = 3;
};

std::optional<Options> parse(int argc, char** argv) {
  Options options;
  std::size_t* fields[] = {&options.players, &options.joins_per_s, &options.turns};
  const std::size_t maxima[] = {players_max, joins_per_s_max, turns_max};
  if (argc > 4) return std::nullopt;
  for (int i = 1; i < argc; ++i) {
    const std::string_view text = argv[i];
    std::size_t& field = *fields[i - 1];
    if (std::from_chars(text.data(), text.data() + text.size(), field).ec != std::errc{} || field == 0 ||
        field > maxima[i - 1]) {
      return std::nullopt;
    }
  }
  return options;
}

// Lets the broker (a child, which inherits it) and this process hold a socket per player.
void raise_file_limit() {
  rlimit limit{};
  if (::getrlimit(RLIMIT_NOFILE, &limit) != 0) return;
  limit.rlim_cur = limit.rlim_max;
  ::setrlimit(RLIMIT_NOFILE, &limit);
}

// CPU seconds (user + system) a process has used, from /proc/PID/stat.
double cpu_seconds(pid_t pid) {
  std::ifstream file("/proc/" + std::to_string(pid) + "/stat");
  std::string text((std::istreambuf_iterator<char>(file)), std::istreambuf_iterator<char>());
  const std::size_t after_name = text.rfind(')');
  if (after_name == std::string::npos) return 0;
  std::istringstream fields(text.substr(after_name + 2));
  std::string field;
  double ticks = 0;
  for (int index = 3; index <= 15 && fields >> field; ++index) {
    if (index == 14 || index == 15) ticks += std::stod(field);  // utime, stime
  }
  return ticks / static_cast<double>(::sysconf(_SC_CLK_TCK));
}

double resident_mib(pid_t pid) {
  std::ifstream status("/proc/" + std::to_string(pid) + "/status");
  std::string line;
  while (std::getline(status, line)) {
    if (line.rfind("VmRSS:", 0) == 0) return std::stod(line.substr(6)) / 1024.0;
  }
  return 0;
}

double percentile_ms(std::vector<double> values, double p) {
  if (values.empty()) return 0;
  std::sort(values.begin(), values.end());
  return values[static_cast<std::size_t>(p * static_cast<double>(values.size() - 1))];
}

// The joins, posted from joiner_threads threads at the target rate: clawd answers
// each once the broker made its account, so one at a time would measure that round
// trip, not the rate.
class Joiners {
 public:
  struct Answer {
    double latency_ms = 0;
    std::optional<e2e::HttpAnswer> answer;
  };

  Joiners(std::uint16_t port, std::size_t count, std::size_t per_s) : started_(Clock::now()) {
    const auto interval = std::chrono::duration_cast<Clock::duration>(std::chrono::duration<double>(1.0) /
                                                                      static_cast<double>(per_s));
    for (std::size_t t = 0; t < joiner_threads; ++t) {
      threads_.emplace_back([this, port, count, interval] {
        for (std::size_t index = next_++; index < count; index = next_++) {
          std::this_thread::sleep_until(started_ + interval * static_cast<Clock::rep>(index));
          const auto sent = Clock::now();
          Answer answer{0, e2e::http_request(port, "POST", "/v1/join")};
          answer.latency_ms = std::chrono::duration<double, std::milli>(Clock::now() - sent).count();
          const std::lock_guard lock(mutex_);
          answers_.push_back(std::move(answer));
        }
        finished_ += 1;
      });
    }
  }
  ~Joiners() {
    for (std::thread& thread : threads_) thread.join();
  }
  std::vector<Answer> take() {
    const std::lock_guard lock(mutex_);
    return std::exchange(answers_, {});
  }
  bool done() const { return finished_ == joiner_threads; }

 private:
  static constexpr std::size_t joiner_threads = 32;
  Clock::time_point started_;
  std::atomic<std::size_t> next_ = 0;
  std::atomic<std::size_t> finished_ = 0;
  std::mutex mutex_;
  std::vector<Answer> answers_;
  std::vector<std::thread> threads_;
};

struct LoadPlayer {
  std::string channel;
  std::unique_ptr<prod::MqttTransport> transport;
  std::optional<Turn> control;
  Seq seq = 0;
};

// A press the player in control sent, waiting for clawcab's log line for its motor.
struct Press {
  Clock::time_point sent;
  std::string motor_line;  // "motor gantry_left on"
};

class Load {
 public:
  Load(boost::asio::io_context& io, e2e::Cluster& cluster) : io_(io), cluster_(cluster) {}

  // Connects the player a join answer names; false if the join was refused.
  bool add_player(const std::optional<e2e::HttpAnswer>& answer) {
    if (!answer || answer->status != 200) {
      if (refused_ == 0) first_refusal_ = answer ? fmt::format("{} {}", answer->status, answer->body) : "no answer";
      refused_ += 1;
      return false;
    }
    boost::system::error_code error;
    const boost::json::value reply = boost::json::parse(answer->body, error);
    if (error || !reply.is_object()) return false;
    auto player = std::make_unique<LoadPlayer>();
    player->channel = std::string(reply.at("channel").as_string());
    prod::MqttOptions options;
    options.port = cluster_.broker_port();
    options.client_id = player->channel;
    options.username = player->channel;
    options.password = std::string(reply.at("broker").at("password").as_string());
    options.will = prod::MqttWill{topics_.presence_topic(player->channel), "timeout", 1, true};
    LoadPlayer* raw = player.get();
    prod::MqttCallbacks callbacks;
    callbacks.on_link = [this, raw](bool up) {
      if (up) raw->transport->publish(topics_.presence_topic(raw->channel), "join", 1, true);
    };
    callbacks.on_message = [this, raw](std::string_view, std::string_view payload) { on_message(*raw, payload); };
    player->transport = std::make_unique<prod::MqttTransport>(io_, options, std::move(callbacks));
    player->transport->subscribe(*topics_.topic_of(player->channel), 1);
    player->transport->subscribe(*topics_.topic_of(lobby_channel), 1);
    player->transport->start();
    players_.push_back(std::move(player));
    return true;
  }

  void on_message(LoadPlayer& player, std::string_view payload) {
    const DecodeResult decoded = decode(payload);
    const Message* message = std::get_if<Message>(&decoded);
    if (message == nullptr) return;
    if (std::holds_alternative<Position>(*message)) {
      positions_ += 1;
    } else if (std::holds_alternative<ReadyCheck>(*message)) {
      player.transport->publish(*topics_.topic_of(player.channel), encode(ReadyConfirm{}), 1, false);
    } else if (const Control* control = std::get_if<Control>(message)) {
      if (control->granted && player.control != control->turn) {
        player.control = control->turn;
        player.seq = 0;
        turns_started_ += 1;
        play(player, control->turn, 0);
      } else if (!control->granted && control->result) {
        turns_finished_ += 1;
      }
    }
  }

  // Press left or right for press_ms, release, and again; then drop.
  void play(LoadPlayer& player, Turn turn, int press) {
    if (player.control != turn) return;
    const std::string topic = *topics_.topic_of(player.channel);
    if (press == presses_per_turn) {
      player.transport->publish(topic, encode(Command{CommandKind::drop, turn, ++player.seq}), 1, false);
      return;
    }
    const bool left = press % 2 == 1;  // Right first: the claw starts at home, against the left end.
    presses_.push_back(Press{Clock::now(), left ? "motor gantry_left on" : "motor gantry_right on"});
    player.transport->publish(topic, encode(Command{left ? CommandKind::left_on : CommandKind::right_on, turn,
                                                    ++player.seq}),
                              1, false);
    after(press_ms, [this, &player, turn, press, topic, left] {
      if (player.control != turn) return;
      player.transport->publish(
          topic, encode(Command{left ? CommandKind::left_off : CommandKind::right_off, turn, ++player.seq}), 1, false);
      after(std::chrono::milliseconds(100), [this, &player, turn, press] { play(player, turn, press + 1); });
    });
  }

  template <class Action>
  void after(std::chrono::milliseconds delay, Action action) {
    auto timer = std::make_shared<boost::asio::steady_timer>(io_, delay);
    timer->async_wait([timer, action](const boost::system::error_code& error) {
      if (!error) action();
    });
  }

  // Each press against the first matching clawcab line within the press; a press
  // with none (the gantry already at that end) is no sample.
  // Presses [first, last).
  std::vector<double> command_latencies_ms(std::size_t first, std::size_t last) const {
    const std::vector<e2e::OutputLine> lines = cluster_.clawcab().lines();
    std::vector<double> latencies;
    std::size_t from = 0;
    for (std::size_t index = first; index < last; ++index) {
      const Press& press = presses_[index];
      while (from < lines.size() && lines[from].read_at < press.sent) from += 1;
      for (std::size_t i = from; i < lines.size() && lines[i].read_at < press.sent + press_ms; ++i) {
        if (lines[i].text.find(press.motor_line) == std::string::npos) continue;
        latencies.push_back(std::chrono::duration<double, std::milli>(lines[i].read_at - press.sent).count());
        break;
      }
    }
    return latencies;
  }

  boost::asio::io_context& io_;
  e2e::Cluster& cluster_;
  prod::TopicMap topics_{"clawnet"};
  std::vector<std::unique_ptr<LoadPlayer>> players_;
  std::vector<double> join_ms_;
  std::vector<Press> presses_;
  std::size_t refused_ = 0;
  std::string first_refusal_;
  std::uint64_t positions_ = 0;
  std::uint64_t turns_started_ = 0;
  std::uint64_t turns_finished_ = 0;
};

}  // namespace

int main(int argc, char** argv) {
  const std::optional<Options> options = parse(argc, argv);
  if (!options) {
    std::fprintf(stderr, "usage: prod_load_generator [players 1..%zu] [joins_per_s 1..%zu] [turns 1..%zu]\n",
                 players_max, joins_per_s_max, turns_max);
    return 2;
  }
  raise_file_limit();
  e2e::Cluster cluster({.turn_ms = 8'000, .join_rate_per_s = 1'000'000, .join_burst = 1'000'000});
  if (auto error = cluster.start_all()) {
    std::fprintf(stderr, "starting the cluster: %s\n", error->c_str());
    return 1;
  }
  boost::asio::io_context io;
  // The loop runs before the first player exists: without work it would stop for good.
  const auto keep_running = boost::asio::make_work_guard(io);
  Load load(io, cluster);
  const pid_t clawd = cluster.clawd().pid();
  const pid_t broker = cluster.broker().pid();
  const auto deadline = Clock::now() + run_bound;
  const double clawd_cpu_before = cpu_seconds(clawd);
  const double broker_cpu_before = cpu_seconds(broker);
  const auto started = Clock::now();
  {
    Joiners joiners(cluster.http_port(), options->players, options->joins_per_s);
    while (Clock::now() < deadline) {
      const bool last = joiners.done();
      for (Joiners::Answer& answer : joiners.take()) {
        load.join_ms_.push_back(answer.latency_ms);
        load.add_player(answer.answer);
      }
      if (last) break;
      io.run_one_for(std::chrono::milliseconds(5));
    }
  }
  const double join_s = std::chrono::duration<double>(Clock::now() - started).count();
  if (load.players_.empty()) {
    std::fprintf(stderr, "no join was accepted; the first refusal: %s\n", load.first_refusal_.c_str());
    return 1;
  }
  const std::uint64_t positions_before_play = load.positions_;
  // The turns played once everybody joined: positions per change are counted over these.
  const std::uint64_t started_before_play = load.turns_started_;
  const std::uint64_t finished_before_play = load.turns_finished_;
  const std::size_t presses_before_play = load.presses_.size();
  auto report_at = Clock::now();
  while (load.turns_finished_ < finished_before_play + options->turns && Clock::now() < deadline) {
    io.run_one_for(std::chrono::milliseconds(50));
    if (Clock::now() < report_at) continue;
    report_at = Clock::now() + std::chrono::seconds(10);
    std::fprintf(stderr, "... %llu turns started, %llu finished\n", static_cast<unsigned long long>(load.turns_started_),
                 static_cast<unsigned long long>(load.turns_finished_));
  }
  const double wall_s = std::chrono::duration<double>(Clock::now() - started).count();
  const double clawd_cpu = cpu_seconds(clawd) - clawd_cpu_before;
  const double broker_cpu = cpu_seconds(broker) - broker_cpu_before;
  const std::uint64_t play_turns = load.turns_started_ - started_before_play;
  const std::vector<double> joining_commands = load.command_latencies_ms(0, presses_before_play);
  const std::vector<double> commands = load.command_latencies_ms(presses_before_play, load.presses_.size());
  std::printf("players: %zu joined (%zu refused) in %.1f s at a target of %zu/s; join latency p50 %.1f ms, p99 %.1f ms\n",
              load.players_.size(), load.refused_, join_s, options->joins_per_s, percentile_ms(load.join_ms_, 0.5),
              percentile_ms(load.join_ms_, 0.99));
  std::printf("turns: %llu played, %llu of them with all %zu connected; position messages per queue change: %.1f\n",
              static_cast<unsigned long long>(load.turns_finished_),
              static_cast<unsigned long long>(load.turns_finished_ - finished_before_play), load.players_.size(),
              play_turns == 0 ? 0.0
                              : static_cast<double>(load.positions_ - positions_before_play) /
                                    static_cast<double>(play_turns));
  std::printf("command to GPIO for the player in control, the others waiting: %zu samples, p50 %.2f ms, p99 %.2f ms "
              "(while players were still joining: p50 %.2f ms, p99 %.2f ms)\n",
              commands.size(), percentile_ms(commands, 0.5), percentile_ms(commands, 0.99),
              percentile_ms(joining_commands, 0.5), percentile_ms(joining_commands, 0.99));
  std::printf("CPU over %.0f s (share of one core): clawd %.0f%%, mosquitto %.0f%%; resident memory: clawd %.0f MiB, "
              "mosquitto %.0f MiB\n",
              wall_s, 100 * clawd_cpu / wall_s, 100 * broker_cpu / wall_s, resident_mib(clawd), resident_mib(broker));
  for (auto& player : load.players_) player->transport->stop();
  io.run_for(std::chrono::milliseconds(200));
  return load.turns_finished_ >= finished_before_play + options->turns ? 0 : 1;
}
