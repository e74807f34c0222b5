//! A redacted copy of a dump: the same records, byte for byte the same structure (every
//! record, ID, length, class, reference, GC root, thread and stack trace), with values
//! replaced by zeros. One pass in, one pass out: [`Redactor::push`] takes the file's bytes
//! in slices of any size (plain or gzip) and appends the copy's bytes for them; nothing
//! holds the dump whole.
//!
//! How: every byte of the (decompressed) stream is kept in a window from the first byte
//! the [`StreamParser`] has not finished with to the end of what was pushed. The parser
//! reports each record with its offset; the rewriter zeroes the value bytes of that record
//! in the window (an array body that runs past the window's end is zeroed as its bytes
//! arrive), and once the parser has consumed a prefix of the window, that prefix is final
//! and leaves as output. The window is the parser's own pending bytes (bounded by its
//! largest buffered item, [`MAX_INSTANCE_BYTES`]) plus the slice being pushed.
//!
//! What is replaced, by [`Level`]:
//! - always: the elements of every primitive array (String text, `char[]`, `byte[]`, …);
//!   the bodies of records with an unknown tag (their content cannot be told apart from
//!   data) and bytes after the heap dump that are not records;
//! - [`Level::Basic`]: the primitive instance-field values declared by classes outside
//!   the JDK, and the primitive static values (and constant-pool values) of such classes.
//!   A class is in the JDK when its name starts with `java/`, `javax/`, `jdk/`, `sun/` or
//!   `com/sun/`; a class whose LOAD_CLASS name is not known counts as outside. Fields are
//!   judged by the class that declares them (a user class extending `java.util.TimerTask`
//!   keeps the task's `nextExecutionTime`). `java.lang.String`'s `hash` and `hashIsZero`
//!   are zeroed as well: they are computed from the text;
//! - [`Level::Full`]: every primitive field, static and constant-pool value.
//!
//! Never replaced: references (object IDs), lengths, types, the UTF8 records that name
//! something (a class, field, static, method, signature, source file, thread or thread
//! group, heap) unless `--names` is asked, stack frames and traces, GC roots, the header.
//!
//! `--names` ([`Redactor::with_names`]): the UTF8 records that name a class outside the
//! JDK, a field such a class declares, a method, signature or source file of a frame of
//! such a class (a frame counts for its class), or a thread or thread group get
//! placeholders that keep the name's shape ([`super::redact_names`]); a field, method or
//! source-file name that a JDK class uses as well keeps its text (HotSpot shares one
//! symbol for every `name`, `next`, `value`, and the JDK's are what the analyses read);
//! a class name is judged by itself, a signature always has its class names replaced.
//! Those UTF8 records are the held ones (below), so the placeholders are decided at the
//! same release point, and the record's length and text change as the window is output
//! (each replaced record's bytes wait in the window until they leave whole). Nothing in a
//! dump refers to a byte offset, so the copy stays valid; its length differs.
//!
//! Also replaced, at both levels: the text of UTF8 records that name nothing. HotSpot
//! writes its whole symbol table, which holds the string literals of every loaded class
//! besides the names. A UTF8 record comes before the records that use it, so the window
//! keeps every byte from the first UTF8 record on until the first object record (an
//! instance or array: by then HotSpot has written every LOAD_CLASS, FRAME, START_THREAD
//! and CLASS_DUMP) once no instance waits for its class dump, or [`MAX_DEFERRED_BYTES`]
//! later, or the end; then the UTF8 records not used by then lose their text (their
//! length and ID stay). A name first used after that (a writer that dumps classes late)
//! is lost in the copy.
//!
//! Instance field bytes are told apart through the class's field layout, its CLASS_DUMP
//! and those of its superclasses. HotSpot writes every class dump before any instance,
//! but some writers do not (the JDK's own `jhat` test dump has instances first). An
//! instance whose class (or a superclass) has not been dumped yet is deferred: the window
//! keeps every byte from that instance on (nothing after it is output) until the missing
//! class dumps arrive, then the deferred instances are redacted and the window flows
//! again. The wait is bounded by [`MAX_DEFERRED_BYTES`] of window; a class dump further
//! away than that, or never, stops the copy with an error naming the instance and its
//! offset ([`ErrorKind::Unredactable`]), as does an instance whose field bytes do not
//! match its class's layout: neither can be redacted safely (a reference would be zeroed,
//! or a value kept).
//!
//! Output is gzip when asked, or when the input is: a single gzip member written with
//! miniz_oxide's deflate. The compressor is fed fixed blocks of [`GZIP_BLOCK`] bytes, so
//! the output does not depend on how the input was sliced (the CLI's and the page's
//! copies of a dump are identical).

