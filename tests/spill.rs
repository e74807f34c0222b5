//! The memory cap (`--max-memory`, `--spill-dir`): with a cap far below what the analysis
//! needs, its large arrays live in spill files, and every answer is the same bytes as the
//! in-memory run's. The spill files never have names: the directory is empty afterwards,
//! also when the spill directory refuses a file.
#![cfg(target_os = "linux")]

mod common;
use common::*;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};
use std::sync::atomic::{AtomicUsize, Ordering};

fn heapscope(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_heapscope"))
        .args(args)
        .output()
        .expect("run heapscope")
}

/// A new empty directory for one run's spill files.
fn spill_dir() -> PathBuf {
    static N: AtomicUsize = AtomicUsize::new(0);
    let d = std::env::temp_dir().join(format!(
        "heapscope-spill-test-{}-{}",
        std::process::id(),
        N.fetch_add(1, Ordering::Relaxed)
    ));
    std::fs::create_dir_all(&d).expect("create spill dir");
    d
}

fn entries(dir: &Path) -> Vec<String> {
    std::fs::read_dir(dir)
        .expect("read spill dir")
        .map(|e| e.expect("entry").file_name().to_string_lossy().into_owned())
        .collect()
}

/// The `spilled_bytes` of the last `--timings` line (none: nothing was spilled).
fn spilled(stderr: &[u8]) -> Option<u64> {
    let text = String::from_utf8_lossy(stderr);
    let last = text.lines().last().expect("a --timings line");
    let v: serde_json::Value = serde_json::from_str(last).expect("a JSON line");
    v.get("spilled_bytes").map(|b| b.as_u64().expect("bytes"))
}

/// `args` on `dump` in memory, then with a 1 MiB cap: the same stdout, and the capped run
/// spilled (at least `min_spilled` bytes) into a directory it leaves empty.
fn same_with_spill(dump: &Path, args: &[&str], min_spilled: u64) {
    let dump = dump.to_string_lossy().into_owned();
    let mut plain: Vec<&str> = vec!["--timings"];
    plain.extend_from_slice(args);
    plain.push(&dump);
    let memory = heapscope(&plain);
    assert_eq!(
        memory.status.code(),
        Some(0),
        "{dump} {args:?}: {}",
        String::from_utf8_lossy(&memory.stderr)
    );
    assert_eq!(
        spilled(&memory.stderr),
        None,
        "{dump}: the default cap spilled"
    );

    let dir = spill_dir();
    let dir_arg = dir.to_string_lossy().into_owned();
    let mut capped = vec!["--max-memory", "1M", "--spill-dir", &dir_arg];
    capped.extend_from_slice(&plain);
    let spill = heapscope(&capped);
    assert_eq!(
        spill.status.code(),
        Some(0),
        "{dump} {args:?} with a cap: {}",
        String::from_utf8_lossy(&spill.stderr)
    );
    let bytes = spilled(&spill.stderr).unwrap_or(0);
    assert!(
        bytes >= min_spilled,
        "{dump}: {bytes} bytes spilled, expected at least {min_spilled}"
    );
    assert!(
        memory.stdout == spill.stdout,
        "{dump} {args:?}: the capped run's answer differs from the in-memory run's"
    );
    assert_eq!(entries(&dir), Vec::<String>::new(), "{dump}: files left");
    std::fs::remove_dir(&dir).expect("remove spill dir");
}

#[test]
fn analyze_with_a_tiny_cap_is_the_in_memory_answer_on_every_fixture() {
    let mut dumps: Vec<PathBuf> = std::fs::read_dir(fixture(""))
        .expect("fixtures")
        .map(|e| e.expect("entry").path())
        .filter(|p| {
            let n = p.to_string_lossy();
            n.ends_with(".hprof") || n.ends_with(".hprof.gz")
        })
        .collect();
    dumps.sort();
    assert!(dumps.len() >= 8, "{dumps:?}");
    for d in &dumps {
        // Every fixture has more than 64 KiB of per-object arrays (the smallest threshold):
        // they spill, and so do the read buffers (two of 8 MiB when pass 1 is pushed, one
        // of 1 MiB per thread when it is read on threads, as it is for most fixtures).
        same_with_spill(d, &["analyze", "--json"], 4 << 20);
    }
}

