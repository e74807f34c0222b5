//! The redacted copy (`heapscope redact`, `format::redact`): on every fixture and corpus
//! dump and at both levels, the copy's full analysis equals the original's apart from
//! values, and none of the original's String texts is left in the copy's bytes; damaged
//! input fails with the one-line error and leaves no file; classes dumped after their
//! instances; gzip output independent of slicing.

mod common;
use common::*;
use heapscope::format::classes::LoadClass;
use heapscope::format::heap_dump::arrays::PrimArrayHeader;
use heapscope::format::heap_dump::class_dump::ClassDump;
use heapscope::format::heap_dump::instance::Instance;
use heapscope::format::redact::{Level, Redactor};
use heapscope::format::strings::Utf8;
use heapscope::format::tags::{BasicType, Tag};
use heapscope::format::writer::HprofWriter;
use heapscope::format::{Decoder, HprofError, Visitor};
use heapscope::query::{Options, Query, Session, run_in_memory};
use serde_json::Value;
use std::collections::HashMap;

/// The redacted copy of `bytes`, pushed in slices of `chunk` bytes.
fn redact(bytes: &[u8], level: Level, gzip: bool, chunk: usize) -> Result<Vec<u8>, HprofError> {
    let mut r = Redactor::new(level, gzip);
    let mut out = Vec::new();
    for c in bytes.chunks(chunk) {
        r.push(c, &mut out)?;
    }
    r.finish(&mut out)?;
    Ok(out)
}

fn is_gz(bytes: &[u8]) -> bool {
    bytes.starts_with(&[0x1f, 0x8b])
}

/// `heapscope analyze --json` of an in-memory dump.
fn analyze(bytes: &[u8]) -> Value {
    let mut s = Session::new(Options::default());
    run_in_memory(&mut s, bytes, 1 << 20).expect("analysis");
    let a = s
        .query(&Query::Analyze {
            top: heapscope::query::defaults::ANALYZE_TOP,
        })
        .expect("analyze");
    serde_json::to_value(&a).expect("json")
}

/// Fields of the analysis that hold values `full` replaces (JDK objects' counters and
/// times): a Finalizer queue's length (`ReferenceQueue.queueLength`), a Timer's task
/// count, due times and the advice built from them, and the sentences that quote them
/// (the findings, a suspect's description). `basic` keeps every one of them.
const FULL_VALUE_FIELDS: [&str; 15] = [
    "/suspects/suspects/*/description",
    "/finalizers/queue_length",
    "/finalizers/findings",
    "/finalizers/timers/*/tasks",
    "/finalizers/timers/*/cancelled_tasks",
    "/finalizers/timers/*/head_task_class",
    "/finalizers/timers/*/head_task_time_ms",
    "/finalizers/timers/*/head_task_due_in_ms",
    "/finalizers/timers/*/head_task_cancelled",
    "/finalizers/timers/*/cancelled_task_classes",
    "/finalizers/timers/*/advice",
    // The same figures in the compact report a comparison keeps.
    "/report/suspects/*/description",
    "/report/finalizers/queue_length",
    "/report/timers/*/tasks",
    "/report/timers/*/cancelled_tasks",
];

/// Compares the analyses of a dump and of its copy: the same keys, array lengths,
/// numbers and booleans; a string of the copy is the original's with some characters
/// replaced by NUL (zeroed text: thread names, String values shown), of the same length.
/// `ignore` lists paths (`*` for any array index) not compared.
fn same_apart_from_values(
    a: &Value,
    b: &Value,
    path: &str,
    ignore: &[&str],
    diffs: &mut Vec<String>,
) {
    let pattern = |p: &str| {
        p.split('/')
            .map(|s| if s.parse::<usize>().is_ok() { "*" } else { s })
            .collect::<Vec<_>>()
            .join("/")
    };
    if ignore.contains(&pattern(path).as_str()) {
        return;
    }
    match (a, b) {
        (Value::Object(x), Value::Object(y)) => {
            let kx: Vec<_> = x.keys().collect();
            let ky: Vec<_> = y.keys().collect();
            if kx != ky {
                diffs.push(format!("{path}: keys {kx:?} vs {ky:?}"));
                return;
            }
            for (k, v) in x {
                same_apart_from_values(v, &y[k], &format!("{path}/{k}"), ignore, diffs);
            }
        }
        (Value::Array(x), Value::Array(y)) => {
            if x.len() != y.len() {
                diffs.push(format!("{path}: {} vs {} items", x.len(), y.len()));
                return;
            }
            for (i, (v, w)) in x.iter().zip(y).enumerate() {
                same_apart_from_values(v, w, &format!("{path}/{i}"), ignore, diffs);
            }
        }
        (Value::String(x), Value::String(y)) => {
            let (cx, cy): (Vec<char>, Vec<char>) = (x.chars().collect(), y.chars().collect());
            let masked =
                cx.len() == cy.len() && cx.iter().zip(&cy).all(|(p, q)| p == q || *q == '\0');
            if !masked {
                diffs.push(format!("{path}: {x:?} vs {y:?}"));
            }
        }
        _ => {
            if a != b {
                diffs.push(format!("{path}: {a} vs {b}"));
            }
        }
    }
}

/// What the test reads of a dump on its own (not through the library's model): the text
/// of every String object, and the bytes of the names records.
#[derive(Default)]
struct Texts {
    id_size: u8,
    utf8: HashMap<u64, Vec<u8>>,
    class_names: HashMap<u64, Vec<u8>>,
    classes: HashMap<u64, ClassDump>,
    /// String instances: (value array ID, coder byte or None for Java 8 and older).
    strings: Vec<(u64, Option<u8>)>,
    /// char[] and byte[] contents by ID.
    arrays: HashMap<u64, (BasicType, Vec<u8>)>,
    current: Option<u64>,
    /// The UTF8 IDs records use as names, and where each UTF8 text lies (offset, length).
    used: std::collections::HashSet<u64>,
    utf8_at: HashMap<u64, (usize, usize)>,
    record_at: u64,
    /// Pass 1 reads the names and classes, pass 2 the objects (some dumps have instances
    /// before their class dumps).
    second: bool,
}