use super::error::{ErrorKind, HprofError};
use super::gzip::{GzipDecoder, is_gzip};
use super::header::Header;
use super::heap_dump::arrays::{ObjArrayHeader, PrimArrayHeader, prim_header_len};
use super::heap_dump::class_dump::{ClassDump, FieldDesc};
use super::heap_dump::instance::{Instance, header_len};
use super::redact_names::{NameKind, NameMap};
use super::stacks::Frame;
use super::stream::{StreamParser, Visitor};
use super::strings::Utf8;
use super::tags::{BasicType, Tag};
use super::threads::StartThread;
use crate::format::classes::LoadClass;
use miniz_oxide::deflate::core::CompressorOxide;
use miniz_oxide::deflate::stream::deflate;
use miniz_oxide::{DataFormat, MZError, MZFlush, MZStatus};
use std::collections::{HashMap, VecDeque};
use std::hash::{BuildHasherDefault, Hasher};

/// What a redacted copy replaces.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Level {
    /// Primitive arrays, and primitive values of classes outside the JDK.
    Basic,
    /// Primitive arrays and every primitive value.
    Full,
}

impl Level {
    /// The name the CLI and the page use (`basic`, `full`).
    pub fn name(self) -> &'static str {
        match self {
            Level::Basic => "basic",
            Level::Full => "full",
        }
    }

    /// The level named `name`.
    pub fn from_name(name: &str) -> Option<Level> {
        match name {
            "basic" => Some(Level::Basic),
            "full" => Some(Level::Full),
            _ => None,
        }
    }
}

/// The most stream bytes held while instances wait for their class dumps (see the
/// module doc).
pub const MAX_DEFERRED_BYTES: usize = 256 << 20;

/// Bytes of plain output compressed per deflate call (see the module doc).
pub const GZIP_BLOCK: usize = 1 << 20;

/// The deflate level of gzip output: miniz's fastest (zeroed values compress well anyway,
/// and the copy should not take much longer than reading the dump).
const GZIP_LEVEL: u8 = 1;

/// Package prefixes (internal form) of the classes whose values `basic` keeps.
const JDK_PREFIXES: [&[u8]; 5] = [b"java/", b"javax/", b"jdk/", b"sun/", b"com/sun/"];

/// Whether a class name (internal `java/lang/String` or dotted form) is in the JDK.
fn is_jdk_name(name: &[u8]) -> bool {
    JDK_PREFIXES.iter().any(|p| {
        name.len() >= p.len()
            && name
                .iter()
                .zip(p.iter())
                .all(|(&c, &q)| c == q || (q == b'/' && c == b'.'))
    })
}

/// A multiplicative hasher for object IDs (addresses): SipHash would cost more than the
/// rest of an instance's handling.
#[derive(Default)]
struct IdHasher(u64);

impl Hasher for IdHasher {
    fn finish(&self) -> u64 {
        self.0
    }
    fn write(&mut self, bytes: &[u8]) {
        for &b in bytes {
            self.0 = (self.0.rotate_left(5) ^ u64::from(b)).wrapping_mul(0x51_7c_c1_b7_27_22_0a_95);
        }
    }
    fn write_u64(&mut self, n: u64) {
        self.0 = (n ^ (n >> 29)).wrapping_mul(0x9e37_79b9_7f4a_7c15);
    }
}

type IdMap<V> = HashMap<u64, V, BuildHasherDefault<IdHasher>>;

/// How records use a UTF8 record (bits of [`NameState::uses`]).
const USE_CLASS: u8 = 1;
const USE_SIGNATURE: u8 = 2;
/// Used by a JDK class (a field it declares, a frame of its method).
const USE_JDK: u8 = 4;
const USE_FIELD: u8 = 8;
const USE_METHOD: u8 = 16;
const USE_SOURCE: u8 = 32;
const USE_THREAD: u8 = 64;

/// What `--names` needs: the placeholders given, how the held UTF8 records are used, and
/// the new texts waiting to be output.
struct NameState {
    map: NameMap,
    /// UTF8 ID → its uses (`USE_*` bits), for the records held: 9 bytes and the map's
    /// overhead each.
    uses: IdMap<u8>,
    /// Class serial → whether the class is in the JDK (from LOAD_CLASS, for FRAME): 9
    /// bytes and the map's overhead per class.
    serial_jdk: IdMap<bool>,
    /// Replaced UTF8 records in stream order: the absolute range from the record's length
    /// field to the end of its text, and the bytes that take its place (length, ID, new
    /// text). Applied as the window is output.
    subs: VecDeque<(u64, u64, Vec<u8>)>,
}

impl NameState {
    fn mark(&mut self, id: u64, bits: u8) {
        *self.uses.entry(id).or_insert(0) |= bits;
    }

    /// The new text of a UTF8 record with `text` used as `uses` says (see the module doc);
    /// `None` to keep it.
    fn replacement(&mut self, uses: u8, text: &[u8]) -> Option<Vec<u8>> {
        let named = |m: &mut NameMap, kind| {
            let s = String::from_utf8_lossy(text);
            Some(m.placeholder(kind, &s).into_bytes())
        };
        if uses & USE_CLASS != 0 {
            return Some(self.map.class_name(text, is_jdk_name));
        }
        if uses & USE_SIGNATURE != 0 {
            if let Some(sig) = self.map.signature(text, is_jdk_name) {
                return Some(sig);
            }
        }
        if uses & USE_JDK != 0 {
            return None;
        }
        if uses & USE_FIELD != 0 {
            return named(&mut self.map, NameKind::Field);
        }
        if uses & (USE_METHOD | USE_SIGNATURE) != 0 {
            if text == b"<init>" || text == b"<clinit>" {
                return None;
            }
            return named(&mut self.map, NameKind::Method);
        }
        if uses & USE_SOURCE != 0 {
            return named(&mut self.map, NameKind::SourceFile);
        }
        if uses & USE_THREAD != 0 {
            return named(&mut self.map, NameKind::Thread);
        }
        None
    }
}

