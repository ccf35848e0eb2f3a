#!/bin/sh
# Creates the clawnet roles and the clawd / clawcab clients in a running broker
# with the dynamic-security plugin (docs/deploy.md, "Access rules").
#
# Usage: dynsec-setup.sh HOST PORT [TOPIC_PREFIX]
# Environment (secrets never go in the repo):
#   CLAWNET_ADMIN_USER       the dynsec admin (default: admin)
#   CLAWNET_ADMIN_PASSWORD   its password
#   CLAWD_PASSWORD           password to give the clawd client
#   CLAWCAB_PASSWORD         password to give the clawcab client
# Run once, on a fresh dynamic-security file (a second run fails: the roles exist):
#   mosquitto_ctrl dynsec init /var/lib/mosquitto/dynamic-security.json admin
set -eu

if [ $# -lt 2 ]; then
  echo "usage: $0 HOST PORT [TOPIC_PREFIX]" >&2
  exit 2
fi
host=$1
port=$2
prefix=${3:-clawnet}
: "${CLAWNET_ADMIN_PASSWORD:?set CLAWNET_ADMIN_PASSWORD}"
: "${CLAWD_PASSWORD:?set CLAWD_PASSWORD}"
: "${CLAWCAB_PASSWORD:?set CLAWCAB_PASSWORD}"
admin=${CLAWNET_ADMIN_USER:-admin}

# mosquitto_ctrl exits 0 even when a command fails; it prints "Error: ..." or
# "Connection error: ..." instead (and a plain-text warning on every call: run
# this script on the broker's machine, over loopback).
ctrl() {
  output=$(mosquitto_ctrl -h "$host" -p "$port" -u "$admin" -P "$CLAWNET_ADMIN_PASSWORD" dynsec "$@" 2>&1) || {
    echo "mosquitto_ctrl dynsec $1 $2 failed: $output" >&2
    exit 1
  }
  errors=$(printf '%s\n' "$output" | grep -i 'error' || true)
  if [ -n "$errors" ]; then
    echo "mosquitto_ctrl dynsec $1 $2: $errors" >&2
    exit 1
  fi
}

# clawd: the secure channel, the claw's status, the lobby, every player channel
# (positions and control out; the ready check's answer in), every player's
# presence, and player accounts ($CONTROL).
ctrl createRole clawnet-clawd
ctrl addRoleACL clawnet-clawd publishClientSend "$prefix/clawcomm" allow
ctrl addRoleACL clawnet-clawd subscribeLiteral "$prefix/clawcomm" allow
ctrl addRoleACL clawnet-clawd subscribeLiteral "$prefix/clawcomm/status" allow
ctrl addRoleACL clawnet-clawd publishClientSend "$prefix/lobby" allow
ctrl addRoleACL clawnet-clawd publishClientSend "$prefix/player/+" allow
ctrl addRoleACL clawnet-clawd subscribePattern "$prefix/player/+" allow
ctrl addRoleACL clawnet-clawd subscribeLiteral "$prefix/presence/+" allow
# Clearing a departed player's retained presence (an empty retained message).
ctrl addRoleACL clawnet-clawd publishClientSend "$prefix/presence/+" allow
ctrl addRoleACL clawnet-clawd publishClientSend '$CONTROL/dynamic-security/#' allow
ctrl addRoleACL clawnet-clawd subscribeLiteral '$CONTROL/dynamic-security/v1/response' allow
# Without this explicit grant the plugin's answers are not delivered ($ topics do
# not fall under the default publishClientReceive allow).
ctrl addRoleACL clawnet-clawd publishClientReceive '$CONTROL/dynamic-security/v1/response' allow

# clawcab: the secure channel, its retained status (and will), the channel of the
# player it serves (commands in, control out).
ctrl createRole clawnet-clawcab
ctrl addRoleACL clawnet-clawcab publishClientSend "$prefix/clawcomm" allow
ctrl addRoleACL clawnet-clawcab subscribeLiteral "$prefix/clawcomm" allow
ctrl addRoleACL clawnet-clawcab publishClientSend "$prefix/clawcomm/status" allow
ctrl addRoleACL clawnet-clawcab publishClientSend "$prefix/player/+" allow
ctrl addRoleACL clawnet-clawcab subscribePattern "$prefix/player/+" allow

# Client ids are bound to usernames, so nobody else can take over a daemon's session.
ctrl createClient clawd -c clawd -p "$CLAWD_PASSWORD"
ctrl addClientRole clawd clawnet-clawd
ctrl createClient clawcab -c clawcab -p "$CLAWCAB_PASSWORD"
ctrl addClientRole clawcab clawnet-clawcab
echo "clawnet roles and clients created on $host:$port"
