//! Placeholders for the names a redacted copy replaces (`heapscope redact --names`), and
//! the map from placeholders back to the names, which the user keeps.
//!
//! A placeholder keeps the shape of the name it replaces, so that the copy stays a dump
//! every tool reads the same way:
//! - a class name outside the JDK: each package segment and each `$`-separated part of the
//!   class name on its own, `com/acme/billing/Invoice$Line` → `p1/p2/p3/C1$C2` (one
//!   counter per kind). A token stands for the whole name up to it (`p2` is `com/acme`,
//!   `C2` is `com/acme/billing/Invoice$Line`), so classes of one package keep one package, a
//!   nested class keeps its outer class, and the last token of a class placeholder names
//!   the class in full. Parts that say nothing stay: empty parts and numbers (`$$`, `$1`),
//!   `Lambda` after `$$`, a hidden class's `/0x…` (or `+0x…`) suffix. Array classes map their element
//!   class (`[Lcom/acme/Foo;` → `[Lp1/p2/C3;`, and so old writers' `com.acme.Foo[]`);
//!   JDK classes (the redactor's `is_jdk_name`) and primitive types stay;
//! - a method signature: the class names in it, as above (`(Lcom/acme/Foo;I)V` →
//!   `(Lp1/p2/C3;I)V`);
//! - a field (instance or static) name `f1`, a method name `m1` (`<init>` and `<clinit>`
//!   stay), a source file `S1` with the original's extension (`S1.java`), a thread or
//!   thread-group name `t1`.
//!
//! The numbers are given in the order names are met, one counter per kind; a map read
//! back (the CLI's `--names-map`) gives the same name the same placeholder again, and new
//! names the next numbers.
//!
//! The map is JSON (written here by hand: the wasm build has no serde_json):
//! `{"version":1,"packages":{"p1":"com",…},"classes":{"C3":"com/acme/Foo",…},
//! "fields":{"f1":"balance",…},"methods":{…},"source_files":{"S1.java":"Foo.java",…},
//! "threads":{…}}`, each section ordered by number. Names are the dump's modified UTF-8,
//! read as UTF-8 (a name that is not valid UTF-8 is keyed by its lossy reading).

use std::collections::{HashMap, HashSet};

/// The kinds of placeholder, each with its own counter and section of the map.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum NameKind {
    /// A package: `p1` (the name is its whole path, `com/acme`).
    Package,
    /// A class or nested class: `C1` (the name is the whole class name up to that part).
    Class,
    /// An instance or static field: `f1`.
    Field,
    /// A method (or a signature that is not a method descriptor): `m1`.
    Method,
    /// A source file: `S1` and the original's extension.
    SourceFile,
    /// A thread or thread-group name: `t1`.
    Thread,
}

const KINDS: [NameKind; 6] = [
    NameKind::Package,
    NameKind::Class,
    NameKind::Field,
    NameKind::Method,
    NameKind::SourceFile,
    NameKind::Thread,
];

impl NameKind {
    /// The map's section for this kind.
    pub fn section(self) -> &'static str {
        match self {
            NameKind::Package => "packages",
            NameKind::Class => "classes",
            NameKind::Field => "fields",
            NameKind::Method => "methods",
            NameKind::SourceFile => "source_files",
            NameKind::Thread => "threads",
        }
    }

    /// The kind whose section is `name`.
    pub fn from_section(name: &str) -> Option<NameKind> {
        KINDS.into_iter().find(|k| k.section() == name)
    }

    fn prefix(self) -> char {
        match self {
            NameKind::Package => 'p',
            NameKind::Class => 'C',
            NameKind::Field => 'f',
            NameKind::Method => 'm',
            NameKind::SourceFile => 'S',
            NameKind::Thread => 't',
        }
    }

    fn index(self) -> usize {
        self as usize
    }
}

/// The names given placeholders so far: per kind, name → number, the numbers given, and
/// the last one. About 50 bytes per name (the maps' entries: a `String` and a `u32`, a
/// `u32`, their control bytes and spare room) plus the name's text.
#[derive(Default, Debug, Clone)]
pub struct NameMap {
    kinds: [Numbering; 6],
}

/// One kind's placeholders: name → number, the numbers given, and the highest.
#[derive(Default, Debug, Clone)]
struct Numbering {
    numbers: HashMap<String, u32>,
    taken: HashSet<u32>,
    next: u32,
}

