#!/usr/bin/env bash
# The quick start: builds the project, starts a real PostgreSQL (embedded binaries) in a
# process of its own, starts samples/hello-web against it, and walks the service through
# freeze and thaw, printing every report. Where root, CRIU (/opt/cse/criu) and cgroups are
# there, it goes on with the whole story through the node agent (cse): a clone template,
# 3 clones with distinct instance ids, a pool of frozen clones and a take from it; then it
# prints a table of the times it measured. Everything it starts is stopped on exit.
#
#   scripts/demo.sh            build, then run the walk-through
#   CSE_DEMO_SKIP_BUILD=1 ...  reuse what the last build left in target/
#   CSE_DEMO_PORT=8080 ...     the port of the service (and of its clones, each at its own address)
#   CSE_DEMO_BRIDGE=csedemo CSE_DEMO_SUBNET=10.199.240.0/24 ...   the clones' bridge and subnet
set -euo pipefail

ROOT="$(cd "$(dirname "$0")/.." && pwd)"
PORT="${CSE_DEMO_PORT:-8080}"
BRIDGE="${CSE_DEMO_BRIDGE:-csedemo}"
SUBNET="${CSE_DEMO_SUBNET:-10.199.240.0/24}"
VERSION="0.1.0-SNAPSHOT"
PG_JAR="$ROOT/samples/embedded-postgres/target/embedded-postgres-$VERSION-exec.jar"
APP_JAR="$ROOT/samples/hello-web/target/hello-web-$VERSION-exec.jar"
CSE_JAR="$ROOT/cse-node/target/cse-exec.jar"
CRIU=/opt/cse/criu/bin/criu
BASE="http://127.0.0.1:$PORT"

# shellcheck source=scripts/demo-lib.sh
. "$ROOT/scripts/demo-lib.sh"
require_prerequisites "$PORT"
build "$ROOT"

MISSING="$(full_story_missing)"
WORK="$(mktemp -d /tmp/cse-demo.XXXXXX)"
chmod 755 "$WORK"
PG_PID=""
APP_PID=""
AGENT_PID=""
AGENT_SOCKET="$WORK/agent/agent.sock"
BRIDGE_UP=0
POOL=""
ZRAM_WAS_ON=0
if zram_swap_on; then ZRAM_WAS_ON=1; fi

# cse ARGS...: the node agent's command, a client of the resident agent started below.
cse() {
	CSE_AGENT_SOCKET="$AGENT_SOCKET" CSE_STATE_DIR="$WORK/state" java -jar "$CSE_JAR" "$@"
}

cleanup() {
	set +e
	if [ -n "$POOL" ]; then cse pool rm "$POOL"; fi
	if [ -n "$AGENT_PID" ] || [ "$BRIDGE_UP" = "1" ]; then cse stop --all; fi
	if [ "$BRIDGE_UP" = "1" ]; then cse net down --bridge "$BRIDGE"; fi
	stop_process "$AGENT_PID"
	stop_process "$APP_PID"
	stop_process "$PG_PID"
	rm -rf "$WORK"
	if [ -n "$AGENT_PID" ]; then
		local left
		left="$(left_behind "$BRIDGE" demo-)"
		if [ -n "$left" ]; then
			printf 'Left behind (remove it by hand):\n%s\n' "$left" >&2
			exit 1
		fi
		echo "Nothing left behind: no bridge $BRIDGE, no veth, network namespace or cgroup of a demo-* instance, $WORK removed"
		if [ "$ZRAM_WAS_ON" = "0" ] && zram_swap_on; then
			# The squeeze turned it on; the last stop turns it off, unless the kernel refuses
			# (it did once while another agent's squeezed service had pages there).
			echo "Note: /dev/zram0 is still swap (it was not when the demo started); 'swapoff /dev/zram0' once no squeezed service is left" >&2
		fi
	fi
}
trap cleanup EXIT

PG_LISTEN="127.0.0.1"
PG_HOST="127.0.0.1"
PG_TRUST=()
if [ -z "$MISSING" ]; then
	step "Starting the node agent (cse agent) and bridge $BRIDGE ($SUBNET) for the clones"
	mkdir -p "$WORK/state" "$WORK/images"
	java -jar "$CSE_JAR" agent --socket "$AGENT_SOCKET" --state-dir "$WORK/state" --images-root "$WORK/images" \
		--criu "$CRIU" --bridge "$BRIDGE" >>"$WORK/agent.log" 2>&1 &
	AGENT_PID=$!
	wait_for 60 "the agent (see $WORK/agent.log)" curl -sf --unix-socket "$AGENT_SOCKET" http://localhost/healthz \
		|| { cat "$WORK/agent.log" >&2; exit 1; }
	echo "cse agent, pid $AGENT_PID, on $AGENT_SOCKET"
	BRIDGE_UP=1
	cse net up --bridge "$BRIDGE" --subnet "$SUBNET"
	# The bridge's host side is the subnet's first address: PostgreSQL listens there too,
	# so that the clones, each in a network namespace of its own, reach the same database.
	PG_HOST="${SUBNET%/*}"
	PG_HOST="${PG_HOST%.*}.$((${PG_HOST##*.} + 1))"
	PG_LISTEN="127.0.0.1,$PG_HOST"
	PG_TRUST=("--trust=$SUBNET")