/// What a LOAD_CLASS name says about a class.
#[derive(Clone, Copy, PartialEq, Eq)]
enum ClassKind {
    Jdk,
    /// `java.lang.String` (in the JDK, but its hash fields are zeroed).
    String,
}

/// A class's dump-format layout: `super_id` and its declared fields. 24 bytes plus 16 per
/// field.
struct ClassInfo {
    super_id: u64,
    fields: Vec<FieldDesc>,
}

/// Where an instance's value bytes are, for one class: the field data length, and the
/// byte ranges to zero (adjacent ranges merged). 32 bytes plus 8 per range; one per class
/// that has instances.
struct Layout {
    data_len: u32,
    zero: Vec<(u32, u32)>,
}

/// An instance waiting for its class dump: 32 bytes.
struct Deferred {
    /// Where the record starts (absolute).
    offset: u64,
    object: u64,
    class_id: u64,
    data_len: u32,
}

/// Why an instance layout cannot be had.
enum NoLayout {
    /// A class dump has not been seen (yet).
    Missing(String),
    /// The classes are inconsistent.
    Bad(String),
}

/// The rewriting visitor: the window of stream bytes and what it needs to know of the
/// classes.
struct Rewrite {
    level: Level,
    id_size: u8,
    /// Stream bytes from `base` on, not yet output.
    window: Vec<u8>,
    base: u64,
    /// A range (absolute) still to be zeroed as its bytes arrive: the rest of an array
    /// body or skipped record that runs past the window's end.
    tail_zero: Option<(u64, u64)>,
    /// UTF8 ids of names in the JDK packages (8 bytes and the map's overhead each).
    jdk_names: IdMap<()>,
    /// UTF8 id of `java/lang/String`, and of the field names `hash` and `hashIsZero`.
    string_name: Vec<u64>,
    hash_names: Vec<u64>,
    /// Class object ID → what its LOAD_CLASS name says (absent: outside the JDK).
    class_kind: IdMap<ClassKind>,
    /// Class object ID → its fields, from its CLASS_DUMP.
    classes: IdMap<ClassInfo>,
    /// Class object ID → its instances' layout, computed at its first instance.
    layouts: IdMap<Layout>,
    /// Instances waiting for a class dump, in stream order; the window keeps every byte
    /// from the first one on.
    deferred: Vec<Deferred>,
    /// A class dump arrived since the deferred instances were last tried.
    new_classes: bool,
    /// The UTF8 records held until it is known which name something (see the module
    /// doc): where each one's text starts (absolute), its length and ID. 24 bytes each.
    utf8_held: Vec<(u64, u32, u64)>,
    /// The window keeps every byte from here on (the first held UTF8 record).
    hold_from: Option<u64>,
    /// UTF8 IDs some record uses as a name (8 bytes and the map's overhead each).
    used_names: IdMap<()>,
    /// An object record came after the held UTF8 records.
    saw_object: bool,
    /// Where the current top-level record starts.
    record_at: u64,
    /// `--names`: placeholders for names outside the JDK.
    names: Option<Box<NameState>>,
    /// The first error met (a visitor cannot return one); reading stops there.
    error: Option<HprofError>,
}

impl Rewrite {
    fn new(level: Level, names: Option<NameMap>) -> Self {
        Rewrite {
            level,
            id_size: 8,
            window: Vec::new(),
            base: 0,
            tail_zero: None,
            jdk_names: IdMap::default(),
            string_name: Vec::new(),
            hash_names: Vec::new(),
            class_kind: IdMap::default(),
            classes: IdMap::default(),
            layouts: IdMap::default(),
            deferred: Vec::new(),
            new_classes: false,
            utf8_held: Vec::new(),
            hold_from: None,
            used_names: IdMap::default(),
            saw_object: false,
            record_at: 0,
            names: names.map(|map| {
                Box::new(NameState {
                    map,
                    uses: IdMap::default(),
                    serial_jdk: IdMap::default(),
                    subs: VecDeque::new(),
                })
            }),
            error: None,
        }
    }

    fn end(&self) -> u64 {
        self.base + self.window.len() as u64
    }

    /// Appends stream bytes to the window, zeroing what an open range covers.
    fn append(&mut self, data: &[u8]) {
        let start = self.end();
        self.window.extend_from_slice(data);
        if let Some((from, to)) = self.tail_zero {
            self.zero(from.max(start), to);
        }
    }

    /// Zeroes the absolute range `from..to`: what the window holds now, the rest as it
    /// arrives.
    fn zero(&mut self, from: u64, to: u64) {
        let end = self.end();
        let a = from.saturating_sub(self.base);
        let b = to.min(end).saturating_sub(self.base);
        if a < b {
            if let Some(s) = self.window.get_mut(a as usize..b as usize) {
                s.fill(0);
            }
        }
        self.tail_zero = (to > end).then_some((from.max(end), to));
    }

