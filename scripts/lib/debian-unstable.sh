# Sourced by the install scripts (install-criu.sh, install-jdk.sh): fetches packages from
# Debian unstable and unpacks them into a private folder, next to unstable's own libc,
# without upgrading anything on the system.
#
# Why: the programs we need (CRIU 4.2, OpenJDK 8 and 11) exist only in unstable and need
# a newer libc than Debian 12's. Upgrading the system's libc is not acceptable, so their
# .deb files and those of their libraries (libc6 included) are unpacked with `dpkg -x`;
# the callers then start them through the unpacked dynamic loader.
#
# The unstable suite is added to apt with a low pin priority, so nothing installed on the
# system is ever upgraded from it (`apt list --upgradable` stays as it was); packages are
# only ever fetched with explicit `apt-get download <pkg>/unstable`.
#
# The caller defines log() and die() before sourcing this file, and runs as root.
# shellcheck shell=bash

UNSTABLE_SOURCES_FILE="/etc/apt/sources.list.d/cse-unstable.sources"
UNSTABLE_PIN_FILE="/etc/apt/preferences.d/cse-unstable"
UNSTABLE_PIN_PRIORITY=50   # < 100: never upgrades an installed package

# Fails with what to do instead when this is not a Debian system with apt and dpkg.
# $1: the sentence that tells the user how to install the program by other means.
unstable_require_debian() {
  if [ ! -f /etc/debian_version ] || ! command -v apt-get >/dev/null || ! command -v dpkg >/dev/null; then
    die "this script installs from Debian packages and needs Debian with apt/dpkg.
  $1"
  fi
}

# Sets UNSTABLE_TRIPLET (the multiarch library folder name) and UNSTABLE_LOADER (the file
# name of the dynamic loader) for this machine. $1: what to do on another architecture.
unstable_detect_arch() {
  local arch
  arch="$(dpkg --print-architecture)"
  case "$arch" in
    amd64) UNSTABLE_TRIPLET=x86_64-linux-gnu;  UNSTABLE_LOADER=ld-linux-x86-64.so.2 ;;
    arm64) UNSTABLE_TRIPLET=aarch64-linux-gnu; UNSTABLE_LOADER=ld-linux-aarch64.so.1 ;;
    *) die "unsupported architecture '$arch': $1" ;;
  esac
}

# The machine's own Debian mirror (it may be a local mirror or a proxy), never a hard-coded
# host: prints "URI<TAB>Signed-By". deb822 format first, then the classic one-line format.
unstable_find_mirror() {
  local f=/etc/apt/sources.list.d/debian.sources
  if [ -f "$f" ]; then
    # First stanza whose URIs is not the security archive.
    awk '
      function flush() {
        if (uris != "" && uris !~ /security/ && !done) { print uris "\t" signed; done = 1 }
        uris = ""; signed = ""
      }
      /^[[:space:]]*$/ { flush(); next }
      /^[[:space:]]*#/ { next }
      tolower($1) == "uris:"      { uris = $2 }
      tolower($1) == "signed-by:" { signed = $2 }
      END { flush() }
    ' "$f"
    return 0
  fi
  if [ -f /etc/apt/sources.list ]; then
    awk '$1 == "deb" && $0 !~ /security/ {
           for (i = 2; i <= NF; i++) if ($i !~ /^\[/ && $i !~ /\]$/) { print $i "\t"; exit }
         }' /etc/apt/sources.list
  fi
}

unstable_apt_update() {
  # Only the unstable index (not every configured source): cheaper, and it leaves the
  # state of the system's other lists as it was.
  log "apt-get update (unstable only)"
  apt-get update -qq \
    -o Dir::Etc::sourcelist="$UNSTABLE_SOURCES_FILE" \
    -o Dir::Etc::sourceparts=- \
    -o APT::Get::List-Cleanup=0 \
    || die "apt-get update of the unstable suite failed (mirror $UNSTABLE_MIRROR)"
}

