#!/usr/bin/env bash
# Benchmarks snapshots of samples/hello-web and writes docs/benchmarks.md: cold start
# against restore of a dump (5 runs), image size against the running service's memory,
# and 'cse clone --count 4'. Needs root and CRIU 4.2 (scripts/install-criu.sh). Extra
# arguments go to 'cse-bench snapshots' (see its --help).
set -euo pipefail
cd "$(dirname "$0")/.."
[ "$(id -u)" = "0" ] || { echo "Run as root: CRIU, namespaces and bridges need it" >&2; exit 1; }
scripts/install-criu.sh >/dev/null
mvn -B -q install -DskipTests
java -jar cse-bench/target/cse-bench-exec.jar snapshots "$@"
