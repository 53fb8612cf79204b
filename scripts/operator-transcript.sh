#!/usr/bin/env bash
# Writes the session transcript of the operator's guide (docs/node-agent.md, between
# <!-- transcript:begin --> and <!-- transcript:end -->): it runs every `cse` command an
# operator uses on this host, for real, and records each command with its output. The
# prerequisites' checks go between <!-- prerequisites:begin --> and <!-- prerequisites:end -->.
#
# Needs root, the project built (cse-node, samples/hello-web, samples/embedded-postgres:
#   mvn -B -pl cse-node,samples/hello-web,samples/embedded-postgres -am package -DskipTests
# ), CRIU at /opt/cse/criu (scripts/install-criu.sh), cgroups, ip, unshare, setsid, curl,
# python3. It starts a resident agent, a bridge, PostgreSQL (samples/embedded-postgres) and
# hello-web services, all under a work folder of its own, and stops them all on exit.
#
# The page shows generic paths: the work folder's parts are written as /var/lib/cse (state
# and images), /run/cse (the agent's socket) and /opt/cse/apps (the jars).
#
#   scripts/operator-transcript.sh              run the session, rewrite the page
#   CSE_DOC_PAGE=/dev/null ...                  run it without touching the page (the transcript goes to stdout)
#   CSE_DOC_BRIDGE=csedoc CSE_DOC_SUBNET=10.199.230.0/24 CSE_DOC_PORT=18080 ...
set -euo pipefail

ROOT="$(cd "$(dirname "$0")/.." && pwd)"
PAGE="${CSE_DOC_PAGE:-$ROOT/docs/node-agent.md}"
BRIDGE="${CSE_DOC_BRIDGE:-csedoc}"
SUBNET="${CSE_DOC_SUBNET:-10.199.230.0/24}"
PORT="${CSE_DOC_PORT:-18080}"
TEMPLATE_PORT=$((PORT + 1))
VERSION="0.1.0-SNAPSHOT"
PG_JAR="$ROOT/samples/embedded-postgres/target/embedded-postgres-$VERSION-exec.jar"
APP_JAR="$ROOT/samples/hello-web/target/hello-web-$VERSION-exec.jar"
CSE_JAR="$ROOT/cse-node/target/cse-exec.jar"
CRIU=/opt/cse/criu/bin/criu

# shellcheck source=scripts/demo-lib.sh
. "$ROOT/scripts/demo-lib.sh"
require_prerequisites "$PORT"
require_prerequisites "$TEMPLATE_PORT"
MISSING="$(full_story_missing)"
if [ -n "$MISSING" ]; then
	echo "This host lacks what the session needs: $MISSING (see docs/node-agent.md#prerequisites)" >&2
	exit 1
fi
for jar in "$PG_JAR" "$APP_JAR" "$CSE_JAR"; do
	[ -f "$jar" ] || { echo "$jar is missing: build the project first (see the top of this script)" >&2; exit 1; }
done
if ip link show "$BRIDGE" >/dev/null 2>&1; then
	echo "Bridge $BRIDGE exists already: set CSE_DOC_BRIDGE (and CSE_DOC_SUBNET) to one no one uses" >&2
	exit 1
fi

WORK="$(mktemp -d /tmp/cse-transcript.XXXXXX)"
chmod 755 "$WORK"
LIB="$WORK/lib"          # shown as /var/lib/cse
SOCKETS="$WORK/sockets"  # shown as /run/cse
APPS="$WORK/apps"        # shown as /opt/cse/apps
mkdir -p "$LIB/run" "$LIB/images" "$SOCKETS" "$APPS"
chmod 700 "$SOCKETS" "$LIB/run" "$LIB/images"
# Copies, so that a build running beside cannot replace a jar under a running service.
cp "$CSE_JAR" "$APPS/cse-exec.jar"
cp "$APP_JAR" "$APPS/hello-web.jar"
AGENT_SOCKET="$SOCKETS/agent.sock"
OUT="$WORK/transcript.md"
PREREQUISITES="$WORK/prerequisites.md"
AGENT_PID=""
PG_PID=""
TEMPLATE_PID=""
BRIDGE_UP=0
POOL=""
DEFAULT_BRIDGE_WAS_THERE=0
if ip link show cse0 >/dev/null 2>&1; then DEFAULT_BRIDGE_WAS_THERE=1; fi
ZRAM_WAS_ON=0
if zram_swap_on; then ZRAM_WAS_ON=1; fi

