#!/usr/bin/env bash
# The RPC quick start: builds the project, starts a ZooKeeper registry in a process of its
# own (unless CSE_ZOOKEEPER names one), starts samples/hsf-provider (the reference
# article's HSF demo, published through Dubbo), calls it with the sample's consumer, and
# walks the provider through freeze and thaw: it leaves the registry, consumers stop
# calling it, it comes back. Everything it starts is stopped on exit.
#
#   scripts/hsf-demo.sh                               build, then run the walk-through
#   CSE_DEMO_SKIP_BUILD=1 ...                         reuse what the last build left in target/
#   CSE_ZOOKEEPER=zookeeper://10.0.0.5:2181 ...       use that registry, start none
#   CSE_DEMO_PORT=8080 CSE_DEMO_DUBBO_PORT=20880 ...  the provider's HTTP and Dubbo ports
set -euo pipefail

ROOT="$(cd "$(dirname "$0")/.." && pwd)"
PORT="${CSE_DEMO_PORT:-8080}"
DUBBO_PORT="${CSE_DEMO_DUBBO_PORT:-20880}"
VERSION="0.1.0-SNAPSHOT"
ZK_JAR="$ROOT/samples/embedded-zookeeper/target/embedded-zookeeper-$VERSION-exec.jar"
APP_JAR="$ROOT/samples/hsf-provider/target/hsf-provider-$VERSION-exec.jar"
BASE="http://127.0.0.1:$PORT"

command -v java >/dev/null || { echo "java is missing: install a JDK 17 or later" >&2; exit 1; }
command -v curl >/dev/null || { echo "curl is missing: apt-get install curl" >&2; exit 1; }
if curl -s -o /dev/null "$BASE/" 2>/dev/null; then
	echo "Port $PORT is taken: stop what listens there or set CSE_DEMO_PORT" >&2
	exit 1
fi

if [ "${CSE_DEMO_SKIP_BUILD:-0}" != "1" ]; then
	echo "==> Building (mvn install, tests skipped)"
	(cd "$ROOT" && mvn -B -q install -DskipTests)
fi

WORK="$(mktemp -d /tmp/cse-hsf-demo.XXXXXX)"
ZK_PID=""
APP_PID=""
cleanup() {
	[ -n "$APP_PID" ] && kill "$APP_PID" 2>/dev/null && wait "$APP_PID" 2>/dev/null || true
	[ -n "$ZK_PID" ] && kill "$ZK_PID" 2>/dev/null && wait "$ZK_PID" 2>/dev/null || true
	rm -rf "$WORK"
}
trap cleanup EXIT

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

consumer() { # consumer CALLS: the sample's consumer, one line per call with the provider that answered
	java -Xmx128m -cp "$APP_JAR" -Dloader.main=io.cse.samples.hsf.consumer.HelloWorldConsumer \
		org.springframework.boot.loader.launch.PropertiesLauncher --registry="$REGISTRY" --calls="$1" 2>/dev/null \
		| grep -E '^(hello|FAILED)' || true
}

if [ -n "${CSE_ZOOKEEPER:-}" ]; then
	REGISTRY="$CSE_ZOOKEEPER"
	step "Using the registry $REGISTRY"
else
	step "Starting ZooKeeper in a process of its own (never inside the provider: a snapshot would carry it)"
	java -Xmx128m -Dorg.slf4j.simpleLogger.defaultLogLevel=warn -jar "$ZK_JAR" >"$WORK/zookeeper.out" 2>"$WORK/zookeeper.err" &
	ZK_PID=$!
	wait_for 60 "ZooKeeper (see $WORK/zookeeper.err)" grep -q '^READY' "$WORK/zookeeper.out" || { cat "$WORK/zookeeper.err" >&2; exit 1; }
	REGISTRY="$(sed -n 's/^READY port=[0-9]* address=\([^ ]*\).*/\1/p' "$WORK/zookeeper.out")"
	echo "$REGISTRY"
fi

step "Starting samples/hsf-provider: HTTP on $PORT, Dubbo on $DUBBO_PORT"
# No SASL with ZooKeeper: a clone's client would first look the registry up in DNS
java -XX:-UsePerfData -Dzookeeper.sasl.client=false -jar "$APP_JAR" --server.port="$PORT" --dubbo.protocol.port="$DUBBO_PORT" \
	--dubbo.registry.address="$REGISTRY" >>"$WORK/hsf-provider.log" 2>&1 &
APP_PID=$!
wait_for 120 "hsf-provider (see its log below)" curl -sf "$BASE/actuator/cse" || { tail -50 "$WORK/hsf-provider.log" >&2; exit 1; }
grep -o 'Started HsfProviderApplication in [0-9.]* seconds' "$WORK/hsf-provider.log" || true

step "GET /actuator/cse/readiness: the @ServerlessReady bean, published by Dubbo"
curl -s "$BASE/actuator/cse/readiness" | pretty

step "The consumer finds the provider in ZooKeeper and calls it"
consumer 3

step "POST /actuator/cse/freeze: the provider leaves ZooKeeper first (participants 'providers' and 'dubbo')"
curl -s -X POST "$BASE/actuator/cse/freeze" | pretty

step "The consumer finds no provider while it is frozen"
consumer 1

step "POST /actuator/cse/thaw: the provider registers again"
curl -s -X POST "$BASE/actuator/cse/thaw" | pretty

step "The consumer calls it again"
consumer 3

step "Done: stopping hsf-provider and ZooKeeper"
