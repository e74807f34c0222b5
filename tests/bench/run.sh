#!/usr/bin/env bash
# Benchmarks Heapscope's phases and its peers on one dump, in one run, and prints a
# Markdown table: wall time, throughput, peak memory (RSS high-water mark), bytes of peak
# per object and per reference, and ratios against the peers. Figures, not pass/fail; not
# part of CI. See tests/bench/README.md.
#
#   tests/bench/run.sh [--runs N] [--timeout S] [--wait-idle S] [--no-peers] [--analyzer-full] FILE
#
#   --runs N         run every command N times, report the run with the median wall time
#   --timeout S      stop any one command after S seconds (default 3600)
#   --wait-idle S    before each run, wait up to S seconds for the CPUs to be >= 90 % idle
#                    over 5 s (on a shared machine)
#   --no-peers       Heapscope only
#   --analyzer-full  also run `hprof-analyzer --full-analysis` (its opt-in extras; slow)
#
# Heapscope phases are discovered from `heapscope --help`: `summary` and `histogram`
# (pass 1) today, `analyze FILE --json --timings` as soon as the CLI has it. With
# `--timings` (one JSON line per phase on stderr: {"phase","wall_ms","user_ms","sys_ms","peak_rss_bytes"}),
# each phase gets its own row. Objects come from `heapscope summary --json`; references
# from `graph.references` of `analyze --json` (or the first `"references": N` in the
# summary's or the analysis's JSON), "n/a" while the CLI reports none.
#
# Environment: HEAPSCOPE (binary; default: `cargo build --release` here, under nice),
# HPROF_SLURP, HPROF_ANALYZER (default: on PATH, else ~/.cargo/bin).
# The page cache is warmed (the file read once) before every run: figures are for a
# file in memory, not for the disk. Run it on an otherwise idle machine: each row shows
# the 1-minute load average at its start.
set -euo pipefail
# Everything in one block: bash parses it whole, so editing this file mid-run is safe.
{

runs=1 timeout_s=3600 wait_idle=0 peers=1 analyzer_full=0
while [ $# -gt 1 ]; do
  case $1 in
    --runs) runs=$2; shift 2 ;;
    --timeout) timeout_s=$2; shift 2 ;;
    --wait-idle) wait_idle=$2; shift 2 ;;
    --no-peers) peers=0; shift ;;
    --analyzer-full) analyzer_full=1; shift ;;
    *) break ;;
  esac
done
if [ $# -ne 1 ] || [ ! -f "$1" ]; then
  echo "usage: $0 [--runs N] [--timeout S] [--wait-idle S] [--no-peers] [--analyzer-full] FILE" >&2
  exit 2
fi
file=$1
repo=$(cd "$(dirname "$0")/../.." && pwd)
if [ -n "${HEAPSCOPE:-}" ]; then
  hs=$HEAPSCOPE
else
  (cd "$repo" && nice -n 10 cargo build --release --quiet)
  hs=$repo/target/release/heapscope
fi
tool() { # name: $NAME from the environment, else PATH, else ~/.cargo/bin
  command -v "$1" 2>/dev/null || echo "$HOME/.cargo/bin/$1"
}
slurp=${HPROF_SLURP:-$(tool hprof-slurp)}
analyzer=${HPROF_ANALYZER:-$(tool hprof-analyzer)}
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

size=$(stat -L -c %s "$file")
load1() { cut -d' ' -f1 /proc/loadavg; }
load_before=$(cut -d' ' -f1-3 /proc/loadavg)

idle_pct() { # the CPUs' idle share over the next 5 s, in %
  local a b
  a=$(head -1 /proc/stat)
  sleep 5
  b=$(head -1 /proc/stat)
  awk -v a="$a" -v b="$b" 'BEGIN {
    n = split(a, x); split(b, y); t = 0
    for (i = 2; i <= n; i++) t += y[i] - x[i]
    printf "%d", (t > 0 ? 100 * (y[5] - x[5] + y[6] - x[6]) / t : 100) }'
}
wait_for_idle() {
  [ "$wait_idle" -gt 0 ] || return 0
  local deadline=$((SECONDS + wait_idle)) idle
  while idle=$(idle_pct) && [ "$idle" -lt 90 ] && [ "$SECONDS" -lt "$deadline" ]; do
    echo "  waiting for idle CPUs ($idle % idle)" >&2
  done
}