#[test]
fn analyze_with_a_tiny_cap_is_the_in_memory_answer_on_the_corpus() {
    for name in [
        "hprof-32.bin",
        "hprof-64.bin",
        "openjdk_jdk11_04_x64.hprof.gz",
        "oracle_jdk8_05_x64.hprof",
        "sun_jdk6_18_x32.hprof",
        "sun_jdk6_30_x64_compressedOops.hprof",
    ] {
        same_with_spill(&corpus(name), &["analyze", "--json"], 16 << 20);
    }
}

#[test]
fn every_analysis_answers_the_same_under_a_tiny_cap() {
    let timer = fixture("timer_finalizer.hprof");
    for args in [
        &["summary", "--json"][..],
        &["histogram", "--json", "--retained"],
        &["histogram", "--json", "--group-by", "package", "--retained"],
        &["dominators", "--json", "--depth", "3"],
        &["dominators", "--json", "--group-by", "class"],
        &["threads", "--json"],
        &["duplicate-strings", "--json"],
        &["collections", "--json"],
        &["unreachable", "--json"],
        &["classloaders", "--json"],
        &["references", "--json"],
        &["retained-set", "--json", "--class", "java.util.TimerThread"],
        &[
            "immediate-dominators",
            "--json",
            "--class",
            "java.lang.ref.Finalizer",
        ],
        &["path", "--json", "--class", "java.util.TimerThread"],
    ] {
        same_with_spill(&timer, args, 4 << 20);
    }
}

#[test]
fn a_spill_directory_that_refuses_the_file_is_one_clear_error_and_leaves_nothing() {
    let dir = spill_dir();
    let script = format!(
        // A 1 MiB limit on file sizes (512-byte blocks): the 8 MiB read buffer's spill file
        // is refused as on a full disk (EFBIG instead of ENOSPC; the signal ignored). One
        // thread: pass 1 is pushed, and the read buffer is the first large allocation.
        "ulimit -f 2048; trap '' XFSZ; exec '{}' analyze --json --max-memory 1M \
         --threads 1 --spill-dir '{}' '{}'",
        env!("CARGO_BIN_EXE_heapscope"),
        dir.display(),
        fixture("timer_finalizer.hprof").display()
    );
    let out = Command::new("sh")
        .args(["-c", &script])
        .output()
        .expect("run sh");
    let err = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(1), "{err}");
    assert!(out.stdout.is_empty());
    assert_eq!(
        err.trim(),
        format!(
            "error: the spill directory {} refuses a larger file: 8 MiB more could not be \
             reserved (0 MiB spilled so far). Free space there, give --spill-dir another \
             disk, or raise --max-memory. The spill files are removed.",
            dir.display()
        )
    );
    assert_eq!(entries(&dir), Vec::<String>::new());
    std::fs::remove_dir(&dir).expect("remove spill dir");
}

#[test]
fn a_spill_directory_that_cannot_take_files_is_refused_at_once() {
    let out = heapscope(&[
        "analyze",
        "--json",
        "--max-memory",
        "1M",
        "--spill-dir",
        "/nonexistent/heapscope-spill",
        &fixture("timer_finalizer.hprof").to_string_lossy(),
    ]);
    assert_eq!(out.status.code(), Some(1));
    assert_eq!(
        String::from_utf8_lossy(&out.stderr).trim(),
        "error: cannot create spill files in /nonexistent/heapscope-spill: No such file or \
         directory (os error 2)"
    );
}

#[test]
fn sizes_take_binary_units() {
    let timer = fixture("timer_finalizer.hprof");
    let timer = timer.to_string_lossy();
    for ok in ["1.5G", "512M", "512MiB", "2g", "1073741824"] {
        let out = heapscope(&["summary", "--json", "--max-memory", ok, &timer]);
        assert_eq!(out.status.code(), Some(0), "{ok}");
    }
    let out = heapscope(&["summary", "--json", "--max-memory", "12Q", &timer]);
    assert_eq!(out.status.code(), Some(2));
    assert!(
        String::from_utf8_lossy(&out.stderr).contains("not a size: 12Q (units: K, M, G, T)"),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
}