impl Visitor for Texts {
    fn header(&mut self, h: &heapscope::format::Header) {
        self.id_size = h.id_size;
    }
    fn utf8(&mut self, r: Utf8<'_>) {
        if self.second {
            return;
        }
        self.utf8.insert(r.id, r.bytes.to_vec());
        let at = self.record_at as usize + 9 + self.id_size as usize;
        self.utf8_at.insert(r.id, (at, r.bytes.len()));
    }
    fn record(&mut self, _tag: Tag, offset: u64, _len: u32) {
        self.record_at = offset;
    }
    fn frame(&mut self, r: &heapscope::format::stacks::Frame) {
        self.used
            .extend([r.method_name, r.signature, r.source_file]);
    }
    fn start_thread(&mut self, r: &heapscope::format::threads::StartThread) {
        self.used
            .extend([r.name, r.group_name, r.parent_group_name]);
    }
    fn load_class(&mut self, r: &LoadClass) {
        self.used.insert(r.name_id);
        let n = self.utf8.get(&r.name_id).cloned().unwrap_or_default();
        self.class_names.insert(r.class_id, n);
    }
    fn class_dump(&mut self, _offset: u64, r: &ClassDump) {
        self.used.extend(r.statics.iter().map(|f| f.name_id));
        self.used.extend(r.fields.iter().map(|f| f.name_id));
        self.classes.insert(r.id, r.clone());
    }
    fn instance(&mut self, _offset: u64, r: &Instance<'_>) {
        if !self.second {
            return;
        }
        let is_string = self
            .class_names
            .get(&r.class_id)
            .is_some_and(|n| n == b"java/lang/String" || n == b"java.lang.String");
        if !is_string {
            return;
        }
        let cd = &self.classes[&r.class_id];
        let (mut at, mut value, mut coder) = (0usize, None, None);
        for f in &cd.fields {
            let size = f.ty.size_in_dump(self.id_size).unwrap() as usize;
            let name = &self.utf8[&f.name_id];
            let raw = &r.data[at..at + size];
            if name == b"value" {
                value = Some(raw.iter().fold(0u64, |a, &x| (a << 8) | u64::from(x)));
            } else if name == b"coder" {
                coder = Some(raw[0]);
            }
            at += size;
        }
        if let Some(v) = value {
            self.strings.push((v, coder));
        }
    }
    fn prim_array(&mut self, _offset: u64, r: &PrimArrayHeader) -> bool {
        if self.second && (r.elem == BasicType::CHAR || r.elem == BasicType::BYTE) {
            self.arrays.insert(r.id, (r.elem, Vec::new()));
            self.current = Some(r.id);
            return true;
        }
        false
    }
    fn prim_array_data(&mut self, data: &[u8]) {
        if let Some(a) = self.current.and_then(|id| self.arrays.get_mut(&id)) {
            a.1.extend_from_slice(data);
        }
    }
    fn array_end(&mut self) {
        self.current = None;
    }
}

impl Texts {
    /// `dump` (the original or its copy, which has the same layout) with the text of the
    /// UTF8 records used as names blanked: what the copy keeps by design.
    fn without_names(&self, dump: &[u8]) -> Vec<u8> {
        let mut d = dump.to_vec();
        for id in &self.used {
            if let Some(&(at, len)) = self.utf8_at.get(id) {
                d[at..at + len].fill(0);
            }
        }
        d
    }

    fn read(bytes: &[u8]) -> Texts {
        let mut t = Texts::default();
        for second in [false, true] {
            t.second = second;
            let mut d = Decoder::new(false);
            d.push(bytes, &mut t).expect("read");
            d.finish(&mut t).expect("read");
        }
        t
    }

    /// The String texts of 6 characters or more, each as the bytes it has in the dump
    /// (UTF-16 big-endian for char[] and UTF16-coded byte[], else Latin-1), and the same
    /// text in the other encoding when it is ASCII (a copy could hold it either way).
    fn string_patterns(&self) -> (Vec<Vec<u8>>, Vec<Vec<u8>>) {
        let (mut native, mut other) = (Vec::new(), Vec::new());
        for &(v, coder) in &self.strings {
            let Some((ty, data)) = self.arrays.get(&v) else {
                continue;
            };
            let utf16 = *ty == BasicType::CHAR || coder == Some(1);
            let chars: Vec<u16> = if utf16 {
                data.chunks_exact(2)
                    .map(|c| u16::from_be_bytes([c[0], c[1]]))
                    .collect()
            } else {
                data.iter().map(|&b| u16::from(b)).collect()
            };
            if chars.len() < 6 {
                continue;
            }
            // A whole run of one character (padding, "------") says nothing.
            if chars.iter().all(|&c| c == chars[0]) {
                continue;
            }
            let be: Vec<u8> = chars.iter().flat_map(|c| c.to_be_bytes()).collect();
            let latin1 = chars
                .iter()
                .all(|&c| c < 0x100)
                .then(|| chars.iter().map(|&c| c as u8).collect::<Vec<u8>>());
            match (utf16, latin1) {
                (true, l) => {
                    native.push(be);
                    other.extend(l);
                }
                (false, Some(l)) => {
                    native.push(l);
                    other.push(be);
                }
                (false, None) => native.push(be),
            }
        }
        for v in [&mut native, &mut other] {
            v.sort();
            v.dedup();
        }
        (native, other)
    }
}

/// The patterns that occur in `hay`: found by their first 6 bytes, then compared whole.
fn occurring<'a>(patterns: &'a [Vec<u8>], hay: &[u8]) -> Vec<&'a [u8]> {
    let mut by_prefix: HashMap<[u8; 6], Vec<&[u8]>> = HashMap::new();
    for p in patterns {
        by_prefix
            .entry(p[..6].try_into().unwrap())
            .or_default()
            .push(p);
    }
    let mut found: Vec<&[u8]> = Vec::new();
    for i in 0..hay.len().saturating_sub(5) {
        let w: [u8; 6] = hay[i..i + 6].try_into().unwrap();
        if let Some(ps) = by_prefix.get(&w) {
            for p in ps {
                if hay[i..].starts_with(p) {
                    found.push(p);
                }
            }
        }
    }
    found.sort();
    found.dedup();
    found
}

