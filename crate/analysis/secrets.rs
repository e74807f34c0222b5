//! Secrets scan: values in the heap that look like secrets, each with the object that
//! holds it, the chain of classes and fields from its nearest holder, its kind, and the
//! value **masked** — at most a sixth of it (and never more than four characters) at each
//! end, so no report, log or error ever carries a whole value.
//!
//! Two ways a value is found, over reachable objects only:
//!
//! - **By its text** ([`Kind::PemPrivateKey`], [`Kind::Jwt`], [`Kind::CloudAccessKey`],
//!   [`Kind::UrlPassword`], [`Kind::BearerToken`]): one forward [`Scan`] over every
//!   reachable `char[]` and `byte[]` (the values of `String`s on every JDK, and any other
//!   text buffer), each read as characters — `char[]` as UTF-16 big-endian, `byte[]` as
//!   Latin-1, or as UTF-16 little-endian when most of its high bytes are 0 (a JDK 9+
//!   `String` with coder 1) — and searched for formats with fixed delimiters: a PEM
//!   `-----BEGIN … PRIVATE KEY-----` block with a body of at least 64 base64 characters; a
//!   JWT (three base64url segments whose first decodes to a JSON object with an `"alg"`);
//!   AWS access key IDs (`AKIA` / `ASIA` and 16 of `A–Z2–7`), GitHub tokens (`ghp_`,
//!   `gho_`, `ghu_`, `ghs_`, `ghr_` and 36 letters or digits) and Google API keys (`AIza`
//!   and 35 base64url characters), each between non-alphanumeric characters; the password
//!   of a `scheme://user:password@host` URL (not a `${…}`, `{{…}}`, `<…>` or `***`
//!   placeholder, nor the words `password`, `passwd`, `pass`, `secret`); a
//!   `Bearer` token of at least 16 characters. The object reported is the `String` whose
//!   value the array is (the array itself when no string holds it).
//! - **By the name that holds it** ([`Kind::SecretField`], [`Kind::SecretMapEntry`]): a
//!   non-empty `String`, `char[]` or `byte[]` in an instance or static field, or the value
//!   of a map entry (any object with a `key` and a `value` or `val` field: the nodes of
//!   `HashMap`, `LinkedHashMap`, `Hashtable`, `Properties`, `ConcurrentHashMap`,
//!   `TreeMap`) whose key is a `String`, where the name's last word (split at
//!   `camelCase`, `_`, `-`, `.`, spaces) is `password`, `passwd`, `passphrase`, `secret`,
//!   `token`, `credential(s)` or `authorization`, or whose last words are `api key`,
//!   `secret key` or `private key` (`apiKey`, `X-Api-Key`, `db.password`,
//!   `SERVICE_TOKEN`; not `tokenCount`, `passwordHint`, `tokenizer`). A value that is a
//!   `${…}`, `{{…}}` or `<…>` placeholder, only `*` or `x`, or itself such a name (a
//!   constant naming a key: JDK 6's `JMXConnector.CREDENTIALS = "jmx.remote.credentials"`)
//!   is not reported.
//!
//! An object is reported once: by its text when its text matches (then the field name is
//! in its chain anyway), else by its holder's name.
//!
//! **The chain** is the end of a shortest path from the GC roots ([`shortest_path`], weak
//! and Finalizer links ignored), from the nearest object that is neither an array nor a
//! `java.util.*` or `java.lang.ThreadLocal$*` object (the collection's owner, the thread
//! of a thread local, a class object for a static) down to the object; for a value found
//! by its holder's name, the chain to that holder then the named field.
//!
//! Misses (precision matters more than recall): unreachable objects; text past the first
//! [`MAX_SCAN_BYTES`] of an array; secrets in other encodings (UTF-8 bytes of non-ASCII
//! text are read as Latin-1, which keeps ASCII secrets findable), split over several
//! objects (a `StringBuilder`'s spare capacity is searched, a rope is not), or without a
//! fixed format and not held by a field or map key named as above (a password in a
//! `List`, in an object field named `secret` that is not text, in a `String[]` field
//! named `passwords`, in a `WeakHashMap`); names in other languages; other vendors'
//! key formats.
//!
//! The first [`MAX_SEARCHED`] findings' chains come from a bounded breadth-first search
//! each; any more follow depth-first-search parents (no search, so a dump with millions of
//! findings costs no more than reading them).
//!
//! Memory while the query runs: 1 byte per class, the findings (about 100 bytes each),
//! and the arrays whose text names a secret (about 40 bytes each: a handful); none is
//! kept after it answers.

use super::objects::{instance_fields, record};
use super::paths::{Exclusions, FieldNamer, shortest_path};
use crate::format::primitives::id_at;
use crate::format::tags::BasicType;
use crate::format::{ByteSource, HprofError};
use crate::graph::Heap;
use crate::model::classes::ClassKind;
use crate::model::hash::{IdHashMap, IdHashSet};
use crate::model::records::Record;
use crate::model::scan::{Scan, ScanRecord};
use crate::text::hex_id;
use serde::Serialize;
use std::collections::BTreeMap;

