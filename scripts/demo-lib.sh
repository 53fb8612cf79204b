# shellcheck shell=bash
# Shared by the walk-throughs (scripts/demo.sh, scripts/hsf-demo.sh): sourced, never run.

# require_prerequisites PORT: java and curl present, and nothing listening on PORT yet.
require_prerequisites() {
	command -v java >/dev/null || { echo "java is missing: install a JDK 17 or later" >&2; exit 1; }
	command -v curl >/dev/null || { echo "curl is missing: apt-get install curl" >&2; exit 1; }
	if curl -s -o /dev/null "http://127.0.0.1:$1/" 2>/dev/null; then
		echo "Port $1 is taken: stop what listens there or set CSE_DEMO_PORT" >&2
		exit 1
	fi
}

# build ROOT: mvn install without the tests, unless CSE_DEMO_SKIP_BUILD=1.
build() {
	if [ "${CSE_DEMO_SKIP_BUILD:-0}" != "1" ]; then
		echo "==> Building (mvn install, tests skipped)"
		(cd "$1" && mvn -B -q install -DskipTests)
	fi
}

# stop_process PID: stop it if it runs, and reap it.
stop_process() {
	if [ -n "$1" ] && kill "$1" 2>/dev/null; then
		wait "$1" 2>/dev/null || true
	fi
}

pretty() {
	if command -v python3 >/dev/null; then python3 -m json.tool 2>/dev/null || cat; else cat; fi
	echo
}

step() {
	echo
	echo "==> $1"
}

wait_for() { # wait_for SECONDS DESCRIPTION COMMAND...
	local seconds="$1" description="$2"
	shift 2
	for _ in $(seq 1 $((seconds * 10))); do
		if "$@" >/dev/null 2>&1; then return 0; fi
		sleep 0.1
	done
	echo "Timed out after ${seconds}s waiting for $description" >&2
	return 1
}