    fn fail(&mut self, offset: u64, what: &'static str, detail: String) {
        if self.error.is_none() {
            self.error = Some(HprofError::new(
                offset,
                ErrorKind::Unredactable { what, detail },
            ));
        }
    }

    /// Whether values declared by class `id` are replaced.
    fn replaces(&self, id: u64) -> bool {
        self.level == Level::Full || !self.class_kind.contains_key(&id)
    }

    /// The layout of class `class_id`'s instances, from its and its superclasses' dumps.
    fn layout(&self, class_id: u64) -> Result<Layout, NoLayout> {
        let mut zero: Vec<(u32, u32)> = Vec::new();
        let mut pos = 0u32;
        let mut cur = class_id;
        // A superclass chain longer than the number of classes is a cycle.
        for _ in 0..=self.classes.len() {
            if cur == 0 {
                return Ok(Layout {
                    data_len: pos,
                    zero,
                });
            }
            let Some(info) = self.classes.get(&cur) else {
                let whose = if cur == class_id {
                    format!("its class 0x{class_id:x}")
                } else {
                    format!("the superclass 0x{cur:x} of its class 0x{class_id:x}")
                };
                return Err(NoLayout::Missing(format!(
                    "{whose} has no CLASS_DUMP before it, nor within {} MiB after it: its field \
                     values cannot be told from its references",
                    MAX_DEFERRED_BYTES >> 20
                )));
            };
            let replaces = self.replaces(cur);
            let string = self.class_kind.get(&cur) == Some(&ClassKind::String);
            for f in &info.fields {
                let size = u32::from(f.ty.size_in_dump(self.id_size).unwrap_or(0));
                let prim = f.ty != BasicType::OBJECT;
                let derived = string && self.hash_names.contains(&f.name_id);
                if prim && (replaces || derived) {
                    match zero.last_mut() {
                        Some((s, l)) if *s + *l == pos => *l += size,
                        _ => zero.push((pos, size)),
                    }
                }
                pos = pos.saturating_add(size);
            }
            cur = info.super_id;
        }
        Err(NoLayout::Bad(format!(
            "the superclasses of its class 0x{class_id:x} form a cycle"
        )))
    }

    /// Zeroes the values of a class dump's statics and constant pool, reading the record
    /// from the window (it is there whole: the parser just read it).
    fn class_values(&mut self, offset: u64, cd: &ClassDump) {
        if !self.replaces(cd.id) {
            return;
        }
        let idz = usize::from(self.id_size);
        let Some(rec) = offset
            .checked_sub(self.base)
            .and_then(|a| self.window.get_mut(a as usize..))
        else {
            return;
        };
        // tag, class id, stack serial, 6 ids, instance size
        let mut p = 1 + 7 * idz + 8;
        let u2 = |b: &[u8], p: usize| {
            b.get(p..)
                .and_then(|w| w.first_chunk::<2>())
                .map_or(0, |w| u16::from_be_bytes(*w))
        };
        let value = |b: &mut [u8], p: &mut usize| {
            let ty = BasicType(b.get(*p).copied().unwrap_or(0));
            let size = usize::from(ty.size_in_dump(self.id_size).unwrap_or(0));
            *p += 1;
            if ty != BasicType::OBJECT {
                if let Some(v) = b.get_mut(*p..*p + size) {
                    v.fill(0);
                }
            }
            *p += size;
        };
        let n = u2(rec, p);
        p += 2;
        for _ in 0..n {
            p += 2;
            value(rec, &mut p);
        }
        let n = u2(rec, p);
        p += 2;
        for _ in 0..n {
            p += idz;
            value(rec, &mut p);
        }
    }
}

impl Visitor for Rewrite {
    fn header(&mut self, header: &Header) {
        self.id_size = header.id_size;
    }

    fn record(&mut self, _tag: Tag, offset: u64, _len: u32) {
        self.record_at = offset;
    }

    fn utf8(&mut self, r: Utf8<'_>) {
        // record header, then the ID, then the text
        let at = self.record_at + 9 + u64::from(self.id_size);
        self.hold_from.get_or_insert(self.record_at);
        self.utf8_held.push((at, r.bytes.len() as u32, r.id));
        if is_jdk_name(r.bytes) {
            self.jdk_names.insert(r.id, ());
        }
        match r.bytes {
            b"java/lang/String" | b"java.lang.String" => self.string_name.push(r.id),
            b"hash" | b"hashIsZero" => self.hash_names.push(r.id),
            _ => {}
        }
    }

    fn load_class(&mut self, r: &LoadClass) {
        self.use_name(r.name_id);
        let jdk = self.jdk_names.contains_key(&r.name_id);
        if self.string_name.contains(&r.name_id) {
            self.class_kind.insert(r.class_id, ClassKind::String);
        } else if jdk {
            self.class_kind.insert(r.class_id, ClassKind::Jdk);
        }
        if let Some(n) = &mut self.names {
            n.mark(r.name_id, USE_CLASS);
            n.serial_jdk.insert(u64::from(r.serial), jdk);
        }
    }