/// The extension a source file's placeholder keeps: `.java` of `Foo.java` (ASCII letters
/// and digits only, at most 8; otherwise none).
fn extension(name: &str) -> &str {
    match name.rfind('.') {
        Some(i) if i > 0 => {
            let ext = name.get(i..).unwrap_or("");
            let ok = ext.len() <= 9 && ext.bytes().skip(1).all(|b| b.is_ascii_alphanumeric());
            if ok { ext } else { "" }
        }
        _ => "",
    }
}

impl NameMap {
    /// An empty map.
    pub fn new() -> Self {
        NameMap::default()
    }

    /// The number of `name` of `kind`, given the next one if it has none.
    fn number(&mut self, kind: NameKind, name: &str) -> u32 {
        let i = kind.index();
        let Some(k) = self.kinds.get_mut(i) else {
            return 0;
        };
        if let Some(&n) = k.numbers.get(name) {
            return n;
        }
        k.next += 1;
        k.numbers.insert(name.to_string(), k.next);
        k.taken.insert(k.next);
        k.next
    }

    /// The placeholder of `name` of `kind` (`f3`, `S2.java`, …).
    pub fn placeholder(&mut self, kind: NameKind, name: &str) -> String {
        let n = self.number(kind, name);
        let ext = if kind == NameKind::SourceFile {
            extension(name)
        } else {
            ""
        };
        format!("{}{n}{ext}", kind.prefix())
    }

    /// Reads one entry of a map written before: `placeholder` (a key of the map's `kind`
    /// section) stands for `name`. Fails when the key is not a placeholder of that kind,
    /// or the number or the name was given already.
    pub fn assign(&mut self, kind: NameKind, placeholder: &str, name: &str) -> Result<(), String> {
        let bad = || {
            format!(
                "{:?} is not a placeholder of {}",
                placeholder,
                kind.section()
            )
        };
        let rest = placeholder.strip_prefix(kind.prefix()).ok_or_else(bad)?;
        let digits = rest.bytes().take_while(u8::is_ascii_digit).count();
        let (num, tail) = rest.split_at(digits);
        let want_tail = if kind == NameKind::SourceFile {
            extension(name)
        } else {
            ""
        };
        if num.is_empty() || num.starts_with('0') || tail != want_tail {
            return Err(bad());
        }
        let n: u32 = num.parse().map_err(|_| bad())?;
        let i = kind.index();
        let Some(k) = self.kinds.get_mut(i) else {
            return Err(bad());
        };
        if k.numbers.contains_key(name) {
            return Err(format!("{} names {name:?} twice", kind.section()));
        }
        if !k.taken.insert(n) {
            return Err(format!("{} gives {placeholder:?} twice", kind.section()));
        }
        k.numbers.insert(name.to_string(), n);
        k.next = k.next.max(n);
        Ok(())
    }

    /// How many names have a placeholder.
    pub fn len(&self) -> usize {
        self.kinds.iter().map(|k| k.numbers.len()).sum()
    }

    /// Whether no name has a placeholder.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// The map as JSON (see the module doc): one entry a line, each section by number.
    pub fn to_json(&self) -> Vec<u8> {
        let mut s = String::from("{\n  \"version\": 1");
        for kind in KINDS {
            let Some(Numbering { numbers, .. }) = self.kinds.get(kind.index()) else {
                continue;
            };
            let mut entries: Vec<(&u32, &String)> =
                numbers.iter().map(|(name, n)| (n, name)).collect();
            entries.sort_unstable();
            s.push_str(",\n  ");
            json_string(&mut s, kind.section());
            s.push_str(": {");
            for (i, (n, name)) in entries.into_iter().enumerate() {
                s.push_str(if i == 0 { "\n    " } else { ",\n    " });
                let ext = if kind == NameKind::SourceFile {
                    extension(name)
                } else {
                    ""
                };
                json_string(&mut s, &format!("{}{n}{ext}", kind.prefix()));
                s.push_str(": ");
                json_string(&mut s, name);
            }
            s.push_str(if numbers.is_empty() { "}" } else { "\n  }" });
        }
        s.push_str("\n}\n");
        s.into_bytes()
    }

