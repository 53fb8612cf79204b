#!/usr/bin/env bash
# The quick start: builds the project, starts a real PostgreSQL (embedded binaries) in a
# process of its own, starts samples/hello-web against it, and walks the service through
# freeze and thaw, printing every report. Everything it starts is stopped on exit.
#
#   scripts/demo.sh            build, then run the walk-through
#   CSE_DEMO_SKIP_BUILD=1 ...  reuse what the last build left in target/
#   CSE_DEMO_PORT=8080 ...     the port of the service
set -euo pipefail

ROOT="$(cd "$(dirname "$0")/.." && pwd)"
PORT="${CSE_DEMO_PORT:-8080}"
VERSION="0.1.0-SNAPSHOT"
PG_JAR="$ROOT/samples/embedded-postgres/target/embedded-postgres-$VERSION-exec.jar"
APP_JAR="$ROOT/samples/hello-web/target/hello-web-$VERSION-exec.jar"
BASE="http://127.0.0.1:$PORT"

# shellcheck source=scripts/demo-lib.sh
. "$ROOT/scripts/demo-lib.sh"
require_prerequisites "$PORT"
build "$ROOT"

WORK="$(mktemp -d /tmp/cse-demo.XXXXXX)"
chmod 755 "$WORK"
PG_PID=""
APP_PID=""
cleanup() {
	stop_process "$APP_PID"
	stop_process "$PG_PID"
	rm -rf "$WORK"
}
trap cleanup EXIT

step "Starting PostgreSQL in a process of its own (never inside the service: a snapshot would carry it)"
cp "$PG_JAR" "$WORK/embedded-postgres.jar"
chmod 644 "$WORK/embedded-postgres.jar"
AS_USER=()
if [ "$(id -u)" = "0" ]; then
	# PostgreSQL refuses to run as root.
	AS_USER=(setpriv --reuid=nobody --regid=nogroup --clear-groups)
fi
"${AS_USER[@]}" java -Xmx128m -Dorg.slf4j.simpleLogger.defaultLogLevel=warn -jar "$WORK/embedded-postgres.jar" \
	>"$WORK/postgres.out" 2>"$WORK/postgres.err" &
PG_PID=$!
wait_for 120 "PostgreSQL (see $WORK/postgres.err)" grep -q '^READY' "$WORK/postgres.out" || { cat "$WORK/postgres.err" >&2; exit 1; }
PG_URL="$(sed -n 's/^READY port=[0-9]* url=\([^ ]*\).*/\1/p' "$WORK/postgres.out")"
echo "$PG_URL"

step "Starting samples/hello-web on port $PORT"
java -XX:-UsePerfData -jar "$APP_JAR" --server.port="$PORT" --spring.datasource.url="$PG_URL" >>"$WORK/hello-web.log" 2>&1 &
APP_PID=$!
wait_for 120 "hello-web (see its log below)" curl -sf "$BASE/health" || { tail -50 "$WORK/hello-web.log" >&2; exit 1; }
grep -o 'Started HelloworldApplication in [0-9.]* seconds' "$WORK/hello-web.log" || true

step "GET / and /health: the reference article's demo"
curl -s "$BASE/"; echo
curl -s "$BASE/health"; echo

step "POST /visits: a row written through the HikariCP pool"
curl -s -X POST "$BASE/visits"; echo

step "GET /actuator/cse: state, engine, identity, participants"
curl -s "$BASE/actuator/cse" | pretty

step "POST /actuator/cse/freeze: quiesce traffic, executors, schedulers, pools; trim the heap"
curl -s -X POST "$BASE/actuator/cse/freeze" | pretty

step "GET /actuator/cse while frozen"
curl -s "$BASE/actuator/cse" | head -c 200; echo " ..."

step "POST /actuator/cse/thaw: resume in reverse order"
curl -s -X POST "$BASE/actuator/cse/thaw" | pretty

step "POST /visits: the pool connects again"
curl -s -X POST "$BASE/visits"; echo

step "Freeze again, then send an ordinary request: it thaws the instance and is served"
curl -s -o /dev/null -w 'freeze: HTTP %{http_code} in %{time_total}s\n' -X POST "$BASE/actuator/cse/freeze"
curl -s -w '\nGET /: HTTP %{http_code} in %{time_total}s\n' "$BASE/"
curl -s "$BASE/actuator/cse" | head -c 120; echo " ..."

step "Done: stopping hello-web and PostgreSQL"