# measure TAG CMD...: runs CMD $runs times (page cache warm, under /usr/bin/time and
# `timeout`) and sets WALL (s), RSS (bytes), CPU (user + system s), LOAD (1-min load at
# the start), STATUS of the median run by wall time; that run's stdout/stderr stay in
# $work/TAG.out/.err.
measure() {
  local tag=$1; shift
  local i results=()
  for ((i = 0; i < runs; i++)); do
    cat "$file" >/dev/null
    wait_for_idle
    local load status=0
    load=$(load1)
    /usr/bin/time -f '%e %M %U %S' -o "$work/time" \
      timeout "$timeout_s" "$@" >"$work/$tag.$i.out" 2>"$work/$tag.$i.err" || status=$?
    local wall kib user sys cpu
    read -r wall kib user sys < <(tail -1 "$work/time")
    cpu=$(awk -v u="$user" -v s="$sys" 'BEGIN { printf "%.2f", u + s }')
    results+=("$wall $((kib * 1024)) $cpu $load $status $i")
    echo "  $tag run $((i + 1))/$runs: ${wall} s, CPU ${cpu} s, $((kib / 1024)) MiB, exit $status," \
      "load $load" >&2
  done
  local median
  median=$(printf '%s\n' "${results[@]}" | sort -n -k1,1 | sed -n "$(((runs + 1) / 2))p")
  read -r WALL RSS CPU LOAD STATUS i <<<"$median"
  mv "$work/$tag.$i.out" "$work/$tag.out"
  mv "$work/$tag.$i.err" "$work/$tag.err"
}

# Rows of the table: label|wall s|peak RSS bytes|load|note|CPU s (empty: "n/a").
rows=()
row() { rows+=("$1|$2|$3|$4|$5|${6:-}"); }

failed_note() { # after measure: why the median run has no figures, or nothing
  if [ "$STATUS" = 124 ]; then
    echo "timed out after ${timeout_s} s"
  elif [ "$STATUS" != 0 ]; then
    echo "failed (exit $STATUS): $(grep -v '^{"phase"' "$work/$1.err" | tail -1 | cut -c1-80)"
  fi
}

# A measured command as a row, then one row per `--timings` phase it printed.
command_rows() { # TAG LABEL
  local tag=$1 label=$2 note
  note=$(failed_note "$tag")
  if [ -n "$note" ]; then
    row "$label" "" "" "$LOAD" "$note"
    return
  fi
  row "$label" "$WALL" "$RSS" "$LOAD" "" "$CPU"
  local line phase ms peak
  while IFS= read -r line; do
    phase=$(sed -n 's/.*"phase":"\([^"]*\)".*/\1/p' <<<"$line")
    ms=$(sed -n 's/.*"wall_ms":\([0-9.eE+-]*\).*/\1/p' <<<"$line")
    peak=$(sed -n 's/.*"peak_rss_bytes":\([0-9]*\).*/\1/p' <<<"$line")
    [ -n "$phase" ] && [ -n "$ms" ] || continue
    row "&nbsp;&nbsp;↳ $phase" "$(awk -v m="$ms" 'BEGIN { printf "%.3f", m / 1000 }')" \
      "$peak" "" "in-process, peak so far"
  done < <(grep '^{"phase"' "$work/$tag.err" || true)
}