    fn unknown_record(&mut self, _tag: Tag, offset: u64, len: u32) {
        self.zero(offset + 9, offset + 9 + u64::from(len));
    }

    fn trailing_data(&mut self, offset: u64, len: u64) {
        self.zero(offset, offset.saturating_add(len));
    }

    fn frame(&mut self, r: &Frame) {
        for id in [r.method_name, r.signature, r.source_file] {
            self.use_name(id);
        }
        if let Some(n) = &mut self.names {
            // A frame counts for its class; an unknown class is outside the JDK.
            let jdk = n.serial_jdk.get(&u64::from(r.class_serial)) == Some(&true);
            let j = if jdk { USE_JDK } else { 0 };
            n.mark(r.method_name, USE_METHOD | j);
            n.mark(r.signature, USE_SIGNATURE | j);
            n.mark(r.source_file, USE_SOURCE | j);
        }
    }

    fn start_thread(&mut self, r: &StartThread) {
        for id in [r.name, r.group_name, r.parent_group_name] {
            self.use_name(id);
            if let Some(n) = &mut self.names {
                n.mark(id, USE_THREAD);
            }
        }
    }

    fn heap_dump_info(&mut self, _heap_id: u32, name_id: u64) {
        self.use_name(name_id);
    }

    fn obj_array(&mut self, _offset: u64, _r: &ObjArrayHeader) -> bool {
        self.saw_object = true;
        false
    }

    fn class_dump(&mut self, offset: u64, r: &ClassDump) {
        for f in &r.statics {
            self.use_name(f.name_id);
        }
        for f in &r.fields {
            self.use_name(f.name_id);
        }
        if let Some(n) = &mut self.names {
            // A field counts for the class that declares it.
            let jdk = self.class_kind.contains_key(&r.id);
            let bits = USE_FIELD | if jdk { USE_JDK } else { 0 };
            for f in r
                .statics
                .iter()
                .map(|f| f.name_id)
                .chain(r.fields.iter().map(|f| f.name_id))
            {
                n.mark(f, bits);
            }
        }
        self.class_values(offset, r);
        self.classes.insert(
            r.id,
            ClassInfo {
                super_id: r.super_id,
                fields: r.fields.clone(),
            },
        );
        self.new_classes = true;
    }

    fn instance(&mut self, offset: u64, r: &Instance<'_>) {
        self.saw_object = true;
        if self.error.is_some() {
            return;
        }
        let d = Deferred {
            offset,
            object: r.id,
            class_id: r.class_id,
            data_len: r.data.len() as u32,
        };
        if !self.redact_instance(&d, false) {
            self.deferred.push(d);
        }
    }

    fn prim_array(&mut self, offset: u64, r: &PrimArrayHeader) -> bool {
        self.saw_object = true;
        // NODATA arrays have no body; the parser checked the element type.
        let body = offset + 1 + prim_header_len(self.id_size) as u64;
        let es = u64::from(r.elem.size_in_dump(self.id_size).unwrap_or(0));
        let end = (body + u64::from(r.length) * es).min(self.tail_limit(body, offset));
        self.zero(body, end);
        false
    }
}

impl Rewrite {
    /// Zeroes an instance's values in the window. False when its class layout is not
    /// known yet (and `last_chance` is false); an error is recorded when it cannot be
    /// redacted.
    fn redact_instance(&mut self, d: &Deferred, last_chance: bool) -> bool {
        if !self.layouts.contains_key(&d.class_id) {
            match self.layout(d.class_id) {
                Ok(l) => {
                    self.layouts.insert(d.class_id, l);
                }
                Err(NoLayout::Missing(_)) if !last_chance => return false,
                Err(NoLayout::Missing(detail) | NoLayout::Bad(detail)) => {
                    let detail = format!("object 0x{:x}: {detail}", d.object);
                    self.fail(d.offset, "INSTANCE_DUMP", detail);
                    return true;
                }
            }
        }
        let Some(layout) = self.layouts.get(&d.class_id) else {
            return true;
        };
        if layout.data_len != d.data_len {
            let detail = format!(
                "object 0x{:x} has {} bytes of field data, its class 0x{:x} declares {}",
                d.object, d.data_len, d.class_id, layout.data_len
            );
            self.fail(d.offset, "INSTANCE_DUMP", detail);
            return true;
        }
        let data = d.offset + 1 + header_len(self.id_size) as u64;
        let Some(at) = data
            .checked_sub(self.base)
            .and_then(|a| usize::try_from(a).ok())
        else {
            return true;
        };
        for &(s, l) in &layout.zero {
            let from = at + s as usize;
            if let Some(v) = self.window.get_mut(from..from + l as usize) {
                v.fill(0);
            }
        }
        true
    }

