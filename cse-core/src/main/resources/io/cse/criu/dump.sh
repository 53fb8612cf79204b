criu="$1"; pid="$2"; dir="$3"; status="$4"; leave="$5"; java="$6"; sealer="$7"
# The process group this script leads (setsid): the JVM kills it, CRIU included, if the
# dump runs out of time.
echo $$ > "$status.pid"
# Wait until the JVM has reaped the process that launched this one: CRIU would
# otherwise dump it as a zombie child.
n=0
while [ -n "$(cat /proc/"$pid"/task/*/children 2>/dev/null | tr -d ' ')" ] && [ "$n" -lt 500 ]; do
  sleep 0.01; n=$((n + 1))
done
set -- dump -t "$pid" -D "$dir" -o dump.log --shell-job --tcp-established --network-lock nftables
if [ "$leave" = 1 ]; then set -- "$@" --leave-running; fi
# CRIU creates its files with the process's umask: none of them is readable by others
# for a moment, the sealer then makes them 0600.
umask 077
"$criu" "$@"
rc=$?
# Whether the dump's network lock is gone by now: CRIU removes it at the end of a dump
# that leaves the process running; after one that ends it, this script does below.
unlocked=""
if [ "$rc" -eq 0 ] && [ "$leave" = 1 ]; then unlocked=--network-unlocked; fi
# A dump that ends its process leaves CRIU's network lock in place, for a restore that
# brings the same TCP connections back: an nftables table "CRIU-" and the first 21
# characters of the dump's run id (in inventory.img). Restores here close connections
# (--tcp-close) and clones run in network namespaces of their own, so nothing would ever
# remove it: every dump would leave one more table, hooked into every packet of the host.
PATH="$PATH:/usr/sbin:/sbin"
if [ "$rc" -eq 0 ] && [ "$leave" != 1 ] && command -v nft >/dev/null 2>&1; then
  run_id="$(tr -c '0-9a-f-' '\n' < "$dir/inventory.img" \
    | grep -E -m1 '^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$' || true)"
  if [ -n "$run_id" ]; then
    nft delete table inet "CRIU-$(printf '%.21s' "$run_id")" 2>>"$dir/dump.log" && unlocked=--network-unlocked
  fi
fi
# The JVM wrote the manifest before the dump, without the files: the sealer adds their
# hashes and writes manifest.json, last, only for a complete image. With --network-unlocked
# it first records in the image that its lock is gone, so that no restore spends 12 to
# 21 ms deleting the missing table (without it, a restore deletes the table). Its
# errors go to dump.log, which the starter reports (and a failed image is never restored). No
# -XX:TieredStopAtLevel=1: SHA-256 is fast only in C2 (150 MB in 0.6 s here, 1.4 s in C1).
if [ "$rc" -eq 0 ]; then
  "$java" -Xmx64m -XX:-UsePerfData -cp "$sealer" io.cse.snapshot.ImageSealer "$dir" $unlocked \
    2>>"$dir/dump.log" || rc=97
fi
rm -rf "$sealer" "$status.pid"
# After a successful dump without --leave-running nobody is left to read the exit
# code: a restored process learns of its restore from its start time.
if [ "$rc" -ne 0 ] || [ "$leave" = 1 ]; then
  echo "$rc" > "$status.tmp" && mv "$status.tmp" "$status"
fi
