#!/bin/sh
# Installs the cse command: the classes of cse-exec.jar as plain jars in /opt/cse/lib, a
# class-data sharing archive of the classes a client of the agent loads, and the launcher
# /usr/local/bin/cse. Run it again after a new build or a JDK upgrade (it replaces both).
#
#   scripts/install-cse.sh [--jar cse-node/target/cse-exec.jar] [--java java] [--prefix DIR]
#
# --prefix DIR installs under DIR (DIR/opt/cse/lib, DIR/usr/local/bin/cse), for tests.
set -eu

here=$(cd "$(dirname "$0")" && pwd)
jar_file="$here/../cse-node/target/cse-exec.jar"
java_cmd=$(command -v java || true)
prefix=""
while [ $# -gt 0 ]; do
	case "$1" in
		--jar) jar_file=$2; shift 2 ;;
		--java) java_cmd=$2; shift 2 ;;
		--prefix) prefix=${2%/}; shift 2 ;;
		-h|--help) sed -n '2,8p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
		*) echo "install-cse: unknown option $1 (see --help)" >&2; exit 2 ;;
	esac
done
[ -f "$jar_file" ] || { echo "install-cse: no $jar_file: build it with 'mvn -B -pl cse-node -am package -DskipTests', or pass --jar" >&2; exit 1; }
[ -n "$java_cmd" ] || { echo "install-cse: no java on the path: install a JDK 17 or later, or pass --java" >&2; exit 1; }
java_cmd=$(command -v "$java_cmd")
# The jar tool of the same JDK: a class archive takes jars, not folders of classes.
jar_tool="$(dirname "$(readlink -f "$java_cmd")")/jar"
[ -x "$jar_tool" ] || { echo "install-cse: no jar tool beside $java_cmd: install a JDK, not a JRE only" >&2; exit 1; }

lib="$prefix/opt/cse/lib"
bin="$prefix/usr/local/bin"
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

# Unpack: the Spring Boot jar's nested jars cannot be shared, plain jars on a class path can.
mkdir -p "$work/exec" "$work/lib"
(cd "$work/exec" && "$jar_tool" xf "$jar_file")
"$jar_tool" cf "$work/lib/cse-node.jar" -C "$work/exec/BOOT-INF/classes" .
for dependency in "$work"/exec/BOOT-INF/lib/*.jar; do
	case "$(basename "$dependency")" in
		spring-boot-jarmode-*) ;; # Spring Boot's extract tool: not used by cse
		*) cp "$dependency" "$work/lib/" ;;
	esac
done
mkdir -p "$lib" "$bin"
rm -f "$lib"/*.jar "$lib/cse.jsa"
cp "$work"/lib/*.jar "$lib/"
# The class path in a fixed order: the archive is valid only for the path it was made with.
class_path=$(ls "$lib"/*.jar | sort | tr '\n' ':' | sed 's/:$//')

# The classes to archive, from the commands a client runs: help (every command's model),
# and ps and thaw, in this process and, when a resident agent can be started here (root),
# through its socket. A static archive, not -XX:ArchiveClassesAtExit: picocli is Java 5
# bytecode, which only a static archive keeps (JDK 17).
flags="-XX:TieredStopAtLevel=1 -XX:+UseSerialGC"
train() {
	CSE_AGENT_SOCKET="$1" "$java_cmd" $flags -Xshare:off -XX:DumpLoadedClassList="$work/list.$2" \
		-cp "$class_path" io.cse.node.Cse $3 >/dev/null 2>&1 || true
}
train "$work/none.sock" help "--help"
train "$work/none.sock" ps "ps --state-dir $work/state"
train "$work/none.sock" thaw "thaw no-such-instance --state-dir $work/state"
if [ "$(id -u)" = 0 ]; then
	"$java_cmd" -cp "$class_path" io.cse.node.Cse agent --socket "$work/run/agent.sock" \
		--state-dir "$work/state" --images-root "$work/images" >/dev/null 2>&1 &
	agent=$!
	tries=0
	while [ ! -S "$work/run/agent.sock" ] && [ $tries -lt 100 ]; do sleep 0.1; tries=$((tries + 1)); done
	train "$work/run/agent.sock" ps-resident "ps"
	train "$work/run/agent.sock" thaw-resident "thaw no-such-instance"
	kill "$agent" 2>/dev/null || true
	wait "$agent" 2>/dev/null || true
fi
cat "$work"/list.* | awk '!seen[$0]++' > "$work/classes.list"
"$java_cmd" $flags -Xshare:dump -XX:SharedClassListFile="$work/classes.list" \
	-XX:SharedArchiveFile="$lib/cse.jsa" -cp "$class_path" > "$work/dump.log" 2>&1 \
	|| { cat "$work/dump.log" >&2; echo "install-cse: could not make the class archive" >&2; exit 1; }

# The launcher: the archive (a JVM that cannot map it, after a JDK upgrade, runs without it),
# C1 only and the serial collector: a client runs for a fraction of a second.
cat > "$bin/cse.new" <<EOF
#!/bin/sh
# The cse command, written by scripts/install-cse.sh; run the script again after a new build.
exec "$java_cmd" -XX:SharedArchiveFile="$lib/cse.jsa" $flags \\
	-cp "$class_path" io.cse.node.Cse "\$@"
EOF
chmod 755 "$bin/cse.new"
mv "$bin/cse.new" "$bin/cse"

echo "Installed $bin/cse (classes in $lib, class archive $lib/cse.jsa)."
echo "  cse --help                    the commands"
echo "  cse agent                     a resident agent on /run/cse/agent.sock: every command is then its client"
echo "  cse ps                        the instances"
