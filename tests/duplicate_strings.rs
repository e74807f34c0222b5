//! `duplicate-strings` against what the fixture program built (its facts file) and against
//! brute force on every fixture and corpus dump: each reachable `String`'s text read with
//! the inspector's string reader (`analysis::objects::value_of`), grouped in a `HashMap`,
//! and the wasted bytes computed from the definition.

mod common;
use common::*;
use heapscope::analysis::duplicate_strings::{DuplicateStrings, MAX_VALUE_CHARS};
use heapscope::analysis::objects::{instance_fields, record, value_of};
use heapscope::format::ByteSource;
use heapscope::format::tags::BasicType;
use heapscope::graph::Heap;
use heapscope::model::records::Record;
use heapscope::query::{Options, Query, Session, defaults, run_in_memory};
use std::collections::{HashMap, HashSet};
use std::path::PathBuf;

fn session(bytes: &[u8]) -> Session {
    let mut s = Session::new(Options::default());
    s.set_source(Box::new(bytes.to_vec()));
    run_in_memory(&mut s, bytes, 1 << 20).expect("analysis");
    s
}

fn all_values(s: &mut Session) -> DuplicateStrings {
    s.ask(&Query::DuplicateStrings {
        min_count: 2,
        top: defaults::MAX_LIMIT,
    })
    .expect("duplicate strings")
}

/// One value's tally by brute force.
#[derive(Debug, Default)]
struct Brute {
    count: u64,
    string_bytes: Vec<u64>,
    arrays: HashSet<u32>,
}

/// Every reachable `String` with a value array: its text, by value; the unreachable
/// strings; which values use each array.
struct Strings {
    values: HashMap<String, Brute>,
    unreachable: u64,
    read: u64,
    users: HashMap<u32, HashSet<String>>,
}

fn brute_force(heap: &Heap, src: &mut dyn ByteSource) -> Strings {
    let mut out = Strings {
        values: HashMap::new(),
        unreachable: 0,
        read: 0,
        users: HashMap::new(),
    };
    let first = heap.index.classes.object_count;
    for x in first..heap.object_count() as u32 {
        if heap.describe_class(x) != "java.lang.String" {
            continue;
        }
        if heap.pre(x).is_none() {
            out.unreachable += 1;
            continue;
        }
        let Some(Record::Instance { data, .. }) = record(heap, src, x, 0).expect("record") else {
            panic!("String {x} has no instance record");
        };
        let value = instance_fields(heap, x, &data)
            .into_iter()
            .find(|f| f.1 == "value" && f.2 == BasicType::OBJECT)
            .and_then(|f| heap.object_by_id(f.3));
        let Some(arr) = value else {
            continue; // a null value or an array missing from the dump: unreadable
        };
        let text = value_of(heap, src, x, 1 << 30)
            .expect("read")
            .expect("a String's text");
        out.read += 1;
        out.users.entry(arr).or_default().insert(text.clone());
        let b = out.values.entry(text).or_default();
        b.count += 1;
        b.string_bytes.push(heap.shallow(x));
        b.arrays.insert(arr);
    }
    out
}

/// (string bytes, array bytes) a value wastes, from the definition: every copy's `String`
/// but the smallest, and the arrays only this value's strings use, less the kept copy's
/// (none kept when one of its arrays is shared with another value's strings).
fn wasted(heap: &Heap, s: &Strings, b: &Brute) -> (u64, u64) {
    let strings = b.string_bytes.iter().sum::<u64>() - b.string_bytes.iter().min().unwrap_or(&0);
    let own: Vec<u64> = b
        .arrays
        .iter()
        .filter(|a| s.users[a].len() == 1)
        .map(|&a| heap.shallow(a))
        .collect();
    let shared = b.arrays.iter().any(|a| s.users[a].len() > 1);
    let arrays = own.iter().sum::<u64>()
        - if shared {
            0
        } else {
            *own.iter().min().unwrap_or(&0)
        };
    (strings, arrays)
}

/// The report's value text for a full text (cut after `MAX_VALUE_CHARS` characters).
fn shown(text: &str) -> String {
    let units: Vec<u16> = text.encode_utf16().collect();
    if units.len() <= MAX_VALUE_CHARS {
        return text.to_string();
    }
    let mut end = MAX_VALUE_CHARS;
    if (0xD800..0xDC00).contains(&units[end - 1]) {
        end -= 1;
    }
    format!("{}…", String::from_utf16_lossy(&units[..end]))
}

