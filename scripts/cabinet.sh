#!/usr/bin/env bash
# A whole clawnet cabinet on this machine, for trying production mode without hardware:
# Mosquitto with the shipped rules (plain MQTT and websockets listeners), clawd serving
# the player and spectator pages, and clawcab on simulated GPIO (the cabinet's physics in
# real time). Fresh random credentials in a temporary directory; Ctrl-C stops everything
# it started, by PID. With --transport pubnub, the PubNub-protocol test server
# (tests/pubnub/fixture.js, loopback only) stands in for PubNub instead of Mosquitto.
#
# Usage: scripts/cabinet.sh [options]        (after scripts/setup.sh; docs/web.md)
#   --build DIR        build directory with prod/clawd and prod/clawcab
#                      (default: build/release, else build/dev)
#   --dir DIR          keep state, logs and pid files in DIR (default: a new temporary
#                      directory, removed at exit)
#   --address ADDR     clawd's listen address (default 127.0.0.1; 0.0.0.0 to play from a phone)
#   --http-port N      clawd's port (default 8080, or a free one if 8080 is taken)
#   --turn-ms N  --ready-ms N  --grace-ms N  --queue-max N  --join-rate N  --join-burst N
#                      server.turn_ms, server.ready_ms, server.grace_ms,
#                      server.queue_length_max, http.join_rate_per_s, http.join_burst
#   --camera-kind K --camera-url URL   web.camera_kind (mjpeg|video|page) and web.camera_url
#   --transport T      mqtt (default) or pubnub (broker.kind; pubnub listens on 127.0.0.1
#                      only, so the pages work from this machine only)
#
# In DIR: BROKER.pid clawd.pid clawcab.pid, BROKER.log clawd.log clawcab.log (BROKER:
# mosquitto or pubnub), admin.token, cabinet.env (TRANSPORT HTTP_PORT MQTT_PORT WS_PORT or
# PUBNUB_PORT, PLAY_URL WATCH_URL ADMIN_TOKEN_FILE), and `ready` once clawd sees the claw
# online.
set -euo pipefail
repo=$(cd "$(dirname "$0")/.." && pwd)

made_dir=false
die() { echo "cabinet: $*" >&2; made_dir=false; exit 1; }  # Keeps the logs.

build="" dir="" address=127.0.0.1 http_port="" turn_ms=30000 ready_ms=15000 grace_ms=20000
queue_max=100000 join_rate=1 join_burst=5 camera_kind=none camera_url="" transport=mqtt
while [ $# -gt 0 ]; do
  option=$1
  [ $# -ge 2 ] || die "$option needs a value (see the usage at the top of $0)"
  value=$2
  case $option in
    --build) build=$value ;;
    --dir) dir=$value ;;
    --address) address=$value ;;
    --http-port) http_port=$value ;;
    --turn-ms) turn_ms=$value ;;
    --ready-ms) ready_ms=$value ;;
    --grace-ms) grace_ms=$value ;;
    --queue-max) queue_max=$value ;;
    --join-rate) join_rate=$value ;;
    --join-burst) join_burst=$value ;;
    --camera-kind) camera_kind=$value ;;
    --camera-url) camera_url=$value ;;
    --transport) transport=$value ;;
    *) die "unknown option $option (see the usage at the top of $0)" ;;
  esac
  shift 2
done
for number in "$turn_ms" "$ready_ms" "$grace_ms" "$queue_max" "$join_rate" "$join_burst" ${http_port:+"$http_port"}; do
  [[ $number =~ ^[0-9]+$ ]] || die "'$number' is not a whole number"
done
# clawd checks the values' ranges itself and names the key it refuses.
case $transport in
  mqtt | pubnub) ;;
  *) die "--transport must be mqtt or pubnub, not '$transport'" ;;
esac

if [ -z "$build" ]; then
  for candidate in "$repo/build/release" "$repo/build/dev"; do
    if [ -x "$candidate/prod/clawd" ] && [ -x "$candidate/prod/clawcab" ]; then build=$candidate; break; fi
  done
  [ -n "$build" ] || die "no build/release or build/dev with clawd and clawcab: run scripts/setup.sh first"
fi
clawd=$build/prod/clawd
clawcab=$build/prod/clawcab
[ -x "$clawd" ] && [ -x "$clawcab" ] || die "$build has no prod/clawd and prod/clawcab"
[ -f "$repo/web/node_modules/mqtt/dist/mqtt.min.js" ] && [ -f "$repo/web/node_modules/pubnub/dist/web/pubnub.min.js" ] ||
  die "web/node_modules is missing: run scripts/setup.sh first"
tools="python3 mosquitto mosquitto_ctrl"
[ "$transport" = mqtt ] || tools="python3 node"
for tool in $tools; do
  command -v "$tool" >/dev/null || die "$tool is not installed: run scripts/setup.sh first"
