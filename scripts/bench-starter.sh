#!/usr/bin/env bash
# Benchmarks the starter on samples/hello-web and writes docs/benchmarks.md: freeze and thaw
# over 50 measured cycles, and start-up with and without the starter. Extra arguments go
# to 'cse-bench starter' (see its --help), for example --cycles 100 or --java <path>.
set -euo pipefail
cd "$(dirname "$0")/.."
mvn -B -q install -DskipTests
mvn -B -q -pl samples/hello-web package -Pwithout-cse -Dmaven.test.skip=true
mvn -B -q -pl samples/hello-web package -Pactuator-only -Dmaven.test.skip=true
java -jar cse-bench/target/cse-bench-exec.jar starter "$@"
