//! A synthetic HotSpot heap dump of any size, written as HPROF while it is generated.
//!
//! The graph has the shapes of `tests/bench/java/HeapGenerator.java` (maps of customer
//! records, orders, linked events, log lines, primitive and `Object[]` arrays, chains, a
//! red-black tree, a document tree, finalizable objects behind a `java.util.Timer` whose
//! queue holds cancelled tasks, soft/weak references, threads holding data in locals),
//! but nothing is held in memory: the graph is cut into *units* (a shard of a map, a batch
//! of events, …) of at most a few thousand objects, each built, written and forgotten.
//! Only a few numbers per unit are kept (8–32 bytes per shard of ~1 000–10 000 objects,
//! to refer back to earlier customers and orders and to list the shards at the end), so
//! the memory is a few MB whatever the dump's size. The big collections are therefore
//! lists of shards (a list of `HashMap`s of ≤ 1 024 customers, …), not one table of
//! hundreds of millions of slots.
//!
//! The layout is HotSpot's for JDK 17 on x86-64 with compressed oops and compressed class
//! pointers (heaps below 32 GB): 12-byte headers, 4-byte references, fields packed as
//! `FieldLayoutBuilder` does, `java.lang.Thread` padded by its `@Contended` fields. Object
//! IDs are addresses, written in address order, each object right after the previous one,
//! so the address gaps are the live sizes (as in a real dump) and Heapscope's size model
//! finds this layout.
//!
//! Class dumps and GC roots come first in a dump and name objects (the statics, the thread
//! objects) written much later. The generator therefore runs twice with the same seed:
//! once without output to learn those IDs (the plan), then for real. Both runs draw the
//! same random numbers, so they lay out the same objects; the second checks that it did.

use heapscope::format::tags::{BasicType, SubTag};
use heapscope::format::writer::HprofWriter;
use std::collections::BTreeMap;
use std::io::{self, Write};

/// What to generate.
#[derive(Clone, Debug)]
pub struct Config {
    /// Seed of the random choices: the same seed and target give the same bytes.
    pub seed: u64,
    /// How large.
    pub target: Target,
    /// Heap-dump segment size (body bytes).
    pub segment_limit: usize,
}

/// The size of the dump: objects, or file bytes. Every part fills its share of the bytes
/// (an object target counts [`BYTES_PER_OBJECT`] each), so both are approximate (within
/// about 1 %): the manifest says what was written.
#[derive(Clone, Copy, Debug)]
pub enum Target {
    Objects(u64),
    Bytes(u64),
}

/// Dump file bytes per object the parts are planned with (`bench-1g.hprof`: 70.4).
const BYTES_PER_OBJECT: u64 = 70;

/// What was written: counts per class, for tests and for the report.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Manifest {
    /// Class name (Java form: `java.lang.String`, `byte[]`) → (instances, live bytes).
    pub classes: BTreeMap<String, (u64, u64)>,
    /// Objects (instances and arrays; class objects excluded).
    pub objects: u64,
    /// Their live bytes (compressed oops layout).
    pub shallow_bytes: u64,
    /// Non-null references in instance fields and object-array elements.
    pub references: u64,
    /// Non-null references of class objects: superclasses and static fields.
    pub class_references: u64,
    /// GC roots by kind (`thread_object`, `java_frame`, …).
    pub gc_roots: BTreeMap<&'static str, u64>,
    /// Classes (class dumps).
    pub class_dumps: u64,
    /// `java.lang.ref.Finalizer` objects (all with a referent).
    pub finalizers: u64,
    /// Tasks in the shared Timer's queue, and how many of them are cancelled.
    pub timer_tasks: u64,
    pub cancelled_tasks: u64,
    /// The Timer thread's name.
    pub timer_thread: String,
    /// File bytes.
    pub file_bytes: u64,
    /// Objects per part, in generation order.
    pub parts: Vec<(&'static str, u64)>,
}

impl Manifest {
    /// The manifest as JSON (no serde here: the example prints it, the test reads the
    /// struct).
    pub fn to_json(&self) -> String {
        let mut s = String::from("{\n");
        s += &format!("  \"file_bytes\": {},\n", self.file_bytes);
        s += &format!("  \"objects\": {},\n", self.objects);
        s += &format!("  \"shallow_bytes\": {},\n", self.shallow_bytes);
        s += &format!("  \"references\": {},\n", self.references);
        s += &format!("  \"class_dumps\": {},\n", self.class_dumps);
        s += &format!("  \"class_references\": {},\n", self.class_references);
        s += &format!("  \"finalizers\": {},\n", self.finalizers);
        s += &format!("  \"timer_tasks\": {},\n", self.timer_tasks);
        s += &format!("  \"cancelled_tasks\": {},\n", self.cancelled_tasks);
        s += &format!("  \"timer_thread\": \"{}\",\n", self.timer_thread);
        let roots: Vec<String> = self
            .gc_roots
            .iter()
            .map(|(k, v)| format!("\"{k}\": {v}"))
            .collect();
        s += &format!("  \"gc_roots\": {{{}}},\n", roots.join(", "));
        let parts: Vec<String> = self
            .parts
            .iter()
            .map(|(k, v)| format!("\"{k}\": {v}"))
            .collect();
        s += &format!("  \"objects_by_part\": {{{}}},\n", parts.join(", "));
        s += "  \"classes\": {\n";
        let rows: Vec<String> = self
            .classes
            .iter()
            .map(|(k, (n, b))| {
                format!("    \"{k}\": {{\"instances\": {n}, \"shallow_bytes\": {b}}}")
            })
            .collect();
        s += &rows.join(",\n");
        s += "\n  }\n}\n";
        s
    }
}

/// Generates a dump into `out` (wrap a file in a `BufWriter`); returns what it wrote.
pub fn generate<W: Write>(cfg: &Config, out: W) -> io::Result<(Manifest, W)> {
    let mut dry = Gen::<io::Sink>::start(cfg, None);
    dry.build();
    let plan = std::mem::take(&mut dry.plan);
    let mut w = HprofWriter::to_sink(out, "JAVA PROFILE 1.0.2", 8, TIMESTAMP_MS);
    w.set_segment_limit(cfg.segment_limit);
    let mut g = Gen::start(cfg, Some(w));
    g.preamble(&plan);
    g.build();
    if g.plan != plan {
        return Err(io::Error::other(
            "the second run laid out other objects than the first (a bug in the generator)",
        ));
    }
    let mut w = g.w.take().ok_or_else(|| io::Error::other("no writer"))?;
    w.heap_dump_end();
    let file_bytes = w.position();
    let out = w.into_inner()?;
    let mut m = g.manifest;
    m.file_bytes = file_bytes;
    Ok((m, out))
}

// ---------------------------------------------------------------------- addresses

/// When the dump was taken (ms since the epoch): 2025-11-14.
const TIMESTAMP_MS: u64 = 1_763_100_000_000;
/// Class objects: one every 4 KiB from here (their gaps are upper bounds only).
const CLASS_BASE: u64 = 0x6_0000_0000;
/// Objects, in address order, from here.
const DATA_BASE: u64 = CLASS_BASE + (16 << 20);
/// Symbol (UTF8 record) IDs.
const NAME_BASE: u64 = 0x7f00_0000_0000;
/// Frame IDs.
const FRAME_BASE: u64 = 0x7e00_0000_0000;

fn align8(n: u64) -> u64 {
    (n + 7) & !7
}

// ---------------------------------------------------------------------- classes

use BasicType as T;
const O: T = T::OBJECT;

/// One class: JVM name, superclass, own instance fields in declaration order (the dump's
/// order), and the live instance size with compressed oops (JDK 17; from the JVM's own
/// histograms for JDK classes, by `FieldLayoutBuilder`'s rules for the others). Arrays
/// have size 0 and an element type.
struct Spec {
    name: &'static str,
    sup: Option<C>,
    fields: &'static [(&'static str, T)],
    size: u32,
}

macro_rules! classes {
    ($($id:ident = $name:literal, $sup:expr, $size:expr, [$(($f:literal, $t:expr)),*];)*) => {
        #[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
        #[allow(non_camel_case_types, clippy::upper_case_acronyms)]
        enum C { $($id),* }
        const SPECS: &[Spec] = &[$(Spec { name: $name, sup: $sup, fields: &[$(($f, $t)),*], size: $size }),*];
        const ALL: &[C] = &[$(C::$id),*];
    };
}