# Adds the pinned apt source for unstable and fetches its index when it is missing or the
# source changed. $1: a package of unstable whose presence in the index shows it is there.
unstable_setup_apt() {
  local probe="$1" line signed_by
  line="$(unstable_find_mirror)"
  UNSTABLE_MIRROR="${line%%$'\t'*}"
  signed_by="${line#*$'\t'}"
  [ -n "$UNSTABLE_MIRROR" ] || die "no Debian mirror found in /etc/apt/sources.list.d/debian.sources or /etc/apt/sources.list"
  [ -n "$signed_by" ] || signed_by=/usr/share/keyrings/debian-archive-keyring.gpg

  local want_sources="Types: deb
URIs: $UNSTABLE_MIRROR
Suites: unstable
Components: main
Signed-By: $signed_by"
  local want_pin="# Added by the project's install scripts (scripts/lib/debian-unstable.sh): unstable
# is used only to download packages into private folders; never upgrade the system from it.
Package: *
Pin: release a=unstable
Pin-Priority: $UNSTABLE_PIN_PRIORITY"

  # The pin before the source, so that at no moment unstable is unpinned.
  if [ "$(cat "$UNSTABLE_PIN_FILE" 2>/dev/null || true)" != "$want_pin" ]; then
    printf '%s\n' "$want_pin" >"$UNSTABLE_PIN_FILE"
  fi
  local changed=0
  if [ "$(cat "$UNSTABLE_SOURCES_FILE" 2>/dev/null || true)" != "$want_sources" ]; then
    printf '%s\n' "$want_sources" >"$UNSTABLE_SOURCES_FILE"
    changed=1
  fi
  log "apt source for unstable: $UNSTABLE_SOURCES_FILE (mirror $UNSTABLE_MIRROR, pin priority $UNSTABLE_PIN_PRIORITY)"
  # (Output captured first: `| grep -q` would SIGPIPE apt-cache and fail under pipefail.)
  local policy
  policy="$(apt-cache policy "$probe" 2>/dev/null || true)"
  if [ "$changed" = 1 ] || [[ "$policy" != *" unstable/main "* ]]; then
    unstable_apt_update
  fi
}

# Downloads the named packages from unstable and unpacks them all into $1 (created; must
# not exist yet). A stale index may point at files the mirror no longer has: the index is
# refreshed once and the download retried.
unstable_unpack() {
  local dest="$1"; shift
  local work specs=() p deb
  work="$(mktemp -d /tmp/cse-unstable.XXXXXX)"
  # apt downloads as the unprivileged _apt user: let it write there (else apt warns and
  # falls back to downloading as root).
  if id _apt >/dev/null 2>&1; then chown _apt "$work"; fi
  for p in "$@"; do specs+=("$p/unstable"); done
  if ! (cd "$work" && apt-get download -qq "${specs[@]}"); then
    unstable_apt_update
    (cd "$work" && apt-get download -qq "${specs[@]}") || { rm -rf "$work"; die "could not download from unstable: $*"; }
  fi
  mkdir -p "$dest"
  for deb in "$work"/*.deb; do
    dpkg -x "$deb" "$dest"
  done
  # For the callers' records: "package version" per line.
  for deb in "$work"/*.deb; do
    dpkg-deb --show --showformat='${Package} ${Version}\n' "$deb"
  done >"$dest/.packages"
  rm -rf "$work"
}

# Prints the path of the dynamic loader inside the unpacked root $1 (newer libc6 packages
# ship it in /usr/lib/<triplet>, older ones in /lib/<triplet>).
unstable_loader_of() {
  local d
  for d in usr/lib/$UNSTABLE_TRIPLET lib/$UNSTABLE_TRIPLET; do
    if [ -e "$1/$d/$UNSTABLE_LOADER" ]; then printf '%s\n' "$1/$d/$UNSTABLE_LOADER"; return 0; fi
  done
  die "unpacked libc6 in $1 has no $UNSTABLE_LOADER"
}

# The library folders of the unpacked root $1, as a search path.
unstable_library_path() {
  printf '%s\n' "$1/usr/lib/$UNSTABLE_TRIPLET:$1/lib/$UNSTABLE_TRIPLET"
}

# Fails unless every library the ELF files $3... need resolves inside the root $1, with
# the extra search path $2 (":"-separated, may be empty) after the root's own folders.
# Without this, a library missing from a package list would silently be taken from the
# system (Debian 12) and mixed with the newer libc, which fails in obscure ways later.
# $UNSTABLE_HINT is added to the error (which list to extend).
unstable_check_closure() {
  local root="$1" extra="$2"; shift 2
  local loader libpath elf out foreign=""
  loader="$(unstable_loader_of "$root")"
  libpath="$(unstable_library_path "$root")${extra:+:$extra}"
  for elf in "$@"; do
    out="$("$loader" --list --library-path "$libpath" "$elf" 2>&1)" \
      || die "the unpacked loader cannot resolve the libraries of $elf:
$out"
    foreign="$foreign$(printf '%s\n' "$out" | grep '=>' | grep -v "=> $root/" || true)"
  done
  if [ -n "$foreign" ]; then
    die "these libraries are not among the unpacked packages (${UNSTABLE_HINT:-add their packages to the package list of the install script}):
$foreign"
  fi
}