references_in() { # FILE: graph.references (analyze), else the first "references": N
  local n=""
  if command -v jq >/dev/null; then
    n=$(jq -r '[.graph.references?, .references?] | map(numbers) | first // empty' "$1" \
      2>/dev/null || true)
  fi
  [ -n "$n" ] && echo "$n" && return
  grep -oE '"references"[[:space:]]*:[[:space:]]*[0-9]+' "$1" 2>/dev/null | head -1 |
    grep -oE '[0-9]+$' || true
}

help=$("$hs" --help)
timings=()
grep -q -- '--timings' <<<"$help" && timings=(--timings)
has_command() { grep -qE "^  $1( |$)" <<<"$help"; }

echo "benchmarking $file ($size bytes), $runs run(s) per command" >&2
objects="" references=""
measure summary "$hs" summary "$file" --json --quiet "${timings[@]}"
command_rows summary "heapscope summary"
if [ "$STATUS" = 0 ]; then
  objects=$(grep -oE '"objects"[[:space:]]*:[[:space:]]*[0-9]+' "$work/summary.out" | head -1 |
    grep -oE '[0-9]+$' || true)
  references=$(references_in "$work/summary.out")
fi

measure histogram "$hs" histogram "$file" --quiet "${timings[@]}"
command_rows histogram "heapscope histogram (histogram only)"
hs_hist_wall=$WALL hs_hist_rss=$RSS hs_hist_cpu=$CPU hs_hist_ok=$STATUS

hs_full_ok=none
if has_command analyze; then
  measure analyze "$hs" analyze "$file" --json --quiet --timings
  command_rows analyze "heapscope analyze (full analysis)"
  hs_full_wall=$WALL hs_full_rss=$RSS hs_full_cpu=$CPU hs_full_ok=$STATUS
  [ -z "$references" ] && references=$(references_in "$work/analyze.out")
else
  row "heapscope analyze (full analysis)" "" "" "" "not implemented yet"
fi

slurp_ok=none analyzer_ok=none
if [ "$peers" = 1 ]; then
  if [ -x "$slurp" ]; then
    slurp_version=$("$slurp" --version | awk '{print $NF}')
    slurp_args=("$file")
    # Older hprof-slurp releases take the file as `-i FILE`.
    "$slurp" --help | grep -qE -- '(^|[[:space:]])-i[, ]' && slurp_args=(-i "$file")
    measure slurp "$slurp" "${slurp_args[@]}"
    command_rows slurp "hprof-slurp $slurp_version (histogram, top 20)"
    slurp_wall=$WALL slurp_rss=$RSS slurp_cpu=$CPU slurp_ok=$STATUS
  else
    row "hprof-slurp" "" "" "" "not installed ($slurp)"
  fi
  if [ -x "$analyzer" ]; then
    analyzer_version=$("$analyzer" --version | awk '{print $NF}')
    measure analyzer "$analyzer" --progress never "$file" "$work/report.json"
    command_rows analyzer "hprof-analyzer $analyzer_version (report: dominators, retained, suspects)"
    analyzer_wall=$WALL analyzer_rss=$RSS analyzer_cpu=$CPU analyzer_ok=$STATUS
    rm -f "$work/report.json"
    if [ "$analyzer_full" = 1 ]; then
      measure analyzer_full "$analyzer" --progress never --full-analysis "$file" "$work/report.json"
      command_rows analyzer_full "hprof-analyzer $analyzer_version --full-analysis"
      rm -f "$work/report.json"
    fi
  else
    row "hprof-analyzer" "" "" "" "not installed ($analyzer)"
  fi
fi

# ------------------------------------------------------------------ the report
group() { # 1234567 -> 1 234 567
  sed -e ':a' -e 's/\([0-9]\)\([0-9]\{3\}\)\($\| \)/\1 \2\3/' -e 'ta' <<<"$1"
}
per() { # BYTES COUNT -> bytes per item, or n/a
  if [ -n "$1" ] && [ -n "$2" ] && [ "$2" != 0 ]; then
    awk -v b="$1" -v n="$2" 'BEGIN { printf "%.1f", b / n }'
  else
    echo "n/a"
  fi
}
ratio() { # OURS THEIRS -> 0.42×
  if [ -n "$1" ] && [ -n "$2" ] && awk -v t="$2" 'BEGIN { exit !(t > 0) }'; then
    awk -v a="$1" -v b="$2" 'BEGIN { printf "%.2f×", a / b }'
  else
    echo "n/a"
  fi
}