/// Bytes of an array's elements searched (the rest of a larger array is not).
pub const MAX_SCAN_BYTES: u64 = 1 << 20;
/// Findings listed (all are counted in `by_kind`).
pub const MAX_LISTED: usize = 10_000;
/// Objects visited when searching the path to one finding.
pub const MAX_EXPLORE: usize = 200_000;
/// Findings whose chain is the end of a shortest path (a bounded search each); the chains
/// of any more follow each object's parent in the depth-first search that numbered the
/// reachable objects (no search: a path from a GC root, not always a shortest one).
pub const MAX_SEARCHED: usize = 1000;
/// Steps of a holder chain at most.
pub const MAX_CHAIN: usize = 16;
/// The longest key or field name read as a secret's name, in characters.
pub const MAX_NAME: usize = 64;

/// What a secret is.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Kind {
    /// A PEM private key block.
    PemPrivateKey,
    /// A JSON Web Token.
    Jwt,
    /// An AWS access key ID, GitHub token or Google API key.
    CloudAccessKey,
    /// The password of a `scheme://user:password@host` URL.
    UrlPassword,
    /// A `Bearer` token.
    BearerToken,
    /// A value in a field named like a secret.
    SecretField,
    /// The value of a map entry whose key is named like a secret.
    SecretMapEntry,
}

/// Every kind, in the order findings are listed.
pub const KINDS: [Kind; 7] = [
    Kind::PemPrivateKey,
    Kind::Jwt,
    Kind::CloudAccessKey,
    Kind::UrlPassword,
    Kind::BearerToken,
    Kind::SecretField,
    Kind::SecretMapEntry,
];

impl Kind {
    /// The kind's name in reports.
    pub fn name(self) -> &'static str {
        match self {
            Kind::PemPrivateKey => "pem_private_key",
            Kind::Jwt => "jwt",
            Kind::CloudAccessKey => "cloud_access_key",
            Kind::UrlPassword => "url_password",
            Kind::BearerToken => "bearer_token",
            Kind::SecretField => "secret_field",
            Kind::SecretMapEntry => "secret_map_entry",
        }
    }
}

/// The secrets of a dump (`heapscope secrets --json`).
#[derive(Clone, Debug, Serialize, PartialEq, Eq)]
pub struct SecretsReport {
    /// The findings, by kind (in [`KINDS`] order), then in object order (at most
    /// [`MAX_LISTED`]).
    pub secrets: Vec<Secret>,
    /// Findings per kind (every kind, 0 included).
    pub by_kind: BTreeMap<&'static str, u64>,
    /// Findings left out of `secrets`.
    pub more_secrets: u64,
    /// Reachable `char[]` and `byte[]` whose text was searched.
    pub arrays_searched: u64,
}

/// One value that looks like a secret.
#[derive(Clone, Debug, Serialize, PartialEq, Eq)]
pub struct Secret {
    /// Its kind ([`Kind::name`]).
    pub kind: &'static str,
    /// The object holding the value (a `String`, `char[]` or `byte[]`).
    pub object: String,
    /// Its class.
    pub class: String,
    /// Classes and fields from its nearest holder down to it.
    pub path: Vec<Step>,
    /// The value masked: a few characters at each end around `…` (a `byte[]` that is not
    /// text: its first and last bytes in hex).
    pub masked: String,
    /// The value's length in characters (bytes for a `byte[]` that is not text).
    pub length: u64,
    /// What matched: the format (`AWS access key ID`), or the field or map key's name.
    pub detail: String,
}

/// One reference of a holder chain.
#[derive(Clone, Debug, Serialize, PartialEq, Eq)]
pub struct Step {
    /// The referring object's class (`class Name` for a class object's static).
    pub class: String,
    /// The field (`static NAME`, `[i]` for an array element, `<Java local>`).
    pub field: String,
    /// The referring object's ID.
    pub object: String,
}

/// A finding before its chain is read.
struct Found {
    kind: Kind,
    /// The object reported.
    obj: u32,
    masked: String,
    length: u64,
    detail: String,
    /// For a value found by its holder's name: the holder and the field.
    holder: Option<(u32, String)>,
}

/// A match in a text: its kind, what it is, and where the secret lies (character
/// positions).
#[derive(Debug, PartialEq, Eq)]
pub struct Match {
    /// The kind.
    pub kind: Kind,
    /// The format.
    pub detail: String,
    /// First character of the secret.
    pub start: usize,
    /// One past its last character.
    pub end: usize,
}

// ------------------------------------------------------------------ names

/// Whether a field or map key's name names a secret (see the module documentation).
pub fn is_secret_name(name: &str) -> bool {
    if name.is_empty() || name.chars().count() > MAX_NAME {
        return false;
    }
    let mut words: Vec<String> = Vec::new();
    let mut cur = String::new();
    let mut prev_lower = false;
    for c in name.chars() {
        if !c.is_ascii_alphanumeric() {
            if !cur.is_empty() {
                words.push(std::mem::take(&mut cur));
            }
            prev_lower = false;
            continue;
        }
        if c.is_ascii_uppercase() && prev_lower && !cur.is_empty() {
            words.push(std::mem::take(&mut cur));
        }
        prev_lower = c.is_ascii_lowercase() || c.is_ascii_digit();
        cur.push(c.to_ascii_lowercase());
    }
    if !cur.is_empty() {
        words.push(cur);
    }
    let last = words.last().map_or("", |w| w.as_str());
    let two = match words.as_slice() {
        [.., a, b] => format!("{a}{b}"),
        _ => String::new(),
    };
    matches!(
        last,
        "password"
            | "passwd"
            | "passphrase"
            | "secret"
            | "token"
            | "credential"
            | "credentials"
            | "authorization"
            | "apikey"
            | "secretkey"
            | "privatekey"
    ) || matches!(two.as_str(), "apikey" | "secretkey" | "privatekey")
}