# cse ARGS...: the command, a client of the resident agent this script starts.
cse() {
	CSE_AGENT_SOCKET="$AGENT_SOCKET" CSE_STATE_DIR="$LIB/run" java -jar "$APPS/cse-exec.jar" "$@"
}

cleanup() {
	set +e
	if [ -n "$AGENT_PID" ] && [ -n "$POOL" ]; then cse pool rm "$POOL" >/dev/null 2>&1; fi
	if [ -n "$AGENT_PID" ]; then cse stop --all >/dev/null 2>&1; fi
	if [ "$BRIDGE_UP" = "1" ]; then cse net down --bridge "$BRIDGE" >/dev/null 2>&1; fi
	stop_process "$TEMPLATE_PID"
	stop_process "$AGENT_PID"
	stop_process "$PG_PID"
	if [ "$ZRAM_WAS_ON" = "0" ] && zram_swap_on && [ -f "$LIB/run/swap-set-up-by-cse" ]; then
		# Our squeeze turned it on and the last stop did not turn it off.
		swapoff /dev/zram0 && echo 1 >/sys/block/zram0/reset
	fi
	local left
	left="$(left_behind "$BRIDGE" hello)"
	if [ "$DEFAULT_BRIDGE_WAS_THERE" = "0" ] && ip link show cse0 >/dev/null 2>&1; then
		left="$left${left:+
}link cse0 (a command without --bridge made it: 'ip link del cse0' once nothing uses it)"
	fi
	rm -rf "$WORK"
	if [ -n "$left" ]; then
		printf 'Left behind (remove it by hand):\n%s\n' "$left" >&2
		exit 1
	fi
}
trap cleanup EXIT

# generic: the work folder's paths as a host set up by scripts/install-cse.sh has them.
# A path that a usage message wrapped over two lines is rewritten too (then on one line).
generic() {
	python3 -c '
import re, sys
text = sys.stdin.read()
for path, shown in zip(sys.argv[1::2], sys.argv[2::2]):
    wrapped = "(?:\n[ \t]*)?".join(re.escape(c) for c in path)
    text = re.sub(wrapped, shown, text)
sys.stdout.write(text)' "$LIB" /var/lib/cse "$SOCKETS" /run/cse "$APPS" /opt/cse/apps "$WORK" /var/lib/cse
}

# say TEXT: a sentence of the page, before the next block.
say() {
	printf '\n%s\n' "$1" >>"$OUT"
}

heading() {
	printf '\n### %s\n' "$1" >>"$OUT"
}

OPEN=0
open_block() {
	if [ "$OPEN" = "0" ]; then printf '\n```text\n' >>"$OUT"; OPEN=1; else printf '\n' >>"$OUT"; fi
}
close_block() {
	if [ "$OPEN" = "1" ]; then printf '```\n' >>"$OUT"; OPEN=0; fi
}

# run SHOWN COMMAND...: prints '$ SHOWN' and runs COMMAND, its output (both streams)
# following; returns the command's exit code (and, with SHOW_EXIT=1, prints it).
run() {
	local shown="$1" code=0
	shift
	open_block
	printf '$ %s\n' "$shown" | generic | tee -a "$OUT"
	"$@" >"$WORK/out.txt" 2>&1 || code=$?
	generic <"$WORK/out.txt" | tee -a "$OUT"
	if [ "${SHOW_EXIT:-0}" = "1" ]; then
		printf 'exit %s\n' "$code" | tee -a "$OUT"
	fi
	return "$code"
}

# c ARGS...: a cse command, shown as typed.
c() {
	run "cse $*" cse "$@"
}

# fails ARGS...: a cse command expected to fail, shown with its exit code.
fails() {
	SHOW_EXIT=1 run "cse $*; echo \"exit \$?\"" cse "$@" || true
}

