#!/usr/bin/env bash
# Writes a benchmark heap dump of about SIZE bytes with tests/bench/java/HeapGenerator.java
# (needs a JDK 17+; see tests/bench/README.md). Dumps are large: write them outside the
# repository.
#
#   tests/bench/generate.sh SIZE OUT.hprof
#
# SIZE is bytes, or a number with K, M, G or T (binary: 1G = 1 GiB), decimals allowed
# (1.5G). The JVM heap is sized from the target (-Xmx = 1.6 x SIZE, capped at 85 % of the
# memory available now); the generator prints the file size against the target (it exits
# 3 outside +-15 %), the JVM's object count and the generator's reference estimate.
# Runs under `nice -n 10`.
set -euo pipefail
if [ $# -ne 2 ]; then
  echo "usage: $0 SIZE OUT.hprof   (SIZE: bytes, or e.g. 100M, 1G, 8G, 1.5G)" >&2
  exit 2
fi
size=$1 out=$2
here=$(cd "$(dirname "$0")" && pwd)

target=$(awk -v s="$size" 'BEGIN {
  n = s; u = toupper(substr(s, length(s))); m = 1
  if (u == "K") m = 1024; else if (u == "M") m = 1024^2
  else if (u == "G") m = 1024^3; else if (u == "T") m = 1024^4
  if (m > 1) n = substr(s, 1, length(s) - 1)
  if (n !~ /^[0-9]+(\.[0-9]+)?$/) { print "bad"; exit }
  printf "%.0f\n", n * m }')
if [ "$target" = bad ] || [ "$target" -lt $((16 << 20)) ]; then
  echo "error: SIZE must be at least 16M (got '$size')" >&2
  exit 2
fi
if [ -e "$out" ]; then
  echo "error: $out exists; delete it first" >&2
  exit 2
fi

mib=$((1 << 20))
heap_mb=$(((target * 16 / 10 + mib - 1) / mib))
[ "$heap_mb" -lt 256 ] && heap_mb=256
avail_mb=$(($(awk '/^MemAvailable:/ {print $2}' /proc/meminfo) / 1024))
cap_mb=$((avail_mb * 85 / 100))
if [ "$heap_mb" -gt "$cap_mb" ]; then
  echo "warning: -Xmx capped at ${cap_mb}m (85 % of the ${avail_mb} MiB available), not ${heap_mb}m" >&2
  heap_mb=$cap_mb
fi
dir=$(dirname "$out")
free_bytes=$(df --output=avail -B1 "$dir" | tail -1)
if [ "$free_bytes" -lt $((target * 12 / 10)) ]; then
  echo "error: $dir has $((free_bytes / mib)) MiB free; the dump needs about $((target * 12 / 10 / mib))" >&2
  exit 1
fi

build=$(mktemp -d)
trap 'rm -rf "$build"' EXIT
javac -d "$build" "$here/java/HeapGenerator.java"
echo "java -Xmx${heap_mb}m HeapGenerator $target $out"
start=$(date +%s.%N)
status=0
nice -n 10 java "-Xmx${heap_mb}m" -cp "$build" HeapGenerator "$target" "$out" || status=$?
end=$(date +%s.%N)
awk -v a="$start" -v b="$end" -v f="$out" 'BEGIN { printf "generated %s in %.0f s (JVM start to exit)\n", f, b - a }'
exit "$status"
