#!/usr/bin/env bash
# Measures the simulation harness: builds clawsim with each planted bug
# (core/planted.hpp), explores a fixed seed range with each, and prints per bug
# whether it was caught, by which invariant, after how many seeds, and how
# small the shrunk scenario is; then the kill rate. Exits 1 if a bug survives.
#
#   scripts/planted.sh [SEEDS]      (default 2000: seeds 0..SEEDS-1, stopping at a bug's first failure)
# Needs the dev preset configured (it sets CLAWNET_PLANTED_BUGS=ON): scripts/setup.sh dev.
set -euo pipefail
cd "$(dirname "$0")/.."

seeds="${1:-2000}"
case "$seeds" in ''|*[!0-9]*) echo "planted.sh: SEEDS must be a whole number, got '$seeds'" >&2; exit 2 ;; esac
bugs=(fifo_slip grace_never_expires deadman_unarmed stale_turn_accepted ack_before_commit position_off_by_one
      departure_not_stored turn_end_requeues motors_on_at_drop limit_switch_ignored timer_in_the_past)
out="$(mktemp -d /tmp/planted.XXXXXX)"
trap 'rm -rf "$out"' EXIT

cmake --preset dev >/dev/null
cmake --build --preset dev --target "${bugs[@]/#/clawsim-planted-}" >/dev/null

printf '| planted bug | caught | by | seeds until the first failure | shrunk scenario (action lines) | replays |\n'
printf '|---|---|---|---|---|---|\n'
caught=0
for bug in "${bugs[@]}"; do
  program="build/dev/sim/clawsim-planted-$bug"
  status=0
  "$program" explore --seeds "0..$((seeds - 1))" --max-failures 1 --out "$out/$bug" >"$out/$bug.log" 2>/dev/null || status=$?
  first=$(grep -m1 '^FAIL seed' "$out/$bug.log" || true)
  if [ -z "$first" ]; then
    printf '| %s | **no** (exit %s) | - | - | - | - |\n' "$bug" "$status"
    continue
  fi
  caught=$((caught + 1))
  seed=$(sed -E 's/^FAIL seed ([0-9]+):.*/\1/' <<<"$first")
  by=$(sed -E 's/^FAIL seed [0-9]+: [a-z]+, (invariant [0-9]+ \([^)]*\)).*/\1/; s/^FAIL seed [0-9]+: ([a-z]+ \([^)]*\)).*/\1/' <<<"$first")
  shrunk="$out/$bug/seed-$seed.min.scenario"
  lines=$(grep -c '^at ' "$shrunk" || true)
  replays=no
  "$program" run "$shrunk" --quiet >/dev/null 2>&1 || replays=yes
  printf '| %s | yes | %s | %s | %s | %s |\n' "$bug" "$by" "$((seed + 1))" "$lines" "$replays"
done
printf '\nkill rate: %s of %s planted bugs caught within %s seeds\n' "$caught" "${#bugs[@]}" "$seeds"
[ "$caught" -eq "${#bugs[@]}" ]