done
[ "$transport" = mqtt ] || [ -d "$repo/tests/pubnub/node_modules/pubnub" ] ||
  die "tests/pubnub/node_modules is missing: run scripts/setup.sh first"

if [ -z "$dir" ]; then
  dir=$(mktemp -d "${TMPDIR:-/tmp}/clawnet-cabinet-XXXXXX")
  made_dir=true
fi
mkdir -p "$dir"
dir=$(cd "$dir" && pwd)

started=()  # PIDs, in start order.
running() {  # A zombie (exited, not yet waited for) is not running.
  [ -e "/proc/$1" ] && ! awk '{ exit ($3 == "Z") ? 0 : 1 }' "/proc/$1/stat" 2>/dev/null
}
stop_all() {
  trap - INT TERM EXIT
  local pid
  for ((i = ${#started[@]} - 1; i >= 0; i--)); do
    pid=${started[i]}
    kill -TERM "$pid" 2>/dev/null || true
    for _ in $(seq 50); do running "$pid" || break; sleep 0.1; done
    kill -KILL "$pid" 2>/dev/null || true
    wait "$pid" 2>/dev/null || true
  done
  if $made_dir; then rm -rf "$dir"; fi
}
trap 'stop_all; exit 130' INT
trap 'stop_all; exit 143' TERM
trap 'stop_all' EXIT

# Starts a daemon with its output in DIR/NAME.log and its own PID in DIR/NAME.pid.
start() {
  local name=$1
  shift
  "$@" >"$dir/$name.log" 2>&1 &
  local pid=$!
  started+=("$pid")
  echo "$pid" >"$dir/$name.pid"
}

free_port() {
  python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'
}
port_free() {
  python3 -c 'import socket, sys; s = socket.socket(); s.bind(("'"$address"'", int(sys.argv[1])))' "$1" 2>/dev/null
}
wait_until() {  # wait_until SECONDS WHAT COMMAND...: polls every 0.1 s.
  local seconds=$1 what=$2
  shift 2
  for _ in $(seq $((seconds * 10))); do
    if "$@"; then return 0; fi
    sleep 0.1
  done
  die "$what within $seconds s; logs in $dir (kept)"
}
secret() { python3 -c 'import secrets; print(secrets.token_hex(16))'; }

if [ -z "$http_port" ]; then
  http_port=8080
  port_free 8080 || http_port=$(free_port)
fi

# The broker: the shipped rules (deploy/mosquitto.conf) with our listeners and files;
# sets the transport's lines of the daemons' configs and of cabinet.env.
start_mosquitto() {
  mqtt_port=$(free_port)
  ws_port=$(free_port)
  local admin_password
  admin_password=$(secret)
  clawd_password=$(secret)
  clawcab_password=$(secret)
  mosquitto_ctrl dynsec init "$dir/dynamic-security.json" admin "$admin_password" >"$dir/dynsec-init.log" 2>&1 ||
    die "mosquitto_ctrl dynsec init failed: $(cat "$dir/dynsec-init.log")"
  {
    # Started as root, mosquitto would switch to user mosquitto and lose our files.
    [ "$(id -u)" -ne 0 ] || echo "user root"
    grep -E '^(per_listener_settings|allow_anonymous|plugin|max_keepalive|max_queued_messages) ' \
      "$repo/deploy/mosquitto.conf"
    echo "plugin_opt_config_file $dir/dynamic-security.json"
    echo "log_dest stderr"
    echo "listener $mqtt_port 127.0.0.1"
    echo "listener $ws_port"
    echo "protocol websockets"
  } >"$dir/mosquitto.conf"
  start mosquitto mosquitto -c "$dir/mosquitto.conf"
  wait_until 10 "mosquitto did not listen" python3 -c \
    'import socket, sys; socket.create_connection(("127.0.0.1", int(sys.argv[1])), 1)' "$mqtt_port"
  CLAWNET_ADMIN_PASSWORD=$admin_password CLAWD_PASSWORD=$clawd_password CLAWCAB_PASSWORD=$clawcab_password \
    "$repo/deploy/dynsec-setup.sh" 127.0.0.1 "$mqtt_port" >"$dir/dynsec-setup.log" 2>&1 ||
    die "deploy/dynsec-setup.sh failed: $(cat "$dir/dynsec-setup.log")"
  clawd_transport="broker.host = 127.0.0.1
broker.port = $mqtt_port
broker.username = clawd
broker.client_id = clawd
broker.player_accounts = dynsec
broker.player_keepalive_s = 10
web.broker_url = ws://{host}:$ws_port"
  clawcab_transport="broker.host = 127.0.0.1
broker.port = $mqtt_port
broker.username = clawcab
broker.client_id = clawcab"
  cabinet_env="MQTT_PORT=$mqtt_port
WS_PORT=$ws_port"
  note="mosquitto's websockets listener (port $ws_port) listens on every interface (Mosquitto 2.0.11)"
}

# PubNub's stand-in: the fixture with two fresh key sets, the players' one under Access
# Manager (docs/deploy.md "PubNub instead of Mosquitto"), and the keys file both read.
start_pubnub() {
  local players_publish players_subscribe players_secret secure_publish secure_subscribe
  players_publish=pub-test-$(secret) players_subscribe=sub-test-$(secret) players_secret=sec-test-$(secret)
  secure_publish=pub-test-$(secret) secure_subscribe=sub-test-$(secret)
  (
    umask 077
    cat >"$dir/pubnub-fixture-keys.json" <<KEYS
{"keysets": [{"publish_key": "$players_publish", "subscribe_key": "$players_subscribe",
              "secret_key": "$players_secret", "pam": true},
             {"publish_key": "$secure_publish", "subscribe_key": "$secure_subscribe"}]}
KEYS
    cat >"$dir/pubnub.keys" <<KEYS
players.publish_key = $players_publish
players.subscribe_key = $players_subscribe
players.secret_key = $players_secret
secure.publish_key = $secure_publish
secure.subscribe_key = $secure_subscribe
KEYS
  )
  start pubnub node "$repo/tests/pubnub/fixture.js" --port 0 --port-file "$dir/pubnub.port" \
    --keys-file "$dir/pubnub-fixture-keys.json" --presence-min-s 5
  wait_until 10 "the PubNub fixture did not listen" test -s "$dir/pubnub.port"
  pubnub_port=$(cat "$dir/pubnub.port")
  local lines="broker.kind = pubnub
pubnub.origin = 127.0.0.1
pubnub.port = $pubnub_port
pubnub.tls = false
pubnub.heartbeat_s = 10
pubnub.player_heartbeat_s = 10
pubnub.keys_file = $dir/pubnub.keys"
  clawd_transport=$lines clawcab_transport=$lines
  cabinet_env="PUBNUB_PORT=$pubnub_port"
  note="PubNub here is the test fixture on 127.0.0.1:$pubnub_port: the pages work from this machine only"
}

clawd_password="" clawcab_password=""
if [ "$transport" = mqtt ]; then start_mosquitto; else start_pubnub; fi

secret >"$dir/admin.token"
chmod 600 "$dir/admin.token"
{
  echo "server.turn_ms = $turn_ms"
  echo "server.ready_ms = $ready_ms"
  echo "server.grace_ms = $grace_ms"
  echo "server.queue_length_max = $queue_max"
  echo "$clawd_transport"
  echo "http.address = $address"
  echo "http.port = $http_port"
  echo "http.join_rate_per_s = $join_rate"
  echo "http.join_burst = $join_burst"
  echo "http.admin_token_file = $dir/admin.token"
  echo "store.path = $dir/queue.sqlite3"
  echo "web.dir = $repo/web"
  echo "web.camera_kind = $camera_kind"
  [ -z "$camera_url" ] || echo "web.camera_url = $camera_url"
} >"$dir/clawd.conf"
{
  echo "$clawcab_transport"
  echo "gpio.backend = simulated"
} >"$dir/clawcab.conf"

CLAWNET_BROKER_PASSWORD=$clawd_password start clawd "$clawd" --config "$dir/clawd.conf"
wait_until 10 "clawd did not start listening" grep -q "listening for joins" "$dir/clawd.log"
CLAWNET_BROKER_PASSWORD=$clawcab_password start clawcab "$clawcab" --config "$dir/clawcab.conf"
claw_online() {
  python3 - "$http_port" <<'EOF' 2>/dev/null
import json, sys, urllib.request
status = json.load(urllib.request.urlopen(f"http://127.0.0.1:{sys.argv[1]}/v1/status", timeout=1))
sys.exit(0 if status["claw_online"] else 1)
EOF
}
wait_until 20 "clawd did not see the claw online" claw_online

host=$address
[ "$host" != 0.0.0.0 ] || host=$(hostname -I 2>/dev/null | awk '{print $1}')
[ -n "$host" ] || host=127.0.0.1
play_url="http://$host:$http_port/"
watch_url="http://$host:$http_port/watch"
cat >"$dir/cabinet.env" <<EOF
TRANSPORT=$transport
HTTP_PORT=$http_port
$cabinet_env
PLAY_URL=$play_url
WATCH_URL=$watch_url
ADMIN_TOKEN_FILE=$dir/admin.token
EOF
touch "$dir/ready"
echo "play:  $play_url"
echo "watch: $watch_url"
echo "logs:  $dir   (admin token: $dir/admin.token; docs/deploy.md has the admin API)"
echo "note:  $note"
echo "Ctrl-C stops the cabinet."
while true; do
  sleep 1 &
  wait $! || true
done
