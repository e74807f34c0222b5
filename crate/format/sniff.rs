//! Recognizes common non-HPROF inputs by their magic bytes, so that a user who drops the
//! wrong file is told what it is.

use super::header::SNIFF_LEN;

/// Describes what `b` (the first bytes of a file) looks like.
pub fn describe(b: &[u8]) -> String {
    let starts = |m: &[u8]| b.starts_with(m);
    let what =
        if b.is_empty() {
            "the file is empty (0 bytes)"
        } else if starts(b"PK\x03\x04") || starts(b"PK\x05\x06") {
            "this is a ZIP archive (unzip it and open the .hprof inside)"
        } else if starts(b"\x1f\x8b") {
            "this is gzip data inside a gzip stream (decompress it once first)"
        } else if starts(b"\x89PNG") {
            "this is a PNG image"
        } else if starts(b"\xff\xd8\xff") {
            "this is a JPEG image"
        } else if starts(b"%PDF") {
            "this is a PDF document"
        } else if starts(b"FLR\0") {
            "this is a Java Flight Recorder (JFR) recording, not a heap dump"
        } else if starts(b"\x7fELF") && elf_type(b) == Some(4) {
            "this is a process core dump (ELF core file), not a Java heap dump (`jhsdb jmap \
             --binaryheap --exe <java> --core <file>` writes one from it)"
        } else if starts(b"\x7fELF") {
            "this is an ELF executable or shared library"
        } else if starts(b"\xca\xfe\xba\xbe") {
            "this is a Java class file"
        } else if starts(b"BZh") {
            "this is bzip2-compressed data (decompress it first)"
        } else if starts(b"\xfd7zXZ\0") {
            "this is xz-compressed data (decompress it first)"
        } else if starts(b"\x28\xb5\x2f\xfd") {
            "this is zstd-compressed data (decompress it first)"
        } else if starts(b"7z\xbc\xaf\x27\x1c") {
            "this is a 7-Zip archive"
        } else if b.len() > 262 && b.get(257..262) == Some(b"ustar") {
            "this is a tar archive"
        } else if starts(b"JAVA PROFILE") {
            "it starts like HPROF but the header is malformed"
        } else if b.iter().take(SNIFF_LEN).all(|&c| {
            c == b'\n' || c == b'\r' || c == b'\t' || (0x20..0x7f).contains(&c) || c >= 0x80
        }) {
            let text = String::from_utf8_lossy(b.get(..SNIFF_LEN).unwrap_or(b));
            if text.contains("#instances") && text.contains("#bytes") {
                "this is a class histogram (jmap -histo or jcmd GC.class_histogram), not a heap \
                 dump"
            } else if text.contains("Full thread dump") {
                "this is a thread dump (jstack or jcmd Thread.print), not a heap dump"
            } else {
                "this looks like a text file"
            }
        } else {
            return format!(
                "unrecognized binary data (first bytes: {})",
                b.iter()
                    .take(8)
                    .map(|x| format!("{x:02x}"))
                    .collect::<Vec<_>>()
                    .join(" ")
            );
        };
    what.to_string()
}

/// The `e_type` of an ELF header (1 relocatable, 2 executable, 3 shared, 4 core), read in
/// the byte order the header declares.
fn elf_type(b: &[u8]) -> Option<u16> {
    let t = [*b.get(16)?, *b.get(17)?];
    match b.get(5)? {
        1 => Some(u16::from_le_bytes(t)),
        2 => Some(u16::from_be_bytes(t)),
        _ => None,
    }
}