    /// Tries the deferred instances again (after new class dumps arrived, or with
    /// `last_chance` at the end of the stream or of the deferral budget).
    fn retry_deferred(&mut self, last_chance: bool) {
        if self.deferred.is_empty() || !(self.new_classes || last_chance) {
            return;
        }
        self.new_classes = false;
        let waiting = std::mem::take(&mut self.deferred);
        for d in waiting {
            if self.error.is_some() {
                return;
            }
            if !self.redact_instance(&d, last_chance) {
                self.deferred.push(d);
            }
        }
    }

    /// Where the window may be output up to (absolute): the parser's position, the first
    /// deferred instance, or the first held UTF8 record.
    fn output_limit(&self, parsed: u64) -> u64 {
        let limit = self
            .deferred
            .first()
            .map_or(parsed, |d| d.offset.min(parsed));
        self.hold_from.map_or(limit, |h| h.min(limit))
    }

    fn use_name(&mut self, id: u64) {
        self.used_names.insert(id, ());
    }

    /// Ends the hold of UTF8 records: those that name nothing lose their text; with
    /// `--names`, those naming something outside the JDK get their placeholder.
    fn release_names(&mut self) {
        let held = std::mem::take(&mut self.utf8_held);
        let idz = u64::from(self.id_size);
        for (at, len, id) in held {
            if !self.used_names.contains_key(&id) {
                self.zero(at, at + u64::from(len));
                continue;
            }
            let Some(n) = &mut self.names else {
                continue;
            };
            let uses = n.uses.get(&id).copied().unwrap_or(0);
            let text = at
                .checked_sub(self.base)
                .and_then(|a| usize::try_from(a).ok())
                .and_then(|a| self.window.get(a..a.saturating_add(len as usize)));
            let Some(text) = text else {
                continue;
            };
            let Some(new) = n.replacement(uses, text) else {
                continue;
            };
            if new == text {
                continue;
            }
            // From the record's length field (after tag and time) to the end of its text.
            let (Some(id_at), Some(from)) = (at.checked_sub(idz), at.checked_sub(idz + 4)) else {
                continue;
            };
            let id_bytes = id_at
                .checked_sub(self.base)
                .and_then(|a| usize::try_from(a).ok())
                .and_then(|a| {
                    self.window
                        .get(a..a.saturating_add(usize::from(self.id_size)))
                });
            let Some(id_bytes) = id_bytes else {
                continue;
            };
            let mut bytes = Vec::with_capacity(4 + id_bytes.len() + new.len());
            let Ok(rec_len) = u32::try_from(new.len() as u64 + idz) else {
                continue;
            };
            bytes.extend_from_slice(&rec_len.to_be_bytes());
            bytes.extend_from_slice(id_bytes);
            bytes.extend_from_slice(&new);
            n.subs.push_back((from, at + u64::from(len), bytes));
        }
        if let Some(n) = &mut self.names {
            n.uses.clear();
        }
        self.hold_from = None;
        self.saw_object = false;
    }

    /// Releases the held UTF8 records once an object record came, or the hold grew too
    /// long, or (`end`) the stream ended.
    fn maybe_release_names(&mut self, end: bool) {
        if let Some(h) = self.hold_from {
            let long = self.end().saturating_sub(h) > MAX_DEFERRED_BYTES as u64;
            // Instances waiting for their class dumps: the names those use are not
            // known yet either.
            let objects = self.saw_object && self.deferred.is_empty();
            if end || objects || long {
                self.release_names();
            }
        }
    }

    /// Where an array body starting at `body` may end: a NODATA array (tag 0xC3) has none.
    fn tail_limit(&self, body: u64, offset: u64) -> u64 {
        let tag = offset
            .checked_sub(self.base)
            .and_then(|a| self.window.get(a as usize))
            .copied();
        if tag == Some(super::tags::SubTag::HPROF_PRIMITIVE_ARRAY_NODATA_DUMP.0) {
            body
        } else {
            u64::MAX
        }
    }
}

/// Deflate into one gzip member, in fixed blocks (see the module doc).
struct GzipEncoder {
    comp: Box<CompressorOxide>,
    stage: Vec<u8>,
    buf: Vec<u8>,
    crc: crc32fast::Hasher,
    len: u64,
}

/// Member header: no name, no time, unknown OS.
const GZIP_HEADER: [u8; 10] = [0x1f, 0x8b, 8, 0, 0, 0, 0, 0, 0, 255];

impl GzipEncoder {
    fn new(out: &mut Vec<u8>) -> Self {
        let mut comp = Box::<CompressorOxide>::default();
        comp.set_format_and_level(DataFormat::Raw, GZIP_LEVEL);
        out.extend_from_slice(&GZIP_HEADER);
        GzipEncoder {
            comp,
            stage: Vec::with_capacity(GZIP_BLOCK),
            buf: vec![0; 256 << 10],
            crc: crc32fast::Hasher::new(),
            len: 0,
        }
    }

    fn write(&mut self, mut data: &[u8], out: &mut Vec<u8>) -> Result<(), HprofError> {
        self.crc.update(data);
        self.len += data.len() as u64;
        while !data.is_empty() {
            let take = (GZIP_BLOCK - self.stage.len()).min(data.len());
            let (head, rest) = data.split_at(take);
            self.stage.extend_from_slice(head);
            data = rest;
            if self.stage.len() == GZIP_BLOCK {
                let block = std::mem::take(&mut self.stage);
                self.deflate(&block, MZFlush::None, out)?;
                self.stage = block;
                self.stage.clear();
            }
        }
        Ok(())
    }