#[test]
fn every_dump_copy_has_the_same_analysis_and_none_of_its_strings() {
    for path in every_dump() {
        let raw = read(&path);
        let original = analyze(&raw);
        let plain = if is_gz(&raw) {
            gunzip(&raw)
        } else {
            raw.clone()
        };
        let texts = Texts::read(&plain);
        let (native, other) = texts.string_patterns();
        let mut secret = native.clone();
        secret.extend(other);
        assert!(
            native.len() > 20,
            "{}: only {} String texts to look for",
            path.display(),
            native.len()
        );
        // The texts are in the original: the search finds them there.
        assert_eq!(
            occurring(&native, &plain).len(),
            native.len(),
            "{}",
            path.display()
        );
        for level in [Level::Basic, Level::Full] {
            let copy = redact(&raw, level, false, 1 << 20).expect("redact");
            assert_eq!(is_gz(&copy), is_gz(&raw), "{}", path.display());
            let copy_plain = if is_gz(&copy) {
                gunzip(&copy)
            } else {
                copy.clone()
            };
            assert_eq!(copy_plain.len(), plain.len(), "{}", path.display());
            // The names records (class, field, method, thread names) are kept by design:
            // they are not searched; everything else is, the UTF8 records that name
            // nothing (such as the string literals of HotSpot's symbol table) included.
            let left = occurring(&secret, &texts.without_names(&copy_plain));
            assert!(
                left.is_empty(),
                "{} at {}: {} of {} String texts left, e.g. {:?}",
                path.display(),
                level.name(),
                left.len(),
                secret.len(),
                String::from_utf8_lossy(left[0])
            );
            let ignore: &[&str] = match level {
                Level::Basic => &[],
                Level::Full => &FULL_VALUE_FIELDS,
            };
            let mut diffs = Vec::new();
            same_apart_from_values(&original, &analyze(&copy), "", ignore, &mut diffs);
            assert!(
                diffs.is_empty(),
                "{} at {}:\n{}",
                path.display(),
                level.name(),
                diffs.join("\n")
            );
        }
    }
}

#[test]
fn basic_keeps_the_jdk_values_the_analyses_read_and_full_does_not() {
    // The Timer's head task is due at the time the program scheduled: kept by basic,
    // gone at full.
    let raw = read(&fixture("timer_finalizer.hprof"));
    let head = |v: &Value| v["finalizers"]["timers"][0]["head_task_time_ms"].clone();
    let original = analyze(&raw);
    assert!(
        head(&original)
            .as_u64()
            .is_some_and(|t| t > 1_700_000_000_000)
    );
    let basic = analyze(&redact(&raw, Level::Basic, false, 1 << 20).unwrap());
    assert_eq!(head(&basic), head(&original));
    let full = analyze(&redact(&raw, Level::Full, false, 1 << 20).unwrap());
    assert_eq!(head(&full), Value::Null);
    assert_eq!(full["finalizers"]["timers"][0]["tasks"], 0);
}

/// A small dump: a user class `com/example/Account` (int balance, ref owner, long id)
/// extending the JDK's `java/lang/Number` (int kept), instances of both, a char[].
fn small_dump(class_first: bool) -> Vec<u8> {
    let mut w = HprofWriter::new(8);
    w.utf8(1, "com/example/Account")
        .utf8(2, "java/lang/Number")
        .utf8(3, "balance")
        .utf8(4, "owner")
        .utf8(5, "id")
        .utf8(6, "scale")
        .utf8(7, "jdbc:postgresql://db/prod?password=hunter2")
        .load_class(1, 0x100, 1)
        .load_class(2, 0x200, 2)
        .begin_segment();
    let account = |w: &mut HprofWriter| {
        w.class_dump(
            0x100,
            0x200,
            0,
            32,
            &[(5, BasicType::LONG, 0x4142_4344_4546_4748)],
            &[
                (3, BasicType::INT),
                (4, BasicType::OBJECT),
                (5, BasicType::LONG),
            ],
        );
    };
    if class_first {
        account(&mut w);
    }
    let data = w.fields(&[
        (BasicType::INT, 0x1122_3344),
        (BasicType::OBJECT, 0x300),
        (BasicType::LONG, 0x5566_7788_99AA_BBCC),
        (BasicType::INT, 0x0777_7777),
    ]);
    w.instance(0x400, 0x100, &data);
    w.class_dump(0x200, 0, 0, 16, &[], &[(6, BasicType::INT)]);
    if !class_first {
        account(&mut w);
    }
    w.prim_array(0x300, BasicType::CHAR, 3, &[0, b'a', 0, b'b', 0, b'c']);
    w.root_simple(
        heapscope::format::tags::SubTag::HPROF_GC_ROOT_UNKNOWN,
        0x400,
    );
    w.heap_dump_end().finish()
}

/// The INSTANCE_DUMP 0x400's field bytes in a dump.
fn account_fields(dump: &[u8]) -> Vec<u8> {
    let needle = [0x21, 0, 0, 0, 0, 0, 0, 4, 0];
    let at = dump.windows(9).position(|w| w == needle).expect("instance") + 1 + 8 + 4 + 8 + 4;
    dump[at..at + 4 + 8 + 8 + 4].to_vec()
}

#[test]
fn user_values_are_zeroed_references_and_jdk_values_kept() {
    for class_first in [true, false] {
        let dump = small_dump(class_first);
        let copy = redact(&dump, Level::Basic, false, 7).expect("redact");
        assert_eq!(copy.len(), dump.len());
        let mut want = vec![0u8; 4];
        want.extend_from_slice(&0x300u64.to_be_bytes());
        want.extend_from_slice(&[0; 8]);
        want.extend_from_slice(&0x0777_7777u32.to_be_bytes());
        assert_eq!(account_fields(&copy), want, "class first: {class_first}");
        // The static long and the char[] are gone.
        assert!(
            !copy
                .windows(8)
                .any(|w| w == 0x4142_4344_4546_4748u64.to_be_bytes())
        );
        assert!(!copy.windows(6).any(|w| w == [0, b'a', 0, b'b', 0, b'c']));
        // A UTF8 record that names nothing (a string literal of HotSpot's symbol table)
        // loses its text; the names stay.
        assert!(!copy.windows(7).any(|w| w == b"hunter2"));
        for name in [
            "com/example/Account",
            "java/lang/Number",
            "balance",
            "owner",
            "scale",
        ] {
            assert!(
                copy.windows(name.len()).any(|w| w == name.as_bytes()),
                "{name}"
            );
        }
        // full zeroes the JDK's int too, and still no reference.
        let full = redact(&dump, Level::Full, false, 1 << 20).expect("redact");
        want.truncate(20);
        want.extend_from_slice(&[0; 4]);
        assert_eq!(account_fields(&full), want);
    }
}