fi

step "Starting PostgreSQL in a process of its own (never inside the service: a snapshot would carry it)"
mkdir "$WORK/postgres"
cp "$PG_JAR" "$WORK/postgres/embedded-postgres.jar"
chmod 644 "$WORK/postgres/embedded-postgres.jar"
AS_USER=()
if [ "$(id -u)" = "0" ]; then
	# PostgreSQL refuses to run as root.
	AS_USER=(setpriv --reuid=nobody --regid=nogroup --clear-groups)
	chown nobody:nogroup "$WORK/postgres"
fi
# Its binaries and data go to $WORK/postgres (java.io.tmpdir), removed on exit.
"${AS_USER[@]}" java -Xmx128m -Djava.io.tmpdir="$WORK/postgres" -Dorg.slf4j.simpleLogger.defaultLogLevel=warn \
	-jar "$WORK/postgres/embedded-postgres.jar" --listen="$PG_LISTEN" "${PG_TRUST[@]}" \
	>"$WORK/postgres.out" 2>"$WORK/postgres.err" &
PG_PID=$!
wait_for 120 "PostgreSQL (see $WORK/postgres.err)" grep -q '^READY' "$WORK/postgres.out" || { cat "$WORK/postgres.err" >&2; exit 1; }
PG_PORT="$(sed -n 's/^READY port=\([0-9]*\) .*/\1/p' "$WORK/postgres.out")"
PG_URL="jdbc:postgresql://$PG_HOST:$PG_PORT/postgres"
echo "$PG_URL (listening on $PG_LISTEN)"

step "Starting samples/hello-web on port $PORT"
START="$(now_ns)"
java -XX:-UsePerfData -jar "$APP_JAR" --server.port="$PORT" --spring.datasource.url="$PG_URL" \
	--cse.images.root="$WORK/images" >>"$WORK/hello-web.log" 2>&1 &
APP_PID=$!
wait_for 120 "hello-web (see its log below)" curl -sf "$BASE/health" || { tail -50 "$WORK/hello-web.log" >&2; exit 1; }
measured "cold start, to first 200" "$(millis_since "$START")" "script's clock: java started to /health 200 (polled every 0.1 s)"
STARTED="$(grep -o 'Started HelloworldApplication in [0-9.]* seconds' "$WORK/hello-web.log" || true)"
echo "$STARTED"
if [ -n "$STARTED" ]; then
	measured "cold start, Spring's own" "$(seconds_to_millis "$(echo "$STARTED" | grep -o '[0-9.]* seconds' | cut -d' ' -f1)")" \
		"hello-web's log: 'Started ... in' (the context, after the JVM's own start)"
fi

step "GET / and /health: the reference article's demo"
curl -s "$BASE/"; echo
curl -s "$BASE/health"; echo

step "POST /visits: a row written through the HikariCP pool"
curl -s -X POST "$BASE/visits"; echo

step "GET /actuator/cse: state, engine, identity, participants"
curl -s "$BASE/actuator/cse" | pretty

step "POST /actuator/cse/freeze: quiesce traffic, executors, schedulers, pools; trim the heap"
SECONDS_TAKEN="$(curl -s -o "$WORK/freeze.json" -w '%{time_total}' -X POST "$BASE/actuator/cse/freeze")"
pretty <"$WORK/freeze.json"
measured "freeze (quiesce and trim)" "$(seconds_to_millis "$SECONDS_TAKEN")" "curl: the whole POST /actuator/cse/freeze"
measured "freeze (quiesce and trim)" "$(json_field .totalMs <"$WORK/freeze.json")" "the service's own report: totalMs"

step "GET /actuator/cse while frozen"
curl -s "$BASE/actuator/cse" | head -c 200; echo " ..."

step "POST /actuator/cse/thaw: resume in reverse order"
SECONDS_TAKEN="$(curl -s -o "$WORK/thaw.json" -w '%{time_total}' -X POST "$BASE/actuator/cse/thaw")"
pretty <"$WORK/thaw.json"
measured "thaw" "$(seconds_to_millis "$SECONDS_TAKEN")" "curl: the whole POST /actuator/cse/thaw"
measured "thaw" "$(json_field .totalMs <"$WORK/thaw.json")" "the service's own report: totalMs"

step "POST /visits: the pool connects again"
curl -s -X POST "$BASE/visits"; echo