classes! {
    Object = "java/lang/Object", None, 16, [];
    String = "java/lang/String", Some(C::Object), 24,
        [("value", O), ("coder", T::BYTE), ("hash", T::INT), ("hashIsZero", T::BOOLEAN)];
    Number = "java/lang/Number", Some(C::Object), 0, [];
    Integer = "java/lang/Integer", Some(C::Number), 16, [("value", T::INT)];
    Long = "java/lang/Long", Some(C::Number), 24, [("value", T::LONG)];
    Double = "java/lang/Double", Some(C::Number), 24, [("value", T::DOUBLE)];
    Enum = "java/lang/Enum", Some(C::Object), 0, [("name", O), ("ordinal", T::INT)];
    // JDK 16+ (no instances here): tells a packed-layout JVM.
    Record = "java/lang/Record", Some(C::Object), 0, [];
    AbstractMap = "java/util/AbstractMap", Some(C::Object), 0, [("keySet", O), ("values", O)];
    HashMap = "java/util/HashMap", Some(C::AbstractMap), 48,
        [("table", O), ("entrySet", O), ("size", T::INT), ("modCount", T::INT),
         ("threshold", T::INT), ("loadFactor", T::FLOAT)];
    HashMapNode = "java/util/HashMap$Node", Some(C::Object), 32,
        [("hash", T::INT), ("key", O), ("value", O), ("next", O)];
    AbstractCollection = "java/util/AbstractCollection", Some(C::Object), 0, [];
    AbstractList = "java/util/AbstractList", Some(C::AbstractCollection), 0, [("modCount", T::INT)];
    ArrayList = "java/util/ArrayList", Some(C::AbstractList), 24,
        [("elementData", O), ("size", T::INT)];
    AbstractSequentialList = "java/util/AbstractSequentialList", Some(C::AbstractList), 0, [];
    LinkedList = "java/util/LinkedList", Some(C::AbstractSequentialList), 32,
        [("size", T::INT), ("first", O), ("last", O)];
    LinkedListNode = "java/util/LinkedList$Node", Some(C::Object), 24,
        [("item", O), ("next", O), ("prev", O)];
    ConcurrentHashMap = "java/util/concurrent/ConcurrentHashMap", Some(C::AbstractMap), 64,
        [("table", O), ("nextTable", O), ("baseCount", T::LONG), ("sizeCtl", T::INT),
         ("transferIndex", T::INT), ("cellsBusy", T::INT), ("counterCells", O),
         ("keySet", O), ("values", O), ("entrySet", O)];
    ChmNode = "java/util/concurrent/ConcurrentHashMap$Node", Some(C::Object), 32,
        [("hash", T::INT), ("key", O), ("val", O), ("next", O)];
    TreeMap = "java/util/TreeMap", Some(C::AbstractMap), 48,
        [("comparator", O), ("root", O), ("size", T::INT), ("modCount", T::INT),
         ("entrySet", O), ("navigableKeySet", O), ("descendingMap", O)];
    TreeMapEntry = "java/util/TreeMap$Entry", Some(C::Object), 40,
        [("key", O), ("value", O), ("left", O), ("right", O), ("parent", O), ("color", T::BOOLEAN)];
    Reference = "java/lang/ref/Reference", Some(C::Object), 32,
        [("referent", O), ("queue", O), ("next", O), ("discovered", O)];
    SoftReference = "java/lang/ref/SoftReference", Some(C::Reference), 40, [("timestamp", T::LONG)];
    WeakReference = "java/lang/ref/WeakReference", Some(C::Reference), 32, [];
    FinalReference = "java/lang/ref/FinalReference", Some(C::Reference), 32, [];
    Finalizer = "java/lang/ref/Finalizer", Some(C::FinalReference), 40, [("next", O), ("prev", O)];
    ReferenceQueue = "java/lang/ref/ReferenceQueue", Some(C::Object), 32,
        [("lock", O), ("head", O), ("queueLength", T::LONG)];
    ReferenceQueueNull = "java/lang/ref/ReferenceQueue$Null", Some(C::ReferenceQueue), 32, [];
    ReferenceQueueLock = "java/lang/ref/ReferenceQueue$Lock", Some(C::Object), 16, [];
    WeakHashMap = "java/util/WeakHashMap", Some(C::AbstractMap), 48,
        [("table", O), ("size", T::INT), ("threshold", T::INT), ("loadFactor", T::FLOAT),
         ("queue", O), ("modCount", T::INT), ("entrySet", O)];
    WeakHashMapEntry = "java/util/WeakHashMap$Entry", Some(C::WeakReference), 40,
        [("value", O), ("hash", T::INT), ("next", O)];
    Timer = "java/util/Timer", Some(C::Object), 24, [("queue", O), ("thread", O), ("cleanup", O)];
    TaskQueue = "java/util/TaskQueue", Some(C::Object), 24, [("queue", O), ("size", T::INT)];
    TimerTask = "java/util/TimerTask", Some(C::Object), 40,
        [("lock", O), ("state", T::INT), ("nextExecutionTime", T::LONG), ("period", T::LONG)];
    Thread = "java/lang/Thread", Some(C::Object), 368,
        [("name", O), ("priority", T::INT), ("daemon", T::BOOLEAN), ("interrupted", T::BOOLEAN),
         ("stillborn", T::BOOLEAN), ("eetop", T::LONG), ("target", O), ("group", O),
         ("contextClassLoader", O), ("inheritedAccessControlContext", O), ("threadLocals", O),
         ("inheritableThreadLocals", O), ("stackSize", T::LONG), ("tid", T::LONG),
         ("threadStatus", T::INT), ("parkBlocker", O), ("blocker", O), ("blockerLock", O),
         ("uncaughtExceptionHandler", O), ("threadLocalRandomSeed", T::LONG),
         ("threadLocalRandomProbe", T::INT), ("threadLocalRandomSecondarySeed", T::INT)];
    TimerThread = "java/util/TimerThread", Some(C::Thread), 376,
        [("newTasksMayBeScheduled", T::BOOLEAN), ("queue", O)];
    FinalizerThread = "java/lang/ref/Finalizer$FinalizerThread", Some(C::Thread), 376,
        [("running", T::BOOLEAN)];
    // The application (HeapGenerator.java's classes; sizes: header 12, then primitives by
    // size with the 4-byte hole after the header taken by an int or a reference, then
    // references, rounded up to 8).
    HeapGenerator = "HeapGenerator", Some(C::Object), 16, [];
    Customer = "HeapGenerator$Customer", Some(C::Object), 56,
        [("id", T::LONG), ("name", O), ("email", O), ("city", O), ("score", O), ("since", O),
         ("address", O), ("orders", O), ("lastOrder", O)];
    Address = "HeapGenerator$Address", Some(C::Object), 32,
        [("street", O), ("zip", O), ("city", O), ("number", T::INT)];
    Product = "HeapGenerator$Product", Some(C::Object), 32,
        [("sku", O), ("title", O), ("price", O), ("stock", T::INT)];
    OrderStatus = "HeapGenerator$OrderStatus", Some(C::Enum), 24, [];
    Order = "HeapGenerator$Order", Some(C::Object), 56,
        [("id", T::LONG), ("createdAt", T::LONG), ("customer", O), ("product", O),
         ("quantity", O), ("total", O), ("note", O), ("previous", O), ("status", O)];
    Event = "HeapGenerator$Event", Some(C::Object), 32,
        [("timestamp", T::LONG), ("kind", O), ("payload", O), ("sequence", T::INT)];
    ChainNode = "HeapGenerator$ChainNode", Some(C::Object), 24,
        [("next", O), ("value", O), ("sequence", T::INT)];
    Sample = "HeapGenerator$Sample", Some(C::Object), 32, [("value", T::DOUBLE), ("timestamp", T::LONG)];
    DocNode = "HeapGenerator$DocNode", Some(C::Object), 32,
        [("tag", O), ("parent", O), ("children", O), ("text", O)];
    Session = "HeapGenerator$Session", Some(C::Object), 24, [("token", O), ("expiresAt", T::LONG)];
    PgStatement = "HeapGenerator$PgStatement", Some(C::Object), 24,
        [("id", T::INT), ("sql", O), ("buffer", O)];
    CancelTask = "HeapGenerator$CancelTask", Some(C::TimerTask), 40, [("statement", O)];
    KeepAliveTask = "HeapGenerator$KeepAliveTask", Some(C::TimerTask), 40, [];
    PooledConnection = "HeapGenerator$PooledConnection", Some(C::Object), 24,
        [("id", T::INT), ("url", O), ("socketBuffer", O)];
    ConnectionRegistry = "HeapGenerator$ConnectionRegistry", Some(C::Object), 16, [];
    // Array classes.
    ObjectArray = "[Ljava/lang/Object;", Some(C::Object), 0, [];
    StringArray = "[Ljava/lang/String;", Some(C::Object), 0, [];
    HashMapNodeArray = "[Ljava/util/HashMap$Node;", Some(C::Object), 0, [];
    ChmNodeArray = "[Ljava/util/concurrent/ConcurrentHashMap$Node;", Some(C::Object), 0, [];
    WeakHashMapEntryArray = "[Ljava/util/WeakHashMap$Entry;", Some(C::Object), 0, [];
    TimerTaskArray = "[Ljava/util/TimerTask;", Some(C::Object), 0, [];
    ProductArray = "[LHeapGenerator$Product;", Some(C::Object), 0, [];
    OrderStatusArray = "[LHeapGenerator$OrderStatus;", Some(C::Object), 0, [];
    BooleanArray = "[Z", Some(C::Object), 0, [];
    CharArray = "[C", Some(C::Object), 0, [];
    FloatArray = "[F", Some(C::Object), 0, [];
    DoubleArray = "[D", Some(C::Object), 0, [];
    ByteArray = "[B", Some(C::Object), 0, [];
    ShortArray = "[S", Some(C::Object), 0, [];
    IntArray = "[I", Some(C::Object), 0, [];
    LongArray = "[J", Some(C::Object), 0, [];
}

const PRIMS: [(C, T, u64); 8] = [
    (C::BooleanArray, T::BOOLEAN, 1),
    (C::CharArray, T::CHAR, 2),
    (C::FloatArray, T::FLOAT, 4),
    (C::DoubleArray, T::DOUBLE, 8),
    (C::ByteArray, T::BYTE, 1),
    (C::ShortArray, T::SHORT, 2),
    (C::IntArray, T::INT, 4),
    (C::LongArray, T::LONG, 8),
];

fn spec(c: C) -> &'static Spec {
    &SPECS[c as usize]
}

fn class_id(c: C) -> u64 {
    CLASS_BASE + (c as u64) * 0x1000
}