    /// The placeholder of a class name (internal `a/b/C` or dotted form): the name itself
    /// for JDK classes, primitive types and arrays of those (see the module doc).
    pub fn class_name(&mut self, name: &[u8], is_jdk: impl Fn(&[u8]) -> bool) -> Vec<u8> {
        let dims = name.iter().take_while(|&&b| b == b'[').count();
        let (brackets, elem) = name.split_at(dims);
        if dims > 0 {
            // `[I`, `[[B`: primitive; `[Lname;`: the element class.
            return match elem.strip_prefix(b"L").and_then(|e| e.strip_suffix(b";")) {
                Some(inner) => {
                    let mut out = brackets.to_vec();
                    out.push(b'L');
                    out.extend(self.plain_class(inner, &is_jdk));
                    out.push(b';');
                    out
                }
                None => name.to_vec(),
            };
        }
        // Old writers (the JDK 6 hprof agent) name arrays `char[]`, `com.acme.Foo[][]`.
        let mut base = name;
        while let Some(b) = base.strip_suffix(b"[]") {
            base = b;
        }
        if base.len() < name.len() {
            const PRIMITIVES: [&[u8]; 9] = [
                b"boolean", b"byte", b"char", b"short", b"int", b"long", b"float", b"double",
                b"void",
            ];
            if PRIMITIVES.contains(&base) {
                return name.to_vec();
            }
            let mut out = self.plain_class(base, &is_jdk);
            out.extend_from_slice(name.get(base.len()..).unwrap_or_default());
            return out;
        }
        self.plain_class(name, &is_jdk)
    }

    fn plain_class(&mut self, name: &[u8], is_jdk: &impl Fn(&[u8]) -> bool) -> Vec<u8> {
        if name.is_empty() || is_jdk(name) {
            return name.to_vec();
        }
        let text = String::from_utf8_lossy(name);
        // Segments with the separator before each (none before the first).
        let mut segments: Vec<(Option<char>, &str)> = Vec::new();
        let mut start = 0;
        let mut sep = None;
        for (i, c) in text.char_indices() {
            if c == '/' || c == '.' {
                segments.push((sep, text.get(start..i).unwrap_or("")));
                sep = Some(c);
                start = i + 1;
            }
        }
        segments.push((sep, text.get(start..).unwrap_or("")));
        // A hidden class's `/0x…` suffix stays.
        let hidden = segments.len() >= 2
            && segments.last().is_some_and(|(_, s)| {
                s.len() > 2
                    && s.starts_with("0x")
                    && s.bytes().skip(2).all(|b| b.is_ascii_hexdigit())
            });
        let class_at = segments.len() - 1 - usize::from(hidden);
        let mut out = String::with_capacity(text.len());
        // The name so far in internal form: the key of each token.
        let mut key = String::with_capacity(text.len());
        for (i, (sep, seg)) in segments.iter().enumerate() {
            if let Some(c) = sep {
                out.push(*c);
                key.push('/');
            }
            if i < class_at {
                key.push_str(seg);
                out.push_str(&self.placeholder(NameKind::Package, &key));
            } else if i == class_at {
                // HotSpot's heap dumps write a hidden class's `/0x…` as `+0x…`: it stays.
                let (seg, suffix) = match seg.rfind("+0x") {
                    Some(k)
                        if seg.len() > k + 3
                            && seg.bytes().skip(k + 3).all(|b| b.is_ascii_hexdigit()) =>
                    {
                        seg.split_at(k)
                    }
                    _ => (*seg, ""),
                };
                let mut prev_empty = false;
                for (j, part) in seg.split('$').enumerate() {
                    if j > 0 {
                        out.push('$');
                        key.push('$');
                    }
                    key.push_str(part);
                    let keep = part.is_empty()
                        || part.bytes().all(|b| b.is_ascii_digit())
                        || (prev_empty && j > 1 && part == "Lambda");
                    if keep {
                        out.push_str(part);
                    } else {
                        out.push_str(&self.placeholder(NameKind::Class, &key));
                    }
                    prev_empty = part.is_empty();
                }
                out.push_str(suffix);
                key.push_str(suffix);
            } else {
                out.push_str(seg);
            }
        }
        out.into_bytes()
    }

    /// The placeholder of a method signature: its class names replaced. `None` when the
    /// text is not a method or field descriptor.
    pub fn signature(&mut self, sig: &[u8], is_jdk: impl Fn(&[u8]) -> bool) -> Option<Vec<u8>> {
        let mut out = Vec::with_capacity(sig.len());
        let mut rest = sig;
        while let Some((&b, tail)) = rest.split_first() {
            if b == b'L' {
                let end = tail.iter().position(|&c| c == b';')?;
                let (class, after) = tail.split_at(end);
                if class.is_empty() {
                    return None;
                }
                out.push(b'L');
                out.extend(self.plain_class(class, &is_jdk));
                out.push(b';');
                rest = after.get(1..).unwrap_or_default();
            } else if b"()[BCDFIJSZV".contains(&b) {
                out.push(b);
                rest = tail;
            } else {
                return None;
            }
        }
        Some(out)
    }
}

