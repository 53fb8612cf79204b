#!/usr/bin/env bash
# Installs the nft command from the operating system's packages. CRIU locks a process's TCP
# connections with an nftables table while it dumps (`--network-lock nftables`) and
# removes it when it ends; a dump that runs out of time is killed by the starter, which
# then removes the table itself with `nft delete table inet CRIU-<pid>` so that the
# service answers again. Without nft the starter says which table to remove by hand.
#
# Only the command is needed: the nftables system service the package ships is left as
# the machine has it (disabled on Debian), and no rule set is loaded.
#
# Usage: sudo scripts/install-nftables.sh
set -euo pipefail

log() { printf '[install-nftables] %s\n' "$*"; }
die() { printf '[install-nftables] ERROR: %s\n' "$*" >&2; exit 1; }

if command -v nft >/dev/null 2>&1; then
  log "nft $(nft --version 2>/dev/null | sed -n 's/^nftables v\([0-9.]*\).*/\1/p') already installed at $(command -v nft)"
  exit 0
fi

[ "$(id -u)" -eq 0 ] || die "must be run as root to install the nftables package (try: sudo $0)"
command -v apt-get >/dev/null 2>&1 || die "no apt-get: install nftables (the nft command) with the system's \
package manager"

log "installing the nftables package (the nft command)"
DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends -t bookworm nftables >/dev/null 2>&1 \
  || DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends nftables >/dev/null \
  || { apt-get update >/dev/null && DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends nftables >/dev/null; } \
  || die "apt-get could not install nftables (see above)"
command -v nft >/dev/null 2>&1 || die "the nftables package is installed but nft is not on PATH"
log "installed nft $(nft --version 2>/dev/null | sed -n 's/^nftables v\([0-9.]*\).*/\1/p')"