JDK="$(java -version 2>&1 | head -1 | sed 's/^[a-z]* version "\([^"]*\)".*/\1/')"
CGROUPS="cgroup v1"
if [ "$(stat -fc %T /sys/fs/cgroup)" = "cgroup2fs" ]; then CGROUPS="cgroup v2"; fi
CRIU_VERSION="$("$CRIU" --version | sed -n 's/^Version: //p')"
printf '\n`scripts/operator-transcript.sh` ran this session as root on a %s-core Linux host (kernel %s, %s, JDK %s, CRIU %s) on %s UTC, and wrote it here. It is a real run: process ids, instance ids and times change from run to run, and times are those of a machine other builds shared. The work folder is shown as `/var/lib/cse` (state in `/var/lib/cse/run`, images in `/var/lib/cse/images`), the agent'"'"'s socket as `/run/cse/agent.sock` and the jars under `/opt/cse/apps`; `cse` is `java -jar cse-exec.jar`.\n' \
	"$(nproc)" "$(uname -r)" "$CGROUPS" "$JDK" "$CRIU_VERSION" "$(date -u '+%Y-%m-%d %H:%M')" >"$OUT"

# The prerequisites' checks (docs/node-agent.md#prerequisites), before anything is started.
{
	printf '```text\n'
	for check in 'id -u' 'stat -fc %T /sys/fs/cgroup' 'echo $(ls /sys/fs/cgroup)' "$CRIU --version" "$CRIU check" \
		'ls -l /dev/zram0' 'swapon --show' 'which ip unshare nsenter setsid'; do
		printf '$ %s\n' "$check"
		bash -c "$check" 2>&1 || true
	done
	printf '```\n'
} | generic >"$PREREQUISITES"

heading "The agent, the bridge, a service in cgroups of its own"
say "A resident agent serves every command below (each \`cse\` is a client of its socket). The clones' bridge gets the subnet's first address; PostgreSQL (\`samples/embedded-postgres\`, a process of its own, never inside a service a snapshot takes) listens on the loopback and on that address, so that clones reach it too."
open_block
printf '$ cse --version\n' | tee -a "$OUT"
cse --version | tee -a "$OUT"
printf '\n$ cse agent --socket %s --state-dir %s --images-root %s --criu %s --bridge %s &\n' \
	"$AGENT_SOCKET" "$LIB/run" "$LIB/images" "$CRIU" "$BRIDGE" | generic | tee -a "$OUT"
java -jar "$APPS/cse-exec.jar" agent --socket "$AGENT_SOCKET" --state-dir "$LIB/run" --images-root "$LIB/images" \
	--criu "$CRIU" --bridge "$BRIDGE" >>"$WORK/agent.log" 2>&1 &
AGENT_PID=$!
wait_for 90 "the agent (see its log)" curl -sf --unix-socket "$AGENT_SOCKET" http://localhost/healthz \
	|| { cat "$WORK/agent.log" >&2; exit 1; }
generic <"$WORK/agent.log" | tee -a "$OUT"
BRIDGE_UP=1
c net up --bridge "$BRIDGE" --subnet "$SUBNET"

PG_HOST="${SUBNET%/*}"
PG_HOST="${PG_HOST%.*}.$((${PG_HOST##*.} + 1))"
mkdir "$WORK/postgres"
cp "$PG_JAR" "$WORK/postgres/embedded-postgres.jar"
chmod 644 "$WORK/postgres/embedded-postgres.jar"
chown nobody:nogroup "$WORK/postgres"
# PostgreSQL refuses to run as root; its binaries and data go to $WORK/postgres.
setpriv --reuid=nobody --regid=nogroup --clear-groups java -Xmx128m -Djava.io.tmpdir="$WORK/postgres" \
	-Dorg.slf4j.simpleLogger.defaultLogLevel=warn -jar "$WORK/postgres/embedded-postgres.jar" \
	--listen="127.0.0.1,$PG_HOST" --trust="$SUBNET" >"$WORK/postgres.out" 2>"$WORK/postgres.err" &
PG_PID=$!
wait_for 120 "PostgreSQL" grep -q '^READY' "$WORK/postgres.out" || { cat "$WORK/postgres.err" >&2; exit 1; }
PG_PORT="$(sed -n 's/^READY port=\([0-9]*\) .*/\1/p' "$WORK/postgres.out")"
PG_URL="jdbc:postgresql://$PG_HOST:$PG_PORT/postgres"
printf '\n# PostgreSQL (samples/embedded-postgres) listens on 127.0.0.1 and %s, port %s\n' "$PG_HOST" "$PG_PORT" | tee -a "$OUT"

APP=(java -Xmx256m -jar "$APPS/hello-web.jar" --server.port="$PORT" --spring.datasource.url="$PG_URL"
	--cse.images.root="$LIB/images")
c run --name hello --port "$PORT" --timeout 180s -- "${APP[@]}"
c ps
close_block

heading "Freeze, thaw, squeeze"
say "\`cse freeze\` asks the service to quiesce (\`POST /actuator/cse/freeze\`), then freezes its cgroup: from then on it uses no CPU. \`cse thaw\` thaws the cgroup and tells the service to resume; the time is until its first 200."
c freeze hello
c thaw hello
SQUEEZE=()
if [ -b /dev/zram0 ] && { [ -z "$(swapon --noheadings --show 2>/dev/null)" ] || zram_swap_on; }; then
	SQUEEZE=(--squeeze)
	close_block
	say "\`--squeeze\` then lowers the group's memory limit, so that the kernel pushes the frozen service's pages into compressed swap (zram, which \`cse\` turns on as swap when no swap is on, and off again with the last service it stops). The thaw after a squeeze reads them back."
	c freeze hello --squeeze
	c ps
	c thaw hello
else
	close_block
	say "(This host has no usable zram device and other swap is on, so the session skips \`cse freeze --squeeze\`.)"
fi
close_block

heading "A request that reaches a frozen service"
say "It is not lost: the kernel queues the connection while the cgroup is frozen. With \`--wake-on-request\` the agent watches the service's listening socket and thaws it as soon as a connection waits. The \`curl\` below is sent to the frozen service:"
c freeze hello --wake-on-request
run "curl -s -w ' (HTTP %{http_code} after %{time_total} s)\\n' http://127.0.0.1:$PORT/" \
	curl -s -m 60 -w ' (HTTP %{http_code} after %{time_total} s)\n' "http://127.0.0.1:$PORT/"
c ps
close_block
say "\`cse thaw NAME --on-request\` does the same from a command that waits until a connection arrives, then thaws. Here the \`curl\` is started in the background a second before; it is answered once the thaw is done (the starter, seeing a request while frozen, may have resumed the service itself first):"
c freeze hello
open_block
printf '$ curl -s -w %s http://127.0.0.1:%s/ &\n' "' (HTTP %{http_code} after %{time_total} s)\\n'" "$PORT" | tee -a "$OUT"
curl -s -m 90 -w ' (HTTP %{http_code} after %{time_total} s)\n' "http://127.0.0.1:$PORT/" >"$WORK/curl.out" 2>&1 &
CURL_PID=$!
sleep 1
c thaw hello --on-request --timeout 60s
wait "$CURL_PID" || true
printf '\n[curl] %s\n' "$(cat "$WORK/curl.out")" | tee -a "$OUT"
close_block

heading "Snapshots: a clone template, clones, a dump, a restore"
say "\`cse snapshot\` has a service that \`cse run\` started take a snapshot of itself (the agent calls its endpoint, with the token it gave the service), in the service's own images folder; with \`--wait\` it returns once the image is complete, its manifest written:"
c snapshot hello --template --image hello-s --wait
close_block
say "A snapshot is taken by the service itself, through its endpoint (\`POST /actuator/cse/clone\` or \`/dump\`, see [snapshots](snapshots.md)); \`cse\` restores it. The template here is a service started with plain \`java\`, its output appended to a file (CRIU restores a file opened with \`>>\`, not one opened with \`>\` that has grown), on port $TEMPLATE_PORT, with the agent's images folder as its \`cse.images.root\`:"
TEMPLATE=(java -XX:-UsePerfData -Xmx256m -jar "$APPS/hello-web.jar" --server.port="$TEMPLATE_PORT"
	--spring.datasource.url="$PG_URL" --cse.images.root="$LIB/images")
open_block
printf '$ %s >> %s 2>&1 &\n' "$(printf '%s ' "${TEMPLATE[@]}" | sed 's/ $//')" "$LIB/hello-t.log" | generic | tee -a "$OUT"
setsid "${TEMPLATE[@]}" </dev/null >>"$LIB/hello-t.log" 2>&1 &
TEMPLATE_PID=$!
wait_for 180 "the template service" curl -sf "http://127.0.0.1:$TEMPLATE_PORT/health" \
	|| { tail -40 "$LIB/hello-t.log" >&2; exit 1; }
run "curl -s -X POST localhost:$TEMPLATE_PORT/actuator/cse/clone -H 'Content-Type: application/json' -d '{\"image\": \"hello-t\"}'" \
	curl -s -X POST "localhost:$TEMPLATE_PORT/actuator/cse/clone" -H 'Content-Type: application/json' -d '{"image": "hello-t"}'
printf '\n' | tee -a "$OUT"
wait_for 180 "the template's manifest.json" test -f "$LIB/images/hello-t/manifest.json"
c images ls
run "cse images inspect hello-t | head -40" bash -c "CSE_AGENT_SOCKET='$AGENT_SOCKET' CSE_STATE_DIR='$LIB/run' java -jar '$APPS/cse-exec.jar' images inspect hello-t | head -40"
close_block
say "(\`inspect\` checks every file as a restore would, then prints the image and its manifest, which goes on with every file of the image, its size and SHA-256.)"


say "\`cse clone\` restores the template three times, each in network and PID namespaces of its own with an address on the bridge; each clone gives itself a new instance id (generation 1, the template's instance as its parent) and answers on the template's port at its own address:"
c clone hello-t --count 3 --name-prefix hello-c --bridge "$BRIDGE"
CLONE_ADDRESS="$(instances "$AGENT_SOCKET" hello-c-1 | awk '{ print $2 }')"
run "curl -s http://$CLONE_ADDRESS/actuator/cse | python3 -m json.tool | head -12" \
	bash -c "curl -s http://$CLONE_ADDRESS/actuator/cse | python3 -m json.tool | head -12"
close_block

say "A dump stops the service once its image is complete; \`cse restore\` brings back *the same* instance (same instance id, same PID) in the host's namespaces:"
run "curl -s -X POST localhost:$TEMPLATE_PORT/actuator/cse/dump -H 'Content-Type: application/json' -d '{\"image\": \"hello-d\"}'" \
	curl -s -X POST "localhost:$TEMPLATE_PORT/actuator/cse/dump" -H 'Content-Type: application/json' -d '{"image": "hello-d"}'
printf '\n' | tee -a "$OUT"
wait_for 180 "the dump's manifest.json" test -f "$LIB/images/hello-d/manifest.json"
# The dumped process exits; reap it, so that its PID is free for the restore.
wait "$TEMPLATE_PID" 2>/dev/null || true
TEMPLATE_PID=""
c restore hello-d --name hello-r
c images ls
c ps
close_block

heading "A pool of frozen clones"
say "A pool keeps clones of a template restored, warmed (their first 200), frozen${SQUEEZE:+ and squeezed}, on the bridge its command names (\`--bridge\`, default \`cse0\`: name the one the database listens on). A take thaws the oldest and hands it over once it serves; the resident agent then restores another to fill the pool again:"
POOL=hello-pool
c pool create hello-t --name "$POOL" --size 2 "${SQUEEZE[@]}" --bridge "$BRIDGE"
c pool take "$POOL"
c pool ls
close_block

heading "Errors and exit codes"
say "Every failure exits with a code that says what kind it is (see [exit codes](#exit-codes)) and a message on standard error:"
fails thaw nosuch
fails images ls --colour
fails freeze hello-r
fails freeze hello --timeout 1ms
fails net down --bridge "$BRIDGE"
fails images rm hello-t
close_block

heading "Stop, and nothing left behind"
say "\`cse stop\` thaws a frozen service first, stops each instance, and removes its cgroups, namespaces, veths and registry entry (its log stays unless \`--purge\`); the zram swap a squeeze turned on goes with the last service. Then the bridge can go:"
c pool rm "$POOL"
POOL=""
c stop --all
c images rm hello-t hello-d hello-s
c net down --bridge "$BRIDGE"
c ps
run "ip link show $BRIDGE; ip netns list | grep -c '^cse-hello'" bash -c "ip link show $BRIDGE; ip netns list | grep -c '^cse-hello'" || true
close_block
BRIDGE_UP=0

# A generic host: nothing of the work folder may show.
if grep -n -e "$WORK" -e 'cse-transcript' -e '/tmp/' "$OUT" "$PREREQUISITES" >&2; then
	echo "The transcript shows a path of this host (above): not written" >&2
	exit 1
fi

# The page: the transcript replaces what is between the markers.
if [ "$PAGE" = "/dev/null" ]; then
	cat "$PREREQUISITES" "$OUT"
	exit 0
fi
python3 - "$PAGE" transcript "$OUT" prerequisites "$PREREQUISITES" <<'EOF'
import sys
page = sys.argv[1]
text = open(page).read()
for marker, path in zip(sys.argv[2::2], sys.argv[3::2]):
    begin, end = "<!-- %s:begin -->" % marker, "<!-- %s:end -->" % marker
    if begin not in text or end not in text:
        sys.exit(page + " has no " + begin + " ... " + end + " markers")
    head, rest = text.split(begin, 1)
    _, tail = rest.split(end, 1)
    text = head + begin + "\n" + open(path).read().strip("\n") + "\n" + end + tail
open(page, "w").write(text)
EOF
echo "Wrote the transcript into $PAGE"
