#!/usr/bin/env bash
# Installs the RabbitMQ server (Debian 12's rabbitmq-server and its Erlang) for the tests
# that need a real broker (samples/embedded-rabbitmq starts one per test class, in a process
# of its own, with its own node name, ports and data directory).
#
# The package's maintainer scripts would start a system-wide broker (node rabbit@<host>,
# port 5672, epmd on 4369) that nothing here uses and that would hold the default ports.
# So the install runs with a policy-rc.d that forbids starting services, and afterwards
# any broker or epmd the package managed to start anyway is stopped, and the service is
# disabled where an init system is there to start it at boot.
#
# Usage: sudo scripts/install-rabbitmq.sh
# Env:   CSE_RABBITMQ_FORCE=1   reinstall even if rabbitmq-server is already installed
set -euo pipefail

PACKAGE=rabbitmq-server
SERVER=/usr/lib/rabbitmq/bin/rabbitmq-server   # what samples/embedded-rabbitmq runs

log() { printf '[install-rabbitmq] %s\n' "$*"; }
die() { printf '[install-rabbitmq] ERROR: %s\n' "$*" >&2; exit 1; }

[ "$(id -u)" -eq 0 ] || die "run as root (apt-get install needs it): sudo $0"

if [ -x "$SERVER" ] && [ "${CSE_RABBITMQ_FORCE:-0}" != 1 ] \
    && dpkg-query -W -f='${Status}' "$PACKAGE" 2>/dev/null | grep -q 'install ok installed'; then
  log "$PACKAGE $(dpkg-query -W -f='${Version}' "$PACKAGE") is already installed"
  exit 0
fi

# Forbid service starts for the duration of the install (invoke-rc.d asks this file),
# restoring whatever policy the machine had before.
POLICY=/usr/sbin/policy-rc.d
saved_policy=""
if [ -e "$POLICY" ]; then
  saved_policy="$(mktemp)"
  cp -p "$POLICY" "$saved_policy"
fi
restore_policy() {
  if [ -n "$saved_policy" ]; then mv -f "$saved_policy" "$POLICY"; else rm -f "$POLICY"; fi
}
trap restore_policy EXIT
printf '#!/bin/sh\n# scripts/install-rabbitmq.sh: no service starts during the install\nexit 101\n' >"$POLICY"
chmod 755 "$POLICY"

epmd_before=no
if command -v epmd >/dev/null 2>&1 && epmd -names >/dev/null 2>&1; then epmd_before=yes; fi

log "installing $PACKAGE from the distribution (services are not started)"
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq
apt-get install -y -qq --no-install-recommends "$PACKAGE" >/dev/null

# Belt and braces: nothing system-wide may keep running or be started at boot.
if command -v systemctl >/dev/null 2>&1 && [ -d /run/systemd/system ]; then
  systemctl disable --now "$PACKAGE" >/dev/null 2>&1 || true
elif command -v update-rc.d >/dev/null 2>&1; then
  update-rc.d "$PACKAGE" disable >/dev/null 2>&1 || true
fi
# The package's wrapper runs rabbitmqctl as the rabbitmq user, with the system node's cookie.
if /usr/sbin/rabbitmqctl -q status >/dev/null 2>&1; then
  log "stopping the system broker that the package started"
  /usr/sbin/rabbitmqctl -q stop >/dev/null 2>&1 || die "could not stop the system broker (rabbitmqctl stop)"
fi
# An epmd on the default port that was not there before the install is the system node's.
if [ "$epmd_before" = no ] && epmd -names >/dev/null 2>&1; then
  epmd -kill >/dev/null 2>&1 || true
fi

[ -x "$SERVER" ] || die "$SERVER is missing after the install"
log "installed $PACKAGE $(dpkg-query -W -f='${Version}' "$PACKAGE"); no broker is running"