/// Whether a value is a placeholder rather than a secret.
fn is_placeholder(t: &[u8]) -> bool {
    t.is_empty()
        || (t.starts_with(b"${") && t.ends_with(b"}"))
        || (t.starts_with(b"{{") && t.ends_with(b"}}"))
        || (t.starts_with(b"<") && t.ends_with(b">"))
        || (t.starts_with(b"%(") && t.ends_with(b")s"))
        || t.iter().all(|&c| c == b'*' || c == b'x' || c == b'X')
}

// ------------------------------------------------------------------ masking

/// A value masked: its first and last `k` characters around `…`, `k` a sixth of its
/// length and at most 4 (`…` alone under 6 characters). Control characters shown as `·`.
pub fn mask(chars: &[char]) -> String {
    let n = chars.len();
    let k = (n / 6).min(4);
    let show = |c: &char| if c.is_control() { '·' } else { *c };
    let mut s: String = chars.iter().take(k).map(show).collect();
    s.push('…');
    s.extend(chars.get(n - k..).unwrap_or(&[]).iter().map(show));
    s
}

/// Bytes that are not text masked: `0x`, the first and last `k` bytes in hex around `…`,
/// `k` a sixth of the length and at most 3.
pub fn mask_bytes(b: &[u8]) -> String {
    let n = b.len();
    let k = (n / 6).min(3);
    let hex = |x: &[u8]| x.iter().map(|v| format!("{v:02x}")).collect::<String>();
    format!(
        "0x{}…{}",
        hex(b.get(..k).unwrap_or(&[])),
        hex(b.get(n - k..).unwrap_or(&[]))
    )
}

// ------------------------------------------------------------------ text formats

fn at(b: &[u8], i: usize) -> u8 {
    b.get(i).copied().unwrap_or(0)
}

fn b64url_char(c: u8) -> bool {
    c.is_ascii_alphanumeric() || c == b'-' || c == b'_'
}

/// How many of `b[i..]` satisfy `f` (at most `max`).
fn run(b: &[u8], i: usize, max: usize, f: impl Fn(u8) -> bool) -> usize {
    b.get(i..)
        .map_or(0, |r| r.iter().take(max).take_while(|&&c| f(c)).count())
}

fn starts(b: &[u8], i: usize, p: &[u8]) -> bool {
    b.get(i..).is_some_and(|r| r.starts_with(p))
}

/// Decodes base64url without padding (`None` on a character outside the alphabet).
fn b64url_decode(s: &[u8]) -> Option<Vec<u8>> {
    let val = |c: u8| -> Option<u32> {
        Some(match c {
            b'A'..=b'Z' => u32::from(c - b'A'),
            b'a'..=b'z' => u32::from(c - b'a') + 26,
            b'0'..=b'9' => u32::from(c - b'0') + 52,
            b'-' => 62,
            b'_' => 63,
            _ => return None,
        })
    };
    let mut out = Vec::with_capacity(s.len() * 3 / 4);
    let (mut acc, mut bits) = (0u32, 0u32);
    for &c in s {
        acc = (acc << 6) | val(c)?;
        bits += 6;
        if bits >= 8 {
            bits -= 8;
            out.push((acc >> bits) as u8);
            acc &= (1 << bits) - 1;
        }
    }
    Some(out)
}

fn pem(b: &[u8], i: usize) -> Option<Match> {
    const BEGIN: &[u8] = b"-----BEGIN ";
    if !starts(b, i, BEGIN) {
        return None;
    }
    let l = i + BEGIN.len();
    let n = run(b, l, 40, |c| c.is_ascii_uppercase() || c == b' ');
    let label = b.get(l..l + n)?;
    if !label.ends_with(b"PRIVATE KEY") || !starts(b, l + n, b"-----") {
        return None;
    }
    let mut j = l + n + 5;
    // Skip header lines (`Proc-Type: …`) and blank lines.
    loop {
        j += run(b, j, usize::MAX, |c| c == b'\r' || c == b'\n');
        let line = run(b, j, 200, |c| c != b'\n' && c != b'\r');
        if b.get(j..j + line).is_some_and(|x| x.contains(&b':')) {
            j += line;
        } else {
            break;
        }
    }
    let body = run(b, j, usize::MAX, |c| {
        c.is_ascii_alphanumeric() || matches!(c, b'+' | b'/' | b'=' | b'\r' | b'\n' | b' ' | b'\t')
    });
    let text = b.get(j..j + body)?;
    let chars = text.iter().filter(|c| !c.is_ascii_whitespace()).count();
    if chars < 64 {
        return None;
    }
    let end = j + text.iter().rposition(|c| !c.is_ascii_whitespace())? + 1;
    Some(Match {
        kind: Kind::PemPrivateKey,
        detail: String::from_utf8_lossy(label).into_owned(),
        start: j,
        end,
    })
}