fn check_against_brute_force(p: PathBuf) {
    let what = p.display().to_string();
    let bytes = plain(&p);
    let mut s = session(&bytes);
    let r = all_values(&mut s);
    let heap = s.into_heap().expect("ready");
    let mut src = bytes.clone();
    let b = brute_force(&heap, &mut src);

    assert_eq!(r.strings, b.read, "{what}: strings read");
    assert_eq!(
        r.unreachable_strings, b.unreachable,
        "{what}: unreachable strings"
    );
    assert!(r.strings > 500, "{what}: a real dump has many strings");
    let mut dups: Vec<(&String, &Brute)> = b.values.iter().filter(|(_, v)| v.count >= 2).collect();
    dups.sort_by(|a, b| a.0.cmp(b.0));
    assert!(
        !dups.is_empty(),
        "{what}: every real dump has duplicate strings"
    );
    assert_eq!(
        r.duplicated_values,
        dups.len() as u64,
        "{what}: duplicated values"
    );
    assert_eq!(
        r.duplicate_strings,
        dups.iter().map(|d| d.1.count).sum::<u64>(),
        "{what}: duplicate strings"
    );
    assert_eq!(r.more_values, 0, "{what}: every value listed");
    assert_eq!(r.values.len(), dups.len(), "{what}");

    // Value by value (the report cuts long values: compare those by their cut text and length).
    let mut expected: Vec<(String, u64, u64, u64, u64)> = dups
        .iter()
        .map(|(text, v)| {
            let (sb, ab) = wasted(&heap, &b, v);
            (
                shown(text),
                text.encode_utf16().count() as u64,
                v.count,
                sb,
                ab,
            )
        })
        .collect();
    expected.sort();
    let mut ours: Vec<(String, u64, u64, u64, u64)> = r
        .values
        .iter()
        .map(|v| {
            (
                v.value.clone(),
                v.length,
                v.count,
                v.string_bytes,
                v.array_bytes,
            )
        })
        .collect();
    ours.sort();
    assert_eq!(
        ours, expected,
        "{what}: values, lengths, counts, wasted bytes"
    );
    let total: u64 = expected.iter().map(|e| e.3 + e.4).sum();
    assert_eq!(r.wasted_bytes, total, "{what}: wasted bytes");
    for v in &r.values {
        assert_eq!(v.wasted_bytes, v.string_bytes + v.array_bytes, "{what}");
        assert_eq!(
            v.objects.len(),
            (v.count as usize).min(heapscope::analysis::duplicate_strings::EXAMPLES),
            "{what}: example objects of {:?}",
            v.value
        );
        let held: u64 = v.holders.iter().map(|h| h.count).sum();
        assert!(
            v.more_holders > 0 || held >= v.count,
            "{what}: every copy of {:?} has a holder",
            v.value
        );
    }
    // Most wasted first.
    assert!(
        r.values
            .windows(2)
            .all(|w| w[0].wasted_bytes >= w[1].wasted_bytes),
        "{what}: order"
    );
}

#[test]
fn fixtures_agree_with_brute_force() {
    for f in FIXTURES {
        check_against_brute_force(fixture(f));
    }
}

#[test]
fn corpus_dumps_agree_with_brute_force() {
    // JDK 6 (char[] with offset and count, 32- and 64-bit), JDK 8 (char[]), JDK 11 (byte[]
    // with a coder, gzip), and the two hprof-slurp dumps.
    for f in [
        "sun_jdk6_18_x32.hprof",
        "sun_jdk6_30_x64_compressedOops.hprof",
        "oracle_jdk8_05_x64.hprof",
        "openjdk_jdk11_04_x64.hprof.gz",
        "hprof-32.bin",
        "hprof-64.bin",
    ] {
        check_against_brute_force(corpus(f));
    }
}

#[test]
fn jdk6_strings_sharing_one_char_array_waste_no_array_bytes() {
    // JDK 6 `substring` shares its char[]: such a value's copies have fewer arrays than
    // strings, and the shared arrays are not counted as waste.
    let bytes = plain(&corpus("sun_jdk6_18_x32.hprof"));
    let mut s = session(&bytes);
    let r = all_values(&mut s);
    assert!(
        r.values.iter().any(|v| v.value_arrays < v.count),
        "some value's copies share an array"
    );
}