/// Java form of a JVM class name: `java.util.HashMap$Node`, `byte[]`, `java.lang.Object[]`.
fn java_name(jvm: &str) -> String {
    if let Some(e) = jvm.strip_prefix('[') {
        let base = match e {
            "Z" => "boolean".to_string(),
            "C" => "char".to_string(),
            "F" => "float".to_string(),
            "D" => "double".to_string(),
            "B" => "byte".to_string(),
            "S" => "short".to_string(),
            "I" => "int".to_string(),
            "J" => "long".to_string(),
            _ => e
                .trim_start_matches('L')
                .trim_end_matches(';')
                .replace('/', "."),
        };
        format!("{base}[]")
    } else {
        jvm.replace('/', ".")
    }
}

fn dump_size(t: T) -> usize {
    match t {
        T::OBJECT | T::LONG | T::DOUBLE => 8,
        T::INT | T::FLOAT => 4,
        T::CHAR | T::SHORT => 2,
        _ => 1,
    }
}

/// Field types of an instance record: the class's own fields, then its superclasses'.
fn flat_fields(c: C) -> Vec<T> {
    let mut v = Vec::new();
    let mut cur = Some(c);
    while let Some(k) = cur {
        v.extend(spec(k).fields.iter().map(|f| f.1));
        cur = spec(k).sup;
    }
    v
}

// ---------------------------------------------------------------------- random numbers

/// SplitMix64: small, fast, and the same on every platform.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }
    /// Uniform in `0..n` (`n > 0`).
    fn below(&mut self, n: u64) -> u64 {
        ((u128::from(self.next()) * u128::from(n)) >> 64) as u64
    }
    fn f64(&mut self) -> f64 {
        (self.next() >> 11) as f64 / (1u64 << 53) as f64
    }
    fn pick<'a>(&mut self, a: &[&'a str]) -> &'a str {
        a[self.below(a.len() as u64) as usize]
    }
    /// Log-uniform in `1..=max`.
    fn log_uniform(&mut self, max: u64) -> u64 {
        ((self.f64() * (max as f64).ln()).exp() as u64).clamp(1, max)
    }
}

const FIRST: &[&str] = &[
    "Anna",
    "Ben",
    "Chloé",
    "David",
    "Emma",
    "Felix",
    "Grace",
    "Hugo",
    "Ines",
    "Jonas",
    "Kateřina",
    "Łukasz",
    "Marta",
    "Noah",
    "Olga",
    "Pierre",
    "Quentin",
    "Rosa",
    "Søren",
    "Tomás",
];
const LAST: &[&str] = &[
    "Müller",
    "Schmidt",
    "Dubois",
    "Martin",
    "Rossi",
    "García",
    "Novák",
    "Kowalski",
    "Jensen",
    "Silva",
    "Smith",
    "Brown",
    "Nguyen",
    "Ivanova",
    "Papadopoulos",
    "Horvat",
];
const STREETS: &[&str] = &[
    "Main Street",
    "Rue de la Paix",
    "Hauptstraße",
    "Via Roma",
    "Calle Mayor",
    "Baker Street",
    "Nørregade",
    "Ulica Długa",
    "Kings Road",
    "Park Avenue",
];
/// The first 20 are ASCII; the rest are not Latin-1 (their lines are UTF-16).
const WORDS: &[&str] = &[
    "request",
    "handled",
    "user",
    "session",
    "cache",
    "miss",
    "hit",
    "order",
    "payment",
    "accepted",
    "timeout",
    "retry",
    "queue",
    "flush",
    "commit",
    "rollback",
    "query",
    "index",
    "shard",
    "replica",
    "запрос",
    "обработан",
    "ユーザー",
    "注文",
    "κατάσταση",
    "Ελλάδα",
    "مرحبا",
    "שלום",
];
const EVENT_KINDS: &[&str] = &[
    "login", "logout", "view", "click", "purchase", "refund", "search",
];
const TAGS: &[&str] = &[
    "div", "span", "p", "ul", "li", "a", "table", "tr", "td", "section",
];
const STATUSES: &[&str] = &["NEW", "PAID", "SHIPPED", "DELIVERED", "RETURNED"];

/// `String.hashCode` of a Latin-1 string.
fn java_hash(s: &str) -> i32 {
    s.chars()
        .fold(0i32, |h, c| h.wrapping_mul(31).wrapping_add(c as i32))
}

// ---------------------------------------------------------------------- the writer side

/// An object of the unit being built.
enum Rec {
    /// Instance; field bytes at `data[start..start + len]` (`len` 0 until set).
    Inst {
        id: u64,
        class: C,
        start: usize,
        len: usize,
    },
    /// Object array; elements at `elems[start..start + len]` (`set` false until set).
    Arr {
        id: u64,
        class: C,
        start: usize,
        len: usize,
        set: bool,
    },
    /// Primitive array.
    Prim {
        id: u64,
        class: C,
        len: u32,
        fill: Fill,
    },
}

impl Rec {
    fn id(&self) -> u64 {
        match *self {
            Rec::Inst { id, .. } | Rec::Arr { id, .. } | Rec::Prim { id, .. } => id,
        }
    }
}

/// Contents of a primitive array.
#[derive(Clone, Copy)]
enum Fill {
    /// Bytes at `data[start..start + n]`.
    Bytes(usize, usize),
    /// All zero.
    Zero,
    /// Every 8th byte from a random generator with this seed, the rest zero.
    Sparse(u64),
}

/// What the first run learns and the second uses: values of statics, GC roots, threads.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
struct Plan {
    /// (class, static name, object ID).
    statics: Vec<(C, &'static str, u64)>,
    /// (kind, object, thread serial, frame depth).
    roots: Vec<(SubTag, u64, u32, u32)>,
    /// Threads: (object, name, stack frames as (class, method, signature, line)).
    threads: Vec<(u64, String, Frames)>,
}

struct Gen<W: Write> {
    w: Option<HprofWriter<W>>,
    rng: Rng,
    target: Target,
    /// Objects the parts are planned for.
    planned_objects: u64,
    /// Next free address.
    addr: u64,
    /// The unit being built.
    recs: Vec<Rec>,
    data: Vec<u8>,
    elems: Vec<u64>,
    flat: Vec<Vec<T>>,
    /// Heap-dump bytes of the objects so far (records as written).
    heap_bytes: u64,
    manifest: Manifest,
    /// Per class (`C` index): instances and live bytes.
    counts: Vec<(u64, u64)>,
    plan: Plan,
    // Pools.
    empty_array: u64,
    cities: Vec<u64>,
    zips: Vec<u64>,
    products: Vec<u64>,
    statuses: Vec<u64>,
    event_kinds: Vec<u64>,
    tags: Vec<u64>,
    null_queue: u64,
    finalizer_queue: u64,
    /// Customer and order shards: (address of the first, count); all the same size.
    customer_blocks: Vec<(u64, u64)>,
    order_blocks: Vec<(u64, u64)>,
    /// The newest Finalizer (`Finalizer.unfinalized`), and the one whose `prev` must
    /// point at the next unit's first Finalizer.
    last_finalizer: u64,
    sequence: u64,
    /// Shards of the top-level collections: static name → the shards' heads.
    tops: BTreeMap<&'static str, Vec<u64>>,
}

/// Entries per map shard, events per linked list, … (what one unit holds).
const SHARD: u64 = 1024;
/// At most this many cancelled tasks in the Timer's queue (its `TimerTask[]` is one record:
/// 8 MiB of IDs), and pooled connections in the static map.
const MAX_TIMER_TASKS: u64 = 1 << 20;
const MAX_CONNECTIONS: u64 = 1 << 16;

impl<W: Write> Gen<W> {
    fn start(cfg: &Config, w: Option<HprofWriter<W>>) -> Self {
        let planned_objects = match cfg.target {
            Target::Objects(n) => n,
            Target::Bytes(b) => b / BYTES_PER_OBJECT,
        };
        Gen {
            w,
            rng: Rng(cfg.seed),
            target: cfg.target,
            planned_objects,
            addr: DATA_BASE,
            recs: Vec::new(),
            data: Vec::new(),
            elems: Vec::new(),
            flat: (0..SPECS.len()).map(|i| flat_fields(ALL[i])).collect(),
            heap_bytes: 0,
            manifest: Manifest::default(),
            counts: vec![(0, 0); SPECS.len()],
            plan: Plan::default(),
            empty_array: 0,
            cities: Vec::new(),
            zips: Vec::new(),
            products: Vec::new(),
            statuses: Vec::new(),
            event_kinds: Vec::new(),
            tags: Vec::new(),
            null_queue: 0,
            finalizer_queue: 0,
            customer_blocks: Vec::new(),
            order_blocks: Vec::new(),
            last_finalizer: 0,
            sequence: 0,
            tops: BTreeMap::new(),
        }
    }

    /// Progress: heap-dump bytes so far.
    fn used(&self) -> u64 {
        self.heap_bytes
    }

    /// The budget in heap-dump bytes (an object target at [`BYTES_PER_OBJECT`]).
    fn total(&self) -> u64 {
        match self.target {
            Target::Objects(n) => n * BYTES_PER_OBJECT,
            Target::Bytes(b) => b,
        }
    }

    // ------------------------------------------------------------------ allocation

    fn alloc(&mut self, class: C, size: u64) -> u64 {
        let id = self.addr;
        self.addr += size;
        let c = &mut self.counts[class as usize];
        c.0 += 1;
        c.1 += size;
        self.manifest.objects += 1;
        self.manifest.shallow_bytes += size;
        id
    }