fn jwt(b: &[u8], i: usize) -> Option<Match> {
    if !starts(b, i, b"eyJ") || (i > 0 && (b64url_char(at(b, i - 1)) || at(b, i - 1) == b'.')) {
        return None;
    }
    let s1 = run(b, i, 4096, b64url_char);
    if s1 < 10 || at(b, i + s1) != b'.' {
        return None;
    }
    let s2 = run(b, i + s1 + 1, 1 << 16, b64url_char);
    let k = i + s1 + 1 + s2;
    if s2 < 4 || at(b, k) != b'.' {
        return None;
    }
    let s3 = run(b, k + 1, 4096, b64url_char);
    let end = k + 1 + s3;
    if s3 < 16 || at(b, end) == b'.' || b64url_char(at(b, end)) {
        return None;
    }
    let header = b64url_decode(b.get(i..i + s1)?)?;
    let h = header.trim_ascii_start();
    if !h.starts_with(b"{") || !h.windows(5).any(|w| w == b"\"alg\"") {
        return None;
    }
    Some(Match {
        kind: Kind::Jwt,
        detail: "JSON Web Token".into(),
        start: i,
        end,
    })
}

fn cloud_key(b: &[u8], i: usize) -> Option<Match> {
    if i > 0 && at(b, i - 1).is_ascii_alphanumeric() {
        return None;
    }
    let fixed = |prefix: &[u8], n: usize, ok: fn(u8) -> bool, detail: &str| {
        let p = prefix.len();
        (starts(b, i, prefix) && run(b, i + p, n, ok) == n && !b64url_char(at(b, i + p + n))).then(
            || Match {
                kind: Kind::CloudAccessKey,
                detail: detail.into(),
                start: i,
                end: i + p + n,
            },
        )
    };
    let base32 = |c: u8| c.is_ascii_uppercase() || (b'2'..=b'7').contains(&c);
    let alnum = |c: u8| c.is_ascii_alphanumeric();
    fixed(b"AKIA", 16, base32, "AWS access key ID")
        .or_else(|| fixed(b"ASIA", 16, base32, "AWS temporary access key ID"))
        .or_else(|| fixed(b"AIza", 35, b64url_char, "Google API key"))
        .or_else(|| fixed(b"ghp_", 36, alnum, "GitHub token"))
        .or_else(|| fixed(b"gho_", 36, alnum, "GitHub token"))
        .or_else(|| fixed(b"ghu_", 36, alnum, "GitHub token"))
        .or_else(|| fixed(b"ghs_", 36, alnum, "GitHub token"))
        .or_else(|| fixed(b"ghr_", 36, alnum, "GitHub token"))
}

fn url_password(b: &[u8], i: usize) -> Option<Match> {
    if !starts(b, i, b"://") {
        return None;
    }
    // The scheme: letters, digits, `+`, `-`, `.` before `://`, starting with a letter.
    let mut s = i;
    while s > 0 && {
        let c = at(b, s - 1);
        c.is_ascii_alphanumeric() || matches!(c, b'+' | b'-' | b'.')
    } {
        s -= 1;
    }
    while s < i && !at(b, s).is_ascii_alphabetic() {
        s += 1;
    }
    if i - s < 2 {
        return None;
    }
    let u = i + 3;
    let n = run(b, u, 512, |c| {
        c > b' ' && c < 0x7f && !matches!(c, b'/' | b'?' | b'#' | b'@' | b'"' | b'\'' | b'<' | b'>')
    });
    if at(b, u + n) != b'@' {
        return None;
    }
    let info = b.get(u..u + n)?;
    let colon = info.iter().position(|&c| c == b':')?;
    let pass = info.get(colon + 1..)?;
    let host = at(b, u + n + 1);
    if pass.is_empty() || !(host.is_ascii_alphanumeric() || host == b'[') || is_placeholder(pass) {
        return None;
    }
    let lower = pass.to_ascii_lowercase();
    if matches!(
        lower.as_slice(),
        b"password" | b"passwd" | b"pass" | b"secret" | b"pwd"
    ) {
        return None;
    }
    Some(Match {
        kind: Kind::UrlPassword,
        detail: format!(
            "password in a {} URL",
            String::from_utf8_lossy(b.get(s..i).unwrap_or(&[]))
        ),
        start: u + colon + 1,
        end: u + n,
    })
}

fn bearer(b: &[u8], i: usize) -> Option<Match> {
    if !b.get(i..i + 6)?.eq_ignore_ascii_case(b"bearer")
        || (i > 0 && at(b, i - 1).is_ascii_alphanumeric())
    {
        return None;
    }
    let sp = run(b, i + 6, 8, |c| c == b' ');
    if sp == 0 {
        return None;
    }
    let t = i + 6 + sp;
    let token =
        |c: u8| c.is_ascii_alphanumeric() || matches!(c, b'-' | b'.' | b'_' | b'~' | b'+' | b'/');
    let n = run(b, t, 8192, token);
    let pad = run(b, t + n, 2, |c| c == b'=');
    if n < 16 {
        return None;
    }
    Some(Match {
        kind: Kind::BearerToken,
        detail: "bearer token".into(),
        start: t,
        end: t + n + pad,
    })
}

