//! Truncated and corrupted copies of real dumps give one clean error naming what was being
//! read and where; never a panic, never a hang.

mod common;
use common::*;
use heapscope::format::ErrorKind;
use heapscope::model::index_bytes;

/// A small deterministic PRNG (xorshift), so failures reproduce.
struct Rng(u64);
impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0
    }
}

fn cut_points(len: usize) -> Vec<usize> {
    let mut v: Vec<usize> = (0..40).collect(); // inside and just after the header
    v.extend((1..=300).map(|i| i * len / 301)); // spread through the file
    let mut rng = Rng(0x5eed);
    v.extend((0..200).map(|_| (rng.next() % len as u64) as usize));
    v.push(len - 1);
    v.sort_unstable();
    v.dedup();
    v
}

/// Cuts `bytes` at every cut point; each must fail cleanly. `expected`: how many cuts
/// landed in each kind of record (recorded; the cuts are deterministic).
fn check_truncations(name: &str, bytes: &[u8], expected: &[(&str, usize)]) {
    let mut kinds = std::collections::BTreeMap::<String, usize>::new();
    for cut in cut_points(bytes.len()) {
        let err = match index_bytes(&bytes[..cut], false) {
            Ok(_) => panic!("{name}: a copy cut at {cut} bytes was accepted"),
            Err(e) => e,
        };
        let msg = err.to_string();
        assert!(!msg.contains('\n'), "{name}@{cut}: one line: {msg}");
        assert!(
            err.offset <= cut as u64,
            "{name}@{cut}: offset {} past the end",
            err.offset
        );
        let what = match &err.kind {
            ErrorKind::Truncated { what, .. } => {
                assert!(
                    msg.starts_with(&format!("truncated {what} at offset ")),
                    "{msg}"
                );
                what.to_string()
            }
            ErrorKind::NotHprof { .. } => {
                assert!(cut < 31, "{name}@{cut}: {msg}");
                "not hprof".into()
            }
            ErrorKind::NoHeapDump | ErrorKind::MissingHeapDumpEnd => format!("{:?}", err.kind),
            other => panic!("{name}@{cut}: unexpected error kind {other:?}: {msg}"),
        };
        *kinds.entry(what).or_default() += 1;
    }
    // The cuts land inside many kinds of record; all were reported by name.
    eprintln!("{name}: {kinds:?}");
    let expected: std::collections::BTreeMap<String, usize> =
        expected.iter().map(|&(k, n)| (k.to_string(), n)).collect();
    assert_eq!(kinds, expected, "{name}");
}

#[test]
fn truncated_copies_name_the_record_and_offset() {
    check_truncations(
        "basic_noccp",
        &read(&fixture("basic_noccp.hprof")),
        &[
            ("CLASS_DUMP", 18),
            ("FRAME", 1),
            ("HEAP_DUMP_SEGMENT", 4),
            ("INSTANCE_DUMP", 139),
            ("LOAD_CLASS", 4),
            ("NoHeapDump", 6),
            ("OBJ_ARRAY_DUMP", 40),
            ("PRIM_ARRAY_DUMP", 104),
            ("UTF8", 151),
            ("file header", 30),
            ("not hprof", 1),
            ("record header", 43),
        ],
    );
    check_truncations(
        "hprof-32",
        &read(&corpus("hprof-32.bin")),
        &[
            ("ALLOC_SITES", 21),
            ("CLASS_DUMP", 63),
            ("FRAME", 18),
            ("HEAP_DUMP", 7),
            ("INSTANCE_DUMP", 73),
            ("LOAD_CLASS", 8),
            ("NoHeapDump", 4),
            ("OBJ_ARRAY_DUMP", 26),
            ("PRIM_ARRAY_DUMP", 183),
            ("ROOT_JAVA_FRAME", 1),
            ("ROOT_JNI_GLOBAL", 5),
            ("ROOT_STICKY_CLASS", 1),
            ("TRACE", 4),
            ("UTF8", 67),
            ("file header", 30),
            ("not hprof", 1),
            ("record header", 29),
        ],
    );
}

#[test]
fn truncated_gzip_copies_fail_cleanly() {
    let bytes = read(&fixture("basic_parallel_gz.hprof.gz"));
    for cut in cut_points(bytes.len()).into_iter().step_by(3) {
        let Err(err) = index_bytes(&bytes[..cut], false) else {
            panic!("@{cut}: a truncated gzip file was accepted");
        };
        let msg = err.to_string();
        assert!(!msg.contains('\n'));
        assert!(
            matches!(
                err.kind,
                ErrorKind::Gzip { .. } | ErrorKind::NotHprof { .. }
            ),
            "@{cut}: {msg}"
        );
    }
}