    fn finish(&mut self, out: &mut Vec<u8>) -> Result<(), HprofError> {
        let block = std::mem::take(&mut self.stage);
        self.deflate(&block, MZFlush::Finish, out)?;
        let crc = std::mem::take(&mut self.crc).finalize();
        out.extend_from_slice(&crc.to_le_bytes());
        out.extend_from_slice(&(self.len as u32).to_le_bytes());
        Ok(())
    }

    fn deflate(
        &mut self,
        mut input: &[u8],
        flush: MZFlush,
        out: &mut Vec<u8>,
    ) -> Result<(), HprofError> {
        loop {
            let r = deflate(&mut self.comp, input, &mut self.buf, flush);
            out.extend_from_slice(self.buf.get(..r.bytes_written).unwrap_or_default());
            input = input.get(r.bytes_consumed..).unwrap_or_default();
            let full = r.bytes_written == self.buf.len();
            match r.status {
                Ok(MZStatus::StreamEnd) => return Ok(()),
                Ok(_) | Err(MZError::Buf) if flush == MZFlush::None => {
                    if input.is_empty() && !full {
                        return Ok(());
                    }
                }
                Ok(_) => {}
                Err(e) => {
                    return Err(HprofError::new(
                        self.len,
                        ErrorKind::Io {
                            detail: format!("compressing the copy failed ({e:?})"),
                        },
                    ));
                }
            }
        }
    }
}

/// Streams a dump in, its redacted copy out (see the module doc).
pub struct Redactor {
    /// Gzip output asked for (it is also gzip when the input is).
    force_gzip: bool,
    /// First bytes, held until there are enough to recognize gzip.
    sniff: Vec<u8>,
    detected: bool,
    gz: Option<GzipDecoder>,
    parser: StreamParser,
    v: Rewrite,
    enc: Option<GzipEncoder>,
    /// The error that stopped the copy: later calls repeat it.
    failed: Option<HprofError>,
}

impl Redactor {
    /// A redactor at the start of a file; `gzip` asks for gzip output whatever the input.
    pub fn new(level: Level, gzip: bool) -> Self {
        Self::make(level, gzip, None)
    }

    /// A redactor that also replaces the names outside the JDK by placeholders
    /// (`--names`), continuing `map` (empty, or read from an earlier copy's map).
    pub fn with_names(level: Level, gzip: bool, map: NameMap) -> Self {
        Self::make(level, gzip, Some(map))
    }

    /// The placeholders given (with `--names`): complete once `finish` returned.
    pub fn name_map(&self) -> Option<&NameMap> {
        self.v.names.as_ref().map(|n| &n.map)
    }

    /// Reads one entry of an earlier copy's map (see [`NameMap::assign`]) into the map of
    /// a redactor made [`with_names`](Self::with_names), before the first push.
    pub fn assign_name(
        &mut self,
        section: &str,
        placeholder: &str,
        name: &str,
    ) -> Result<(), String> {
        let kind = NameKind::from_section(section)
            .ok_or_else(|| format!("unknown section {section:?}"))?;
        match &mut self.v.names {
            Some(n) if !self.detected => n.map.assign(kind, placeholder, name),
            _ => Err(
                "names can be read only into a redactor with names, before the file".to_string(),
            ),
        }
    }

    fn make(level: Level, gzip: bool, names: Option<NameMap>) -> Self {
        Redactor {
            force_gzip: gzip,
            sniff: Vec::new(),
            detected: false,
            gz: None,
            parser: StreamParser::new(),
            v: Rewrite::new(level, names),
            enc: None,
            failed: None,
        }
    }

    /// Whether the copy is gzip: `None` until the first two bytes were pushed.
    pub fn gzip_output(&self) -> Option<bool> {
        self.detected.then_some(self.enc.is_some())
    }

    /// Feeds the next bytes of the file; the copy's bytes for them (as far as they are
    /// final) are appended to `out`.
    pub fn push(&mut self, data: &[u8], out: &mut Vec<u8>) -> Result<(), HprofError> {
        if let Some(e) = &self.failed {
            return Err(e.clone());
        }
        let r = self.read(data, out);
        if let Err(e) = &r {
            self.failed = Some(e.clone());
        }
        r
    }

    fn read(&mut self, data: &[u8], out: &mut Vec<u8>) -> Result<(), HprofError> {
        if !self.detected {
            self.sniff.extend_from_slice(data);
            if self.sniff.len() < 2 {
                return Ok(());
            }
            let first = std::mem::take(&mut self.sniff);
            self.start(&first, out);
            return self.feed(&first, out);
        }
        self.feed(data, out)
    }

    fn start(&mut self, first: &[u8], out: &mut Vec<u8>) {
        self.detected = true;
        let gz = is_gzip(first);
        if gz {
            self.gz = Some(GzipDecoder::new(false));
        }
        if gz || self.force_gzip {
            self.enc = Some(GzipEncoder::new(out));
        }
    }