/// The secrets in a text given as one byte per character (ASCII as is; other characters
/// any byte of 0x80 or more). Matches do not overlap: each search goes on after the last
/// match.
pub fn find_in_text(b: &[u8]) -> Vec<Match> {
    let mut out = Vec::new();
    if b.len() < 16 {
        return out;
    }
    let mut i = 0;
    while let Some(&c) = b.get(i) {
        let m = match c {
            b'-' => pem(b, i),
            b'e' => jwt(b, i),
            b'A' | b'g' => cloud_key(b, i),
            b':' => url_password(b, i),
            b'B' | b'b' => bearer(b, i),
            _ => None,
        };
        match m {
            Some(m) => {
                i = m.end.max(i + 1);
                out.push(m);
            }
            None => i += 1,
        }
    }
    out
}

// ------------------------------------------------------------------ reading values

/// An array's elements as one byte per character ([`find_in_text`]'s input) and as
/// characters (`None` for a `byte[]` read as Latin-1, whose bytes are its characters).
fn text_of(elem: BasicType, data: &[u8]) -> (Vec<u8>, Option<Vec<char>>) {
    let project = |u: u16| if u < 0x80 { u as u8 } else { 0xff };
    let units = |le: bool| -> Vec<u16> {
        data.chunks_exact(2)
            .map(|p| {
                let x = [at(p, 0), at(p, 1)];
                if le {
                    u16::from_le_bytes(x)
                } else {
                    u16::from_be_bytes(x)
                }
            })
            .collect()
    };
    let utf16 = |u: Vec<u16>| {
        let ascii = u.iter().map(|&x| project(x)).collect();
        let chars = char::decode_utf16(u.iter().copied())
            .map(|r| r.unwrap_or('\u{fffd}'))
            .collect();
        (ascii, Some(chars))
    };
    match elem {
        BasicType::CHAR => utf16(units(false)),
        _ => {
            // A JDK 9+ UTF-16 string: even length, most high (odd) bytes 0, not all.
            let odd = data.iter().skip(1).step_by(2);
            let zeros = odd.clone().filter(|&&x| x == 0).count();
            let pairs = data.len() / 2;
            if data.len() % 2 == 0 && pairs >= 4 && zeros * 4 >= pairs * 3 && zeros < pairs {
                utf16(units(true))
            } else {
                (data.to_vec(), None)
            }
        }
    }
}

/// Characters `start..end` of a text read by [`text_of`].
fn chars_of(ascii: &[u8], chars: &Option<Vec<char>>, start: usize, end: usize) -> Vec<char> {
    match chars {
        Some(c) => c.get(start..end).unwrap_or(&[]).to_vec(),
        None => ascii
            .get(start..end)
            .unwrap_or(&[])
            .iter()
            .map(|&b| char::from(b))
            .collect(),
    }
}

/// A value's masked form and length: text when it is (a `char[]`, a `String`, a `byte[]`
/// of printable characters), else hex. `None`: empty or a placeholder.
fn masked_value(elem: BasicType, data: &[u8], string: bool) -> Option<(String, u64)> {
    let (ascii, chars) = text_of(elem, data);
    if is_placeholder(&ascii) {
        return None;
    }
    let printable = |b: &u8| (0x20..0x7f).contains(b);
    if elem == BasicType::BYTE && !string && chars.is_none() && !ascii.iter().all(printable) {
        return Some((mask_bytes(data), data.len() as u64));
    }
    let c = chars_of(&ascii, &chars, 0, ascii.len());
    // A constant naming a key (`CREDENTIALS = "jmx.remote.credentials"`), not a secret.
    if is_secret_name(&c.iter().collect::<String>()) {
        return None;
    }
    Some((mask(&c), c.len() as u64))
}

/// A `String`'s value array, and the range of it that is the value (JDK 6: `offset` and
/// `count`, in elements; a JDK 9+ `byte[]`'s coder is told from its bytes, [`text_of`]).
struct StringValue {
    array: u32,
    offset: u32,
    count: Option<u32>,
}

/// A `String`'s value (`None` when it has none).
fn string_value(
    heap: &Heap,
    src: &mut dyn ByteSource,
    s: u32,
) -> Result<Option<StringValue>, HprofError> {
    let Some(Record::Instance { data, .. }) = record(heap, src, s, 0)? else {
        return Ok(None);
    };
    let fields = instance_fields(heap, s, &data);
    let find = |n: &str| fields.iter().find(|f| f.1 == n);
    let Some(arr) = find("value")
        .filter(|f| f.2 == BasicType::OBJECT)
        .and_then(|f| heap.object_by_id(f.3))
    else {
        return Ok(None);
    };
    Ok(Some(StringValue {
        array: arr,
        offset: find("offset").map_or(0, |f| f.3 as u32),
        count: find("count").map(|f| f.3 as u32),
    }))
}

/// The masked value of a `String`, `char[]` or `byte[]` held by a named field.
fn named_value(
    heap: &Heap,
    src: &mut dyn ByteSource,
    obj: u32,
    strings: &[bool],
) -> Result<Option<(String, u64)>, HprofError> {
    let class = heap.class_of(obj);
    let is_string = strings.get(class as usize).copied().unwrap_or(false);
    let (arr, offset, count) = if is_string {
        match string_value(heap, src, obj)? {
            Some(v) => (v.array, v.offset, v.count),
            None => return Ok(None),
        }
    } else {
        (obj, 0, None)
    };
    let Some(Record::PrimArray { elem, data, .. }) = record(heap, src, arr, MAX_SCAN_BYTES as u32)?
    else {
        return Ok(None);
    };
    if !matches!(elem, BasicType::CHAR | BasicType::BYTE) {
        return Ok(None);
    }
    let width = if elem == BasicType::CHAR { 2 } else { 1 };
    let from = (offset as usize).saturating_mul(width).min(data.len());
    let to = count.map_or(data.len(), |c| {
        from.saturating_add((c as usize).saturating_mul(width))
            .min(data.len())
    });
    Ok(masked_value(
        elem,
        data.get(from..to).unwrap_or(&[]),
        is_string,
    ))
}

