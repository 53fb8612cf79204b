#!/usr/bin/env bash
# Installs OpenJDK 8 or 11 (the JRE, headless) into a private prefix, with "$PREFIX/bin/java"
# for callers: the compatibility suite starts services on them (compat/: the Spring Boot 2.7
# service on JDK 8 and 11), and cse-core's tests run the core on Java 8.
#
# Why not just `apt-get install openjdk-8-jre-headless`:
#   - Debian 12 has neither OpenJDK 8 nor 11; Debian unstable has both (8u504, 11.0.33) but
#     they need libc >= 2.38, and Debian 12 has 2.36. Upgrading the system libc is not acceptable, so the .deb files of
#     the JRE and of the libraries it needs (libc6 included) are downloaded from unstable
#     and unpacked with `dpkg -x` into "$PREFIX/root" (scripts/lib/debian-unstable.sh, the
#     same way install-criu.sh does for CRIU).
#   - Unlike criu, `java` cannot be started through the unpacked loader
#     (`ld.so --library-path ... java`): the launcher finds its JRE from /proc/self/exe,
#     which would then be the loader. So the JRE's own binaries are patched with `patchelf`
#     (a Debian 12 package, installed if missing): the executables get the unpacked loader
#     as their interpreter, and they and the JRE's libraries get a run path to the unpacked
#     libraries ahead of their own $ORIGIN-relative folders. Nothing else on the system
#     sees the newer libc.
#   - Debian's JRE links its configuration files (jvm.cfg, java.security, ...) to
#     /etc/java-<version>-openjdk; those links are pointed at the unpacked copies instead.
#
# Usage: sudo scripts/install-jdk.sh 8|11
# Env:   CSE_JDK<version>_PREFIX  install prefix (default /opt/cse/jdk<version>)
#        CSE_JDK<version>_FORCE=1 reinstall even if the prefix already holds a working JRE
set -euo pipefail

FEATURE="${1:-}"
case "$FEATURE" in
  8)  VERSION_PATTERN='1.8.*'; JAAS=libjaas_unix.so ;;
  11) VERSION_PATTERN='11.*';  JAAS=libjaas.so ;;
  *) printf 'Usage: %s 8|11 (the Java version to install)\n' "$0" >&2; exit 2 ;;
esac
prefix_var="CSE_JDK${FEATURE}_PREFIX"
force_var="CSE_JDK${FEATURE}_FORCE"
PREFIX="${!prefix_var:-/opt/cse/jdk$FEATURE}"
JRE_PACKAGE="openjdk-$FEATURE-jre-headless"
ROOT_DIR="$PREFIX/root"      # unpacked .deb contents
JAVA="$PREFIX/bin/java"      # what callers run; written last, after a complete install
STAMP="$PREFIX/.installed"   # what was installed, for people (not read by this script)

# The JRE and the closure of libraries that `java` and the JRE libraries a server uses
# need at run time (measured with `ld.so --list`; checked again after every install). The
# desktop libraries (AWT, fonts, sound, JPEG) are left out: they need X11 and are never
# loaded by a headless service.
PACKAGES=("$JRE_PACKAGE" libc6 libstdc++6 libgcc-s1 zlib1g)
SERVER_LIBRARIES=(libjava.so libjli.so libjvm.so libverify.so libzip.so libnet.so libnio.so
  libmanagement.so "$JAAS" libsunec.so libinstrument.so libattach.so)

log() { printf '[install-jdk%s] %s\n' "$FEATURE" "$*"; }
die() { printf '[install-jdk%s] ERROR: %s\n' "$FEATURE" "$*" >&2; exit 1; }

if [ "$(id -u)" -ne 0 ]; then
  die "must be run as root (try: sudo $0)"
fi

# "1.8.0_504" or "11.0.33-ea" from `java -version`; empty when it does not run. Never
# fails: a broken install must lead to a reinstall, not abort the script via set -e.
java_version_of() {
  { "$1" -version 2>&1 || true; } | sed -n 's/^[a-z]* version "\([^"]*\)".*/\1/p' | head -n1
}

report() {
  log "installed: $JAVA -> $("$JAVA" -version 2>&1 | tr '\n' ' ')"
}

# ---------------------------------------------------------------------------------------
# 1. Already installed? (idempotency: a second run only re-checks, no apt traffic)
# ---------------------------------------------------------------------------------------
if [ "${!force_var:-0}" != 1 ] && [ -x "$JAVA" ]; then
  v="$(java_version_of "$JAVA")"
  # shellcheck disable=SC2053 # a pattern on purpose
  if [[ "$v" == $VERSION_PATTERN ]]; then
    log "Java $v already installed in $PREFIX ($force_var=1 to reinstall)"
    report
    exit 0
  fi
  log "existing install in $PREFIX is not usable (version '${v:-none}'), reinstalling"
fi

