// Network: a simulated PubNub (the seed's transport), driven by a Scheduler
// and an Rng. Nodes publish to named channels; every other node subscribed to
// the channel receives the message after a sampled latency, unless a fault
// (loss, partition, crash) drops it.
//
// Model (faithful to PubNub as NOTES.md describes it):
//  1. Rights: a node publishes only where it has a write grant and subscribes
//     or watches presence only where it has a read grant (Access Manager).
//     A pattern is a channel name, or a prefix ending in '*' ("p-*").
//  2. Subscribing is a handshake: on_subscribed comes after a latency, and a
//     message published before it completes is never delivered to that node
//     (the tt=0 handshake does not replay). A publisher does not receive its
//     own message.
//  3. Without the reorder fault, messages on one channel reach one receiver in
//     publish order. A reordered message gets an extra delay, so later ones
//     can overtake it; a duplicate arrives later than its original.
//  4. Presence: a completed subscribe sends `join`, an unsubscribe `leave`, to
//     every node watching the channel; events reach one watcher in order.
//     Presence events are not subject to random loss, only to partitions.
//  5. Heartbeats: a node that is crashed or partitioned stops heartbeating.
//     heartbeat_timeout_ms after that, each channel it was present on gets a
//     `timeout` and its subscriptions are dropped (a partitioned node must
//     subscribe again once healed). A partitioned node hears on_link(false)
//     after link_detect_ms, and on_link(true) link_detect_ms after it heals.
//     An unsubscribe while partitioned takes effect locally at once; its
//     `leave` is sent when the node heals (or a `timeout` comes first).
//  6. Partitions: a node partition cuts all traffic to and from the node; a
//     link partition cuts messages from one node to another (or both ways).
//     A message is lost if the sender is cut off at publish time, the
//     receiver at delivery time, or the link at either time.
//  7. Crash loses the node's subscriptions and presence watches (the service
//     times them out as in 5); restart brings the node back with none.
//  8. Deterministic: subscribers and watchers are visited in name order and
//     every random draw comes from the Rng.
// Callbacks run from scheduler events, one callback per event; they may call
// back into the Network. Not thread-safe.
#pragma once

#include "core/presence.hpp"
#include "core/time.hpp"
#include "sim/rng.hpp"
#include "sim/scheduler.hpp"

#include <cstddef>
#include <cstdint>
#include <functional>
#include <map>
#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <vector>

namespace clawnet::sim {

// Every field must be set by the world: there are no defaults. Fill it with
// designated initializers; with -Wextra (missing-field-initializers) and
// -Werror a forgotten field is a compile error.
struct NetworkOptions {
  TimeMs latency_ms_min;         // One-way latency, uniform in [min, max].
  TimeMs latency_ms_max;
  double loss;                   // Probability a message to one receiver is dropped.
  double duplication;            // Probability it is delivered twice.
  double reorder;                // Probability it is delayed so later ones overtake.
  TimeMs reorder_ms_max;         // The extra delay is uniform in [1, reorder_ms_max].
  TimeMs heartbeat_timeout_ms;   // Silence before presence `timeout`.
  TimeMs link_detect_ms;         // Time for a node to notice its link changed.
  std::size_t message_bytes_max; // Bigger publishes are refused.
};

// Returns an error naming the bad field, or nullopt if `options` is valid.
std::optional<std::string> validate(const NetworkOptions& options);

struct NodeCallbacks {
  std::function<void(const std::string& channel, const std::string& payload)> on_message;
  std::function<void(const std::string& channel, const std::string& member, PresenceKind kind)>
      on_presence;
  std::function<void(const std::string& channel)> on_subscribed;
  std::function<void(bool up)> on_link;
};

enum class PublishResult : std::uint8_t { sent, denied, too_large, bad_channel, node_down, unknown_node };
enum class SubscribeResult : std::uint8_t { requested, denied, bad_channel, node_down, unknown_node };
std::string_view to_string(PublishResult result);
std::string_view to_string(SubscribeResult result);

struct NetworkCounters {
  std::uint64_t published = 0;   // Accepted publishes.
  std::uint64_t delivered = 0;   // Messages handed to a receiver (duplicates included).
  std::uint64_t lost = 0;        // Per receiver: loss, partition, receiver gone.
  std::uint64_t duplicated = 0;  // Extra copies scheduled.
  std::uint64_t denied = 0;      // Publishes, subscribes and watches without the right.
  std::uint64_t too_large = 0;
  std::uint64_t scheduler_full = 0;  // Deliveries dropped because the scheduler was full.
  std::uint64_t presence_lost = 0;        // Presence events a watcher never got (presence faults).
  std::uint64_t presence_duplicated = 0;  // Presence events a watcher got twice.
  std::uint64_t presence_spurious = 0;    // Timeouts sent for members that were still there.
};

// Trouble with presence events alone, for a while (the messages are untouched).
struct PresenceFaults {
  double loss = 0;         // A watcher never gets the event.
  double duplication = 0;  // A watcher gets it twice.
  TimeMs delay_ms = 0;     // Added to every event's latency.
};

using PartitionId = std::uint64_t;

class Network {
 public:
  // REQUIRES: validate(options) is nullopt (else throws std::invalid_argument).
  // `scheduler` must outlive the Network.
  Network(Scheduler& scheduler, Rng rng, NetworkOptions options);