#[test]
fn an_instance_whose_class_is_never_dumped_cannot_be_redacted() {
    let mut w = HprofWriter::new(8);
    w.utf8(1, "com/example/Ghost")
        .load_class(1, 0x100, 1)
        .begin_segment();
    let data = w.fields(&[(BasicType::INT, 7)]);
    w.instance(0x400, 0x100, &data);
    let dump = w.heap_dump_end().finish();
    let e = redact(&dump, Level::Basic, false, 1 << 20).unwrap_err();
    let msg = e.to_string();
    assert!(
        msg.starts_with("cannot redact the INSTANCE_DUMP at offset ")
            && msg.contains("object 0x400: its class 0x100 has no CLASS_DUMP"),
        "{msg}"
    );
    // A layout that does not match the instance's bytes is refused too.
    let mut w = HprofWriter::new(8);
    w.begin_segment()
        .class_dump(0x100, 0, 0, 16, &[], &[(1, BasicType::LONG)]);
    w.instance(0x400, 0x100, &[1, 2, 3, 4]);
    let dump = w.heap_dump_end().finish();
    let msg = redact(&dump, Level::Basic, false, 1 << 20)
        .unwrap_err()
        .to_string();
    assert!(
        msg.contains("object 0x400 has 4 bytes of field data, its class 0x100 declares 8"),
        "{msg}"
    );
}

#[test]
fn the_copy_does_not_depend_on_slicing_and_gzip_holds_the_same_bytes() {
    let raw = read(&fixture("timer_finalizer.hprof"));
    let plain = redact(&raw, Level::Basic, false, 1 << 20).unwrap();
    for chunk in [4093, 8 << 20] {
        assert_eq!(redact(&raw, Level::Basic, false, chunk).unwrap(), plain);
    }
    let gz = redact(&raw, Level::Basic, true, 1 << 20).unwrap();
    assert!(is_gz(&gz) && gz.len() < plain.len() / 2);
    assert_eq!(redact(&raw, Level::Basic, true, 65_537).unwrap(), gz);
    assert_eq!(gunzip(&gz), plain);
    // A gzip input's copy is gzip, the same bytes once inflated.
    let zin = gzip(&raw);
    let z = redact(&zin, Level::Basic, false, 100_003).unwrap();
    assert_eq!(z, gz);
}

