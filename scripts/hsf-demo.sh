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

# shellcheck source=scripts/demo-lib.sh
. "$ROOT/scripts/demo-lib.sh"
require_prerequisites "$PORT"
build "$ROOT"

WORK="$(mktemp -d /tmp/cse-hsf-demo.XXXXXX)"
ZK_PID=""
APP_PID=""
cleanup() {
	stop_process "$APP_PID"
	stop_process "$ZK_PID"
	rm -rf "$WORK"
}
trap cleanup EXIT

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

step "GET /actuator/cse/hazardCheck: the @ServerlessReady bean, published by Dubbo"
curl -s "$BASE/actuator/cse/hazardCheck" | pretty

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
