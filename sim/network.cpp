#include "sim/network.hpp"

#include "core/probes.hpp"

#include "core/limits.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <cassert>
#include <stdexcept>
#include <utility>

namespace clawnet::sim {
namespace {

// Bounds on option values: an hour of latency is already absurd, and keeps
// time arithmetic far from overflow.
constexpr TimeMs option_ms_max = 3'600'000;

// A pattern is a channel name, or a prefix followed by '*'.
struct Pattern {
  std::string_view stem;
  bool prefix = false;
};

Pattern parse_pattern(std::string_view text) {
  if (!text.empty() && text.back() == '*') return {text.substr(0, text.size() - 1), true};
  return {text, false};
}

bool valid_channel(std::string_view channel) {
  return !channel.empty() && channel.size() <= limits::channel_bytes_max &&
         channel.find('*') == std::string_view::npos;
}

bool valid_pattern(std::string_view text) {
  const Pattern pattern = parse_pattern(text);
  if (pattern.stem.find('*') != std::string_view::npos) return false;
  if (pattern.stem.size() > limits::channel_bytes_max) return false;
  return pattern.prefix || !pattern.stem.empty();
}

bool matches(std::string_view pattern_text, std::string_view channel) {
  const Pattern pattern = parse_pattern(pattern_text);
  return pattern.prefix ? channel.starts_with(pattern.stem) : channel == pattern.stem;
}

// True iff every channel matching `inner` also matches `outer`.
bool covers(std::string_view outer_text, std::string_view inner_text) {
  const Pattern outer = parse_pattern(outer_text);
  const Pattern inner = parse_pattern(inner_text);
  if (!outer.prefix) return !inner.prefix && inner.stem == outer.stem;
  return inner.stem.starts_with(outer.stem);
}

bool is_probability(double p) { return p >= 0.0 && p <= 1.0; }  // False for NaN too.

std::string describe_until(TimeMs until_ms) {
  if (until_ms == time_never) return "until healed";
  return fmt::format("until {:g}s", static_cast<double>(until_ms) / 1000.0);
}

std::string percent(double p) { return fmt::format("{:.3g}%", p * 100.0); }

// Calls a copy: the callback may replace the node's callbacks (set_callbacks)
// while it runs.
template <class Callback, class... Args>
void call(const Callback& callback, const Args&... args) {
  if (!callback) return;
  Callback copy = callback;
  copy(args...);
}

}  // namespace

std::optional<std::string> validate(const NetworkOptions& options) {
  if (options.latency_ms_min < 0 || options.latency_ms_min > option_ms_max)
    return fmt::format("latency_ms_min must be in [0, {}]", option_ms_max);
  if (options.latency_ms_max < options.latency_ms_min || options.latency_ms_max > option_ms_max)
    return fmt::format("latency_ms_max must be in [latency_ms_min, {}]", option_ms_max);
  if (!is_probability(options.loss)) return "loss must be in [0, 1]";
  if (!is_probability(options.duplication)) return "duplication must be in [0, 1]";
  if (!is_probability(options.reorder)) return "reorder must be in [0, 1]";
  // Without reordering the extra delay is never drawn, so 0 is fine there.
  const TimeMs reorder_ms_min = options.reorder > 0 ? 1 : 0;
  if (options.reorder_ms_max < reorder_ms_min || options.reorder_ms_max > option_ms_max)
    return fmt::format("reorder_ms_max must be in [{}, {}]", reorder_ms_min, option_ms_max);
  if (options.heartbeat_timeout_ms < 1 || options.heartbeat_timeout_ms > option_ms_max)
    return fmt::format("heartbeat_timeout_ms must be in [1, {}]", option_ms_max);
  if (options.link_detect_ms < 0 || options.link_detect_ms > option_ms_max)
    return fmt::format("link_detect_ms must be in [0, {}]", option_ms_max);
  if (options.message_bytes_max < 1) return "message_bytes_max must be at least 1";
  return std::nullopt;
}

std::string_view to_string(PublishResult result) {
  switch (result) {
    case PublishResult::sent: return "sent";
    case PublishResult::denied: return "denied";
    case PublishResult::too_large: return "too_large";
    case PublishResult::bad_channel: return "bad_channel";
    case PublishResult::node_down: return "node_down";
    case PublishResult::unknown_node: return "unknown_node";
  }
  return "?";
}

std::string_view to_string(SubscribeResult result) {
  switch (result) {
    case SubscribeResult::requested: return "requested";
    case SubscribeResult::denied: return "denied";
    case SubscribeResult::bad_channel: return "bad_channel";
    case SubscribeResult::node_down: return "node_down";
    case SubscribeResult::unknown_node: return "unknown_node";
  }
  return "?";
}

Network::Network(Scheduler& scheduler, Rng rng, NetworkOptions options)
    : scheduler_(scheduler), rng_(rng), options_(options) {
  if (auto error = validate(options)) throw std::invalid_argument("NetworkOptions: " + *error);
}

std::optional<std::string> Network::set_options(const NetworkOptions& options) {
  if (auto error = validate(options)) return error;
  options_ = options;
  return std::nullopt;
}

std::optional<std::string> Network::set_channel_loss(std::string_view pattern, double p) {
  if (!valid_pattern(pattern)) return fmt::format("channel loss pattern '{}' is malformed", pattern);
  if (!is_probability(p)) return fmt::format("channel loss for '{}' must be in [0, 1]", pattern);
  channel_loss_.insert_or_assign(std::string(pattern), p);
  return std::nullopt;
}

void Network::clear_channel_loss(std::string_view pattern) {
  if (auto found = channel_loss_.find(pattern); found != channel_loss_.end()) channel_loss_.erase(found);
}

// --- Nodes ------------------------------------------------------------------

bool Network::add_node(const std::string& name, NodeCallbacks callbacks) {
  if (name.empty() || nodes_.contains(name)) return false;
  Node& node = nodes_[name];
  node.callbacks = std::move(callbacks);
  node.presence_lane = scheduler_.new_lane();
  node.reachability_changed_ms = scheduler_.now();
  // A node added inside a partition boots believing its link is up.
  if (partitioned(name)) reachability_changed(name, true);
  return true;
}

bool Network::set_callbacks(const std::string& name, NodeCallbacks callbacks) {
  Node* node = find(name);
  if (node == nullptr) return false;
  node->callbacks = std::move(callbacks);
  return true;
}

void Network::crash(const std::string& name) {
  Node* node = find(name);
  if (node == nullptr || !node->up) return;
  const bool was_reachable = reachable(name);
  // Heartbeats stopped now, or when the node was cut off.
  const TimeMs silent_since_ms = was_reachable ? scheduler_.now() : node->unreachable_since_ms;
  const TimeMs expires_ms = silent_since_ms + options_.heartbeat_timeout_ms;
  for (auto& [channel, orphan] : node->orphans) orphan.leave_on_heal = false;
  for (const auto& [channel, subscription] : node->subscriptions) {
    if (subscription.active) node->orphans.insert_or_assign(channel, Orphan{expires_ms, false});
    if (auto found = subscribers_.find(channel); found != subscribers_.end()) found->second.erase(name);
  }
  node->subscriptions.clear();
  for (const auto& pattern : node->watches) {
    if (auto found = watchers_.find(pattern); found != watchers_.end()) found->second.erase(name);
  }
  node->watches.clear();
  node->up = false;
  ++node->incarnation;
  reachability_changed(name, was_reachable);
  if (!node->orphans.empty()) schedule(expires_ms, [this, name] { expire_presence(name); });
}

void Network::restart(const std::string& name) {
  Node* node = find(name);
  if (node == nullptr || node->up) return;
  node->up = true;
  ++node->incarnation;
  node->link_reported_up = true;  // A booting node assumes its link is up.
  node->reachability_changed_ms = scheduler_.now();
  if (!reachable(name)) {
    node->unreachable_since_ms = scheduler_.now();
    const std::uint64_t incarnation = node->incarnation;
    schedule(scheduler_.now() + options_.link_detect_ms, [this, name, incarnation] { check_link(name, incarnation); });
  }
}

bool Network::is_up(const std::string& name) const {
  const Node* node = find(name);
  return node != nullptr && node->up;
}

// --- Rights -----------------------------------------------------------------

bool Network::grant(const std::string& node, std::string_view pattern, bool read, bool write) {
  if (!valid_pattern(pattern)) return false;
  auto& grants = grants_[node];
  if (!read && !write) {
    if (auto found = grants.find(pattern); found != grants.end()) grants.erase(found);
  } else {
    grants.insert_or_assign(std::string(pattern), Grant{read, write});
  }
  return true;
}

void Network::revoke(const std::string& node, const std::string& channel) {
  grant(node, channel, false, false);
  unsubscribe(node, channel);
}

bool Network::can_read(const std::string& node, std::string_view channel) const {
  const auto grants = grants_.find(node);
  if (grants == grants_.end()) return false;
  return std::any_of(grants->second.begin(), grants->second.end(),
                     [&](const auto& entry) { return entry.second.read && matches(entry.first, channel); });
}

bool Network::can_write(const std::string& node, std::string_view channel) const {
  const auto grants = grants_.find(node);
  if (grants == grants_.end()) return false;
  return std::any_of(grants->second.begin(), grants->second.end(),
                     [&](const auto& entry) { return entry.second.write && matches(entry.first, channel); });
}

// --- Pub/sub ----------------------------------------------------------------

PublishResult Network::publish(const std::string& from, const std::string& channel, const std::string& payload) {
  const Node* sender = find(from);
  if (sender == nullptr) return PublishResult::unknown_node;
  if (!sender->up) return PublishResult::node_down;
  if (!valid_channel(channel)) return PublishResult::bad_channel;
  if (!can_write(from, channel)) {
    ++counters_.denied;
    return PublishResult::denied;
  }
  if (payload.size() > options_.message_bytes_max) {
    ++counters_.too_large;
    return PublishResult::too_large;
  }
  ++counters_.published;
  const auto receivers = subscribers_.find(channel);
  if (receivers == subscribers_.end()) return PublishResult::sent;
  const double loss = loss_for(channel);
  const bool sender_cut_off = partitioned(from);
  for (const std::string& to : receivers->second) {
    if (to == from) continue;
    if (sender_cut_off || link_cut(from, to) || rng_.chance(loss)) {
      ++counters_.lost;
      continue;
    }
    Node& receiver = nodes_.find(to)->second;
    assert(receiver.up);
    const auto subscribed = receiver.subscriptions.find(channel);
    assert(subscribed != receiver.subscriptions.end() && subscribed->second.active);
    Subscription& subscription = subscribed->second;
    TimeMs at_ms = scheduler_.now() + sample_latency();
    Lane lane = no_lane;
    if (rng_.chance(options_.reorder)) {
      at_ms += rng_.between(1, options_.reorder_ms_max);  // Leaves the FIFO floor: may be overtaken.
    } else {
      at_ms = std::max(at_ms, subscription.fifo_floor_ms);
      subscription.fifo_floor_ms = at_ms;
      lane = subscription.lane;
    }
    send_copy(from, to, channel, payload, subscription.serial, at_ms, lane);
    if (rng_.chance(options_.duplication)) {
      coverage::sometimes(coverage::Probe::sim_duplicate_delivered);
      ++counters_.duplicated;
      const TimeMs extra_ms = rng_.between(1, std::max<TimeMs>(1, options_.latency_ms_max));
      send_copy(from, to, channel, payload, subscription.serial, at_ms + extra_ms);
    }
  }
  return PublishResult::sent;
}

SubscribeResult Network::subscribe(const std::string& name, const std::string& channel) {
  Node* node = find(name);
  if (node == nullptr) return SubscribeResult::unknown_node;
  if (!node->up) return SubscribeResult::node_down;
  if (!valid_channel(channel)) return SubscribeResult::bad_channel;
  if (!can_read(name, channel)) {
    ++counters_.denied;
    return SubscribeResult::denied;
  }
  const TimeMs at_ms = scheduler_.now() + sample_latency();
  if (auto existing = node->subscriptions.find(channel); existing != node->subscriptions.end()) {
    // Subscribing again is idempotent; an active subscription is confirmed again.
    if (!existing->second.active) return SubscribeResult::requested;
    const std::uint64_t serial = existing->second.serial;
    schedule(at_ms, [this, name, channel, serial] {
      Node* again = find(name);
      if (again == nullptr || !again->up || !reachable(name)) return;
      auto found = again->subscriptions.find(channel);
      if (found == again->subscriptions.end() || found->second.serial != serial) return;
      call(again->callbacks.on_subscribed, channel);
    });
    return SubscribeResult::requested;
  }
  // A handshake sent while cut off is lost; the node may try again.
  if (partitioned(name)) return SubscribeResult::requested;
  const std::uint64_t serial = next_serial_++;
  node->subscriptions.emplace(channel, Subscription{false, serial, 0, scheduler_.new_lane()});
  if (!schedule(at_ms, [this, name, channel, serial] { complete_subscribe(name, channel, serial); })) {
    node->subscriptions.erase(channel);
  }
  return SubscribeResult::requested;
}

bool Network::unsubscribe(const std::string& name, const std::string& channel) {
  Node* node = find(name);
  if (node == nullptr || !node->up) return false;
  const auto found = node->subscriptions.find(channel);
  if (found == node->subscriptions.end()) return false;
  const bool was_active = found->second.active;
  remove_subscription(*node, name, channel);
  if (!was_active) return true;
  if (reachable(name)) {
    if (mark_absent(channel, name)) notify_presence(channel, name, PresenceKind::leave);
  } else {
    // The service has not heard the leave: it goes out on heal, or times out.
    const TimeMs expires_ms = node->unreachable_since_ms + options_.heartbeat_timeout_ms;
    node->orphans.insert_or_assign(channel, Orphan{expires_ms, true});
    schedule(expires_ms, [this, name] { expire_presence(name); });
  }
  return true;
}

SubscribeResult Network::watch_presence(const std::string& name, std::string_view pattern) {
  Node* node = find(name);
  if (node == nullptr) return SubscribeResult::unknown_node;
  if (!node->up) return SubscribeResult::node_down;
  if (!valid_pattern(pattern)) return SubscribeResult::bad_channel;
  const auto grants = grants_.find(name);
  const bool allowed =
      grants != grants_.end() && std::any_of(grants->second.begin(), grants->second.end(), [&](const auto& entry) {
        return entry.second.read && covers(entry.first, pattern);
      });
  if (!allowed) {
    ++counters_.denied;
    return SubscribeResult::denied;
  }
  node->watches.emplace(pattern);
  watchers_[std::string(pattern)].insert(name);
  return SubscribeResult::requested;
}

void Network::unwatch_presence(const std::string& name, std::string_view pattern) {
  Node* node = find(name);
  if (node == nullptr) return;
  if (auto found = node->watches.find(pattern); found != node->watches.end()) node->watches.erase(found);
  if (auto found = watchers_.find(pattern); found != watchers_.end()) found->second.erase(name);
}

bool Network::is_subscribed(const std::string& name, const std::string& channel) const {
  const Node* node = find(name);
  if (node == nullptr) return false;
  const auto found = node->subscriptions.find(channel);
  return found != node->subscriptions.end() && found->second.active;
}

std::vector<std::string> Network::present(const std::string& channel) const {
  const auto found = present_.find(channel);
  if (found == present_.end()) return {};
  return {found->second.begin(), found->second.end()};
}

// --- Partitions ---------------------------------------------------------------

PartitionId Network::partition_node(const std::string& name, TimeMs until_ms) {
  const bool was_reachable = reachable(name);
  const PartitionId id = next_partition_id_++;
  partitions_.emplace(id, Partition{name, "", false, until_ms});
  reachability_changed(name, was_reachable);
  if (until_ms != time_never) schedule(until_ms, [this, id] { heal(id); });
  return id;
}

PartitionId Network::partition_link(const std::string& from, const std::string& to, bool both_ways,
                                    TimeMs until_ms) {
  const PartitionId id = next_partition_id_++;
  partitions_.emplace(id, Partition{from, to, both_ways, until_ms});
  if (until_ms != time_never) schedule(until_ms, [this, id] { heal(id); });
  return id;
}

bool Network::heal(PartitionId id) {
  const auto found = partitions_.find(id);
  if (found == partitions_.end()) return false;
  const std::string name = found->second.from;
  const bool node_partition = found->second.to.empty();
  const bool was_reachable = reachable(name);
  partitions_.erase(found);
  if (node_partition) reachability_changed(name, was_reachable);
  return true;
}

void Network::heal_all() {
  while (!partitions_.empty()) heal(partitions_.begin()->first);
}

std::vector<std::string> Network::describe_faults() const {
  std::vector<std::string> lines;
  for (const auto& [id, partition] : partitions_) {
    if (partition.to.empty()) {
      lines.push_back(fmt::format("partition {} {}", partition.from, describe_until(partition.until_ms)));
    } else {
      lines.push_back(fmt::format("cut {}{}{} {}", partition.from, partition.both_ways ? "<->" : "->", partition.to,
                                  describe_until(partition.until_ms)));
    }
  }
  if (options_.loss > 0) lines.push_back(fmt::format("loss {} on all channels", percent(options_.loss)));
  for (const auto& [pattern, p] : channel_loss_) lines.push_back(fmt::format("loss {} on {}", percent(p), pattern));
  if (options_.duplication > 0) lines.push_back(fmt::format("duplication {}", percent(options_.duplication)));
  if (options_.reorder > 0) lines.push_back(fmt::format("reorder {}", percent(options_.reorder)));
  const PresenceFaults& presence = presence_faults_;
  if (presence.loss > 0 || presence.duplication > 0 || presence.delay_ms > 0) {
    lines.push_back(fmt::format("presence: loss {} duplication {} delay {} ms", percent(presence.loss),
                                percent(presence.duplication), presence.delay_ms));
  }
  return lines;
}

// --- Internals ------------------------------------------------------------------

Network::Node* Network::find(const std::string& name) {
  const auto found = nodes_.find(name);
  return found == nodes_.end() ? nullptr : &found->second;
}

const Network::Node* Network::find(const std::string& name) const {
  const auto found = nodes_.find(name);
  return found == nodes_.end() ? nullptr : &found->second;
}

bool Network::partitioned(std::string_view name) const {
  return std::any_of(partitions_.begin(), partitions_.end(),
                     [&](const auto& entry) { return entry.second.to.empty() && entry.second.from == name; });
}

bool Network::reachable(const std::string& name) const {
  const Node* node = find(name);
  return node != nullptr && node->up && !partitioned(name);
}

bool Network::link_cut(std::string_view from, std::string_view to) const {
  return std::any_of(partitions_.begin(), partitions_.end(), [&](const auto& entry) {
    const Partition& p = entry.second;
    if (p.to.empty()) return false;
    return (p.from == from && p.to == to) || (p.both_ways && p.from == to && p.to == from);
  });
}

double Network::loss_for(std::string_view channel) const {
  double loss = options_.loss;
  std::size_t best_length = 0;
  bool best_exact = false;
  for (const auto& [pattern, p] : channel_loss_) {
    if (!matches(pattern, channel)) continue;
    const Pattern parsed = parse_pattern(pattern);
    const bool better = !parsed.prefix ? !best_exact : !best_exact && (parsed.stem.size() >= best_length);
    if (better) {
      loss = p;
      best_exact = !parsed.prefix;
      best_length = parsed.stem.size();
    }
  }
  return loss;
}

TimeMs Network::sample_latency() { return rng_.between(options_.latency_ms_min, options_.latency_ms_max); }

bool Network::schedule(TimeMs at_ms, std::function<void()> action, Lane lane) {
  if (scheduler_.schedule(at_ms, std::move(action), lane)) return true;
  ++counters_.scheduler_full;
  return false;
}

void Network::send_copy(const std::string& from, const std::string& to, const std::string& channel,
                        const std::string& payload, std::uint64_t serial, TimeMs at_ms, Lane lane) {
  if (!schedule(
          at_ms, [this, from, to, channel, payload, serial] { deliver(from, to, channel, payload, serial); }, lane)) {
    ++counters_.lost;
  }
}

void Network::deliver(const std::string& from, const std::string& to, const std::string& channel,
                      const std::string& payload, std::uint64_t serial) {
  Node* node = find(to);
  const bool subscribed = node != nullptr && node->up && [&] {
    const auto found = node->subscriptions.find(channel);
    return found != node->subscriptions.end() && found->second.serial == serial;
  }();
  if (!subscribed || partitioned(to) || link_cut(from, to)) {
    ++counters_.lost;
    return;
  }
  ++counters_.delivered;
  call(node->callbacks.on_message, channel, payload);
}

void Network::complete_subscribe(const std::string& name, const std::string& channel, std::uint64_t serial) {
  Node* node = find(name);
  if (node == nullptr || !node->up) return;
  const auto found = node->subscriptions.find(channel);
  if (found == node->subscriptions.end() || found->second.serial != serial || found->second.active) return;
  if (partitioned(name)) {
    node->subscriptions.erase(found);  // The handshake's answer was lost.
    return;
  }
  found->second.active = true;
  found->second.fifo_floor_ms = scheduler_.now();
  subscribers_[channel].insert(name);
  node->orphans.erase(channel);  // Present already: the service sends no second join.
  if (present_[channel].insert(name).second) notify_presence(channel, name, PresenceKind::join);
  call(node->callbacks.on_subscribed, channel);
}

void Network::notify_presence(const std::string& channel, const std::string& member, PresenceKind kind) {
  std::set<std::string> targets;
  for (const auto& [pattern, watchers] : watchers_) {
    if (matches(pattern, channel)) targets.insert(watchers.begin(), watchers.end());
  }
  for (const std::string& target : targets) {
    Node* node = find(target);
    if (node == nullptr || !node->up) continue;
    // Draws only while a fault is set, so runs without one keep their streams.
    if (presence_faults_.loss > 0 && rng_.chance(presence_faults_.loss)) {
      ++counters_.presence_lost;
      continue;
    }
    const int copies = presence_faults_.duplication > 0 && rng_.chance(presence_faults_.duplication) ? 2 : 1;
    counters_.presence_duplicated += static_cast<std::uint64_t>(copies - 1);
    for (int copy = 0; copy < copies; copy += 1) {
      const TimeMs at_ms =
          std::max(scheduler_.now() + sample_latency() + presence_faults_.delay_ms, node->presence_floor_ms);
      node->presence_floor_ms = at_ms;
      const std::uint64_t incarnation = node->incarnation;
      schedule(
          at_ms,
          [this, target, incarnation, channel, member, kind] {
            Node* watcher = find(target);
            if (watcher == nullptr || !watcher->up || watcher->incarnation != incarnation || partitioned(target)) {
              return;
            }
            call(watcher->callbacks.on_presence, channel, member, kind);
          },
          node->presence_lane);
    }
  }
}

std::optional<std::string> Network::set_presence_faults(const PresenceFaults& faults) {
  if (!is_probability(faults.loss)) return "presence loss must be in [0, 1]";
  if (!is_probability(faults.duplication)) return "presence duplication must be in [0, 1]";
  if (faults.delay_ms < 0 || faults.delay_ms > option_ms_max) {
    return fmt::format("presence delay must be in [0, {}]", option_ms_max);
  }
  presence_faults_ = faults;
  return std::nullopt;
}

bool Network::spurious_timeout(const std::string& channel, const std::string& member) {
  auto present = present_.find(channel);
  if (present == present_.end() || !present->second.contains(member)) return false;
  ++counters_.presence_spurious;
  notify_presence(channel, member, PresenceKind::timeout);
  schedule(scheduler_.now() + options_.heartbeat_timeout_ms / 2, [this, channel, member] {
    auto still = present_.find(channel);
    if (still != present_.end() && still->second.contains(member)) notify_presence(channel, member, PresenceKind::join);
  });
  return true;
}

void Network::remove_subscription(Node& node, const std::string& name, const std::string& channel) {
  node.subscriptions.erase(channel);
  const auto found = subscribers_.find(channel);
  if (found == subscribers_.end()) return;
  found->second.erase(name);
  if (found->second.empty()) subscribers_.erase(found);
}

bool Network::mark_absent(const std::string& channel, const std::string& name) {
  const auto found = present_.find(channel);
  if (found == present_.end() || found->second.erase(name) == 0) return false;
  if (found->second.empty()) present_.erase(found);
  return true;
}

void Network::reachability_changed(const std::string& name, bool was_reachable) {
  Node* node = find(name);
  const bool now_reachable = reachable(name);
  if (node == nullptr || was_reachable == now_reachable) return;
  const TimeMs now_ms = scheduler_.now();
  node->reachability_changed_ms = now_ms;
  if (!now_reachable) {
    node->unreachable_since_ms = now_ms;
    schedule(now_ms + options_.heartbeat_timeout_ms, [this, name] { expire_presence(name); });
  } else {
    // Leaves sent while cut off reach the service now.
    for (auto it = node->orphans.begin(); it != node->orphans.end();) {
      if (!it->second.leave_on_heal) {
        ++it;
        continue;
      }
      const std::string channel = it->first;
      it = node->orphans.erase(it);
      if (mark_absent(channel, name)) notify_presence(channel, name, PresenceKind::leave);
    }
  }
  if (node->up) {
    const std::uint64_t incarnation = node->incarnation;
    schedule(now_ms + options_.link_detect_ms, [this, name, incarnation] { check_link(name, incarnation); });
  }
}

void Network::check_link(const std::string& name, std::uint64_t incarnation) {
  Node* node = find(name);
  if (node == nullptr || !node->up || node->incarnation != incarnation) return;
  const TimeMs detect_at_ms = node->reachability_changed_ms + options_.link_detect_ms;
  if (scheduler_.now() < detect_at_ms) {
    schedule(detect_at_ms, [this, name, incarnation] { check_link(name, incarnation); });  // Options changed.
    return;
  }
  const bool up = reachable(name);
  if (up == node->link_reported_up) return;
  node->link_reported_up = up;
  call(node->callbacks.on_link, up);
}

void Network::expire_presence(const std::string& name) {
  Node* node = find(name);
  if (node == nullptr) return;
  const TimeMs now_ms = scheduler_.now();
  for (auto it = node->orphans.begin(); it != node->orphans.end();) {
    if (it->second.expires_ms > now_ms) {
      ++it;
      continue;
    }
    const std::string channel = it->first;
    it = node->orphans.erase(it);
    if (mark_absent(channel, name)) notify_presence(channel, name, PresenceKind::timeout);
  }
  if (!node->up || reachable(name) || node->subscriptions.empty()) return;
  const TimeMs expires_ms = node->unreachable_since_ms + options_.heartbeat_timeout_ms;
  if (now_ms < expires_ms) {
    schedule(expires_ms, [this, name] { expire_presence(name); });  // Options changed.
    return;
  }
  while (!node->subscriptions.empty()) {
    const std::string channel = node->subscriptions.begin()->first;
    const bool was_active = node->subscriptions.begin()->second.active;
    remove_subscription(*node, name, channel);
    if (was_active && mark_absent(channel, name)) notify_presence(channel, name, PresenceKind::timeout);
  }
}

}  // namespace clawnet::sim