    /// Reserves an instance; its fields are given by `set`.
    fn obj(&mut self, c: C) -> u64 {
        let id = self.alloc(c, u64::from(spec(c).size));
        self.recs.push(Rec::Inst {
            id,
            class: c,
            start: 0,
            len: 0,
        });
        let bytes: usize = self.flat[c as usize].iter().map(|&t| dump_size(t)).sum();
        self.heap_bytes += 25 + bytes as u64;
        id
    }

    fn rec_index(&self, id: u64) -> usize {
        self.recs
            .binary_search_by_key(&id, Rec::id)
            .expect("an object of this unit")
    }

    /// Sets an instance's fields, in record order (own fields, then the superclasses').
    fn set(&mut self, id: u64, values: &[u64]) {
        let i = self.rec_index(id);
        let Rec::Inst { class, .. } = self.recs[i] else {
            panic!("not an instance")
        };
        let types = &self.flat[class as usize];
        assert_eq!(
            types.len(),
            values.len(),
            "{}: field count",
            spec(class).name
        );
        let start = self.data.len();
        for (&t, &v) in types.iter().zip(values) {
            let n = dump_size(t);
            if t == T::OBJECT && v != 0 {
                self.manifest.references += 1;
            }
            self.data.extend_from_slice(&v.to_be_bytes()[8 - n..]);
        }
        let len = self.data.len() - start;
        self.recs[i] = Rec::Inst {
            id,
            class,
            start,
            len,
        };
    }

    /// An instance with these fields (see `set`).
    fn make(&mut self, c: C, values: &[u64]) -> u64 {
        let id = self.obj(c);
        self.set(id, values);
        id
    }

    /// Reserves an object array of `len` elements (given by `set_arr`).
    fn arr_reserve(&mut self, c: C, len: u64) -> u64 {
        let id = self.alloc(c, align8(16 + 4 * len));
        self.recs.push(Rec::Arr {
            id,
            class: c,
            start: 0,
            len: len as usize,
            set: false,
        });
        self.heap_bytes += 25 + 8 * len;
        id
    }

    fn set_arr(&mut self, id: u64, elems: &[u64]) {
        let i = self.rec_index(id);
        let Rec::Arr { class, len, .. } = self.recs[i] else {
            panic!("not an array")
        };
        assert!(elems.len() <= len);
        let start = self.elems.len();
        self.elems.extend_from_slice(elems);
        self.elems.resize(start + len, 0);
        self.manifest.references += elems.iter().filter(|&&e| e != 0).count() as u64;
        self.recs[i] = Rec::Arr {
            id,
            class,
            start,
            len,
            set: true,
        };
    }

    /// An object array of exactly these elements.
    fn arr(&mut self, c: C, elems: &[u64]) -> u64 {
        let id = self.arr_reserve(c, elems.len() as u64);
        self.set_arr(id, elems);
        id
    }

    fn prim(&mut self, c: C, len: u64, fill: Fill) -> u64 {
        let &(_, _, esize) = PRIMS
            .iter()
            .find(|p| p.0 == c)
            .expect("a primitive array class");
        let id = self.alloc(c, align8(16 + esize * len));
        self.recs.push(Rec::Prim {
            id,
            class: c,
            len: len as u32,
            fill,
        });
        self.heap_bytes += 18 + esize * len;
        id
    }

    /// A `java.lang.String` and its `byte[]` (Latin-1, or UTF-16 when a char is not).
    fn string_h(&mut self, s: &str, with_hash: bool) -> u64 {
        let start = self.data.len();
        let latin1 = s.chars().all(|c| (c as u32) < 0x100);
        if latin1 {
            self.data.extend(s.chars().map(|c| c as u8));
        } else {
            for u in s.encode_utf16() {
                self.data.extend_from_slice(&u.to_le_bytes());
            }
        }
        let n = self.data.len() - start;
        let value = self.prim(C::ByteArray, n as u64, Fill::Bytes(start, n));
        let hash = if with_hash && latin1 {
            java_hash(s) as u32 as u64
        } else {
            0
        };
        self.make(
            C::String,
            &[
                value,
                u64::from(!latin1),
                hash,
                u64::from(with_hash && hash == 0),
            ],
        )
    }

    fn string(&mut self, s: &str) -> u64 {
        self.string_h(s, false)
    }

    fn integer(&mut self, v: i32) -> u64 {
        self.make(C::Integer, &[v as u32 as u64])
    }

    fn long(&mut self, v: i64) -> u64 {
        self.make(C::Long, &[v as u64])
    }

    fn double(&mut self, v: f64) -> u64 {
        self.make(C::Double, &[v.to_bits()])
    }

    /// Capacity of an `ArrayList` after `n` adds from `new ArrayList<>()` (10, then
    /// ×1.5).
    fn list_capacity(n: u64) -> u64 {
        if n == 0 {
            return 0;
        }
        let mut c = 10;
        while c < n {
            c += c >> 1;
        }
        c
    }

    /// An `ArrayList` of these elements, grown as by adds.
    fn list(&mut self, elems: &[u64]) -> u64 {
        let n = elems.len() as u64;
        let data = if n == 0 {
            self.empty_array
        } else {
            let a = self.arr_reserve(C::ObjectArray, Self::list_capacity(n));
            self.set_arr(a, elems);
            a
        };
        // elementData, size; AbstractList.modCount.
        self.make(C::ArrayList, &[data, n, n])
    }

    /// Hash-table slots for `n` entries: a power of two from 16, at most 75 % full.
    fn table_len(n: u64) -> u64 {
        let mut cap = 16;
        while n > cap * 3 / 4 {
            cap <<= 1;
        }
        cap
    }

    /// Writes the unit, in address order, and forgets it.
    fn flush(&mut self) {
        if let Some(w) = self.w.as_mut() {
            for r in &self.recs {
                match *r {
                    Rec::Inst {
                        id,
                        class,
                        start,
                        len,
                    } => {
                        w.instance(id, class_id(class), &self.data[start..start + len]);
                    }
                    Rec::Arr {
                        id,
                        class,
                        start,
                        len,
                        set,
                    } => {
                        assert!(set, "array {id:#x} never filled");
                        w.obj_array(id, class_id(class), &self.elems[start..start + len]);
                    }
                    Rec::Prim {
                        id,
                        class,
                        len,
                        fill,
                    } => {
                        let &(_, t, esize) = PRIMS.iter().find(|p| p.0 == class).expect("prim");
                        let bytes = len as usize * esize as usize;
                        let data = &self.data;
                        w.prim_array_with(id, t, len, bytes, |b| match fill {
                            Fill::Bytes(s, n) => b.extend_from_slice(&data[s..s + n]),
                            Fill::Zero => b.resize(b.len() + bytes, 0),
                            Fill::Sparse(seed) => {
                                let at = b.len();
                                b.resize(at + bytes, 0);
                                let mut r = Rng(seed);
                                for x in b[at..].iter_mut().step_by(8) {
                                    *x = r.next() as u8;
                                }
                            }
                        });
                    }
                }
            }
        } else {
            for r in &self.recs {
                if let Rec::Inst { len: 0, class, .. } = *r {
                    assert!(self.flat[class as usize].is_empty(), "instance never set");
                }
            }
        }
        self.recs.clear();
        self.data.clear();
        self.elems.clear();
    }

    fn static_ref(&mut self, c: C, name: &'static str, id: u64) {
        self.plan.statics.push((c, name, id));
    }

    fn root(&mut self, kind: SubTag, object: u64, thread: u32, frame: u32) {
        self.plan.roots.push((kind, object, thread, frame));
    }

    fn top(&mut self, name: &'static str, id: u64) {
        self.tops.entry(name).or_default().push(id);
    }

    fn random_customer(&mut self) -> u64 {
        let (base, n) =
            self.customer_blocks[self.rng.below(self.customer_blocks.len() as u64) as usize];
        base + self.rng.below(n) * u64::from(spec(C::Customer).size)
    }

    fn random_order(&mut self) -> u64 {
        let (base, n) = self.order_blocks[self.rng.below(self.order_blocks.len() as u64) as usize];
        base + self.rng.below(n) * u64::from(spec(C::Order).size)
    }

    // ------------------------------------------------------------------ the dump's start

