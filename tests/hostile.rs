//! Hostile and broken inputs, built with `HprofWriter`: each gives a clean error (kind,
//! offset and message) or a counted diagnostic, never a panic, a hang or an allocation
//! sized by a length field. Every input also goes through the `parse` fuzz target's check
//! (`tests/fuzz/src/parse.rs`): bounded memory (a counting allocator refuses anything past
//! 128 B per input byte + 32 MiB), and the same outcome whole, in two slices and byte by
//! byte.

#[path = "fuzz/src/counting_alloc.rs"]
mod counting_alloc;
#[allow(dead_code)]
#[path = "fuzz/src/parse.rs"]
mod parse;

use heapscope::analysis::histogram::{Histogram, histogram};
use heapscope::analysis::inspect::ObjectView;
use heapscope::analysis::summary::{Summary, summary};
use heapscope::format::tags::{BasicType, SubTag, Tag};
use heapscope::format::writer::HprofWriter;
use heapscope::format::{ErrorKind, HprofError};
use heapscope::model::index_bytes;
use heapscope::query::{ObjectId, Options, Query, Session, run_in_memory};
use std::sync::Mutex;

/// The measured runs use one global allocator counter: one test at a time.
static LOCK: Mutex<()> = Mutex::new(());

/// Offset of the first record after a `JAVA PROFILE 1.0.2` header.
const RECORDS: u64 = 31;
/// Offset of the first sub-record of a heap-dump segment that is the first record.
const FIRST_SUB: u64 = RECORDS + 9;

/// Runs the fuzz target's checks on `bytes` with and without the object table, compares
/// byte-by-byte pushing with the whole, and returns pass 1's result with the object table.
fn analyze(
    bytes: &[u8],
) -> Result<(Summary, heapscope::analysis::histogram::Histogram), HprofError> {
    let _g = LOCK.lock().unwrap_or_else(|e| e.into_inner());
    let (with_objects, _) = parse::run(&[bytes], true);
    let (without, _) = parse::run(&[bytes], false);
    let step = if bytes.len() < 64 * 1024 { 1 } else { 4096 };
    let pieces: Vec<&[u8]> = bytes.chunks(step).collect();
    let (sliced, _) = parse::run(&pieces, true);
    assert_eq!(with_objects, sliced, "pushed in slices of {step} bytes");
    match (&with_objects, &without) {
        (parse::Outcome::Failed(a), parse::Outcome::Failed(b)) => {
            assert_eq!(a, b, "the error does not depend on the object table");
        }
        (
            parse::Outcome::Parsed {
                objects: a,
                shallow_bytes: x,
                ..
            },
            parse::Outcome::Parsed {
                objects: b,
                shallow_bytes: y,
                ..
            },
        ) => assert_eq!(
            (a, x),
            (b, y),
            "objects and bytes with and without the table"
        ),
        (a, b) => panic!(
            "with the object table: {}; without: {}",
            a.describe(),
            b.describe()
        ),
    }
    index_bytes(bytes, true).map(|ix| (summary(&ix), histogram(&ix)))
}

/// The error `bytes` give; checks its kind, offset and message.
fn error(bytes: &[u8], kind: ErrorKind, offset: u64, message: &str) {
    let e = match analyze(bytes) {
        Ok(_) => panic!("accepted; expected: {message}"),
        Err(e) => e,
    };
    assert_eq!(e.kind, kind, "{e}");
    assert_eq!(e.offset, offset, "{e}");
    assert_eq!(e.to_string(), message);
}