// ------------------------------------------------------------------ the scan

/// Byte offsets (in an instance's dump data) and names of a class's reference fields
/// named like a secret, this class's and its superclasses'.
fn named_fields(heap: &Heap, class: u32) -> Vec<(usize, String)> {
    let id_size = heap.index.header.id_size;
    let classes = &heap.index.classes;
    let mut out = Vec::new();
    let mut off = 0usize;
    for ci in classes.hierarchy(class) {
        let Some(c) = classes.get(ci) else {
            break;
        };
        for f in &c.fields {
            let name = heap.index.strings.get_or(f.name_id);
            if f.ty == BasicType::OBJECT && is_secret_name(&name) {
                out.push((off, name));
            }
            off += usize::from(f.ty.size_in_dump(id_size).unwrap_or(0));
        }
    }
    out
}

/// Scans the reachable heap for secrets.
pub fn secrets(heap: &Heap, src: &mut dyn ByteSource) -> Result<SecretsReport, HprofError> {
    let classes = &heap.index.classes;
    let first = classes.object_count;
    let id_size = heap.index.header.id_size;
    let objects = heap.objects();
    // Per class (1 byte each): what its instances are to the scan.
    const OTHER: u8 = 0;
    const TEXT: u8 = 1;
    const NAMED: u8 = 2;
    let mut strings = vec![false; classes.len()];
    for &c in classes.by_name("java.lang.String") {
        if let Some(s) = strings.get_mut(c as usize) {
            *s = true;
        }
    }
    let mut named: IdHashMap<u32, Vec<(usize, String)>> = IdHashMap::default();
    let tag: Vec<u8> = (0..classes.len() as u32)
        .map(|c| match classes.get(c).map(|i| i.kind) {
            Some(ClassKind::PrimArray(BasicType::CHAR | BasicType::BYTE)) => TEXT,
            Some(ClassKind::PrimArray(_) | ClassKind::ObjArray) | None => OTHER,
            _ => {
                let f = named_fields(heap, c);
                if f.is_empty() {
                    OTHER
                } else {
                    named.insert(c, f);
                    NAMED
                }
            }
        })
        .collect();
    let is_string = |o: u32| {
        strings
            .get(heap.class_of(o) as usize)
            .copied()
            .unwrap_or(false)
    };

    // 1. Every reachable char[] / byte[]: secrets by their text; and the arrays whose text
    //    names a secret (candidate map keys). 2. The instances with named fields: what
    //    those fields hold. One forward sweep.
    let mut by_text: Vec<(u32, Match, String, u64)> = Vec::new();
    let mut name_arrays: IdHashMap<u32, String> = IdHashMap::default();
    let mut held: Vec<(u32, u32, String)> = Vec::new();
    let mut arrays_searched = 0u64;
    {
        let mut scan = Scan::new(src, &heap.index.files, id_size);
        for x in first..objects.len() as u32 {
            let t = tag.get(heap.class_of(x) as usize).copied().unwrap_or(OTHER);
            if t == OTHER || heap.pre(x).is_none() {
                continue;
            }
            match scan.record(u64::from(x - first), MAX_SCAN_BYTES)? {
                ScanRecord::PrimArray { elem, data, .. } if t == TEXT => {
                    arrays_searched += 1;
                    let (ascii, chars) = text_of(elem, data);
                    for m in find_in_text(&ascii) {
                        let c = chars_of(&ascii, &chars, m.start, m.end);
                        let masked = mask(&c);
                        by_text.push((x, m, masked, c.len() as u64));
                    }
                    if (5..=MAX_NAME).contains(&ascii.len()) && ascii.is_ascii() {
                        let name = String::from_utf8_lossy(&ascii).into_owned();
                        if is_secret_name(&name) {
                            name_arrays.insert(x, name);
                        }
                    }
                }
                ScanRecord::Instance { data, .. } if t == NAMED => {
                    for (off, name) in named.get(&heap.class_of(x)).into_iter().flatten() {
                        let id = data
                            .get(*off..*off + usize::from(id_size))
                            .map(|b| id_at(b, id_size));
                        if let Some(v) = id.and_then(|id| heap.object_by_id(id)) {
                            held.push((x, v, name.clone()));
                        }
                    }
                }
                _ => {}
            }
        }
    }
    // Statics named like a secret.
    for (c, info) in classes.classes.iter().enumerate() {
        for s in &info.statics {
            if s.ty != BasicType::OBJECT {
                continue;
            }
            let name = heap.index.strings.get_or(s.name_id);
            if is_secret_name(&name)
                && let Some(v) = heap.object_by_id(s.value)
            {
                held.push((c as u32, v, format!("static {name}")));
            }
        }
    }

    // What each text match reports: the String whose value the array is, else the array.
    let mut found: Vec<Found> = Vec::new();
    let mut reported: IdHashSet<u32> = IdHashSet::default();
    for (arr, m, masked, length) in by_text {
        let obj = heap
            .referrers(arr)
            .into_iter()
            .find(|&r| is_string(r))
            .unwrap_or(arr);
        reported.insert(obj);
        found.push(Found {
            kind: m.kind,
            obj,
            masked,
            length,
            detail: m.detail,
            holder: None,
        });
    }

    // Map entries whose key names a secret: the entries (objects with `key` and
    // `value`/`val`) among the referrers of the strings holding those names.
    let mut entries: Vec<(u32, u32, String)> = Vec::new();
    for (&arr, name) in &name_arrays {
        for s in heap.referrers(arr).into_iter().filter(|&s| is_string(s)) {
            for n in heap.referrers(s) {
                if n >= first && heap.class_info(n).is_some_and(|c| !c.is_array()) {
                    entries.push((n, s, name.clone()));
                }
            }
        }
    }
    entries.sort_unstable_by_key(|e| (e.0, e.1));
    entries.dedup_by_key(|e| (e.0, e.1));
    let mut by_entry: Vec<(u32, u32, String, String)> = Vec::new();
    for (n, key, name) in entries {
        let Some(Record::Instance { data, .. }) = record(heap, src, n, 0)? else {
            continue;
        };
        let fields = instance_fields(heap, n, &data);
        let get = |f: &str| {
            fields
                .iter()
                .find(|x| x.1 == f && x.2 == BasicType::OBJECT)
                .map(|x| x.3)
        };
        if get("key").and_then(|id| heap.object_by_id(id)) != Some(key) {
            continue;
        }
        let value = get("value")
            .map(|v| (v, "value"))
            .or_else(|| get("val").map(|v| (v, "val")));
        if let Some((v, field)) = value
            && let Some(v) = heap.object_by_id(v)
        {
            by_entry.push((n, v, field.to_string(), name));
        }
    }

    // Values held by named fields and map entries: Strings, char[] and byte[].
    let mut named_found = |holder: u32,
                           v: u32,
                           field: String,
                           kind: Kind,
                           detail: String,
                           src: &mut dyn ByteSource|
     -> Result<(), HprofError> {
        if reported.contains(&v) || heap.pre(v).is_none() {
            return Ok(());
        }
        let text = is_string(v)
            || matches!(
                heap.class_info(v).map(|c| c.kind),
                Some(ClassKind::PrimArray(BasicType::CHAR | BasicType::BYTE))
            );
        if !text || v < first {
            return Ok(());
        }
        if let Some((masked, length)) = named_value(heap, src, v, &strings)? {
            reported.insert(v);
            found.push(Found {
                kind,
                obj: v,
                masked,
                length,
                detail,
                holder: Some((holder, field)),
            });
        }
        Ok(())
    };
    for (holder, v, field) in held {
        let detail = format!("field {}", field.trim_start_matches("static "));
        named_found(holder, v, field, Kind::SecretField, detail, src)?;
    }
    for (n, v, field, name) in by_entry {
        named_found(
            n,
            v,
            field,
            Kind::SecretMapEntry,
            format!("map key {name}"),
            src,
        )?;
    }

    // Counted, ordered, listed with their chains.
    let mut by_kind: BTreeMap<&'static str, u64> = KINDS.iter().map(|k| (k.name(), 0)).collect();
    for f in &found {
        *by_kind.entry(f.kind.name()).or_insert(0) += 1;
    }
    found.sort_by_key(|f| (f.kind, f.obj));
    let more_secrets = found.len().saturating_sub(MAX_LISTED) as u64;
    found.truncate(MAX_LISTED);
    let ex = Exclusions::new(heap, false);
    let mut namer = FieldNamer::default();
    let mut out = Vec::with_capacity(found.len());
    for (i, f) in found.into_iter().enumerate() {
        let search = i < MAX_SEARCHED;
        let path = match &f.holder {
            Some((h, field)) => {
                let mut p = chain(heap, src, &ex, &mut namer, *h, search)?;
                p.push(Step {
                    class: heap.describe_class(*h),
                    field: field.clone(),
                    object: hex_id(heap.id_of(*h)),
                });
                p
            }
            None => chain(heap, src, &ex, &mut namer, f.obj, search)?,
        };
        out.push(Secret {
            kind: f.kind.name(),
            object: hex_id(heap.id_of(f.obj)),
            class: heap.describe_class(f.obj),
            path,
            masked: f.masked,
            length: f.length,
            detail: f.detail,
        });
    }
    Ok(SecretsReport {
        secrets: out,
        by_kind,
        more_secrets,
        arrays_searched,
    })
}

