#!/usr/bin/env bash
# Writes a synthetic heap dump of any size without a JVM, streaming (constant memory), with
# the hprof_gen example (tests/bench/generator.rs; see tests/bench/README.md):
#
#   tests/bench/synthetic.sh --objects 500M /work/tmp/gen-500m.hprof
#   tests/bench/synthetic.sh --bytes 1G --seed 2 /work/tmp/gen-1g.hprof
#
# Prints the manifest (JSON: objects, bytes and references per class, GC roots, the Timer's
# tasks) on stdout. About 70 file bytes per object: check the disk first. Runs under nice.
set -euo pipefail
cd "$(dirname "$0")/../.."
nice cargo build --release --example hprof_gen
exec nice -n 10 target/release/examples/hprof_gen "$@"