    /// UTF8 and LOAD_CLASS records, stack traces, then the heap dump's class dumps and GC
    /// roots (all from the first run's plan).
    fn preamble(&mut self, plan: &Plan) {
        let w = self.w.as_mut().expect("writer");
        let mut names: BTreeMap<String, u64> = BTreeMap::new();
        let mut name = |w: &mut HprofWriter<W>, s: &str| -> u64 {
            if let Some(&id) = names.get(s) {
                return id;
            }
            let id = NAME_BASE + 16 * names.len() as u64;
            names.insert(s.to_string(), id);
            w.utf8(id, s);
            id
        };
        for (i, s) in SPECS.iter().enumerate() {
            let n = name(w, s.name);
            w.load_class(i as u32 + 1, class_id(ALL[i]), n);
        }
        // Stack traces: serial 1 is the empty trace of objects' allocation sites.
        w.trace(1, 0, &[]);
        let mut frame = 0u64;
        for (t, (_, _, frames)) in plan.threads.iter().enumerate() {
            let mut ids = Vec::new();
            for &(class, method, sig, line) in frames {
                let (m, s) = (name(w, method), name(w, sig));
                let file = spec(class).name.rsplit('/').next().unwrap_or("");
                let file = file.split('$').next().unwrap_or("").to_string() + ".java";
                let f = name(w, &file);
                let id = FRAME_BASE + 8 * frame;
                frame += 1;
                w.frame(id, m, s, f, class as u32 + 1, line);
                ids.push(id);
            }
            w.trace(t as u32 + 2, t as u32 + 1, &ids);
        }
        let field_names: Vec<Vec<u64>> = SPECS
            .iter()
            .map(|s| s.fields.iter().map(|f| name(w, f.0)).collect())
            .collect();
        let static_names: Vec<(C, u64, u64)> = plan
            .statics
            .iter()
            .map(|&(c, n, v)| (c, name(w, n), v))
            .collect();
        w.begin_segment();
        for (i, s) in SPECS.iter().enumerate() {
            let c = ALL[i];
            let statics: Vec<(u64, T, u64)> = static_names
                .iter()
                .filter(|x| x.0 == c)
                .map(|&(_, n, v)| (n, O, v))
                .collect();
            let fields: Vec<(u64, T)> = field_names[i]
                .iter()
                .zip(s.fields)
                .map(|(&n, f)| (n, f.1))
                .collect();
            let dump_bytes: usize = flat_fields(c).iter().map(|&t| dump_size(t)).sum();
            w.class_dump(
                class_id(c),
                s.sup.map_or(0, class_id),
                0,
                dump_bytes as u32,
                &statics,
                &fields,
            );
        }
        for &c in ALL {
            w.root_simple(SubTag::HPROF_GC_ROOT_STICKY_CLASS, class_id(c));
        }
        for &(kind, object, thread, frame) in &plan.roots {
            match kind {
                SubTag::HPROF_GC_ROOT_JNI_GLOBAL => {
                    w.root_jni_global(object, 0x7d00_0000_0000 + object);
                }
                SubTag::HPROF_GC_ROOT_MONITOR_USED => {
                    w.root_simple(kind, object);
                }
                _ => {
                    w.root_frame(kind, object, thread, frame);
                }
            }
        }
    }

    // ------------------------------------------------------------------ the graph

    fn build(&mut self) {
        let total = self.total();
        let before = self.manifest.objects;
        self.pools();
        self.part_done("pools", before);
        // Shares of the target, as in HeapGenerator.java.
        let share = |p: u64| total / 100 * p + total % 100 * p / 100;
        self.fill(
            "customers and orders (HashMap, ConcurrentHashMap, lists)",
            share(40),
            Self::customer_shard,
        );
        self.fill("events (LinkedList)", share(7), Self::event_shard);
        self.fill("log lines (Latin-1/UTF-16)", share(8), Self::log_shard);
        // A quarter of the primitive arrays' share in byte[]s of 0.6–17 MB.
        let large = share(3);
        let before = self.manifest.objects;
        let end = self.heap_bytes + large;
        let mut arrays = Vec::new();
        while self.heap_bytes < end {
            let n = (600_000 + self.rng.below(16 << 20)).min(end - self.heap_bytes + 1);
            arrays.push(self.prim(C::ByteArray, n, Fill::Zero));
            self.flush();
        }
        let list = self.list(&arrays);
        self.flush();
        self.top("BUFFERS", list);
        self.part_done("large byte[]", before);
        self.fill("primitive arrays", share(9), Self::primitive_shard);
        self.fill("Object[] indexes", share(8), Self::index_shard);
        self.fill("short chains", share(7), Self::chain_shard);
        let before = self.manifest.objects;
        self.long_chain();
        self.part_done("long chain", before);
        self.fill("red-black trees (TreeMap)", share(4), Self::tree_shard);
        self.fill("document trees (4-ary)", share(4), Self::document_shard);
        let before = self.manifest.objects;
        self.finalizables(share(3));
        self.part_done("finalizable (Timer queue, static map)", before);
        self.fill("soft/weak references", share(3), Self::reference_shard);
        let before = self.manifest.objects;
        self.workers();
        self.part_done("worker threads' locals", before);
        let before = self.manifest.objects;
        self.roots();
        self.part_done("threads and top-level lists", before);
        for (i, s) in SPECS.iter().enumerate() {
            let (n, b) = self.counts[i];
            if n > 0 {
                self.manifest.classes.insert(java_name(s.name), (n, b));
            }
        }
        self.manifest.class_dumps = SPECS.len() as u64;
        self.manifest.class_references = SPECS.iter().filter(|s| s.sup.is_some()).count() as u64
            + self.plan.statics.iter().filter(|s| s.2 != 0).count() as u64;
        let mut roots: BTreeMap<&'static str, u64> = BTreeMap::new();
        roots.insert("sticky_class", SPECS.len() as u64);
        for r in &self.plan.roots {
            let k = match r.0 {
                SubTag::HPROF_GC_ROOT_THREAD_OBJ => "thread_object",
                SubTag::HPROF_GC_ROOT_JAVA_FRAME => "java_frame",
                SubTag::HPROF_GC_ROOT_JNI_GLOBAL => "jni_global",
                SubTag::HPROF_GC_ROOT_JNI_LOCAL => "jni_local",
                _ => "monitor_used",
            };
            *roots.entry(k).or_default() += 1;
        }
        self.manifest.gc_roots = roots;
    }

    fn part_done(&mut self, what: &'static str, before: u64) {
        self.manifest
            .parts
            .push((what, self.manifest.objects - before));
    }

    /// Runs `step` (one unit each) until the part has its share.
    fn fill(&mut self, what: &'static str, share: u64, step: fn(&mut Self)) {
        let before = self.manifest.objects;
        let end = self.used() + share;
        while self.used() < end {
            step(self);
            self.flush();
        }
        self.part_done(what, before);
    }
}

/// `TimerTask.state`.
const SCHEDULED: u64 = 1;
const CANCELLED: u64 = 3;
/// `Thread.threadStatus` (JVMTI bits): waiting on a monitor, sleeping, runnable.
const WAITING: u64 = 0x0191 | 0x0100;
const SLEEPING: u64 = 0x0191 | 0x0040;
const RUNNABLE: u64 = 0x0005;
/// The application's clock at the dump: `System.currentTimeMillis()`.
const EPOCH: u64 = TIMESTAMP_MS - 86_400_000;

type Frames = Vec<(C, &'static str, &'static str, i32)>;

impl<W: Write> Gen<W> {
    fn pools(&mut self) {
        let n = self.planned_objects;
        self.empty_array = self.arr(C::ObjectArray, &[]);
        self.static_ref(
            C::ArrayList,
            "DEFAULTCAPACITY_EMPTY_ELEMENTDATA",
            self.empty_array,
        );
        let empty = self.arr(C::ObjectArray, &[]);
        self.static_ref(C::ArrayList, "EMPTY_ELEMENTDATA", empty);
        // ReferenceQueue.NULL, Finalizer.queue (fields: lock, head, queueLength).
        let lock = self.make(C::ReferenceQueueLock, &[]);
        self.null_queue = self.make(C::ReferenceQueueNull, &[lock, 0, 0]);
        self.static_ref(C::ReferenceQueue, "NULL", self.null_queue);
        let lock = self.make(C::ReferenceQueueLock, &[]);
        self.finalizer_queue = self.make(C::ReferenceQueue, &[lock, 0, 0]);
        self.static_ref(C::Finalizer, "queue", self.finalizer_queue);
        let lock = self.make(C::Object, &[]);
        self.static_ref(C::Finalizer, "lock", lock);
        self.root(SubTag::HPROF_GC_ROOT_JNI_GLOBAL, self.null_queue, 0, 0);
        self.root(SubTag::HPROF_GC_ROOT_JNI_GLOBAL, self.finalizer_queue, 0, 0);
        // Enum constants (Enum's fields: name, ordinal) and interned literals.
        for (i, s) in STATUSES.iter().enumerate() {
            let name = self.string_h(s, true);
            let e = self.make(C::OrderStatus, &[name, i as u64]);
            self.statuses.push(e);
            self.static_ref(C::OrderStatus, s, e);
        }
        let values = self.statuses.clone();
        let values = self.arr(C::OrderStatusArray, &values);
        self.static_ref(C::OrderStatus, "$VALUES", values);
        for k in EVENT_KINDS {
            let s = self.string_h(k, true);
            self.event_kinds.push(s);
        }
        for t in TAGS {
            let s = self.string_h(t, true);
            self.tags.push(s);
        }
        self.flush();
        for i in 0..(n / 1000).clamp(50, 2000) {
            let street = self.rng.pick(STREETS).split(' ').next().unwrap_or("");
            let s = format!("{street}-{}-{i}", self.rng.pick(LAST));
            let s = self.string_h(&s, true);
            self.cities.push(s);
        }
        let cities = self.cities.clone();
        let a = self.arr(C::StringArray, &cities);
        self.static_ref(C::HeapGenerator, "cities", a);
        self.flush();
        for i in 0..(n / 100).clamp(100, 20_000) {
            let s = self.string_h(&format!("{:05}", 10_000 + i * 4), true);
            self.zips.push(s);
            if self.recs.len() > 8192 {
                self.flush();
            }
        }
        let zips = self.zips.clone();
        let a = self.arr(C::StringArray, &zips);
        self.static_ref(C::HeapGenerator, "zips", a);
        self.flush();
        for i in 0..(n / 2800).clamp(100, 50_000) {
            let sku = self.string_h(&format!("SKU-{i:07}"), true);
            let title = format!("{} {} {i}", self.rng.pick(WORDS), self.rng.pick(STREETS));
            let title = self.string(&title);
            let price = 1.0 + self.rng.below(100_000) as f64 / 100.0;
            let price = self.double(price);
            let stock = self.rng.below(1000);
            let p = self.make(C::Product, &[sku, title, price, stock]);
            self.products.push(p);
            if self.recs.len() > 8192 {
                self.flush();
            }
        }
        let products = self.products.clone();
        let a = self.arr(C::ProductArray, &products);
        self.static_ref(C::HeapGenerator, "products", a);
        self.flush();
    }