# ---------------------------------------------------------------------------------------
# 2. Download and unpack from Debian unstable.
# ---------------------------------------------------------------------------------------
# shellcheck source=lib/debian-unstable.sh
. "$(dirname "$0")/lib/debian-unstable.sh"
unstable_require_debian "On another system install a JDK $FEATURE and link its java to $JAVA."
unstable_detect_arch "install a JDK $FEATURE and link its java to $JAVA"

if ! command -v patchelf >/dev/null; then
  log "apt-get install patchelf (from the system's own suite)"
  apt-get install -y -qq --no-install-recommends patchelf >/dev/null \
    || die "could not install patchelf: run 'apt-get update' and try again"
fi

unstable_setup_apt "$JRE_PACKAGE"

NEW_ROOT="$PREFIX/root.new.$$"
trap 'rm -rf "$NEW_ROOT"' EXIT   # never leave a half-unpacked root behind
rm -rf "$NEW_ROOT"
unstable_unpack "$NEW_ROOT" "${PACKAGES[@]}"
JRE_DEB_VERSION="$(sed -n "s/^$JRE_PACKAGE //p" "$NEW_ROOT/.packages")"

# ---------------------------------------------------------------------------------------
# 3. Move into place, then patch: the run paths and the interpreter are absolute paths
#    into the final root.
# ---------------------------------------------------------------------------------------
rm -f "$JAVA" "$STAMP"   # until the end, the prefix is not a working install
rm -rf "$ROOT_DIR.old"
if [ -d "$ROOT_DIR" ]; then mv "$ROOT_DIR" "$ROOT_DIR.old"; fi
mv "$NEW_ROOT" "$ROOT_DIR"
rm -rf "$ROOT_DIR.old"

# Java 8 keeps its JRE in a folder of its own; from Java 9 on the JDK folder is the JRE.
JRE=""
for d in "$ROOT_DIR"/usr/lib/jvm/java-"$FEATURE"-openjdk-*/jre "$ROOT_DIR"/usr/lib/jvm/java-"$FEATURE"-openjdk-*; do
  if [ -z "$JRE" ] && [ -x "$d/bin/java" ] && [ ! -L "$d" ] && [ ! -L "$(dirname "$d")" ]; then JRE="$d"; fi
done
[ -n "$JRE" ] || die "the unpacked $JRE_PACKAGE has no usr/lib/jvm/java-$FEATURE-openjdk-*/[jre/]bin/java"

# Configuration links into /etc/java-<version>-openjdk (not on this system) -> the unpacked copies.
while IFS= read -r link; do
  target="$(readlink "$link")"
  case "$target" in
    /etc/java-"$FEATURE"-openjdk/*) ln -sfn "$ROOT_DIR$target" "$link" ;;
  esac
done < <(find "$JRE" -type l)

LOADER="$(unstable_loader_of "$ROOT_DIR")"
LIBS="$(unstable_library_path "$ROOT_DIR")"
is_elf() { [ "$(head -c4 "$1" 2>/dev/null | od -An -c | tr -d ' ')" = '177ELF' ]; }
# Our libraries first, then the file's own run path (the JRE's $ORIGIN-relative folders).
add_run_path() {
  local old
  old="$(patchelf --print-rpath "$1")"
  patchelf --set-rpath "$LIBS${old:+:$old}" "$1"
}
for exe in "$JRE"/bin/*; do
  if [ -f "$exe" ] && [ ! -L "$exe" ] && is_elf "$exe"; then
    patchelf --set-interpreter "$LOADER" "$exe"
    add_run_path "$exe"
  fi
done
while IFS= read -r lib; do
  add_run_path "$lib"
done < <(find "$JRE/lib" -name '*.so' -type f)

# Every library `java` and a server's JRE libraries need must now resolve inside the root.
# The JRE's own folders are searched too: libjava.so needs libjvm.so, which at run time
# the launcher has loaded before it.
closure=("$JRE/bin/java")
for name in "${SERVER_LIBRARIES[@]}"; do
  f="$(find "$JRE/lib" -name "$name" -type f | head -n1)"
  [ -n "$f" ] || die "the unpacked JRE has no $name"
  closure+=("$f")
done
UNSTABLE_HINT="add their packages to PACKAGES in this script" \
  unstable_check_closure "$ROOT_DIR" "$(find "$JRE/lib" -name '*.so' -printf '%h\n' | sort -u | paste -sd:)" "${closure[@]}"

mkdir -p "$PREFIX/bin"
ln -sfn "$JRE" "$PREFIX/jre"    # a JAVA_HOME for tools that want one
v="$(java_version_of "$JRE/bin/java")"
# shellcheck disable=SC2053 # a pattern on purpose
[[ "$v" == $VERSION_PATTERN ]] || die "the installed java does not run or is not Java $FEATURE (version '${v:-none}'):
$("$JRE/bin/java" -version 2>&1 || true)"
ln -sfn "$JRE/bin/java" "$JAVA"
echo "debian-unstable $JRE_PACKAGE $JRE_DEB_VERSION" >"$STAMP"
log "unpacked $JRE_PACKAGE $JRE_DEB_VERSION (Debian unstable) into $ROOT_DIR"
report
