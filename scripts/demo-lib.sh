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

# build ROOT: mvn package without the tests, unless CSE_DEMO_SKIP_BUILD=1. The walk-throughs
# run the jars in target/; nothing goes to the local Maven repository.
build() {
	if [ "${CSE_DEMO_SKIP_BUILD:-0}" != "1" ]; then
		echo "==> Building (mvn package, tests skipped)"
		(cd "$1" && mvn -B -q package -DskipTests)
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

now_ns() {
	date +%s%N
}

# millis_since START_NS: the milliseconds from START_NS (date +%s%N) to now, to 0.1 ms.
millis_since() {
	local end
	end="$(now_ns)"
	awk -v start="$1" -v end="$end" 'BEGIN { printf "%.1f", (end - start) / 1e6 }'
}

# json_field PATH: the field at PATH (as .instance.instanceId) of the JSON on standard
# input; '-' without python3.
json_field() {
	if ! command -v python3 >/dev/null; then
		cat >/dev/null
		echo "-"
		return
	fi
	python3 -c '
import json, sys
value = json.load(sys.stdin)
for key in sys.argv[1].strip(".").split("."):
    value = value[int(key)] if isinstance(value, list) else value[key]
print(value)' "$1"
}

# full_story_missing: what the freeze/thaw part needs no more of, but the full story (a
# template, clones, a pool) does; prints nothing when all of it is there.
full_story_missing() {
	local missing=()
	[ "$(id -u)" = "0" ] || missing+=("root")
	[ -x /opt/cse/criu/bin/criu ] || missing+=("CRIU at /opt/cse/criu/bin/criu")
	if ! { [ -d /sys/fs/cgroup/freezer ] && [ -d /sys/fs/cgroup/memory ]; } \
		&& ! { [ "$(stat -fc %T /sys/fs/cgroup 2>/dev/null)" = "cgroup2fs" ] \
			&& grep -qw memory /sys/fs/cgroup/cgroup.controllers 2>/dev/null; }; then
		missing+=("cgroup v1 freezer and memory hierarchies, or cgroup v2 with its memory controller")
	fi
	local tool
	for tool in ip unshare setsid python3; do
		command -v "$tool" >/dev/null || missing+=("$tool")
	done
	if [ "${#missing[@]}" -gt 0 ]; then
		local IFS=,
		echo "${missing[*]}" | sed 's/,/, /g'
	fi
}

# agent_seconds SOCKET OPERATION: the seconds a resident agent has spent on OPERATION so
# far, from request to answer, as its /metrics counts them (0 before the first).
agent_seconds() {
	curl -s --unix-socket "$1" http://localhost/metrics \
		| awk -v key="cse_agent_operation_seconds_sum{operation=\"$2\"}" '$1 == key { sum = $2 } END { print sum + 0 }'
}

# seconds_to_millis A [B]: (A - B) seconds in milliseconds, to 0.1 ms.
seconds_to_millis() {
	awk -v a="$1" -v b="${2:-0}" 'BEGIN { printf "%.1f", (a - b) * 1000 }'
}

# measured WHAT MILLIS HOW: one row of the table of times (print it with print_times).
TIMES=()
measured() {
	TIMES+=("$1|$(awk -v v="$2" 'BEGIN { if (v ~ /^[0-9.]+$/) printf "%.1f", v; else print v }')|$3")
}

print_times() {
	local row what millis how
	printf '%-30s %12s  %s\n' "WHAT" "MS" "MEASURED"
	for row in "${TIMES[@]}"; do
		IFS='|' read -r what millis how <<<"$row"
		printf '%-30s %12s  %s\n' "$what" "$millis" "$how"
	done
}

# instances SOCKET PREFIX: 'NAME ADDRESS:PORT' of each instance the agent on SOCKET lists
# whose name starts with PREFIX.
instances() {
	curl -s --unix-socket "$1" http://localhost/instances | python3 -c '
import json, sys
for status in json.load(sys.stdin):
    instance = status["instance"]
    if instance["name"].startswith(sys.argv[1]):
        print(instance["name"], "%s:%s" % (instance["endpoint"]["address"], instance["endpoint"]["port"]))' "$2"
}

# left_behind BRIDGE PREFIX: what is still there of the bridge BRIDGE (and its veths,
# named BRIDGEvN) and of the instances named PREFIX*: network namespaces, cgroups (v1 and v2).
left_behind() {
	ip -o link show 2>/dev/null | awk -F': ' '{ print $2 }' | cut -d@ -f1 | grep -E "^$1(v[0-9]+)?\$" | sed 's/^/link /'
	ip netns list 2>/dev/null | awk '{ print $1 }' | grep "^cse-$2" | sed 's/^/netns /'
	local group
	for group in /sys/fs/cgroup/freezer/cse/"$2"* /sys/fs/cgroup/memory/cse/"$2"* /sys/fs/cgroup/cse/"$2"*; do
		if [ -d "$group" ]; then echo "cgroup $group"; fi
	done
}

# zram_swap_on: whether /dev/zram0 is swap now.
zram_swap_on() {
	grep -q '^/dev/zram0 ' /proc/swaps 2>/dev/null
}
