#!/usr/bin/env bash
# Fuzzes one target for a while: niced, one job, so that it shares the machine politely.
#   fuzz/run.sh [TARGET] [SECONDS] [LIBFUZZER FLAGS...]   (defaults: parse, 600)
# Needs the nightly toolchain and cargo-fuzz (`cargo install cargo-fuzz`). Seeds are built
# by `tests/fuzz_regressions.rs` into fuzz/corpus/TARGET (git-ignored, like fuzz/artifacts,
# where crashing inputs land: minimize them with `cargo +nightly fuzz tmin`, then add them
# to tests/fuzz_regressions/).
set -euo pipefail
cd "$(dirname "$0")"
target=${1:-parse}
secs=${2:-600}
shift $(($# < 2 ? $# : 2))
HEAPSCOPE_FUZZ_SEEDS="$PWD/corpus/$target" nice -n 10 \
  cargo test --release --manifest-path ../Cargo.toml --test fuzz_regressions fuzz_seeds -q
exec nice -n 10 cargo +nightly fuzz run "$target" -- \
  -max_total_time="$secs" -timeout=10 -rss_limit_mb=4096 -print_final_stats=1 "$@"
