//! The same dump fed in slices of 1 byte, 7 bytes, 64 KiB and whole gives identical results.

mod common;
use common::*;
use heapscope::analysis::histogram::histogram;
use heapscope::analysis::summary::summary;
use heapscope::model::index::Index;
use heapscope::model::index_chunks;

/// Everything pass 1 produces, as one comparable string: summary, histogram, and a digest
/// of every object's ID, class and size.
fn fingerprint(index: &Index) -> String {
    let s = serde_json::to_string(&summary(index)).expect("json");
    let h = serde_json::to_string(&histogram(index)).expect("json");
    let objects = index.objects.as_ref().expect("per-object");
    let mut digest = 0u64;
    for i in 0..objects.len() as u32 {
        let id = objects.ids.id_of(i).unwrap_or(0);
        let c = objects.class_of.get(i as usize).expect("class");
        let size = objects.size(i);
        digest = digest
            .rotate_left(5)
            .wrapping_add(id ^ (u64::from(c) << 40) ^ size.wrapping_mul(0x9E37_79B9));
    }
    format!("{s}\n{h}\n{digest:x} {}", objects.len())
}

fn check(bytes: &[u8], name: &str) {
    let whole = fingerprint(&index_chunks([bytes], true).expect("whole"));
    for size in [1usize, 7, 64 * 1024] {
        let got = fingerprint(&index_chunks(bytes.chunks(size), true).expect("sliced"));
        assert_eq!(
            got, whole,
            "{name}: slices of {size} bytes differ from whole"
        );
    }
}

#[test]
fn slices_of_any_size_give_identical_results() {
    check(&read(&fixture("timer_finalizer.hprof")), "timer_finalizer");
    check(&read(&corpus("hprof-32.bin")), "hprof-32 (4-byte ids)");
}

#[test]
fn gzip_slices_of_any_size_give_identical_results() {
    check(
        &read(&fixture("basic_parallel_gz.hprof.gz")),
        "basic_parallel_gz",
    );
}

#[test]
fn gzip_and_plain_copies_of_a_dump_agree() {
    let plain = read(&corpus("hprof-64.bin"));
    let gz = gzip(&plain);
    // Two members back to back, as jcmd -gz writes them.
    let (a, b) = plain.split_at(plain.len() / 2);
    let multi = [gzip(a), gzip(b)].concat();
    let want = fingerprint(&index_chunks([plain.as_slice()], true).expect("plain"));
    assert_eq!(
        fingerprint(&index_chunks([gz.as_slice()], true).expect("gz")),
        want
    );
    assert_eq!(
        fingerprint(&index_chunks(multi.chunks(4093), true).expect("multi")),
        want
    );
}