#[test]
fn the_cli_copy_of_a_truncated_dump_is_an_error_and_no_file() {
    let dir = std::env::temp_dir().join(format!("heapscope-redact-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let raw = read(&fixture("basic.hprof"));
    let cut = dir.join("cut.hprof");
    std::fs::write(&cut, &raw[..raw.len() * 2 / 3]).unwrap();
    let out = dir.join("copy.hprof");
    let bin = env!("CARGO_BIN_EXE_heapscope");
    let r = std::process::Command::new(bin)
        .args(["redact", "-q"])
        .arg(&cut)
        .arg(&out)
        .output()
        .unwrap();
    assert_eq!(r.status.code(), Some(1));
    let err = String::from_utf8_lossy(&r.stderr);
    assert_eq!(err.lines().count(), 1, "{err}");
    assert!(err.starts_with("error: truncated "), "{err}");
    let left: Vec<_> = std::fs::read_dir(&dir)
        .unwrap()
        .map(|e| e.unwrap().file_name())
        .collect();
    assert_eq!(left, vec![std::ffi::OsString::from("cut.hprof")]);
    // The whole dump: the file is there, the CLI's bytes are the library's.
    let whole = dir.join("whole.hprof");
    std::fs::write(&whole, &raw).unwrap();
    let r = std::process::Command::new(bin)
        .args(["redact", "-q", "--level", "full"])
        .arg(&whole)
        .arg(&out)
        .output()
        .unwrap();
    assert!(r.status.success(), "{}", String::from_utf8_lossy(&r.stderr));
    assert_eq!(
        read(&out),
        redact(&raw, Level::Full, false, 1 << 20).unwrap()
    );
    std::fs::remove_dir_all(&dir).unwrap();
}

#[test]
fn unknown_records_keep_their_length_and_lose_their_content() {
    let mut w = HprofWriter::new(4);
    w.record(Tag(0x77), b"secret-payload")
        .begin_segment()
        .class_dump(0x100, 0, 0, 8, &[], &[]);
    let dump = w.heap_dump_end().finish();
    let copy = redact(&dump, Level::Basic, false, 3).unwrap();
    assert_eq!(copy.len(), dump.len());
    assert!(!copy.windows(6).any(|w| w == b"secret"));
}

#[test]
fn cut_or_corrupted_dumps_give_an_error_or_a_copy_never_a_panic() {
    let raw = read(&fixture("timer_finalizer.hprof"));
    let n = raw.len();
    for k in 1..40 {
        let cut = &raw[..n * k / 40];
        let e = redact(cut, Level::Basic, false, 1 << 20).expect_err("a cut dump has no copy");
        assert!(!e.to_string().contains('\n'), "{e}");
    }
    // Bytes changed at places spread over the file: whatever the result, it is reached
    // without a panic, and a copy (when there is one) keeps the length.
    let mut state = 0x2545_f491_4f6c_dd1du64;
    for _ in 0..40 {
        state ^= state << 13;
        state ^= state >> 7;
        state ^= state << 17;
        let mut bad = raw.clone();
        let at = (state % n as u64) as usize;
        bad[at] ^= (state >> 32) as u8 | 1;
        if let Ok(copy) = redact(&bad, Level::Full, false, 1 << 20) {
            assert_eq!(copy.len(), bad.len());
        }
    }
}

/// The secrets the fixture program planted (in Strings, `char[]`, `byte[]`, map entries,
/// a thread local) and its near misses: each is in the dump, as Latin-1 or UTF-16 text, and
/// in neither form in its redacted copy at either level.
#[test]
fn planted_secrets_are_gone_from_the_copy() {
    let raw = read(&fixture("secrets.hprof"));
    let facts = facts("secrets");
    let values: Vec<String> = ["planted", "near_misses"]
        .iter()
        .flat_map(|k| facts[*k].as_array().expect("list").iter())
        .map(|v| v["value"].as_str().expect("value").to_string())
        .filter(|v| v.len() >= 6) // the empty near miss and the like say nothing
        .collect();
    assert!(values.len() >= 20, "{} values", values.len());
    // As text, and a binary `byte[]` secret (which the facts write in hex) as its bytes.
    let forms = |v: &str| -> [Vec<u8>; 3] {
        let latin1: Vec<u8> = v.chars().map(|c| c as u8).collect();
        let utf16: Vec<u8> = v.encode_utf16().flat_map(|u| u.to_be_bytes()).collect();
        let hex = v.len() >= 32 && v.len() % 2 == 0 && v.bytes().all(|b| b.is_ascii_hexdigit());
        let bytes: Vec<u8> = if hex {
            (0..v.len())
                .step_by(2)
                .map(|i| u8::from_str_radix(&v[i..i + 2], 16).expect("hex"))
                .collect()
        } else {
            latin1.clone()
        };
        [latin1, utf16, bytes]
    };
    let holds = |hay: &[u8], needle: &[u8]| hay.windows(needle.len()).any(|w| w == needle);
    for v in &values {
        assert!(
            forms(v).iter().any(|f| holds(&raw, f)),
            "the dump holds {:?}",
            &v[..8.min(v.len())]
        );
    }
    for level in [Level::Basic, Level::Full] {
        let copy = redact(&raw, level, false, 1 << 20).expect("copy");
        for v in &values {
            assert!(
                !forms(v).iter().any(|f| holds(&copy, f)),
                "{} copy still holds a planted value starting {:?}",
                level.name(),
                &v[..8.min(v.len())]
            );
        }
    }
}

// ---- --names: placeholders for the names outside the JDK -------------------------------

use heapscope::format::redact_names::NameMap;
use std::collections::HashSet;
use std::path::PathBuf;

/// The analysis without the figures that give file offsets (which move in a copy with
/// `--names`: placeholders are not as long as the names): the diagnostics' first offset.
fn no_offsets(mut v: Value) -> Value {
    for d in v["summary"]["diagnostics"]
        .as_array_mut()
        .into_iter()
        .flatten()
    {
        d["first_offset"] = Value::Null;
    }
    v
}

/// The copy with `--names`, and the map as the CLI writes it.
fn redact_names(bytes: &[u8], level: Level, map: NameMap) -> (Vec<u8>, NameMap) {
    let mut r = Redactor::with_names(level, false, map);
    let mut out = Vec::new();
    for c in bytes.chunks(1 << 20) {
        r.push(c, &mut out).expect("redact");
    }
    r.finish(&mut out).expect("redact");
    let map = r.name_map().expect("a names map").clone();
    (out, map)
}

/// Token → the text it replaced, from a map's JSON: a package or class token gives its
/// own segment (`p2` of `com/acme` is `acme`; `C4` of `com/acme/Foo$Bar` is `Bar`), a
/// source file's `S1` its name without the extension the placeholder keeps.
fn inverse(json: &[u8]) -> HashMap<String, String> {
    let v: Value = serde_json::from_slice(json).expect("map JSON");
    assert_eq!(v["version"], 1);
    let mut inv = HashMap::new();
    for (section, entries) in v.as_object().unwrap() {
        if section == "version" {
            continue;
        }
        for (token, name) in entries.as_object().unwrap() {
            let name = name.as_str().unwrap();
            let (token, text) = match section.as_str() {
                "packages" => (token.clone(), name.rsplit('/').next().unwrap().to_string()),
                "classes" => (
                    token.clone(),
                    name.rsplit(['/', '$']).next().unwrap().to_string(),
                ),
                "source_files" => {
                    let (t, ext) = token.split_at(token.find('.').unwrap_or(token.len()));
                    (
                        t.to_string(),
                        name.strip_suffix(ext).expect("same extension").to_string(),
                    )
                }
                "fields" | "methods" | "threads" => (token.clone(), name.to_string()),
                s => panic!("unknown section {s}"),
            };
            assert!(inv.insert(token.clone(), text).is_none(), "{token} twice");
        }
    }
    inv
}

/// `v` with every placeholder token in its strings and keys replaced by what it stands for (a
/// token is a whole word: letters, digits and `_`).
fn names_back(v: &Value, inv: &HashMap<String, String>) -> Value {
    let text = |s: &str| -> String {
        let mut out = String::with_capacity(s.len());
        let mut word = String::new();
        let flush = |word: &mut String, out: &mut String| {
            out.push_str(inv.get(word.as_str()).unwrap_or(word));
            word.clear();
        };
        for c in s.chars() {
            if c.is_ascii_alphanumeric() || c == '_' {
                word.push(c);
            } else {
                flush(&mut word, &mut out);
                out.push(c);
            }
        }
        flush(&mut word, &mut out);
        out
    };
    match v {
        Value::String(s) => Value::String(text(s)),
        Value::Array(a) => Value::Array(a.iter().map(|x| names_back(x, inv)).collect()),
        // Keys too: some are names (a comparison's `referents:CLASS` trend).
        Value::Object(o) => Value::Object(
            o.iter()
                .map(|(k, x)| (text(k), names_back(x, inv)))
                .collect(),
        ),
        x => x.clone(),
    }
}

/// `v` with every list sorted (by its items' JSON text), deeply.
fn sorted(v: &Value) -> Value {
    match v {
        Value::Array(a) => {
            let mut items: Vec<Value> = a.iter().map(sorted).collect();
            items.sort_by_cached_key(|x| x.to_string());
            Value::Array(items)
        }
        Value::Object(o) => Value::Object(o.iter().map(|(k, x)| (k.clone(), sorted(x))).collect()),
        x => x.clone(),
    }
}

/// The names records of a dump as the test reads them on its own: UTF8 texts, class
/// names by ID and serial, the field names each class declares, the frames.
#[derive(Default)]
struct Names {
    utf8: HashMap<u64, Vec<u8>>,
    class_name: HashMap<u64, u64>,
    serial_name: HashMap<u32, u64>,
    fields: Vec<(u64, u64)>,
    frames: Vec<(u32, [u64; 3])>,
}

impl Visitor for Names {
    fn utf8(&mut self, r: Utf8<'_>) {
        self.utf8.insert(r.id, r.bytes.to_vec());
    }
    fn load_class(&mut self, r: &LoadClass) {
        self.class_name.insert(r.class_id, r.name_id);
        self.serial_name.insert(r.serial, r.name_id);
    }
    fn class_dump(&mut self, _offset: u64, r: &ClassDump) {
        for f in r
            .statics
            .iter()
            .map(|f| f.name_id)
            .chain(r.fields.iter().map(|f| f.name_id))
        {
            self.fields.push((r.id, f));
        }
    }
    fn frame(&mut self, r: &heapscope::format::stacks::Frame) {
        self.frames
            .push((r.class_serial, [r.method_name, r.signature, r.source_file]));
    }
}

impl Names {
    fn read(bytes: &[u8]) -> Names {
        let mut n = Names::default();
        let mut d = Decoder::new(false);
        d.push(bytes, &mut n).expect("read");
        d.finish(&mut n).expect("read");
        n
    }

    fn text(&self, id: u64) -> String {
        String::from_utf8_lossy(self.utf8.get(&id).map_or(&[][..], |t| t)).into_owned()
    }

    /// Class ID → class name.
    fn classes(&self) -> HashMap<u64, String> {
        self.class_name
            .iter()
            .map(|(&c, &n)| (c, self.text(n)))
            .collect()
    }

    /// The names `--names` replaces (class names outside the JDK and their parts, the
    /// fields those declare, the methods and source files of their frames), less those a
    /// JDK class uses as well (kept by design); and the names JDK classes use.
    fn outside_and_jdk(&self) -> (HashSet<String>, HashSet<String>) {
        // The JDK's packages, in internal or dotted form (old writers use the latter).
        let jdk = |n: &str| {
            let n = n.replace('.', "/");
            ["java/", "javax/", "jdk/", "sun/", "com/sun/"]
                .iter()
                .any(|p| n.starts_with(p))
        };
        // An array class's element class: `[[Lcom/acme/Foo;` and (old writers)
        // `com.acme.Foo[][]` are `com/acme/Foo`; `[I` is `I`, `int[]` is `int`.
        let elem = |n: &str| -> String {
            let n = n.trim_start_matches('[').trim_end_matches("[]");
            n.strip_prefix('L')
                .and_then(|e| e.strip_suffix(';'))
                .unwrap_or(n)
                .to_string()
        };
        let primitive = |e: &str| {
            e.len() == 1
                || [
                    "boolean", "byte", "char", "short", "int", "long", "float", "double",
                ]
                .contains(&e)
        };
        let (mut outside, mut kept) = (HashSet::new(), HashSet::new());
        let classes = self.classes();
        for name in classes.values() {
            let e = elem(name);
            if primitive(&e) && e != name.as_str() {
                continue; // a primitive array
            }
            if jdk(&e) {
                kept.insert(e);
                continue;
            }
            outside.insert(e.clone());
            // Each part of the name, hidden-class addresses and counters aside.
            for part in e.split(['/', '.', '$', '+']) {
                if !part.starts_with("0x") && part != "Lambda" {
                    outside.insert(part.to_string());
                }
            }
        }
        let class_jdk = |id: &u64| classes.get(id).is_some_and(|n| jdk(&elem(n)));
        for (class, f) in &self.fields {
            let set = if class_jdk(class) {
                &mut kept
            } else {
                &mut outside
            };
            set.insert(self.text(*f));
        }
        for (serial, ids) in &self.frames {
            let is_jdk = self
                .serial_name
                .get(serial)
                .is_some_and(|n| jdk(&self.text(*n)));
            let set = if is_jdk { &mut kept } else { &mut outside };
            // method and source file (a signature's class names are classes above)
            set.insert(self.text(ids[0]));
            set.insert(self.text(ids[2]));
        }
        outside.retain(|n| {
            n.len() >= 4 && !n.bytes().all(|b| b.is_ascii_digit()) && !n.starts_with('<')
        });
        (outside, kept)
    }
}

#[test]
fn every_dump_with_names_differs_from_the_copy_only_by_names_and_keeps_none_of_them() {
    let mut total_searched = 0;
    for path in every_dump() {
        let raw = plain(&path);
        let names = Names::read(&raw);
        let (outside, kept) = names.outside_and_jdk();
        // A name outside the JDK that is part of a name a JDK class uses stays there (a
        // user field `next`, a class part `Node` of `java/util/HashMap$Node`): not
        // searched. Everything else is, anywhere in the copy's bytes.
        let mut searched: Vec<String> = outside
            .iter()
            .filter(|n| !kept.iter().any(|k| k.contains(n.as_str())))
            .cloned()
            .collect();
        // (The corpus' JDK 6 dump is a hello world: `Hello` and `Hello.java`.)
        assert!(
            searched.len() >= 2,
            "{}: only {} names to look for: {searched:?}",
            path.display(),
            searched.len()
        );
        total_searched += searched.len();
        for n in &searched {
            assert!(
                raw.windows(n.len()).any(|w| w == n.as_bytes()),
                "{}: {n} is in the original",
                path.display()
            );
        }
        // Class names in dotted form too, where the original has them so.
        let dotted: Vec<String> = searched
            .iter()
            .filter(|n| n.contains('/'))
            .map(|n| n.replace('/', "."))
            .filter(|n| raw.windows(n.len()).any(|w| w == n.as_bytes()))
            .collect();
        searched.extend(dotted);
        for level in [Level::Basic, Level::Full] {
            let (copy, map) = redact_names(&raw, level, NameMap::new());
            let json = map.to_json();
            assert!(!map.is_empty(), "{}", path.display());
            let left: Vec<&String> = searched
                .iter()
                .filter(|n| copy.windows(n.len()).any(|w| w == n.as_bytes()))
                .collect();
            assert!(
                left.is_empty(),
                "{} at {}: names left in the copy: {left:?}",
                path.display(),
                level.name()
            );
            // JDK class names are still there.
            for n in ["java/lang/String", "java/util/HashMap", "java/lang/Thread"] {
                assert!(
                    copy.windows(n.len()).any(|w| w == n.as_bytes()),
                    "{}: {n}",
                    path.display()
                );
            }
            // With every placeholder read back through the map, the analysis is the
            // copy's without --names.
            // Lists whose ties are ordered by name may order them otherwise: every list
            // is compared as a sorted one.
            // Placeholders are not as long as the names: the file offsets after the
            // first replaced UTF8 record move (the only figure that may differ).
            let without = sorted(&no_offsets(analyze(
                &redact(&raw, level, false, 1 << 20).unwrap(),
            )));
            let with = sorted(&no_offsets(names_back(&analyze(&copy), &inverse(&json))));
            let mut diffs = Vec::new();
            same_apart_from_values(&without, &with, "", &[], &mut diffs);
            assert!(
                diffs.is_empty(),
                "{} at {}:\n{}",
                path.display(),
                level.name(),
                diffs.join("\n")
            );
            // And strictly equal (no NUL allowed for a character).
            assert!(with == without, "{} at {}", path.display(), level.name());
        }
    }
    assert!(total_searched >= 200, "{total_searched} names looked for");
}

/// Runs the CLI; its exit status and stderr.
fn cli(args: &[&std::ffi::OsStr]) -> (Option<i32>, String) {
    let r = std::process::Command::new(env!("CARGO_BIN_EXE_heapscope"))
        .args(args)
        .output()
        .unwrap();
    (
        r.status.code(),
        String::from_utf8_lossy(&r.stderr).into_owned(),
    )
}

fn files_in(dir: &std::path::Path) -> Vec<String> {
    let mut v: Vec<String> = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    v.sort();
    v
}

#[test]
fn a_series_redacted_with_one_map_keeps_its_placeholders_and_compares_the_same() {
    let dir = std::env::temp_dir().join(format!("heapscope-names-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let map = dir.join("series.names.json");
    let (s1, s2) = (fixture("series1.hprof.gz"), fixture("series2.hprof.gz"));
    let mut copies = Vec::new();
    let mut maps: Vec<Value> = Vec::new();
    for (i, s) in [&s1, &s2].into_iter().enumerate() {
        for names in [false, true] {
            let out = dir.join(format!(
                "s{}{}.hprof.gz",
                i + 1,
                if names { "n" } else { "" }
            ));
            let mut args = vec![
                "redact".as_ref(),
                "-q".as_ref(),
                s.as_os_str(),
                out.as_os_str(),
            ];
            if names {
                args.extend(["--names".as_ref(), "--names-map".as_ref(), map.as_os_str()]);
            }
            let (code, err) = cli(&args);
            assert_eq!(code, Some(0), "{err}");
            if names {
                maps.push(serde_json::from_slice(&std::fs::read(&map).unwrap()).unwrap());
            }
            copies.push(out);
        }
    }
    // The second run kept every placeholder of the first and added its own.
    for (section, entries) in maps[0].as_object().unwrap() {
        if let Some(entries) = entries.as_object() {
            for (k, v) in entries {
                assert_eq!(&maps[1][section][k], v, "{section}.{k}");
            }
        }
    }
    // Each class of both dumps has one placeholder in both copies.
    let placeholders = |orig: &PathBuf, copy: &PathBuf| -> HashMap<String, String> {
        let (o, c) = (Names::read(&plain(orig)), Names::read(&plain(copy)));
        let cc = c.classes();
        o.classes()
            .into_iter()
            .map(|(id, name)| (name, cc[&id].clone()))
            .collect()
    };
    let (p1, p2) = (placeholders(&s1, &copies[1]), placeholders(&s2, &copies[3]));
    let mut renamed = 0;
    for (name, ph) in &p1 {
        if let Some(ph2) = p2.get(name) {
            assert_eq!(ph, ph2, "{name}");
            renamed += usize::from(ph != name);
        }
    }
    assert!(renamed >= 5, "{renamed} classes of both dumps renamed");
    assert_eq!(p1["Series$PgStatement"], "C1$C3", "{p1:?}");
    // `heapscope compare` of the copies with names finds the copies' suspects and class
    // growth, once its placeholders are read back.
    let compare = |a: &PathBuf, b: &PathBuf| -> Value {
        let r = std::process::Command::new(env!("CARGO_BIN_EXE_heapscope"))
            .args(["compare", "--json", "-q"])
            .args([a, b])
            .output()
            .unwrap();
        assert!(r.status.success(), "{}", String::from_utf8_lossy(&r.stderr));
        serde_json::from_slice(&r.stdout).unwrap()
    };
    let plain_cmp = compare(&copies[0], &copies[2]);
    let names_cmp = names_back(
        &compare(&copies[1], &copies[3]),
        &inverse(&std::fs::read(&map).unwrap()),
    );
    assert!(!plain_cmp["suspects"].as_array().unwrap().is_empty());
    for part in ["suspects", "classes", "trends"] {
        assert_eq!(sorted(&names_cmp[part]), sorted(&plain_cmp[part]), "{part}");
    }
    std::fs::remove_dir_all(&dir).unwrap();
}

#[test]
fn a_bad_names_map_is_a_one_line_error_and_no_file() {
    let dir = std::env::temp_dir().join(format!("heapscope-badmap-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let input = fixture("basic.hprof");
    let out = dir.join("copy.hprof");
    let map = dir.join("copy.hprof.names.json");
    for (bad, why) in [
        (&b"{\"version\": 1, \"classes\": "[..], "EOF while parsing"),
        (br#"{"version": 2}"#, "no \"version\": 1"),
        (
            br#"{"version": 1, "classes": {"f1": "Foo"}}"#,
            "\"f1\" is not a placeholder of classes",
        ),
        (
            br#"{"version": 1, "fields": {"f1": "a", "f2": "a"}}"#,
            "fields names \"a\" twice",
        ),
    ] {
        std::fs::write(&map, bad).unwrap();
        // The default map path (OUT.names.json) is read.
        let (code, err) = cli(&[
            "redact".as_ref(),
            "-q".as_ref(),
            "--names".as_ref(),
            input.as_os_str(),
            out.as_os_str(),
        ]);
        assert_eq!(code, Some(1));
        assert_eq!(err.lines().count(), 1, "{err}");
        assert!(
            err.starts_with(&format!("error: {} is not a names map", map.display()))
                && err.contains(why),
            "{err}"
        );
        assert_eq!(files_in(&dir), vec!["copy.hprof.names.json"]);
        assert_eq!(
            std::fs::read(&map).unwrap(),
            bad,
            "the map is left as it was"
        );
    }
    // Without a map: both files, the CLI's bytes are the library's.
    std::fs::remove_file(&map).unwrap();
    let (code, err) = cli(&[
        "redact".as_ref(),
        "-q".as_ref(),
        "--names".as_ref(),
        input.as_os_str(),
        out.as_os_str(),
    ]);
    assert_eq!(code, Some(0), "{err}");
    assert_eq!(files_in(&dir), vec!["copy.hprof", "copy.hprof.names.json"]);
    let (copy, names) = redact_names(&read(&input), Level::Basic, NameMap::new());
    assert_eq!(read(&out), copy);
    assert_eq!(std::fs::read(&map).unwrap(), names.to_json());
    // A damaged dump with --names: no copy and no map.
    std::fs::remove_file(&map).unwrap();
    std::fs::remove_file(&out).unwrap();
    let cut = dir.join("cut.hprof");
    let raw = read(&input);
    std::fs::write(&cut, &raw[..raw.len() / 2]).unwrap();
    let (code, _) = cli(&[
        "redact".as_ref(),
        "-q".as_ref(),
        "--names".as_ref(),
        cut.as_os_str(),
        out.as_os_str(),
    ]);
    assert_eq!(code, Some(1));
    assert_eq!(files_in(&dir), vec!["cut.hprof"]);
    std::fs::remove_dir_all(&dir).unwrap();
}

/// A hand-built dump: a user class `com/acme/billing/Invoice$Line` and the JDK's
/// `java/util/HashMap$Node`, both declaring a field `next` (one symbol); frames of both
/// classes sharing a method `run`; a thread named by START_THREAD.
fn names_dump() -> Vec<u8> {
    let mut w = HprofWriter::new(8);
    for (id, s) in [
        (1, "com/acme/billing/Invoice$Line"),
        (2, "java/util/HashMap$Node"),
        (3, "next"),
        (4, "customerSecret"),
        (5, "process"),
        (6, "(Lcom/acme/billing/Invoice$Line;I)V"),
        (7, "Invoice.java"),
        (8, "run"),
        (9, "()V"),
        (10, "HashMap.java"),
        (11, "billing-worker-7"),
        (12, "<init>"),
    ] {
        w.utf8(id, s);
    }
    w.load_class(1, 0x100, 1).load_class(2, 0x200, 2);
    w.frame(1, 5, 6, 7, 1, 10)
        .frame(2, 8, 9, 7, 1, 11)
        .frame(3, 8, 9, 10, 2, 12)
        .frame(4, 12, 9, 7, 1, 13)
        .trace(1, 1, &[1, 2, 3, 4])
        .start_thread(1, 0x500, 1, 11)
        .begin_segment()
        .class_dump(0x200, 0, 0, 16, &[], &[(3, BasicType::OBJECT)])
        .class_dump(
            0x100,
            0,
            0,
            24,
            &[],
            &[(3, BasicType::OBJECT), (4, BasicType::LONG)],
        );
    let data = w.fields(&[(BasicType::OBJECT, 0), (BasicType::LONG, 42)]);
    w.instance(0x400, 0x100, &data);
    w.root_simple(
        heapscope::format::tags::SubTag::HPROF_GC_ROOT_UNKNOWN,
        0x400,
    );
    w.heap_dump_end().finish()
}

#[test]
fn names_outside_the_jdk_get_placeholders_and_shared_symbols_stay() {
    let dump = names_dump();
    let (copy, map) = redact_names(&dump, Level::Basic, NameMap::new());
    let has = |s: &str| copy.windows(s.len()).any(|w| w == s.as_bytes());
    for gone in ["Invoice", "billing", "acme", "customerSecret", "process"] {
        assert!(!has(gone), "{gone}");
    }
    for kept in [
        "p1/p2/p3/C1$C2",
        "java/util/HashMap$Node",
        "next",
        "f1",
        "m1",
        "(Lp1/p2/p3/C1$C2;I)V",
        "S1.java",
        "run",
        "()V",
        "HashMap.java",
        "t1",
        "<init>",
    ] {
        assert!(has(kept), "{kept}");
    }
    assert_eq!(
        String::from_utf8(map.to_json()).unwrap(),
        r#"{
  "version": 1,
  "packages": {
    "p1": "com",
    "p2": "com/acme",
    "p3": "com/acme/billing"
  },
  "classes": {
    "C1": "com/acme/billing/Invoice",
    "C2": "com/acme/billing/Invoice$Line"
  },
  "fields": {
    "f1": "customerSecret"
  },
  "methods": {
    "m1": "process"
  },
  "source_files": {
    "S1.java": "Invoice.java"
  },
  "threads": {
    "t1": "billing-worker-7"
  }
}
"#
    );
    // Each UTF8 record's length is its new text's: the copy reads as a dump, the class
    // by its placeholder with its instance, the user's long zeroed.
    let (c, o) = (Names::read(&copy), Names::read(&dump));
    assert_eq!(c.utf8.len(), o.utf8.len());
    assert_eq!(c.text(1), "p1/p2/p3/C1$C2");
    assert_eq!(c.text(11), "t1");
    assert_eq!(c.text(3), "next");
    // Shorter by the names' lengths less the placeholders': class 29 - 14, field 14 - 2,
    // method 7 - 2, signature 35 - 20, source file 12 - 7, thread 16 - 2.
    assert_eq!(copy.len() + 15 + 12 + 5 + 15 + 5 + 14, dump.len());
    let a = analyze(&copy);
    let rows = a["top_retained_classes"].as_array().unwrap();
    assert!(
        rows.iter()
            .any(|r| r["name"] == "p1.p2.p3.C1$C2" && r["instances"] == 1),
        "{rows:?}"
    );
    // The same bytes however the dump is sliced, and gzip holds the same.
    let mut r = Redactor::with_names(Level::Basic, true, NameMap::new());
    let mut gz = Vec::new();
    for c in dump.chunks(7) {
        r.push(c, &mut gz).unwrap();
    }
    r.finish(&mut gz).unwrap();
    assert_eq!(gunzip(&gz), copy);
}