/// Appends `s` as a JSON string.
fn json_string(out: &mut String, s: &str) {
    out.push('"');
    for c in s.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            c if u32::from(c) < 0x20 => out.push_str(&format!("\\u{:04x}", u32::from(c))),
            c => out.push(c),
        }
    }
    out.push('"');
}

#[cfg(test)]
mod tests {
    use super::*;

    fn jdk(n: &[u8]) -> bool {
        n.starts_with(b"java/") || n.starts_with(b"java.")
    }

    #[test]
    fn classes_keep_their_shape() {
        let mut m = NameMap::new();
        let c =
            |m: &mut NameMap, n: &str| String::from_utf8(m.class_name(n.as_bytes(), jdk)).unwrap();
        assert_eq!(c(&mut m, "com/acme/billing/Invoice$Line"), "p1/p2/p3/C1$C2");
        assert_eq!(c(&mut m, "com/acme/billing/Invoice"), "p1/p2/p3/C1");
        assert_eq!(c(&mut m, "[[Lcom/acme/billing/Invoice;"), "[[Lp1/p2/p3/C1;");
        assert_eq!(c(&mut m, "com.acme.Other$1"), "p1.p2.C3$1");
        assert_eq!(
            c(&mut m, "com/acme/Other$$Lambda$14/0x0000000800c0b000"),
            "p1/p2/C3$$Lambda$14/0x0000000800c0b000"
        );
        assert_eq!(
            c(&mut m, "com/acme/Other$$Lambda$1+0x00007f9c38001830"),
            "p1/p2/C3$$Lambda$1+0x00007f9c38001830"
        );
        assert_eq!(c(&mut m, "java/lang/String"), "java/lang/String");
        assert_eq!(c(&mut m, "[Ljava/lang/String;"), "[Ljava/lang/String;");
        assert_eq!(c(&mut m, "[I"), "[I");
        assert_eq!(c(&mut m, "char[][]"), "char[][]");
        assert_eq!(c(&mut m, "com.acme.Other[]"), "p1.p2.C3[]");
        assert_eq!(c(&mut m, "Main"), "C4");
        assert_eq!(c(&mut m, "org/acme/Lambda"), "p4/p5/C5");
        let sig = m
            .signature(
                b"(Lcom/acme/Other;[ILjava/lang/String;)[Lorg/acme/Lambda;",
                jdk,
            )
            .unwrap();
        assert_eq!(sig, b"(Lp1/p2/C3;[ILjava/lang/String;)[Lp4/p5/C5;");
        assert_eq!(m.signature(b"not a signature", jdk), None);
        assert_eq!(
            m.placeholder(NameKind::SourceFile, "Invoice.java"),
            "S1.java"
        );
        assert_eq!(m.placeholder(NameKind::SourceFile, "<unknown>"), "S2");
    }

    #[test]
    fn a_map_read_back_gives_the_same_placeholders() {
        let mut m = NameMap::new();
        m.class_name(b"com/acme/Foo", jdk);
        m.placeholder(NameKind::Field, "balance");
        m.placeholder(NameKind::SourceFile, "Foo.kt");
        m.placeholder(NameKind::Thread, "worker \"1\"\n");
        let json = String::from_utf8(m.to_json()).unwrap();
        assert!(json.contains("\"C1\": \"com/acme/Foo\""), "{json}");
        assert!(json.contains("\"S1.kt\": \"Foo.kt\""), "{json}");
        assert!(json.contains("\"t1\": \"worker \\\"1\\\"\\n\""), "{json}");
        let mut again = NameMap::new();
        again.assign(NameKind::Package, "p2", "com/acme").unwrap();
        again.assign(NameKind::Package, "p1", "com").unwrap();
        again.assign(NameKind::Class, "C1", "com/acme/Foo").unwrap();
        assert_eq!(again.class_name(b"com/acme/Foo$Bar", jdk), b"p1/p2/C1$C2");
        assert!(again.assign(NameKind::Class, "C1", "com/acme/Baz").is_err());
        assert!(again.assign(NameKind::Class, "C01", "x").is_err());
        assert!(again.assign(NameKind::Field, "C3", "x").is_err());
        assert!(
            again
                .assign(NameKind::SourceFile, "S1.kt", "Foo.java")
                .is_err()
        );
    }
}