step "Freeze again, then send an ordinary request: it thaws the instance and is served"
curl -s -o /dev/null -w 'freeze: HTTP %{http_code} in %{time_total}s\n' -X POST "$BASE/actuator/cse/freeze"
SECONDS_TAKEN="$(curl -s -o "$WORK/get.txt" -w '%{time_total}' "$BASE/")"
cat "$WORK/get.txt"; echo
measured "thaw on a request, to its 200" "$(seconds_to_millis "$SECONDS_TAKEN")" "curl: GET / sent to the frozen instance"
curl -s "$BASE/actuator/cse" | head -c 120; echo " ..."

# The whole story, through the node agent: a clone template, 3 clones, a pool and a take.
full_story() {
	local before start id address name ids=()

	step "POST /actuator/cse/clone: a template, an image every restore of which is a new instance"
	curl -s -X POST "$BASE/actuator/cse/clone" -H 'Content-Type: application/json' -d '{"image": "template"}' | pretty
	wait_for 120 "the template's manifest.json" test -f "$WORK/images/template/manifest.json"
	echo "$(du -sh "$WORK/images/template" | cut -f1) in $WORK/images/template; hello-web keeps serving"

	step "cse clone template --count 3: 3 restores, each in network and PID namespaces of its own on $BRIDGE"
	before="$(agent_seconds "$AGENT_SOCKET" clone)"
	start="$(now_ns)"
	cse clone template --count 3 --name-prefix demo-clone --bridge "$BRIDGE" --images-root "$WORK/images" --criu "$CRIU"
	measured "clone fan-out of 3, to all 200" "$(millis_since "$start")" "script's clock: the whole 'cse clone' (its JVM's start too)"
	measured "clone fan-out of 3, to all 200" "$(seconds_to_millis "$(agent_seconds "$AGENT_SOCKET" clone)" "$before")" \
		"the agent's /metrics: POST /clones, request to answer"

	step "GET /actuator/cse on each clone's own address: an instance id of its own"
	while read -r name address; do
		id="$(curl -s "http://$address/actuator/cse" | json_field .instance.instanceId)"
		ids+=("$id")
		printf '%-14s %-22s %s\n' "$name" "$address" "$id"
	done < <(instances "$AGENT_SOCKET" demo-clone-)
	if [ "${#ids[@]}" != 3 ] || [ "$(printf '%s\n' "${ids[@]}" | sort -u | wc -l)" != 3 ]; then
		echo "Expected 3 clones with distinct instance ids, found: ${ids[*]}" >&2
		exit 1
	fi
	echo "3 clones, 3 distinct instance ids (the template's: $(curl -s "$BASE/actuator/cse" | json_field .instance.instanceId))"

	step "cse pool create template --size 2 --squeeze: 2 more clones, frozen, their memory pushed to compressed swap"
	POOL=demo-pool
	before="$(agent_seconds "$AGENT_SOCKET" pool-create)"
	start="$(now_ns)"
	cse pool create template --name "$POOL" --size 2 --squeeze --bridge "$BRIDGE" --images-root "$WORK/images" --criu "$CRIU"
	measured "pool of 2 made, squeezed" "$(millis_since "$start")" "script's clock: the whole 'cse pool create'"
	measured "pool of 2 made, squeezed" "$(seconds_to_millis "$(agent_seconds "$AGENT_SOCKET" pool-create)" "$before")" \
		"the agent's /metrics: POST /pools, request to answer"

	step "cse pool take: thaw the oldest frozen clone and wait until it serves"
	name="$(curl -s --unix-socket "$AGENT_SOCKET" "http://localhost/pools/$POOL" | json_field .members.0)"
	before="$(agent_seconds "$AGENT_SOCKET" pool-take)"
	start="$(now_ns)"
	cse pool take "$POOL"
	measured "pool take, to first 200" "$(millis_since "$start")" "script's clock: the whole 'cse pool take' (its JVM's start too)"
	measured "pool take, to first 200" "$(seconds_to_millis "$(agent_seconds "$AGENT_SOCKET" pool-take)" "$before")" \
		"the agent's /metrics: POST /pools/$POOL/take, request to answer"
	address="$(instances "$AGENT_SOCKET" "$name" | awk -v name="$name" '$1 == name { print $2 }')"

	step "GET / on the taken clone ($name at $address)"
	curl -s -w '\nHTTP %{http_code} in %{time_total}s\n' "http://$address/"
	id="$(curl -s "http://$address/actuator/cse" | json_field .instance.instanceId)"
	echo "instance id $id"

	step "cse ps, cse pool ls: the agent restores a clone to refill the pool"
	cse ps
	cse pool ls
}

if [ -n "$MISSING" ]; then
	step "Skipped: a clone template, clones and a pool through the node agent (cse)"
	echo "They need what this machine lacks: $MISSING."
	if [ ! -x "$CRIU" ]; then
		echo "Install CRIU 4.2 into /opt/cse/criu: run scripts/install-criu.sh as root."
	fi
	echo "Then run this script as root (see docs/node-agent.md#prerequisites for the rest)."
else
	full_story
fi

step "Times measured"
print_times

step "Done: stopping everything it started"