/// Whether an object is part of what holds a value rather than its holder: arrays and
/// the JDK's collections and thread-local maps.
fn internal(heap: &Heap, obj: u32) -> bool {
    if obj < heap.index.classes.object_count {
        return false;
    }
    let Some(c) = heap.class_info(obj) else {
        return false;
    };
    c.is_array()
        || c.name.starts_with("java.util.")
        || c.name.starts_with("java.lang.ThreadLocal$")
        || c.name == "java.lang.String"
}

/// A path from a GC root to `obj` through each object's depth-first-search parent (the
/// first of its referrers), its last `MAX_CHAIN + 1` objects at most, root side first.
fn parent_path(heap: &Heap, obj: u32) -> Vec<u32> {
    let dom = &heap.dom;
    let mut path = vec![obj];
    let mut p = heap.pre(obj);
    while let Some(x) = p
        && path.len() <= MAX_CHAIN
    {
        let mut parent = None;
        dom.referrers.for_each(x, |q| {
            if parent.is_none() {
                parent = Some(q);
            }
        });
        p = parent.filter(|&q| q != 0 && q != x);
        if let Some(o) = p.and_then(|q| dom.vertex.get(q as usize).copied()) {
            path.push(o);
            if !internal(heap, o) {
                break;
            }
        }
    }
    path.reverse();
    path
}