#[test]
fn corrupted_copies_never_panic() {
    // With how many of the 150 copies are rejected (recorded; the flips are deterministic).
    for (name, bytes, rejected) in [
        (
            "timer_finalizer",
            read(&fixture("timer_finalizer.hprof")),
            15,
        ),
        ("hprof-64", read(&corpus("hprof-64.bin")), 10),
    ] {
        let mut rng = Rng(0xc0ffee);
        let mut errors = 0;
        for round in 0..150 {
            let mut copy = bytes.clone();
            // Flip a few bytes; some rounds hit record headers, most hit data.
            for _ in 0..1 + round % 4 {
                let at = (rng.next() % copy.len() as u64) as usize;
                copy[at] ^= (rng.next() % 255 + 1) as u8;
            }
            if let Err(e) = index_bytes(&copy, round % 2 == 0) {
                errors += 1;
                let msg = e.to_string();
                assert!(!msg.is_empty() && !msg.contains('\n'), "{name}: {msg}");
            }
        }
        eprintln!("{name}: {errors}/150 corrupted copies rejected, the rest parsed");
        assert_eq!(errors, rejected, "{name}");
    }
}

/// A damaged copy opened as it is (the default): analysed up to the damage, or refused
/// with strict's error when not one object came before it.
fn open_damaged(bytes: &[u8], chunk: usize) -> Result<heapscope::query::Session, String> {
    use heapscope::query::{Options, Session, run_in_memory};
    let mut s = Session::new(Options::default());
    run_in_memory(&mut s, bytes, chunk).map_err(|e| e.to_string())?;
    Ok(s)
}

#[test]
fn damaged_copies_open_with_figures_that_are_lower_bounds() {
    use heapscope::analysis::finalizers::FinalizerReport;
    use heapscope::query::Query;
    // With how many cuts open and how many are refused (recorded: the cut points are fixed;
    // a .gz copy is refused until its deflate stream reaches the first heap-dump record).
    for (file, every, expect) in [
        ("timer_finalizer.hprof", 5, (73, 36)),
        ("basic_parallel_gz.hprof.gz", 9, (20, 41)),
    ] {
        let bytes = read(&fixture(file));
        let mut whole = open_damaged(&bytes, 1 << 20).expect("the whole dump");
        assert!(whole.damaged().is_none(), "{file}: intact");
        let all = by_name(&whole.histogram().expect("histogram"));
        let all_summary = whole.summary().expect("summary");
        let finalizers: FinalizerReport = whole.ask(&Query::Finalizers {}).expect("finalizers");
        let (mut opened, mut refused) = (0, 0);
        for cut in cut_points(bytes.len()).into_iter().step_by(every) {
            let part = &bytes[..cut];
            let Err(strict) = index_bytes(part, true) else {
                panic!("{file}@{cut}: a cut copy is damaged");
            };
            let mut s = match open_damaged(part, 1 << 16) {
                Ok(s) => s,
                Err(e) => {
                    // Nothing before the damage: refused with the strict error.
                    assert_eq!(e, strict.to_string(), "{file}@{cut}");
                    refused += 1;
                    continue;
                }
            };
            opened += 1;
            let d = s.damaged().cloned().expect("damaged");
            assert!(
                d.offset <= cut as u64 || file.ends_with(".gz"),
                "{file}@{cut}: {d:?}"
            );
            if file.ends_with(".gz") {
                // A cut .gz: strict names the deflate stream's end, the damage the record
                // the cut falls in.
                assert!(!d.error.contains('\n'), "{file}@{cut}: {}", d.error);
            } else {
                assert_eq!(
                    d.error,
                    strict.to_string(),
                    "{file}@{cut}: the damage is strict's error"
                );
            }
            let summary = s.summary().expect("summary");
            assert!(
                summary.objects > 0 && summary.objects <= all_summary.objects,
                "{file}@{cut}"
            );
            assert!(
                summary.shallow_bytes <= all_summary.shallow_bytes,
                "{file}@{cut}"
            );
            // Every class read has at most the whole dump's instances and bytes.
            for (name, (n, b)) in by_name(&s.histogram().expect("histogram")) {
                if let Some(&(wn, wb)) = all.get(&name) {
                    assert!(
                        n <= wn && b <= wb,
                        "{file}@{cut}: {name} {n}/{b} > {wn}/{wb}"
                    );
                }
            }
            let f: FinalizerReport = s.ask(&Query::Finalizers {}).expect("finalizers");
            assert!(f.finalizers <= finalizers.finalizers, "{file}@{cut}");
            // Every query answers (objects the damage cut off are read up to the end).
            for q in Query::every_kind("java.lang.String") {
                if let Err(e) = s.query(&q) {
                    assert_eq!(e.code(), "bad_dump", "{file}@{cut} {}: {e}", q.name());
                }
            }
            // The same copy read in other slices stops at the same place with the same figures.
            let again = open_damaged(part, 4099).expect("again");
            assert_eq!(
                again.damaged().map(|d| d.offset),
                Some(d.offset),
                "{file}@{cut}"
            );
        }
        eprintln!("{file}: {opened} cuts opened, {refused} refused");
        assert_eq!((opened, refused), expect, "{file}: opened, refused");
    }
}
