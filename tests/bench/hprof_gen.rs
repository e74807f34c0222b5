//! `hprof_gen`: writes a synthetic HotSpot heap dump of a chosen size (see
//! tests/bench/README.md and `generator.rs`).
//!
//!     cargo run --release --example hprof_gen -- --objects 500M /path/out.hprof

mod generator;

use clap::Parser;
use generator::{Config, Target, generate};
use std::io::BufWriter;
use std::time::Instant;

/// Write a synthetic heap dump (HPROF, JDK 17 layout with compressed oops) of a chosen
/// size, streaming: constant memory whatever the size. Prints a manifest (JSON: counts per
/// class, GC roots, the Timer's tasks) on stdout, and timings on stderr.
#[derive(Parser)]
struct Args {
    /// Objects to write, e.g. 200000, 100M, 1.5G (K/M/G: thousands, millions, billions).
    #[arg(long, conflicts_with = "bytes", required_unless_present = "bytes")]
    objects: Option<String>,
    /// File size to aim at, e.g. 1G (binary: K/M/G/T = 2^10…2^40).
    #[arg(long)]
    bytes: Option<String>,
    /// Seed of the random choices (the same seed and size give the same bytes).
    #[arg(long, default_value_t = 1)]
    seed: u64,
    /// Heap-dump segment size in bytes.
    #[arg(long, default_value_t = heapscope::format::writer::DEFAULT_SEGMENT_LIMIT)]
    segment_bytes: usize,
    /// Overwrite OUT if it exists.
    #[arg(long)]
    force: bool,
    /// The dump to write.
    out: std::path::PathBuf,
}

fn number(s: &str, base: f64) -> Result<u64, String> {
    let s = s.trim();
    let (n, m) = match s.chars().last().map(|c| c.to_ascii_uppercase()) {
        Some('K') => (&s[..s.len() - 1], base),
        Some('M') => (&s[..s.len() - 1], base * base),
        Some('G') => (&s[..s.len() - 1], base * base * base),
        Some('T') => (&s[..s.len() - 1], base * base * base * base),
        _ => (s, 1.0),
    };
    let v: f64 = n.parse().map_err(|_| format!("not a size: '{s}'"))?;
    if v.is_nan() || v < 1.0 {
        return Err(format!("not a positive size: '{s}'"));
    }
    Ok((v * m) as u64)
}

fn main() {
    let a = Args::parse();
    let target = match (&a.objects, &a.bytes) {
        (Some(o), _) => number(o, 1000.0).map(Target::Objects),
        (None, Some(b)) => number(b, 1024.0).map(Target::Bytes),
        (None, None) => Err("give --objects or --bytes".into()),
    };
    let target = target.unwrap_or_else(|e| {
        eprintln!("error: {e}");
        std::process::exit(2)
    });
    if a.out.exists() && !a.force {
        eprintln!("error: {} exists (--force to overwrite)", a.out.display());
        std::process::exit(2);
    }
    let cfg = Config {
        seed: a.seed,
        target,
        segment_limit: a.segment_bytes,
    };
    let t0 = Instant::now();
    let file = std::fs::File::create(&a.out).unwrap_or_else(|e| {
        eprintln!("error: cannot create {}: {e}", a.out.display());
        std::process::exit(1)
    });
    match generate(&cfg, BufWriter::with_capacity(1 << 20, file)) {
        Ok((m, _)) => {
            let s = t0.elapsed().as_secs_f64();
            print!("{}", m.to_json());
            eprintln!(
                "wrote {}: {} bytes, {} objects in {s:.1} s ({:.0} MB/s)",
                a.out.display(),
                m.file_bytes,
                m.objects,
                m.file_bytes as f64 / 1e6 / s
            );
        }
        Err(e) => {
            eprintln!("error: writing {}: {e}", a.out.display());
            std::process::exit(1);
        }
    }
}