  // Replaces the options from now on (in-flight messages keep their times).
  // Returns the validation error and keeps the old options if invalid.
  std::optional<std::string> set_options(const NetworkOptions& options);
  const NetworkOptions& options() const { return options_; }
  // Loss for channels matching `pattern` instead of options().loss; the most
  // specific pattern wins (exact name, then the longest prefix).
  // Returns an error if p is not in [0, 1].
  std::optional<std::string> set_channel_loss(std::string_view pattern, double p);
  void clear_channel_loss(std::string_view pattern);
  // Presence faults from now on (PresenceFaults{} ends them). Returns an error
  // if a probability is not in [0, 1] or the delay is negative.
  std::optional<std::string> set_presence_faults(const PresenceFaults& faults);

  // --- Nodes ----------------------------------------------------------------
  // Returns false iff the name is taken or empty. A new node is up and linked.
  bool add_node(const std::string& name, NodeCallbacks callbacks);
  bool set_callbacks(const std::string& name, NodeCallbacks callbacks);
  void crash(const std::string& name);
  void restart(const std::string& name);
  bool is_up(const std::string& name) const;

  // --- Rights ---------------------------------------------------------------
  // Sets the rights of `node` on `pattern` (replacing an earlier grant on the
  // same pattern; read=false, write=false revokes it).
  // Returns false iff `pattern` is malformed.
  bool grant(const std::string& node, std::string_view pattern, bool read, bool write);
  // Revokes `node`'s rights on `channel` (an exact grant, as a player's): no more
  // publishing or subscribing there, and a subscription it holds ends as an
  // unsubscribe would (its presence leaves).
  void revoke(const std::string& node, const std::string& channel);
  bool can_read(const std::string& node, std::string_view channel) const;
  bool can_write(const std::string& node, std::string_view channel) const;

  // --- Pub/sub --------------------------------------------------------------
  PublishResult publish(const std::string& from, const std::string& channel, const std::string& payload);
  SubscribeResult subscribe(const std::string& node, const std::string& channel);
  // Returns true iff the node was subscribed or subscribing to `channel`.
  bool unsubscribe(const std::string& node, const std::string& channel);
  // Presence events of channels matching `pattern` go to `node`. REQUIRES a
  // read grant covering the whole pattern.
  SubscribeResult watch_presence(const std::string& node, std::string_view pattern);
  void unwatch_presence(const std::string& node, std::string_view pattern);
  // True iff the subscription is complete (on_subscribed was sent).
  bool is_subscribed(const std::string& node, const std::string& channel) const;
  // Who the service counts as present on `channel` (like here_now), in name order.
  std::vector<std::string> present(const std::string& channel) const;
  // The service wrongly times `member` out on `channel` while it is still
  // subscribed: watchers get `timeout`, then `join` when the member's next
  // heartbeat arrives (half the heartbeat timeout later). Returns false iff
  // `member` is not present there.
  bool spurious_timeout(const std::string& channel, const std::string& member);