    /// A `HashMap`/`ConcurrentHashMap` table: the nodes (reserved, in insertion order) by
    /// bucket, each bucket's nodes linked by `next` in insertion order. Returns the table
    /// and each node's `next`.
    fn buckets(nodes: &[u64], hashes: &[u32], len: u64) -> (Vec<u64>, Vec<u64>) {
        let mut table = vec![0u64; len as usize];
        let mut tail: Vec<usize> = vec![usize::MAX; len as usize];
        let mut next = vec![0u64; nodes.len()];
        for (i, (&node, &h)) in nodes.iter().zip(hashes).enumerate() {
            let b = (u64::from(h) & (len - 1)) as usize;
            if tail[b] == usize::MAX {
                table[b] = node;
            } else {
                next[tail[b]] = node;
            }
            tail[b] = i;
        }
        (table, next)
    }

    /// A shard of customers in a `HashMap<String, Customer>` and their orders in a
    /// `ConcurrentHashMap<Long, Order>`, with list indexes of both.
    fn customer_shard(&mut self) {
        let n = SHARD;
        let cbase = self.addr;
        let customers: Vec<u64> = (0..n).map(|_| self.obj(C::Customer)).collect();
        let mut fields = Vec::with_capacity(n as usize);
        let mut keys = Vec::with_capacity(n as usize);
        let mut key_hashes = Vec::with_capacity(n as usize);
        for _ in 0..n {
            self.sequence += 1;
            let id = self.sequence;
            let key_text = format!("C-{id:09}");
            let key = self.string_h(&key_text, true);
            let name = format!("{} {}", self.rng.pick(FIRST), self.rng.pick(LAST));
            let name = self.string(&name);
            let email = format!("user{id}.{}@example.com", 10 + self.rng.below(90));
            let email = self.string(&email);
            let city = self.cities[self.rng.below(self.cities.len() as u64) as usize];
            let street = format!("{} {}", self.rng.below(200), self.rng.pick(STREETS));
            let street = self.string(&street);
            let zip = self.zips[self.rng.below(self.zips.len() as u64) as usize];
            let number = self.rng.below(200);
            let address = self.make(C::Address, &[street, zip, city, number]);
            let score = self.rng.below(100_000) as i32;
            let score = self.integer(score);
            let since = EPOCH as i64 - self.rng.below(3_000_000_000) as i64;
            let since = self.long(since);
            fields.push([id, name, email, city, score, since, address]);
            keys.push(key);
            let h = java_hash(&key_text) as u32;
            key_hashes.push(h ^ (h >> 16));
        }
        let m = 2 * n + self.rng.below(n / 2);
        let obase = self.addr;
        let orders: Vec<u64> = (0..m).map(|_| self.obj(C::Order)).collect();
        let mut last = vec![0u64; n as usize];
        let mut mine: Vec<Vec<u64>> = vec![Vec::new(); n as usize];
        let mut order_keys = Vec::with_capacity(m as usize);
        for &o in &orders {
            let c = self.rng.below(n) as usize;
            let r = self.rng.below(10);
            let note = if r < 2 {
                let s = format!(
                    "please deliver after {}:00, ring twice",
                    8 + self.rng.below(10)
                );
                self.string(&s)
            } else if r < 3 {
                let s = format!(
                    "Bitte beim Nachbarn abgeben — {} {}",
                    self.rng.pick(LAST),
                    self.rng.pick(FIRST)
                );
                self.string(&s)
            } else {
                0
            };
            let product = self.products[self.rng.below(self.products.len() as u64) as usize];
            let most = if self.rng.below(10) < 8 { 5 } else { 500 };
            let q = 1 + self.rng.below(most);
            let quantity = self.integer(q as i32);
            let total = self.rng.below(1_000_000) as f64 / 100.0;
            let total = self.double(total);
            let status = self.statuses[self.rng.below(self.statuses.len() as u64) as usize];
            self.sequence += 1;
            let id = 1_000_000 + self.sequence;
            let created = EPOCH - 3_600_000 + self.rng.below(3_600_000);
            let fields = [
                id,
                created,
                customers[c],
                product,
                quantity,
                total,
                note,
                last[c],
                status,
            ];
            self.set(o, &fields);
            last[c] = o;
            mine[c].push(o);
            order_keys.push(id);
        }
        for (i, &c) in customers.iter().enumerate() {
            let list = if mine[i].is_empty() {
                0
            } else {
                self.list(&mine[i])
            };
            let f = fields[i];
            self.set(
                c,
                &[f[0], f[1], f[2], f[3], f[4], f[5], f[6], list, last[i]],
            );
        }
        // HashMap<String, Customer>: Node(hash, key, value, next).
        let len = Self::table_len(n);
        let nodes: Vec<u64> = (0..n).map(|_| self.obj(C::HashMapNode)).collect();
        let (table, next) = Self::buckets(&nodes, &key_hashes, len);
        for i in 0..n as usize {
            let v = [u64::from(key_hashes[i]), keys[i], customers[i], next[i]];
            self.set(nodes[i], &v);
        }
        let table = self.arr(C::HashMapNodeArray, &table);
        let lf = u64::from(0.75f32.to_bits());
        let map = self.make(C::HashMap, &[table, 0, n, n, len * 3 / 4, lf, 0, 0]);
        self.top("CUSTOMERS", map);
        let list = self.list(&customers);
        self.top("CUSTOMER_LIST", list);
        // ConcurrentHashMap<Long, Order>: Node(hash, key, val, next), keys new Longs.
        let len = Self::table_len(m);
        let mut hashes = Vec::with_capacity(m as usize);
        let mut longs = Vec::with_capacity(m as usize);
        for &k in &order_keys {
            longs.push(self.long(k as i64));
            let h = (k ^ (k >> 32)) as u32;
            hashes.push((h ^ (h >> 16)) & 0x7fff_ffff);
        }
        let nodes: Vec<u64> = (0..m).map(|_| self.obj(C::ChmNode)).collect();
        let (table, next) = Self::buckets(&nodes, &hashes, len);
        for i in 0..m as usize {
            let v = [u64::from(hashes[i]), longs[i], orders[i], next[i]];
            self.set(nodes[i], &v);
        }
        let table = self.arr(C::ChmNodeArray, &table);
        let chm = self.make(
            C::ConcurrentHashMap,
            &[table, 0, m, len * 3 / 4, 0, 0, 0, 0, 0, 0, 0, 0],
        );
        self.top("ORDERS", chm);
        let list = self.list(&orders);
        self.top("ORDER_LIST", list);
        self.customer_blocks.push((cbase, n));
        self.order_blocks.push((obase, m));
    }

    /// A `LinkedList` of events.
    fn event_shard(&mut self) {
        let n = SHARD;
        let nodes: Vec<u64> = (0..n).map(|_| self.obj(C::LinkedListNode)).collect();
        for i in 0..n as usize {
            let r = self.rng.below(10);
            let payload = if r < 5 {
                let v = self.rng.next() as i32;
                self.integer(v)
            } else if r < 8 {
                let len = 16 + self.rng.below(48);
                let seed = self.rng.next();
                self.prim(C::ByteArray, len, Fill::Sparse(seed))
            } else {
                self.random_customer()
            };
            self.sequence += 1;
            let kind = self.event_kinds[self.rng.below(self.event_kinds.len() as u64) as usize];
            let ts = EPOCH + self.sequence * 7;
            let e = self.make(C::Event, &[ts, kind, payload, self.sequence & 0x7fff_ffff]);
            let next = nodes.get(i + 1).copied().unwrap_or(0);
            let prev = if i > 0 { nodes[i - 1] } else { 0 };
            self.set(nodes[i], &[e, next, prev]);
        }
        // LinkedList: size, first, last; AbstractList.modCount.
        let list = self.make(C::LinkedList, &[n, nodes[0], nodes[n as usize - 1], n]);
        self.top("EVENTS", list);
    }

    /// A list of log lines; about 15 % carry non-Latin-1 words (UTF-16).
    fn log_shard(&mut self) {
        let mut lines = Vec::with_capacity(SHARD as usize);
        let mut b = String::with_capacity(160);
        for _ in 0..SHARD {
            b.clear();
            let r = &mut self.rng;
            b += &format!(
                "2025-11-{}T12:{}:{}.123Z {} [worker-{}] ",
                10 + r.below(4),
                10 + r.below(50),
                10 + r.below(50),
                if r.below(20) == 0 { "WARN" } else { "INFO" },
                r.below(16)
            );
            let utf16 = r.below(100) < 15;
            for _ in 0..4 + r.below(12) {
                let w = WORDS[r.below(if utf16 { WORDS.len() as u64 } else { 20 }) as usize];
                b += w;
                b.push(' ');
            }
            b += &r.below(1_000_000).to_string();
            let s = self.string(&b);
            lines.push(s);
        }
        let list = self.list(&lines);
        self.top("LOG", list);
    }

    /// Primitive arrays of every type, lengths log-uniform from 0 to 64 Ki.
    fn primitive_shard(&mut self) {
        let mut arrays = Vec::with_capacity(64);
        for _ in 0..64 {
            let len = self.rng.log_uniform(65_536) - 1;
            let t = self.rng.below(100);
            let a = match t {
                0..40 => {
                    let seed = self.rng.next();
                    self.prim(C::ByteArray, len, Fill::Sparse(seed))
                }
                40..60 => self.prim(C::IntArray, len, Fill::Zero),
                60..70 => self.prim(C::LongArray, len, Fill::Zero),
                70..80 => self.prim(C::CharArray, len, Fill::Zero),
                80..88 => self.prim(C::DoubleArray, len, Fill::Zero),
                88..93 => self.prim(C::ShortArray, len, Fill::Zero),
                93..97 => self.prim(C::FloatArray, len, Fill::Zero),
                _ => self.prim(C::BooleanArray, len, Fill::Zero),
            };
            arrays.push(a);
        }
        let list = self.list(&arrays);
        self.top("BUFFERS", list);
    }

