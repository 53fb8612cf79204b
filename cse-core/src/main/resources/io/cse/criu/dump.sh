criu="$1"; pid="$2"; dir="$3"; status="$4"; leave="$5"
# Wait until the JVM has reaped the process that launched this one: CRIU would
# otherwise dump it as a zombie child.
n=0
while [ -n "$(cat /proc/"$pid"/task/*/children 2>/dev/null | tr -d ' ')" ] && [ "$n" -lt 500 ]; do
  sleep 0.01; n=$((n + 1))
done
set -- dump -t "$pid" -D "$dir" -o dump.log --shell-job --tcp-established --network-lock nftables
if [ "$leave" = 1 ]; then set -- "$@" --leave-running; fi
"$criu" "$@"
rc=$?
# The JVM wrote the manifest, complete, before the dump: only a complete image gets it.
if [ "$rc" -eq 0 ]; then
  mv "$dir/manifest.json.pending" "$dir/manifest.json" || rc=97
fi
# After a successful dump without --leave-running nobody is left to read the exit
# code: a restored process learns of its restore from its start time.
if [ "$rc" -ne 0 ] || [ "$leave" = 1 ]; then
  echo "$rc" > "$status.tmp" && mv "$status.tmp" "$status"
fi