#[test]
fn collections_fixture_values_are_what_the_program_built() {
    let f = facts("collections");
    let p = fixture("collections.hprof");
    let bytes = read(&p);
    let mut s = session(&bytes);
    let r = all_values(&mut s);
    let holder_class = f["holder_class"].as_str().expect("holder class");
    for d in f["duplicate_strings"]
        .as_array()
        .expect("duplicate_strings")
    {
        let value = d["value"].as_str().expect("value");
        let count = d["count"].as_u64().expect("count");
        let v = r
            .values
            .iter()
            .find(|v| v.value == value)
            .unwrap_or_else(|| panic!("{value:?} not reported"));
        assert_eq!(v.count, count, "{value}");
        assert_eq!(v.length, d["length"].as_u64().expect("length"), "{value}");
        // Each copy its own String and its own value array: every copy but one is waste.
        assert_eq!(v.value_arrays, count, "{value}");
        let heap = s.heap().expect("ready");
        let one = heap
            .object_by_id(u64::from_str_radix(&v.objects[0][2..], 16).expect("hex"))
            .expect("object");
        assert_eq!(heap.describe_class(one), "java.lang.String");
        let string = heap.shallow(one);
        // The array: a byte[] of value_array_bytes elements (header, padded to 8 bytes).
        let elems = d["value_array_bytes"].as_u64().expect("bytes");
        let array_class = heap
            .index
            .classes
            .by_name("byte[]")
            .first()
            .copied()
            .expect("byte[]");
        let header = heap
            .instances_of(&[array_class])
            .into_iter()
            .map(|a| heap.shallow(a))
            .min()
            .expect("a byte[]");
        let array = (header + elems).next_multiple_of(8);
        assert_eq!(v.string_bytes, (count - 1) * string, "{value}");
        assert_eq!(v.array_bytes, (count - 1) * array, "{value}");
        // The field holding them: an array held by the holder's field, or the collection's.
        let top = &v.holders[0];
        assert_eq!(top.count, count, "{value}: {top:?}");
        let field_class = d["field_class"].as_str().expect("field class");
        if field_class.ends_with("[]") {
            assert_eq!(top.holder.class, field_class, "{value}");
            let by = top.array_held_by.as_ref().expect("the array's holder");
            assert_eq!(
                (by.class.as_str(), by.field.as_str()),
                (holder_class, d["field"].as_str().expect("field")),
                "{value}"
            );
        } else {
            let by = top.array_held_by.as_ref().expect("the array's holder");
            assert_eq!(by.class, field_class, "{value}");
        }
    }
    // The three values the program duplicated on purpose waste the most.
    let top3: Vec<&str> = r.values.iter().take(3).map(|v| v.value.as_str()).collect();
    let built: Vec<&str> = f["duplicate_strings"]
        .as_array()
        .expect("list")
        .iter()
        .map(|d| d["value"].as_str().expect("value"))
        .collect();
    assert_eq!(top3, built);
}

#[test]
fn gzip_and_plain_answer_the_same() {
    let p = corpus("openjdk_jdk11_04_x64.hprof.gz");
    let gz = read(&p);
    let mut a = session(&gz);
    let mut b = session(&plain(&p));
    let q = Query::DuplicateStrings {
        min_count: 2,
        top: 50,
    };
    let x: DuplicateStrings = a.ask(&q).expect("gz");
    let y: DuplicateStrings = b.ask(&q).expect("plain");
    assert_eq!(x, y);
}

#[test]
fn min_count_and_top_limit_what_is_counted_and_listed() {
    let bytes = read(&fixture("collections.hprof"));
    let mut s = session(&bytes);
    let all = all_values(&mut s);
    let r: DuplicateStrings = s
        .ask(&Query::DuplicateStrings {
            min_count: 30,
            top: 2,
        })
        .expect("answer");
    let many: Vec<_> = all.values.iter().filter(|v| v.count >= 30).collect();
    assert_eq!(r.duplicated_values, many.len() as u64);
    assert_eq!(
        r.wasted_bytes,
        many.iter().map(|v| v.wasted_bytes).sum::<u64>()
    );
    assert_eq!(r.values.len(), 2);
    assert_eq!(r.more_values, many.len() as u64 - 2);
    assert_eq!(r.values[0], all.values[0]);
}