    /// `Object[]` indexes of random orders (60 %) and customers (30 %), 10 % null.
    fn index_shard(&mut self) {
        let mut arrays = Vec::with_capacity(8);
        let mut elems = Vec::new();
        for _ in 0..8 {
            let len = self.rng.log_uniform(16_384);
            elems.clear();
            for _ in 0..len {
                let r = self.rng.below(10);
                elems.push(match r {
                    0..6 => self.random_order(),
                    6..9 => self.random_customer(),
                    _ => 0,
                });
            }
            let a = self.arr_reserve(C::ObjectArray, len);
            self.set_arr(a, &elems);
            arrays.push(a);
        }
        let list = self.list(&arrays);
        self.top("INDEXES", list);
    }

    /// Linked `ChainNode`s, contiguous: node `i` at `base + 24 i`.
    fn chain(&mut self, len: u64, with_values: bool, seq0: u64, last_next: u64) -> u64 {
        let nodes: Vec<u64> = (0..len).map(|_| self.obj(C::ChainNode)).collect();
        for (i, &node) in nodes.iter().enumerate() {
            let next = nodes.get(i + 1).copied().unwrap_or(last_next);
            let value = if with_values && self.rng.below(2) == 0 {
                self.random_order()
            } else {
                0
            };
            self.set(node, &[next, value, (seq0 + i as u64) & 0x7fff_ffff]);
        }
        nodes[0]
    }

    fn chain_shard(&mut self) {
        let mut heads = Vec::with_capacity(64);
        for _ in 0..64 {
            let len = 2 + self.rng.below(200);
            heads.push(self.chain(len, true, 0, 0));
        }
        let list = self.list(&heads);
        self.top("CHAINS", list);
    }

    /// One chain of up to 1 000 000 nodes (a twentieth of the objects when fewer), written
    /// in units of 64 Ki nodes: the next unit's first node is where this one ends.
    fn long_chain(&mut self) {
        let len = (self.planned_objects / 20).min(1_000_000);
        let mut done = 0;
        let mut head = 0;
        while done < len {
            let n = (len - done).min(1 << 16);
            let size = u64::from(spec(C::ChainNode).size);
            let last_next = if done + n < len {
                self.addr + n * size
            } else {
                0
            };
            let h = self.chain(n, false, done, last_next);
            if done == 0 {
                head = h;
            }
            done += n;
            self.flush();
        }
        self.static_ref(C::HeapGenerator, "longChain", head);
    }

    /// A `TreeMap<Long, Sample>` of 4 096 entries: a balanced red-black tree (black but
    /// for a red bottom level).
    fn tree_shard(&mut self) {
        let n = 4096usize;
        let entries: Vec<u64> = (0..n).map(|_| self.obj(C::TreeMapEntry)).collect();
        let mut kv = Vec::with_capacity(n);
        for _ in 0..n {
            self.sequence += 1;
            let t = EPOCH + self.sequence * 1000 + self.rng.below(1000);
            let key = self.long(t as i64);
            let v = self.rng.f64() * 100.0;
            let value = self.make(C::Sample, &[v.to_bits(), t]);
            kv.push((key, value));
        }
        let max_depth = usize::BITS - 1 - n.leading_zeros();
        // (lo, hi, parent, depth) ranges; the middle of each is its subtree's root.
        let mut stack = vec![(0usize, n, 0u64, 0u32)];
        let mut root = 0;
        while let Some((lo, hi, parent, depth)) = stack.pop() {
            let mid = (lo + hi) / 2;
            let child = |a: usize, b: usize| if a < b { entries[(a + b) / 2] } else { 0 };
            let (left, right) = (child(lo, mid), child(mid + 1, hi));
            let black = u64::from(depth < max_depth);
            let (k, v) = kv[mid];
            self.set(entries[mid], &[k, v, left, right, parent, black]);
            if parent == 0 {
                root = entries[mid];
            }
            if lo < mid {
                stack.push((lo, mid, entries[mid], depth + 1));
            }
            if mid + 1 < hi {
                stack.push((mid + 1, hi, entries[mid], depth + 1));
            }
        }
        let n = n as u64;
        let map = self.make(C::TreeMap, &[0, root, n, n, 0, 0, 0, 0, 0]);
        self.top("SERIES", map);
    }

    /// A complete 4-ary tree of 2 048 `DocNode`s: parent links, `ArrayList` children, a
    /// text on a third of them.
    fn document_shard(&mut self) {
        let n = 2048usize;
        let nodes: Vec<u64> = (0..n).map(|_| self.obj(C::DocNode)).collect();
        for i in 0..n {
            let tag = self.tags[self.rng.below(self.tags.len() as u64) as usize];
            let kids: Vec<u64> = (4 * i + 1..(4 * i + 5).min(n)).map(|k| nodes[k]).collect();
            let children = if kids.is_empty() { 0 } else { self.list(&kids) };
            let text = if self.rng.below(3) == 0 {
                let s = format!("Lorem ipsum {} {i}", self.rng.pick(WORDS));
                self.string(&s)
            } else {
                0
            };
            let parent = if i > 0 { nodes[(i - 1) / 4] } else { 0 };
            self.set(nodes[i], &[tag, parent, children, text]);
        }
        self.top("documents", nodes[0]);
    }

    /// A thread object; `own` are the subclass's fields (before `Thread`'s).
    fn thread(&mut self, class: C, name: &str, tid: u64, status: u64, own: &[u64]) -> u64 {
        let name = self.string(name);
        let blocker_lock = self.make(C::Object, &[]);
        let t = self.obj(class);
        let mut v = own.to_vec();
        v.extend_from_slice(&[
            name,
            5,
            1,
            0,
            0,
            0x7f3a_2c00_0000 + tid * 0x1000,
            0,
            0,
            0,
            0,
            0,
            0,
            0,
            tid,
            status,
            0,
            0,
            blocker_lock,
            0,
            0,
            0,
            0,
        ]);
        self.set(t, &v);
        t
    }

    fn add_thread(&mut self, object: u64, name: &str, frames: Frames) -> u32 {
        self.plan.threads.push((object, name.to_string(), frames));
        let serial = self.plan.threads.len() as u32;
        self.root(SubTag::HPROF_GC_ROOT_THREAD_OBJ, object, serial, serial + 1);
        serial
    }

    /// A `PgStatement` (finalizable) with its SQL and buffer.
    fn statement(&mut self, id: i64) -> u64 {
        let n = 256 + self.rng.below(768);
        let seed = self.rng.next();
        let buffer = self.prim(C::ByteArray, n, Fill::Sparse(seed));
        let sql = self.string(&format!(
            "SELECT o.id, o.total FROM orders o WHERE o.customer_id = {id}"
        ));
        self.make(C::PgStatement, &[id as u32 as u64, sql, buffer])
    }