  // --- Partitions -----------------------------------------------------------
  // Cut all traffic to and from `node` until `until_ms` (time_never: until healed).
  PartitionId partition_node(const std::string& node, TimeMs until_ms);
  // Cut messages from `from` to `to` (and back if both_ways) until `until_ms`.
  PartitionId partition_link(const std::string& from, const std::string& to, bool both_ways, TimeMs until_ms);
  // Returns true iff the partition was active.
  bool heal(PartitionId id);
  void heal_all();

  // --- Observation ----------------------------------------------------------
  const NetworkCounters& counters() const { return counters_; }
  // Active partitions and loss overrides, one short line each, for the visualizer.
  std::vector<std::string> describe_faults() const;

 private:
  struct Subscription {
    bool active = false;        // The handshake completed.
    std::uint64_t serial = 0;   // Unique per subscription; stale events check it.
    TimeMs fifo_floor_ms = 0;   // No in-order delivery is scheduled before this.
    Lane lane = no_lane;        // In-order deliveries at one instant keep their order.
  };
  // A channel the service still counts the node present on, though the node
  // itself has dropped it (crash, or unsubscribe while partitioned).
  struct Orphan {
    TimeMs expires_ms = 0;
    bool leave_on_heal = false;
  };
  struct Node {
    NodeCallbacks callbacks;
    bool up = true;
    std::uint64_t incarnation = 0;  // Grows on crash and restart.
    std::map<std::string, Subscription, std::less<>> subscriptions;
    std::map<std::string, Orphan, std::less<>> orphans;
    std::set<std::string, std::less<>> watches;
    TimeMs presence_floor_ms = 0;
    Lane presence_lane = no_lane;  // Presence events to this node stay in order.
    TimeMs reachability_changed_ms = 0;
    TimeMs unreachable_since_ms = 0;  // Valid while unreachable.
    bool link_reported_up = true;
  };
  struct Partition {
    std::string from;  // The node, for a node partition.
    std::string to;    // Empty for a node partition.
    bool both_ways = false;
    TimeMs until_ms = time_never;
  };
  struct Grant {
    bool read = false;
    bool write = false;
  };

  Node* find(const std::string& name);
  const Node* find(const std::string& name) const;
  bool partitioned(std::string_view name) const;
  bool reachable(const std::string& name) const;
  bool link_cut(std::string_view from, std::string_view to) const;
  double loss_for(std::string_view channel) const;
  TimeMs sample_latency();
  bool schedule(TimeMs at_ms, std::function<void()> action, Lane lane = no_lane);

  void send_copy(const std::string& from, const std::string& to, const std::string& channel,
                 const std::string& payload, std::uint64_t serial, TimeMs at_ms, Lane lane = no_lane);
  void deliver(const std::string& from, const std::string& to, const std::string& channel,
               const std::string& payload, std::uint64_t serial);
  void complete_subscribe(const std::string& name, const std::string& channel, std::uint64_t serial);
  void notify_presence(const std::string& channel, const std::string& member, PresenceKind kind);
  void remove_subscription(Node& node, const std::string& name, const std::string& channel);
  // Returns true iff the service counted `name` present on `channel` until now.
  bool mark_absent(const std::string& channel, const std::string& name);
  void reachability_changed(const std::string& name, bool was_reachable);
  void check_link(const std::string& name, std::uint64_t incarnation);
  void expire_presence(const std::string& name);

  Scheduler& scheduler_;
  Rng rng_;
  NetworkOptions options_;
  std::map<std::string, double, std::less<>> channel_loss_;
  PresenceFaults presence_faults_;
  std::map<std::string, Node, std::less<>> nodes_;
  std::map<std::string, std::map<std::string, Grant, std::less<>>, std::less<>> grants_;
  std::map<std::string, std::set<std::string>, std::less<>> subscribers_;  // Active only.
  std::map<std::string, std::set<std::string>, std::less<>> watchers_;     // Pattern -> nodes.
  std::map<std::string, std::set<std::string>, std::less<>> present_;      // The service's view.
  std::map<PartitionId, Partition> partitions_;
  PartitionId next_partition_id_ = 1;
  std::uint64_t next_serial_ = 1;
  NetworkCounters counters_;
};

}  // namespace clawnet::sim