cpu=$(sed -n 's/^model name[[:space:]]*: //p' /proc/cpuinfo | head -1)
mem_gib=$(awk '/^MemTotal:/ { printf "%.1f", $2 / 1024 / 1024 }' /proc/meminfo)
commit=$(git -C "$repo" rev-parse --short HEAD 2>/dev/null || echo "?")
dirty=$(git -C "$repo" status --porcelain --untracked-files=no -- crate Cargo.toml Cargo.lock \
  2>/dev/null | head -1)
[ -n "$dirty" ] && commit="$commit (modified)"
mb=$(awk -v s="$size" 'BEGIN { printf "%.1f", s / 1e6 }')

echo
echo "### $(basename "$file") — $(date -u +%Y-%m-%d)"
echo
echo "- file: $(group "$size") bytes ($mb MB); objects: $(group "${objects:-n/a}") (\`heapscope summary\`);" \
  "references: $(group "${references:-n/a}")$([ -z "$references" ] && echo " (not reported by the CLI yet)")"
echo "- machine: $cpu, $(nproc) CPUs, $mem_gib GiB; heapscope $commit; median of $runs run(s)," \
  "page cache warm; load average before $load_before, after $(cut -d' ' -f1-3 /proc/loadavg)"
echo
echo "| tool / phase | wall s | MB/s | CPU s | peak RSS MiB | B/object | B/reference | load | note |"
echo "|---|--:|--:|--:|--:|--:|--:|--:|---|"
for r in "${rows[@]}"; do
  IFS='|' read -r label wall rss load note cpu <<<"$r"
  if [ -n "$wall" ]; then
    wall_s=$(awk -v w="$wall" 'BEGIN { printf (w < 10 ? "%.2f" : "%.1f"), w }')
    mbs=$(awk -v s="$size" -v w="$wall" 'BEGIN { if (w >= 0.01) printf "%.0f", s / 1e6 / w; else print "—" }')
  else
    wall_s=n/a mbs=n/a
  fi
  if [ -n "$rss" ]; then
    rss_mib=$(awk -v r="$rss" 'BEGIN { printf "%.0f", r / 1048576 }')
  else
    rss_mib=n/a
  fi
  echo "| $label | $wall_s | $mbs | ${cpu:-n/a} | $rss_mib | $(per "$rss" "$objects") | $(per "$rss" "$references") | ${load:-} | $note |"
done
echo
echo "Ratios, Heapscope ÷ peer (below 1: Heapscope is faster or smaller):"
echo
if [ "$hs_hist_ok" = 0 ] && [ "$slurp_ok" = 0 ]; then
  echo "- histogram only vs hprof-slurp: time $(ratio "$hs_hist_wall" "$slurp_wall")," \
    "CPU $(ratio "$hs_hist_cpu" "$slurp_cpu"), peak RSS $(ratio "$hs_hist_rss" "$slurp_rss")"
else
  echo "- histogram only vs hprof-slurp: n/a"
fi
if [ "$hs_full_ok" = 0 ] && [ "$analyzer_ok" = 0 ]; then
  echo "- full analysis vs hprof-analyzer: time $(ratio "$hs_full_wall" "$analyzer_wall")," \
    "CPU $(ratio "$hs_full_cpu" "$analyzer_cpu"), peak RSS $(ratio "$hs_full_rss" "$analyzer_rss")"
elif [ "$hs_full_ok" = none ]; then
  echo "- full analysis vs hprof-analyzer: n/a (\`heapscope analyze\` is not implemented yet)"
else
  echo "- full analysis vs hprof-analyzer: n/a"
fi
exit
}