    /// Finalizable objects: `PgStatement`s whose cancelled `TimerTask`s stay queued in the
    /// shared Timer (1 in 20 also in an "open" list), then `PooledConnection`s in the
    /// static `ConnectionRegistry.CACHE`. Each has a `java.lang.ref.Finalizer` in the
    /// `unfinalized` list; a unit's Finalizers come first in it, so the previous unit's
    /// newest Finalizer's `prev` is where the unit starts.
    fn finalizables(&mut self, share: u64) {
        let start = self.used();
        let (mid, end) = (start + share / 2, start + share);
        let lock = self.make(C::Object, &[]);
        let t0 = TIMESTAMP_MS + 3_000_000;
        let keep = self.make(C::KeepAliveTask, &[lock, SCHEDULED, t0, 0]);
        self.flush();
        let mut tasks = vec![keep];
        let mut open = Vec::new();
        let mut conns: Vec<(u64, u32)> = Vec::new();
        let mut statements = 0i64;
        let kind = |g: &Self, tasks: usize, conns: usize| {
            if g.used() < mid && (tasks as u64) < MAX_TIMER_TASKS {
                Some(true)
            } else if g.used() < end && (conns as u64) < MAX_CONNECTIONS {
                Some(false)
            } else {
                None
            }
        };
        while let Some(stmts) = kind(self, tasks.len(), conns.len()) {
            let n = if stmts { 256 } else { 128 };
            let opens = if stmts {
                (statements + 1..=statements + n)
                    .filter(|i| i % 20 == 0)
                    .count() as i64
            } else {
                0
            };
            let fins: Vec<u64> = (0..n + opens).map(|_| self.obj(C::Finalizer)).collect();
            let mut referents = Vec::with_capacity(fins.len());
            for _ in 0..n {
                if stmts {
                    statements += 1;
                    let s = self.statement(statements);
                    let lock = self.make(C::Object, &[]);
                    let due = TIMESTAMP_MS + 3_600_000 + statements as u64;
                    let t = self.make(C::CancelTask, &[s, lock, CANCELLED, due, 0]);
                    tasks.push(t);
                    referents.push(s);
                    if statements % 20 == 0 {
                        let o = self.statement(-statements);
                        open.push(o);
                        referents.push(o);
                    }
                } else {
                    let id = conns.len() as u64;
                    let len = 512 + self.rng.below(3584);
                    let seed = self.rng.next();
                    let buffer = self.prim(C::ByteArray, len, Fill::Sparse(seed));
                    let url = format!(
                        "jdbc:postgresql://db-{}.internal:5432/shop?connection={id}",
                        self.rng.below(8)
                    );
                    let url = self.string(&url);
                    let c = self.make(C::PooledConnection, &[id, url, buffer]);
                    let key = self.integer(1000 + id as i32);
                    let h = (1000 + id) as u32;
                    let h = (h ^ (h >> 16)) & 0x7fff_ffff;
                    let node = self.make(C::ChmNode, &[u64::from(h), key, c, 0]);
                    conns.push((node, h));
                    referents.push(c);
                }
            }
            // Finalizer: next (older), prev (newer); Reference: referent, queue, next,
            // discovered.
            let more = kind(self, tasks.len(), conns.len()).is_some();
            for (i, &f) in fins.iter().enumerate() {
                let older = if i > 0 {
                    fins[i - 1]
                } else {
                    self.last_finalizer
                };
                let newer = match fins.get(i + 1) {
                    Some(&x) => x,
                    None if more => self.addr,
                    None => 0,
                };
                self.set(f, &[older, newer, referents[i], self.finalizer_queue, 0, 0]);
            }
            self.last_finalizer = fins[fins.len() - 1];
            self.manifest.finalizers += fins.len() as u64;
            self.flush();
        }
        self.static_ref(C::Finalizer, "unfinalized", self.last_finalizer);
        // The Timer: TaskQueue (a binary heap from slot 1, 128 slots doubled when full).
        let mut len = 128;
        while len <= tasks.len() as u64 {
            len *= 2;
        }
        let mut slots = vec![0u64];
        slots.extend_from_slice(&tasks);
        let array = self.arr_reserve(C::TimerTaskArray, len);
        self.set_arr(array, &slots);
        let queue = self.make(C::TaskQueue, &[array, tasks.len() as u64]);
        self.manifest.timer_tasks = tasks.len() as u64;
        self.manifest.cancelled_tasks = tasks.len() as u64 - 1;
        let name = "PostgreSQL-JDBC-SharedTimer-1";
        self.manifest.timer_thread = name.to_string();
        let thread = self.thread(C::TimerThread, name, 31, WAITING, &[1, queue]);
        let timer = self.make(C::Timer, &[queue, thread, 0]);
        self.static_ref(C::HeapGenerator, "sharedTimer", timer);
        self.root(SubTag::HPROF_GC_ROOT_MONITOR_USED, queue, 0, 0);
        let frames = vec![
            (C::Object, "wait", "(J)V", -3),
            (C::TimerThread, "mainLoop", "()V", 563),
            (C::TimerThread, "run", "()V", 516),
        ];
        let serial = self.add_thread(thread, name, frames);
        self.root(SubTag::HPROF_GC_ROOT_JAVA_FRAME, queue, serial, 1);
        // ConnectionRegistry.CACHE: consecutive Integer keys, one per bucket.
        let len = Self::table_len(conns.len() as u64);
        let nodes: Vec<u64> = conns.iter().map(|c| c.0).collect();
        let hashes: Vec<u32> = conns.iter().map(|c| c.1).collect();
        let (table, _) = Self::buckets(&nodes, &hashes, len);
        let table = self.arr(C::ChmNodeArray, &table);
        let n = conns.len() as u64;
        let chm = self.make(
            C::ConcurrentHashMap,
            &[table, 0, n, len * 3 / 4, 0, 0, 0, 0, 0, 0, 0, 0],
        );
        self.static_ref(C::ConnectionRegistry, "CACHE", chm);
        let list = self.list(&open);
        self.static_ref(C::HeapGenerator, "OPEN_STATEMENTS", list);
        self.flush();
    }

    /// `SoftReference<byte[]>`s, `WeakReference<Customer>`s and a `WeakHashMap<Customer,
    /// Session>` (keys: consecutive customers of one shard, so distinct).
    fn reference_shard(&mut self) {
        let (mut soft, mut weak) = (Vec::new(), Vec::new());
        let mut sessions: Vec<(u64, u64, u32)> = Vec::new();
        let block =
            self.customer_blocks[self.rng.below(self.customer_blocks.len() as u64) as usize];
        for _ in 0..SHARD {
            match self.rng.below(3) {
                0 => {
                    let len = 1024 + self.rng.below(15 * 1024);
                    let seed = self.rng.next();
                    let b = self.prim(C::ByteArray, len, Fill::Sparse(seed));
                    // SoftReference: timestamp; Reference: referent, queue, next, discovered.
                    let r = self.make(C::SoftReference, &[EPOCH, b, self.null_queue, 0, 0]);
                    soft.push(r);
                }
                1 => {
                    let c = self.random_customer();
                    let r = self.make(C::WeakReference, &[c, self.null_queue, 0, 0]);
                    weak.push(r);
                }
                _ if (sessions.len() as u64) < block.1 => {
                    let token = format!("{:016x}", self.rng.next());
                    let token = self.string(&token);
                    let s = self.make(C::Session, &[token, EPOCH + sessions.len() as u64]);
                    let key = block.0 + sessions.len() as u64 * u64::from(spec(C::Customer).size);
                    sessions.push((key, s, self.rng.next() as u32));
                }
                _ => {}
            }
        }
        let lock = self.make(C::ReferenceQueueLock, &[]);
        let queue = self.make(C::ReferenceQueue, &[lock, 0, 0]);
        let len = Self::table_len(sessions.len() as u64);
        let entries: Vec<u64> = sessions
            .iter()
            .map(|_| self.obj(C::WeakHashMapEntry))
            .collect();
        let hashes: Vec<u32> = sessions.iter().map(|s| s.2).collect();
        let (table, next) = Self::buckets(&entries, &hashes, len);
        for (i, &(key, value, h)) in sessions.iter().enumerate() {
            // Entry: value, hash, next; WeakReference: none; Reference: referent, queue,
            // next, discovered.
            self.set(
                entries[i],
                &[value, u64::from(h), next[i], key, queue, 0, 0],
            );
        }
        let table = self.arr(C::WeakHashMapEntryArray, &table);
        let n = sessions.len() as u64;
        let lf = u64::from(0.75f32.to_bits());
        let map = self.make(
            C::WeakHashMap,
            &[table, n, len * 3 / 4, lf, queue, n, 0, 0, 0],
        );
        self.top("SESSIONS", map);
        let list = self.list(&soft);
        self.top("IMAGE_CACHE", list);
        let list = self.list(&weak);
        self.top("LISTENERS", list);
    }

    /// Four sleeping `request-worker-N` threads, each holding (only in a local of its
    /// frame) a list of lists of orders and strings, and a 64 KiB buffer: what is left of
    /// the target, shared equally.
    fn workers(&mut self) {
        let left = self.total().saturating_sub(self.used());
        for w in 0..4u64 {
            let end = self.used() + left / 4;
            let mut chunks = Vec::new();
            while self.used() < end && chunks.len() < (1 << 20) {
                let mut items = Vec::with_capacity(SHARD as usize);
                for i in 0..SHARD {
                    if self.rng.below(2) == 0 {
                        items.push(self.random_order());
                    } else {
                        let s = format!("request-{w}-{i} {}", self.rng.pick(WORDS));
                        items.push(self.string(&s));
                    }
                }
                chunks.push(self.list(&items));
                self.flush();
            }
            let data = self.list(&chunks);
            let scratch = self.prim(C::ByteArray, 64 * 1024, Fill::Zero);
            let name = format!("request-worker-{w}");
            let thread = self.thread(C::Thread, &name, 40 + w, SLEEPING, &[]);
            self.flush();
            let frames = vec![
                (C::Thread, "sleep", "(J)V", -3),
                (C::HeapGenerator, "lambda$buildWorkers$0", "()V", 641),
                (C::Thread, "run", "()V", 833),
            ];
            let serial = self.add_thread(thread, &name, frames);
            self.root(SubTag::HPROF_GC_ROOT_JAVA_FRAME, data, serial, 1);
            self.root(SubTag::HPROF_GC_ROOT_JAVA_FRAME, scratch, serial, 1);
        }
    }

    /// The main and Finalizer threads, and the top-level lists of shards (statics of
    /// `HeapGenerator`).
    fn roots(&mut self) {
        let tops = std::mem::take(&mut self.tops);
        for (name, heads) in &tops {
            let list = self.list(heads);
            self.static_ref(C::HeapGenerator, name, list);
        }
        let args = self.arr(C::StringArray, &[]);
        let main = self.thread(C::Thread, "main", 1, RUNNABLE, &[]);
        let fin = self.thread(C::FinalizerThread, "Finalizer", 3, WAITING, &[1]);
        self.flush();
        let frames = vec![(C::HeapGenerator, "main", "([Ljava/lang/String;)V", 912)];
        let serial = self.add_thread(main, "main", frames);
        self.root(SubTag::HPROF_GC_ROOT_JAVA_FRAME, args, serial, 0);
        self.root(SubTag::HPROF_GC_ROOT_JNI_LOCAL, self.statuses[0], serial, 0);
        let frames = vec![
            (C::Object, "wait", "(J)V", -3),
            (
                C::ReferenceQueue,
                "remove",
                "(J)Ljava/lang/ref/Reference;",
                155,
            ),
            (
                C::ReferenceQueue,
                "remove",
                "()Ljava/lang/ref/Reference;",
                176,
            ),
            (C::FinalizerThread, "run", "()V", 172),
        ];
        let serial = self.add_thread(fin, "Finalizer", frames);
        self.root(
            SubTag::HPROF_GC_ROOT_JAVA_FRAME,
            self.finalizer_queue,
            serial,
            1,
        );
    }
}