/// The chain from `obj`'s nearest holder down to it (empty when `obj` is a holder): the
/// end of a shortest path (`search`) or of the depth-first-search parents' path.
fn chain(
    heap: &Heap,
    src: &mut dyn ByteSource,
    ex: &Exclusions,
    namer: &mut FieldNamer,
    obj: u32,
    search: bool,
) -> Result<Vec<Step>, HprofError> {
    if !internal(heap, obj) {
        return Ok(Vec::new());
    }
    let path = if search {
        shortest_path(heap, ex, obj, MAX_EXPLORE, None)
    } else {
        None
    }
    .unwrap_or_else(|| parent_path(heap, obj));
    // From the object back to the nearest holder (or the GC root).
    let mut from = path.len().saturating_sub(1);
    while from > 0 && path.len() - from <= MAX_CHAIN {
        from -= 1;
        if path.get(from).is_some_and(|&o| !internal(heap, o)) {
            break;
        }
    }
    let mut steps = Vec::new();
    for w in path.get(from..).unwrap_or(&[]).windows(2) {
        if let &[a, b] = w {
            steps.push(Step {
                class: heap.describe_class(a),
                field: namer.name(heap, src, a, b)?,
                object: hex_id(heap.id_of(a)),
            });
        }
    }
    Ok(steps)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names() {
        for n in [
            "password",
            "storePassword",
            "db.password",
            "SERVICE_TOKEN",
            "apiKey",
            "api_key",
            "X-Api-Key",
            "APIKEY",
            "clientSecret",
            "Authorization",
            "credentials",
            "privateKey",
        ] {
            assert!(is_secret_name(n), "{n}");
        }
        for n in [
            "passwordHint",
            "tokenCount",
            "tokenizer",
            "passwordPolicy",
            "key",
            "PWD",
            "author",
            "secretary",
        ] {
            assert!(!is_secret_name(n), "{n}");
        }
    }

    #[test]
    fn masks() {
        let m = |s: &str| mask(&s.chars().collect::<Vec<_>>());
        assert_eq!(m("hunter2"), "h…2");
        assert_eq!(m("abc"), "…");
        assert_eq!(m("AKIAZ3MHQ7TESTFAKE2X"), "AKI…E2X");
        assert_eq!(m("0123456789abcdefghijklmnopqrstuvwxyz"), "0123…wxyz");
        assert_eq!(mask_bytes(&[1, 2, 3, 4, 5, 6, 7]), "0x01…07");
    }

    #[test]
    fn formats() {
        let kinds = |s: &str| {
            find_in_text(s.as_bytes())
                .into_iter()
                .map(|m| (m.kind, s.get(m.start..m.end).unwrap_or("").to_string()))
                .collect::<Vec<_>>()
        };
        assert_eq!(
            kinds("jdbc:postgresql://app:s3cr3t-pw@db:5432/x"),
            [(Kind::UrlPassword, "s3cr3t-pw".to_string())]
        );
        assert!(kinds("postgresql://app:${DB_PASSWORD}@db:5432/x").is_empty());
        assert!(kinds("https://user@example.com/path?x=1").is_empty());
        assert_eq!(
            kinds("key id AKIAZ3MHQ7TESTFAKE2X here"),
            [(Kind::CloudAccessKey, "AKIAZ3MHQ7TESTFAKE2X".to_string())]
        );
        assert!(kinds("key id AKIAZ3MHQ7TESTFAKE2 here").is_empty());
        assert!(kinds("key id AKIAZ3MHQ7TESTFAKE2XY here").is_empty());
        assert_eq!(
            kinds("Authorization: Bearer abcdefghijklmnop0123"),
            [(Kind::BearerToken, "abcdefghijklmnop0123".to_string())]
        );
        assert!(kinds("Authorization: Bearer abc and more text").is_empty());
        // {"alg":"HS256"} . {"a":1} . signature
        let jwt = "eyJhbGciOiJIUzI1NiJ9.eyJhIjoxfQ.c2lnbmF0dXJlLXNpZ25hdHVyZQ";
        assert_eq!(kinds(&format!("t={jwt};")), [(Kind::Jwt, jwt.to_string())]);
        // {"not":1}: no alg.
        assert!(kinds("eyJub3QiOjF9.eyJhIjoxfQ.c2lnbmF0dXJlLXNpZ25hdHVyZQ").is_empty());
        let body = "MIIB".to_string() + &"A".repeat(80);
        let pem = format!("-----BEGIN EC PRIVATE KEY-----\n{body}\n-----END EC PRIVATE KEY-----\n");
        assert_eq!(kinds(&pem), [(Kind::PemPrivateKey, body.clone())]);
        let public = format!("-----BEGIN PUBLIC KEY-----\n{body}\n-----END PUBLIC KEY-----\n");
        assert!(kinds(&public).is_empty());
    }
}
