#!/usr/bin/env bash
# Installs a Redis server from the operating system's packages, for the tests that check,
# from the server's own client list, that a frozen service holds no Redis connection.
#
# The tests start redis-server themselves, in a process of their own on a free port
# (samples/embedded-redis); they only need the binary. The system service that the package
# may set up is left as the machine has it: the tests never use its port.
#
# Usage: sudo scripts/install-redis.sh
# Env:   CSE_REDIS_SERVER   a redis-server to use instead (the tests read the same variable)
set -euo pipefail

MIN_VERSION="6.0"

log() { printf '[install-redis] %s\n' "$*"; }
die() { printf '[install-redis] ERROR: %s\n' "$*" >&2; exit 1; }

# "7.0.15" from "Redis server v=7.0.15 sha=..."; empty if the binary does not run.
version_of() {
  { "$1" --version 2>/dev/null || true; } | sed -n 's/.* v=\([0-9][0-9.]*\).*/\1/p'
}

version_ok() {  # $1 >= MIN_VERSION ?
  [ -n "$1" ] && [ "$(printf '%s\n%s\n' "$MIN_VERSION" "$1" | sort -V | head -n1)" = "$MIN_VERSION" ]
}

server="${CSE_REDIS_SERVER:-$(command -v redis-server || true)}"
if [ -n "$server" ] && version_ok "$(version_of "$server")"; then
  log "Redis $(version_of "$server") already installed at $server"
  exit 0
fi

[ "$(id -u)" -eq 0 ] || die "must be run as root to install the redis-server package (try: sudo $0)"
command -v apt-get >/dev/null 2>&1 || die "no apt-get: install Redis >= $MIN_VERSION with the system's package \
manager (or from https://redis.io/downloads), then put redis-server on PATH or set CSE_REDIS_SERVER"

log "installing the redis-server package"
DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends redis-server >/dev/null \
  || { apt-get update >/dev/null && DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends redis-server >/dev/null; } \
  || die "apt-get could not install redis-server (see above)"

server="$(command -v redis-server || echo /usr/bin/redis-server)"
v="$(version_of "$server")"
version_ok "$v" || die "$server reports version '${v:-?}', need >= $MIN_VERSION"
log "installed: $server (Redis $v)"