    fn feed(&mut self, data: &[u8], out: &mut Vec<u8>) -> Result<(), HprofError> {
        let Redactor {
            gz, parser, v, enc, ..
        } = self;
        match gz {
            None => step(parser, v, enc, data, out),
            Some(gz) => {
                let mut sink = |b: &[u8]| {
                    step(parser, v, enc, b, out).map_err(|mut e| {
                        e.decompressed = true;
                        e
                    })
                };
                gz.push(data, &mut sink)
            }
        }
    }

    /// Declares the end of the file and appends the copy's last bytes to `out`. Fails as
    /// analysing the dump would on a dump that is cut short or damaged (nothing of a
    /// damaged dump is copied past its damage, so no copy is made of it).
    pub fn finish(&mut self, out: &mut Vec<u8>) -> Result<(), HprofError> {
        if let Some(e) = &self.failed {
            return Err(e.clone());
        }
        let r = self.end(out);
        if let Err(e) = &r {
            self.failed = Some(e.clone());
        }
        r
    }

    fn end(&mut self, out: &mut Vec<u8>) -> Result<(), HprofError> {
        if !self.detected {
            let first = std::mem::take(&mut self.sniff);
            self.start(&first, out);
            self.feed(&first, out)?;
        }
        let decompressed = self.gz.is_some();
        if let Some(gz) = &self.gz {
            gz.finish()?;
        }
        self.parser.finish(&mut self.v).map_err(|mut e| {
            e.decompressed = decompressed;
            e
        })?;
        self.v.retry_deferred(true);
        self.v.maybe_release_names(true);
        if let Some(e) = self.v.error.take() {
            return Err(e);
        }
        // What is left is the trailing data `finish` reported (zeroed by then).
        let n = self.v.window.len();
        output(&mut self.v, &mut self.enc, n, out)?;
        self.v.window.clear();
        if let Some(enc) = &mut self.enc {
            enc.finish(out)?;
        }
        Ok(())
    }
}

/// Parses the next stream bytes and outputs the part of the window the parser is done
/// with.
fn step(
    parser: &mut StreamParser,
    v: &mut Rewrite,
    enc: &mut Option<GzipEncoder>,
    data: &[u8],
    out: &mut Vec<u8>,
) -> Result<(), HprofError> {
    v.append(data);
    parser.push(data, v)?;
    // The deferral budget counts the bytes held since the first waiting instance.
    let over = v
        .deferred
        .first()
        .is_some_and(|d| v.end().saturating_sub(d.offset) > MAX_DEFERRED_BYTES as u64);
    v.retry_deferred(over);
    v.maybe_release_names(false);
    if let Some(e) = v.error.take() {
        return Err(e);
    }
    let done = v.output_limit(parser.position()).saturating_sub(v.base);
    let n = usize::try_from(done)
        .unwrap_or(usize::MAX)
        .min(v.window.len());
    let n = output(v, enc, n, out)?;
    v.window.drain(..n);
    v.base += n as u64;
    Ok(())
}

/// Outputs the window's first `n` bytes, with the replaced UTF8 records' new bytes in
/// place of theirs; returns how many window bytes were output (fewer than `n` when a
/// replaced record runs past it: it waits whole).
fn output(
    v: &mut Rewrite,
    enc: &mut Option<GzipEncoder>,
    n: usize,
    out: &mut Vec<u8>,
) -> Result<usize, HprofError> {
    let mut pos = 0usize;
    if let Some(names) = &mut v.names {
        while let Some((from, to, _)) = names.subs.front() {
            let a = usize::try_from(from.saturating_sub(v.base)).unwrap_or(usize::MAX);
            let b = usize::try_from(to.saturating_sub(v.base)).unwrap_or(usize::MAX);
            if a >= n {
                break;
            }
            if b > n {
                emit(enc, v.window.get(pos..a).unwrap_or_default(), out)?;
                return Ok(a);
            }
            emit(enc, v.window.get(pos..a).unwrap_or_default(), out)?;
            if let Some((_, _, bytes)) = names.subs.pop_front() {
                emit(enc, &bytes, out)?;
            }
            pos = b;
        }
    }
    emit(enc, v.window.get(pos..n).unwrap_or_default(), out)?;
    Ok(n)
}

fn emit(enc: &mut Option<GzipEncoder>, bytes: &[u8], out: &mut Vec<u8>) -> Result<(), HprofError> {
    match enc {
        None => {
            out.extend_from_slice(bytes);
            Ok(())
        }
        Some(e) => e.write(bytes, out),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn jdk_names() {
        assert!(is_jdk_name(b"java/lang/String"));
        assert!(is_jdk_name(b"com.sun.Foo"));
        assert!(is_jdk_name(b"sun/misc/Unsafe"));
        assert!(!is_jdk_name(b"javax"));
        assert!(!is_jdk_name(b"com/example/Foo"));
        assert!(!is_jdk_name(b"[Ljava/lang/String;"));
        assert!(!is_jdk_name(b"javafx/Foo"));
    }
}
