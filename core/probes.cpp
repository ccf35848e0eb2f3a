#include "core/probes.hpp"

namespace clawnet::coverage {

std::string_view to_string(Probe probe) {
  switch (probe) {
    case Probe::server_restored_open_turn: return "server_restored_open_turn";
    case Probe::server_regranted_lost_turn: return "server_regranted_lost_turn";
    case Probe::server_refused_full_queue: return "server_refused_full_queue";
    case Probe::server_grace_expired: return "server_grace_expired";
    case Probe::server_returned_within_grace: return "server_returned_within_grace";
    case Probe::server_turn_limit: return "server_turn_limit";
    case Probe::server_controller_left: return "server_controller_left";
    case Probe::server_claw_gone_mid_turn: return "server_claw_gone_mid_turn";
    case Probe::server_stale_claw_status: return "server_stale_claw_status";
    case Probe::server_operator_ended_turn: return "server_operator_ended_turn";
    case Probe::server_kicked_waiting: return "server_kicked_waiting";
    case Probe::server_skipped_unready: return "server_skipped_unready";
    case Probe::server_ready_check_moved: return "server_ready_check_moved";
    case Probe::claw_stale_listen: return "claw_stale_listen";
    case Probe::claw_end_turn_in_drop_cycle: return "claw_end_turn_in_drop_cycle";
    case Probe::claw_deadman_trip: return "claw_deadman_trip";
    case Probe::claw_limit_switch_stop: return "claw_limit_switch_stop";
    case Probe::claw_motor_limit_trip: return "claw_motor_limit_trip";
    case Probe::claw_duplicate_command: return "claw_duplicate_command";
    case Probe::claw_subscribe_timeout: return "claw_subscribe_timeout";
    case Probe::claw_rate_limited: return "claw_rate_limited";
    case Probe::claw_link_lost_mid_turn: return "claw_link_lost_mid_turn";
    case Probe::claw_prize_detected: return "claw_prize_detected";
    case Probe::claw_estop_mid_turn: return "claw_estop_mid_turn";
    case Probe::claw_estop_in_drop_cycle: return "claw_estop_in_drop_cycle";
    case Probe::sim_server_crash_granting: return "sim_server_crash_granting";
    case Probe::sim_server_crash_in_turn: return "sim_server_crash_in_turn";
    case Probe::sim_server_crash_ending: return "sim_server_crash_ending";
    case Probe::sim_claw_reboot_mid_turn: return "sim_claw_reboot_mid_turn";
    case Probe::sim_crash_mid_step: return "sim_crash_mid_step";
    case Probe::sim_duplicate_delivered: return "sim_duplicate_delivered";
    case Probe::sim_partition_over_turn: return "sim_partition_over_turn";
    case Probe::sim_hostile_denied: return "sim_hostile_denied";
    case Probe::sim_prize_won: return "sim_prize_won";
    case Probe::sim_claw_frozen_mid_turn: return "sim_claw_frozen_mid_turn";
    case Probe::sim_resume_with_backlog: return "sim_resume_with_backlog";
    case Probe::sim_clock_step: return "sim_clock_step";
    case Probe::sim_power_cut: return "sim_power_cut";
    case Probe::count: break;
  }
  return "?";
}

std::string_view to_string(MachineKind machine) { return machine == MachineKind::server ? "server" : "claw"; }

}  // namespace clawnet::coverage