/// The summary and histogram `bytes` give (they must parse). Beyond pass 1, the full
/// analysis runs too (references, dominators) with its queries (Finalizers, suspects,
/// threads, paths, reference statistics), which must not fail on what pass 1 accepted;
/// the summary returned is the full analysis's, with its diagnostics.
fn parsed(bytes: &[u8]) -> (Summary, Histogram) {
    let (pass1, h) = analyze(bytes).unwrap_or_else(|e| panic!("rejected: {e}"));
    let mut session = Session::new(Options::default());
    session.set_source(Box::new(bytes.to_vec()));
    run_in_memory(&mut session, bytes, 4096).expect("full analysis");
    // Every kind of query but the inspector (which needs an object): none may fail.
    for kind in Query::NAMES.iter().filter(|&&k| k != "inspect") {
        let class = match *kind {
            "paths" | "instances" | "retained_set" | "immediate_dominators" => {
                r#","class":"java.lang.Object""#
            }
            "class" => r#","name":"java.lang.Object""#,
            _ => "",
        };
        let q = Query::from_json(&format!(r#"{{"kind":"{kind}"{class}}}"#)).expect("query");
        session.query(&q).unwrap_or_else(|e| panic!("{kind}: {e}"));
    }
    let full: Summary = session.ask(&Query::Summary {}).expect("summary");
    assert_eq!(
        (full.objects, full.shallow_bytes),
        (pass1.objects, pass1.shallow_bytes)
    );
    (full, h)
}

/// Count of diagnostic `key` in a summary (0 if absent).
fn diag(s: &Summary, key: &str) -> u64 {
    s.diagnostics
        .iter()
        .find(|d| d.key == key)
        .map_or(0, |d| d.count)
}

/// First offset recorded for diagnostic `key`.
fn diag_offset(s: &Summary, key: &str) -> Option<u64> {
    s.diagnostics
        .iter()
        .find(|d| d.key == key)
        .and_then(|d| d.first_offset)
}

fn set_u32(b: &mut [u8], at: u64, v: u32) {
    let at = at as usize;
    b[at..at + 4].copy_from_slice(&v.to_be_bytes());
}

/// A dump with `java.lang.Object` (0x100) and class `Thing` (0x110) with one int field.
fn base(w: &mut HprofWriter) -> &mut HprofWriter {
    w.utf8(1, "java/lang/Object")
        .utf8(2, "Thing")
        .utf8(3, "x")
        .load_class(1, 0x100, 1)
        .load_class(2, 0x110, 2)
        .class_dump(0x100, 0, 0, 0, &[], &[])
        .class_dump(0x110, 0x100, 0, 4, &[], &[(3, BasicType::INT)])
}

fn gzip(b: &[u8]) -> Vec<u8> {
    use flate2::{Compression, write::GzEncoder};
    use std::io::Write;
    let mut e = GzEncoder::new(Vec::new(), Compression::default());
    e.write_all(b).expect("gzip");
    e.finish().expect("gzip")
}

#[test]
fn array_lengths_of_2_pow_31_and_u32_max_with_a_short_body() {
    // The segment's own length bounds the array: an overrun, found from the header alone.
    let mut w = HprofWriter::new(4);
    let b = w
        .prim_array(0x10, BasicType::INT, 1 << 31, &[0; 8])
        .heap_dump_end()
        .finish();
    error(
        &b,
        ErrorKind::SubRecordOverrun {
            what: "PRIM_ARRAY_DUMP",
        },
        FIRST_SUB,
        "PRIM_ARRAY_DUMP at offset 40 runs past the end of its heap-dump segment",
    );
    let mut w = HprofWriter::new(8);
    w.begin_segment();
    let mut raw = vec![SubTag::HPROF_GC_OBJ_ARRAY_DUMP.0];
    raw.extend_from_slice(&0x10u64.to_be_bytes());
    raw.extend_from_slice(&0u32.to_be_bytes());
    raw.extend_from_slice(&u32::MAX.to_be_bytes());
    raw.extend_from_slice(&0x20u64.to_be_bytes());
    raw.extend_from_slice(&[0; 16]);
    let b = w.raw_sub(&raw).heap_dump_end().finish();
    error(
        &b,
        ErrorKind::SubRecordOverrun {
            what: "OBJ_ARRAY_DUMP",
        },
        FIRST_SUB,
        "OBJ_ARRAY_DUMP at offset 40 runs past the end of its heap-dump segment",
    );
    // With a segment length of 4 GiB, a 2 GiB byte[] fits: it is streamed, not buffered,
    // and the end of the file inside it is a truncation naming the array.
    let mut w = HprofWriter::new(4);
    let mut b = w
        .prim_array(0x10, BasicType::BYTE, 1 << 31, &[7; 8])
        .finish();
    set_u32(&mut b, RECORDS + 5, u32::MAX);
    error(
        &b,
        ErrorKind::Truncated {
            what: "PRIM_ARRAY_DUMP",
            have: 22,
        },
        FIRST_SUB,
        "truncated PRIM_ARRAY_DUMP at offset 40: the input ends 22 bytes into it",
    );
    let mut w = HprofWriter::new(4);
    let mut b = w
        .prim_array(0x10, BasicType::LONG, u32::MAX, &[7; 8])
        .finish();
    set_u32(&mut b, RECORDS + 5, u32::MAX);
    error(
        &b,
        ErrorKind::SubRecordOverrun {
            what: "PRIM_ARRAY_DUMP",
        },
        FIRST_SUB,
        "PRIM_ARRAY_DUMP at offset 40 runs past the end of its heap-dump segment",
    );
}

#[test]
fn record_lengths_past_the_end_of_the_file() {
    let mut w = HprofWriter::new(4);
    let mut b = w.utf8(1, "java/lang/Object").finish();
    set_u32(&mut b, RECORDS + 5, 1000);
    error(
        &b,
        ErrorKind::Truncated {
            what: "UTF8",
            have: 29,
        },
        RECORDS,
        "truncated UTF8 at offset 31: the input ends 29 bytes into it",
    );
    // A segment that claims more than the file holds, ending between sub-records.
    let mut w = HprofWriter::new(4);
    let mut b = w.root_simple(SubTag::HPROF_GC_ROOT_UNKNOWN, 0x10).finish();
    set_u32(&mut b, RECORDS + 5, 1000);
    error(
        &b,
        ErrorKind::Truncated {
            what: "HEAP_DUMP_SEGMENT",
            have: 14,
        },
        RECORDS,
        "truncated HEAP_DUMP_SEGMENT at offset 31: the input ends 14 bytes into it",
    );
    // An unknown record before the heap dump, longer than the file.
    let mut w = HprofWriter::new(4);
    let mut b = w.record(Tag(0x42), b"junk").finish();
    set_u32(&mut b, RECORDS + 5, u32::MAX);
    error(
        &b,
        ErrorKind::Truncated {
            what: "unknown record",
            have: 13,
        },
        RECORDS,
        "truncated unknown record at offset 31: the input ends 13 bytes into it",
    );
    // Counts that promise more than the record holds: an error, not an allocation.
    let mut w = HprofWriter::new(4);
    let mut b = w.trace(1, 1, &[0x500]).finish();
    set_u32(&mut b, RECORDS + 9 + 8, u32::MAX);
    error(
        &b,
        ErrorKind::Malformed {
            what: "TRACE",
            detail: "the record is shorter than the fields it declares",
        },
        RECORDS,
        "malformed TRACE at offset 31: the record is shorter than the fields it declares",
    );
    let mut body = 100u32.to_be_bytes().to_vec();
    body.extend_from_slice(&u32::MAX.to_be_bytes());
    body.extend_from_slice(&[0; 8]);
    let b = HprofWriter::new(4)
        .record(Tag::HPROF_CPU_SAMPLES, &body)
        .finish();
    error(
        &b,
        ErrorKind::Malformed {
            what: "CPU_SAMPLES",
            detail: "the record is shorter than the fields it declares",
        },
        RECORDS,
        "malformed CPU_SAMPLES at offset 31: the record is shorter than the fields it declares",
    );
}

#[test]
fn instance_dump_length_0xffffffff() {
    let mut w = HprofWriter::new(4);
    w.begin_segment();
    let mut raw = vec![SubTag::HPROF_GC_INSTANCE_DUMP.0];
    raw.extend_from_slice(&0x1000u32.to_be_bytes());
    raw.extend_from_slice(&0u32.to_be_bytes());
    raw.extend_from_slice(&0x110u32.to_be_bytes());
    raw.extend_from_slice(&u32::MAX.to_be_bytes());
    raw.extend_from_slice(&[1, 2, 3, 4]);
    let b = w.raw_sub(&raw).heap_dump_end().finish();
    error(
        &b,
        ErrorKind::LengthOverflow {
            what: "INSTANCE_DUMP",
            length: u64::from(u32::MAX),
        },
        FIRST_SUB,
        "impossible length 4 294 967 295 in INSTANCE_DUMP at offset 40",
    );
}

#[test]
fn string_ids_that_do_not_exist() {
    let mut w = HprofWriter::new(4);
    // The class name and the names of a field and a static are IDs no UTF8 record has.
    let b = w
        .utf8(1, "java/lang/Object")
        .load_class(1, 0x100, 1)
        .load_class(2, 0x110, 0x999)
        .class_dump(0x100, 0, 0, 0, &[], &[])
        .class_dump(
            0x110,
            0x100,
            0,
            4,
            &[(0x888, BasicType::INT, 5)],
            &[(0x887, BasicType::INT)],
        )
        .instance(0x1000, 0x110, &[0, 0, 0, 1])
        .heap_dump_end()
        .finish();
    let (s, h) = parsed(&b);
    assert_eq!(diag(&s, "missing_class_name"), 1);
    assert_eq!(diag(&s, "missing_field_name"), 2);
    let row = h.classes.iter().find(|r| r.name == "<class 0x110>");
    assert_eq!(row.map(|r| r.instances), Some(1), "{h:?}");
    // The same for a class without any LOAD_CLASS.
    let mut w = HprofWriter::new(4);
    let b = w
        .class_dump(0x100, 0, 0, 0, &[], &[])
        .heap_dump_end()
        .finish();
    assert_eq!(diag(&parsed(&b).0, "missing_class_name"), 1);
}

#[test]
fn a_class_whose_superclass_is_itself() {
    let mut w = HprofWriter::new(4);
    let b = w
        .utf8(1, "Loop")
        .load_class(1, 0x100, 1)
        .class_dump(0x100, 0x100, 0, 4, &[], &[(1, BasicType::INT)])
        .instance(0x1000, 0x100, &[0, 0, 0, 1])
        .heap_dump_end()
        .finish();
    let (s, h) = parsed(&b);
    assert_eq!(diag(&s, "class_hierarchy_cycle"), 1);
    // At the class's CLASS_DUMP, after a UTF8 (17 bytes), a LOAD_CLASS (25) and the
    // segment's header.
    assert_eq!(
        diag_offset(&s, "class_hierarchy_cycle"),
        Some(RECORDS + 17 + 25 + 9)
    );
    let row = h.classes.iter().find(|r| r.name == "Loop").expect("Loop");
    assert_eq!((row.instances, row.shallow_bytes), (1, 16));
}

#[test]
fn a_cycle_in_the_class_hierarchy() {
    let mut w = HprofWriter::new(4);
    let b = base(&mut w)
        .utf8(4, "A")
        .utf8(5, "B")
        .load_class(3, 0x200, 4)
        .load_class(4, 0x210, 5)
        .class_dump(0x200, 0x210, 0, 4, &[], &[(3, BasicType::INT)])
        .class_dump(0x210, 0x200, 0, 4, &[], &[(3, BasicType::INT)])
        .instance(0x1000, 0x200, &[0; 8])
        .instance(0x1010, 0x210, &[0; 8])
        .heap_dump_end()
        .finish();
    let (s, h) = parsed(&b);
    assert_eq!(diag(&s, "class_hierarchy_cycle"), 1);
    assert_eq!(h.total_instances, s.objects);
    assert_eq!(s.instances, 2);
}

#[test]
fn a_hierarchy_deeper_than_64_classes_is_cut_and_stays_linear() {
    // 3000 classes, each the superclass of the next, each with 16 reference fields:
    // inherited reference offsets for the whole chain would be 3000² × 8 × 4 B = 288 MB;
    // cut every 65 classes they stay under 12 MB (and `analyze` bounds the heap at
    // 128 B per input byte + 32 MiB).
    let n = 3000u64;
    let mut w = HprofWriter::new(4);
    w.utf8(1, "f");
    let fields = vec![(1, BasicType::OBJECT); 16];
    for i in 0..n {
        let sup = if i == 0 { 0 } else { 0x1000 + (i - 1) * 0x10 };
        w.class_dump(0x1000 + i * 0x10, sup, 0, 0, &[], &fields);
    }
    let data = vec![0u8; 4 * 16 * 65];
    w.instance(0x100_0000, 0x1000 + (n - 1) * 0x10, &data);
    let b = w.heap_dump_end().finish();
    let (s, _) = parsed(&b);
    assert_eq!(diag(&s, "class_hierarchy_too_deep"), (n - 1) / 65);
    assert_eq!(s.instances, 1);
}

#[test]
fn duplicate_object_ids() {
    let mut w = HprofWriter::new(4);
    let b = base(&mut w)
        .instance(0x1000, 0x110, &[0; 4])
        .instance(0x1000, 0x110, &[0; 4])
        .class_dump(0x110, 0x100, 0, 4, &[], &[(3, BasicType::INT)])
        .heap_dump_end()
        .finish();
    let (s, h) = parsed(&b);
    // Both instances are counted; the repeated class dump is not.
    assert_eq!(diag(&s, "duplicate_object_id"), 2);
    assert_eq!(s.instances, 2);
    // Object, Thing, and java.lang.Class (added for the class objects).
    assert_eq!(s.classes, 3);
    assert_eq!(h.total_instances, 4);
}

#[test]
fn references_to_ids_that_are_not_in_the_dump() {
    let mut w = HprofWriter::new(4);
    let b = w
        .utf8(1, "java/lang/Object")
        .utf8(2, "Holder")
        .utf8(3, "ref")
        .utf8(4, "[Ljava/lang/Object;")
        .load_class(1, 0x100, 1)
        .load_class(2, 0x110, 2)
        .load_class(3, 0x120, 4)
        .class_dump(0x100, 0, 0, 0, &[], &[])
        .class_dump(
            0x110,
            0x100,
            0,
            4,
            &[(3, BasicType::OBJECT, 0xcafe)],
            &[(3, BasicType::OBJECT)],
        )
        .class_dump(0x120, 0x100, 0, 0, &[], &[])
        .instance(0x1000, 0x110, &0xbeefu32.to_be_bytes())
        .obj_array(0x1010, 0x120, &[0xbad, 0x1000, 0])
        .root_simple(SubTag::HPROF_GC_ROOT_STICKY_CLASS, 0x110)
        .root_simple(SubTag::HPROF_GC_ROOT_UNKNOWN, 0x1010)
        .root_simple(SubTag::HPROF_GC_ROOT_UNKNOWN, 0xdead)
        .root_thread(0xdeaf, 1, 0)
        .heap_dump_end()
        .finish();
    let (s, _) = parsed(&b);
    // Two roots; the field, the static and one array element.
    assert_eq!(diag(&s, "root_to_missing_object"), 2);
    assert_eq!(diag(&s, "dangling_reference"), 3);
    assert_eq!(s.objects, 5);
}

#[test]
fn objects_whose_class_is_missing() {
    let mut w = HprofWriter::new(4);
    let b = base(&mut w)
        .instance(0x1000, 0x777, &[0; 12])
        .instance(0x1010, 0x777, &[0; 12])
        .obj_array(0x1020, 0x778, &[0x1000])
        .heap_dump_end()
        .finish();
    let (s, h) = parsed(&b);
    assert_eq!(diag(&s, "missing_class_dump"), 2);
    assert_eq!(
        diag_offset(&s, "missing_class_dump").map(|o| o > FIRST_SUB),
        Some(true)
    );
    let count = |n: &str| h.classes.iter().find(|r| r.name == n).map(|r| r.instances);
    assert_eq!(count("<class 0x777>"), Some(2));
    assert_eq!(count("<class 0x778>"), Some(1));
}

#[test]
fn unknown_top_level_records_are_skipped_and_counted() {
    let mut w = HprofWriter::new(4);
    w.record(Tag(0x42), b"some junk").record(Tag(0xEE), &[]);
    let b = base(&mut w)
        .instance(0x1000, 0x110, &[0; 4])
        .heap_dump_end()
        .finish();
    let (s, _) = parsed(&b);
    assert_eq!(diag(&s, "unknown_record"), 2);
    assert_eq!(diag_offset(&s, "unknown_record"), Some(RECORDS));
    assert_eq!(s.instances, 1);
}

#[test]
fn unknown_heap_sub_record_tags_are_a_hard_error() {
    let mut w = HprofWriter::new(4);
    let b = w.raw_sub(&[0x42, 1, 2, 3, 4]).heap_dump_end().finish();
    error(
        &b,
        ErrorKind::UnknownSubTag(SubTag(0x42)),
        FIRST_SUB,
        "unknown heap-dump sub-record tag 0x42 at offset 40: sub-records have no length, so \
         the rest of the dump cannot be read",
    );
}

#[test]
fn identifier_sizes_other_than_4_and_8() {
    for n in [3u8, 0, 16] {
        let b = HprofWriter::new(n).heap_dump_end().finish();
        error(
            &b,
            ErrorKind::BadIdSize(u32::from(n)),
            19,
            &format!("bad identifier size in header at offset 19: {n} (HPROF uses 4 or 8)"),
        );
    }
}

#[test]
fn a_class_dump_with_65535_fields_of_a_bad_type() {
    let mut w = HprofWriter::new(4);
    let fields = vec![(1, BasicType(99)); 65535];
    let b = w
        .class_dump(0x100, 0, 0, 0, &[], &fields)
        .heap_dump_end()
        .finish();
    error(
        &b,
        ErrorKind::BadBasicType {
            what: "CLASS_DUMP instance field",
            code: 99,
        },
        FIRST_SUB,
        "invalid basic type 99 in CLASS_DUMP instance field at offset 40",
    );
}

#[test]
fn a_heap_dump_segment_of_length_0() {
    let mut w = HprofWriter::new(4);
    w.utf8(1, "java/lang/Object").load_class(1, 0x100, 1);
    let b = w
        .begin_segment()
        .begin_segment()
        .class_dump(0x100, 0, 0, 0, &[], &[])
        .instance(0x1000, 0x100, &[])
        .begin_segment()
        .heap_dump_end()
        .finish();
    let (s, _) = parsed(&b);
    assert_eq!(s.heap_dump_segments, 3);
    assert_eq!((s.objects, s.instances), (2, 1));
    assert!(s.diagnostics.is_empty(), "{:?}", s.diagnostics);
}

#[test]
fn junk_after_heap_dump_end() {
    let complete = || {
        let mut w = HprofWriter::new(4);
        base(&mut w)
            .instance(0x1000, 0x110, &[0; 4])
            .heap_dump_end()
            .finish()
    };
    let end = complete().len() as u64;
    // Junk inside HEAP_DUMP_END's body.
    let mut b = complete();
    b.truncate(b.len() - 9);
    b.extend_from_slice(&[
        Tag::HPROF_HEAP_DUMP_END.0,
        0,
        0,
        0,
        0,
        0,
        0,
        0,
        5,
        1,
        2,
        3,
        4,
        5,
    ]);
    let (s, _) = parsed(&b);
    assert_eq!(diag(&s, "trailing_data"), 1);
    assert_eq!(diag_offset(&s, "trailing_data"), Some(end));
    // Junk after it, with a tag no record has: a partial record header, a record longer
    // than the rest of the file.
    for junk in [
        &b"\x00\x13"[..],
        b"\x99\x00\x00\x00\x00\xff\xff\xff\xffjunk",
    ] {
        let mut b = complete();
        b.extend_from_slice(junk);
        let (s, _) = parsed(&b);
        assert_eq!(diag(&s, "trailing_data"), 1, "{junk:?}");
        assert_eq!(diag_offset(&s, "trailing_data"), Some(end), "{junk:?}");
        assert_eq!(s.instances, 1);
    }
    // After the end, a record with a known tag is read as one: cut short, it is an error
    // (the file was truncated), like a new heap-dump segment cut short.
    let mut b = complete();
    b.extend_from_slice(b"\x01\x00\x00\x00\x00\x00\x00\x10\x00abc");
    error(
        &b,
        ErrorKind::Truncated {
            what: "UTF8",
            have: 12,
        },
        end,
        &format!("truncated UTF8 at offset {end}: the input ends 12 bytes into it"),
    );
    let mut b = complete();
    b.extend_from_slice(&[Tag::HPROF_HEAP_DUMP_SEGMENT.0, 0, 0, 0, 0, 0, 0, 1, 0, 0xff]);
    error(
        &b,
        ErrorKind::Truncated {
            what: "ROOT_UNKNOWN",
            have: 1,
        },
        end + 9,
        &format!(
            "truncated ROOT_UNKNOWN at offset {}: the input ends 1 byte into it",
            end + 9
        ),
    );
}

#[test]
fn gzip_with_a_bad_crc() {
    let mut w = HprofWriter::new(4);
    let mut gz = gzip(&base(&mut w).heap_dump_end().finish());
    let at = gz.len() - 8;
    gz[at] ^= 0xff;
    let e = analyze(&gz).expect_err("bad CRC accepted");
    assert!(matches!(e.kind, ErrorKind::Gzip { .. }), "{e}");
    assert_eq!(e.offset, at as u64);
    let msg = e.to_string();
    assert!(
        msg.starts_with(&format!(
            "corrupt gzip stream at compressed offset {at}: CRC mismatch (stored "
        )),
        "{msg}"
    );
}

#[test]
fn a_gzip_member_cut_in_the_middle() {
    let mut w = HprofWriter::new(4);
    let gz = gzip(&base(&mut w).heap_dump_end().finish());
    let cut = gz.len() / 2;
    error(
        &gz[..cut],
        ErrorKind::Gzip {
            detail: "the compressed file ends inside a deflate stream (truncated .gz)".into(),
        },
        cut as u64,
        &format!(
            "corrupt gzip stream at compressed offset {cut}: the compressed file ends inside a \
             deflate stream (truncated .gz)"
        ),
    );
}

#[test]
fn gzip_of_gzip() {
    let mut w = HprofWriter::new(4);
    let twice = gzip(&gzip(&base(&mut w).heap_dump_end().finish()));
    let detected = "this is gzip data inside a gzip stream (decompress it once first)";
    error(
        &twice,
        ErrorKind::NotHprof {
            detected: detected.into(),
        },
        0,
        &format!(
            "not an HPROF heap dump at offset 0: {detected} (offsets count decompressed bytes)"
        ),
    );
}

#[test]
fn a_gzip_bomb_of_zeros_is_rejected_from_its_first_bytes() {
    let bomb = gzip(&vec![0u8; 16 << 20]);
    let e = analyze(&bomb).expect_err("zeros accepted");
    assert_eq!(
        e.to_string(),
        "not an HPROF heap dump at offset 0: unrecognized binary data (first bytes: 00 00 00 00 \
         00 00 00 00) (offsets count decompressed bytes)"
    );
}

/// Inputs that are not HPROF are named in the error, from their first bytes, whatever
/// the slicing (`analyze` pushes them whole, in two pieces and byte by byte).
#[test]
fn inputs_that_are_not_hprof_are_named() {
    let not = |b: &[u8], detected: &str| {
        error(
            b,
            ErrorKind::NotHprof {
                detected: detected.into(),
            },
            0,
            &format!("not an HPROF heap dump at offset 0: {detected}"),
        )
    };
    not(&[], "the file is empty (0 bytes)");
    not(
        &zip_with("dump.hprof", b"JAVA PROFILE 1.0.2\0"),
        "this is a ZIP archive (unzip it and open the .hprof inside)",
    );
    not(
        &[b"PK\x05\x06".as_slice(), &[0; 18]].concat(),
        "this is a ZIP archive (unzip it and open the .hprof inside)",
    );
    not(
        b"Heap dump of process 4242\nsee attached\n",
        "this looks like a text file",
    );
    not(
        b" num     #instances         #bytes  class name (module)\n-------------------\n   1:  \
          12 345   1 234 567  [B (java.base@17)\n",
        "this is a class histogram (jmap -histo or jcmd GC.class_histogram), not a heap dump",
    );
    not(&png(), "this is a PNG image");
    not(
        &jfr(),
        "this is a Java Flight Recorder (JFR) recording, not a heap dump",
    );
    not(&class_file(), "this is a Java class file");
    not(
        &elf(4),
        "this is a process core dump (ELF core file), not a Java heap dump (`jhsdb jmap \
         --binaryheap --exe <java> --core <file>` writes one from it)",
    );
    not(&elf(2), "this is an ELF executable or shared library");
    // A prefix of the header is a truncated header, not something else.
    let mut w = HprofWriter::new(4);
    let b = w.finish();
    error(
        &b[..10],
        ErrorKind::Truncated {
            what: "file header",
            have: 10,
        },
        0,
        "truncated file header at offset 0: the input ends 10 bytes into it",
    );
}

/// A ZIP archive holding one stored file.
fn zip_with(name: &str, data: &[u8]) -> Vec<u8> {
    let crc = crc32fast::hash(data);
    let mut local = b"PK\x03\x04".to_vec();
    local.extend_from_slice(&[20, 0, 0, 0, 0, 0, 0, 0, 0, 0]); // version, flags, stored, time, date
    local.extend_from_slice(&crc.to_le_bytes());
    local.extend_from_slice(&(data.len() as u32).to_le_bytes());
    local.extend_from_slice(&(data.len() as u32).to_le_bytes());
    local.extend_from_slice(&(name.len() as u16).to_le_bytes());
    local.extend_from_slice(&0u16.to_le_bytes());
    local.extend_from_slice(name.as_bytes());
    local.extend_from_slice(data);
    let mut central = b"PK\x01\x02".to_vec();
    central.extend_from_slice(&[20, 0, 20, 0, 0, 0, 0, 0, 0, 0, 0, 0]);
    central.extend_from_slice(&crc.to_le_bytes());
    central.extend_from_slice(&(data.len() as u32).to_le_bytes());
    central.extend_from_slice(&(data.len() as u32).to_le_bytes());
    central.extend_from_slice(&(name.len() as u16).to_le_bytes());
    central.extend_from_slice(&[0; 12]); // extra, comment, disk, attributes
    central.extend_from_slice(&0u32.to_le_bytes()); // offset of the local header
    central.extend_from_slice(name.as_bytes());
    let mut end = b"PK\x05\x06".to_vec();
    end.extend_from_slice(&[0, 0, 0, 0, 1, 0, 1, 0]);
    end.extend_from_slice(&(central.len() as u32).to_le_bytes());
    end.extend_from_slice(&(local.len() as u32).to_le_bytes());
    end.extend_from_slice(&0u16.to_le_bytes());
    [local, central, end].concat()
}

/// A 1×1 PNG's signature and IHDR chunk.
fn png() -> Vec<u8> {
    let mut b = b"\x89PNG\r\n\x1a\n".to_vec();
    let ihdr = [b"IHDR".as_slice(), &[0, 0, 0, 1, 0, 0, 0, 1, 8, 6, 0, 0, 0]].concat();
    b.extend_from_slice(&13u32.to_be_bytes());
    b.extend_from_slice(&ihdr);
    b.extend_from_slice(&crc32fast::hash(&ihdr).to_be_bytes());
    b
}

/// The start of a JFR chunk: magic, version 2.1, chunk size, offsets.
fn jfr() -> Vec<u8> {
    let mut b = b"FLR\0".to_vec();
    b.extend_from_slice(&[0, 2, 0, 1]);
    for v in [
        68u64,
        60,
        64,
        1_700_000_000_000_000_000,
        1_000_000,
        0,
        1_000_000_000,
    ] {
        b.extend_from_slice(&v.to_be_bytes());
    }
    b
}

/// The start of a class file (Java 17): magic, version, a short constant pool.
fn class_file() -> Vec<u8> {
    let mut b = vec![0xca, 0xfe, 0xba, 0xbe, 0, 0, 0, 61, 0, 2, 1, 0, 3];
    b.extend_from_slice(b"Foo");
    b.extend_from_slice(&[0, 0x21, 0, 1, 0, 0]);
    b
}

/// A 64-bit little-endian ELF header of type `e_type` (2 executable, 4 core).
fn elf(e_type: u16) -> Vec<u8> {
    let mut b = vec![0x7f, b'E', b'L', b'F', 2, 1, 1, 0];
    b.extend_from_slice(&[0; 8]);
    b.extend_from_slice(&e_type.to_le_bytes());
    b.extend_from_slice(&62u16.to_le_bytes()); // x86-64
    b.extend_from_slice(&1u32.to_le_bytes());
    b.resize(64, 0);
    b
}

#[test]
fn every_object_of_its_own_missing_class() {
    // The most pass 1 keeps per input byte: each 17-byte INSTANCE_DUMP names a class that
    // has no CLASS_DUMP, so each makes a placeholder class (`analyze` holds the heap to
    // 128 B per input byte + 32 MiB).
    let n = 200_000u64;
    let mut w = HprofWriter::new(4);
    for i in 0..n {
        w.instance(0x10_0000 + i * 16, 0x1000_0000 + i * 8, &[]);
    }
    let b = w.heap_dump_end().finish();
    let (s, h) = parsed(&b);
    assert_eq!(diag(&s, "missing_class_dump"), n);
    assert_eq!(s.instances, n);
    assert_eq!(h.classes.len() as u64, n);
}

#[test]
fn objects_alternating_between_low_and_high_ids() {
    // HotSpot writes objects in address order; this stream jumps over every class mirror
    // between each object and the next. Pass 1 used to walk all those mirrors each time
    // (O(objects × classes): 2 s for 6 MB, minutes for a few hundred); it now walks each
    // mirror a bounded number of times.
    let (m, n) = (5_000u64, 100_000u64);
    let mut w = HprofWriter::new(8);
    for i in 0..m {
        w.class_dump(0x1_0000 + i * 0x100, 0, 0, 0, &[], &[]);
    }
    for i in 0..n {
        let id = if i % 2 == 0 {
            0x1000 + i
        } else {
            0x1000_0000 + i
        };
        w.instance(id, 0x1_0000, &[]);
    }
    let (s, h) = parsed(&w.heap_dump_end().finish());
    assert_eq!((s.objects, s.instances), (m + n, n));
    assert_eq!(h.total_instances, m + n);
}

#[test]
fn a_jdk8_string_whose_offset_plus_count_overflows() {
    // Found by the analysis fuzz target (in a mutated hprof-32.bin): `offset + count` of a
    // JDK ≤ 8 String overflowed u32 in the inspector: a panic in debug builds, an empty
    // text in release ones. The text runs from `offset` to the end of its char[].
    let mut w = HprofWriter::new(4);
    w.utf8(1, "java/lang/Object")
        .utf8(2, "java/lang/String")
        .utf8(3, "value")
        .utf8(4, "offset")
        .utf8(5, "count")
        .load_class(1, 0x100, 1)
        .load_class(2, 0x110, 2)
        .class_dump(0x100, 0, 0, 0, &[], &[])
        .class_dump(
            0x110,
            0x100,
            0,
            12,
            &[],
            &[
                (3, BasicType::OBJECT),
                (4, BasicType::INT),
                (5, BasicType::INT),
            ],
        );
    let text: Vec<u8> = "hello".encode_utf16().flat_map(u16::to_be_bytes).collect();
    let data = w.fields(&[
        (BasicType::OBJECT, 0x2000),
        (BasicType::INT, 1),
        (BasicType::INT, u64::from(u32::MAX)),
    ]);
    let b = w
        .prim_array(0x2000, BasicType::CHAR, 5, &text)
        .instance(0x1000, 0x110, &data)
        .root_simple(SubTag::HPROF_GC_ROOT_UNKNOWN, 0x1000)
        .heap_dump_end()
        .finish();
    parsed(&b);
    let mut session = Session::new(Options::default());
    session.set_source(Box::new(b.clone()));
    run_in_memory(&mut session, &b, 4096).expect("analysis");
    let view: ObjectView = session
        .ask(&Query::Inspect {
            object: ObjectId(0x1000),
            max_items: 16,
        })
        .expect("inspect");
    assert_eq!(view.this.value.as_deref(), Some("ello…"));
}
