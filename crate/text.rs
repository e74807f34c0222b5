//! Text every layer and both front ends write the same way: object IDs, byte sizes, digit
//! groups, and Java's UTF-16 strings. Depends on nothing else in the crate.

/// An object ID (a 64-bit address): `0x` and lowercase hex, as every report and the
/// browser protocol write it (a JS number would round it).
pub fn hex_id(id: u64) -> String {
    format!("0x{id:x}")
}

/// An object ID written `0x…` in hex (`0X` too): the form reports give and the browser
/// takes.
pub fn parse_hex_id(s: &str) -> Option<u64> {
    let h = s.strip_prefix("0x").or_else(|| s.strip_prefix("0X"))?;
    u64::from_str_radix(h, 16).ok()
}

/// An object ID as typed on a command line: `0x…` hex or a decimal number, spaces around
/// it ignored.
pub fn parse_id(s: &str) -> Option<u64> {
    let t = s.trim();
    parse_hex_id(t).or_else(|| t.parse().ok())
}

/// A byte size for people: `512 B`, `1.5 MiB` (binary units, one decimal).
pub fn human_bytes(bytes: u64) -> String {
    const UNITS: [&str; 5] = ["B", "KiB", "MiB", "GiB", "TiB"];
    let mut v = bytes as f64;
    let mut u = 0;
    while v >= 1024.0 && u + 1 < UNITS.len() {
        v /= 1024.0;
        u += 1;
    }
    if u == 0 {
        format!("{bytes} B")
    } else {
        format!("{v:.1} {}", UNITS.get(u).copied().unwrap_or("B"))
    }
}

/// A number in groups of three digits separated by spaces: `18 446 021`.
pub fn group_digits(n: u64) -> String {
    let s = n.to_string();
    let mut out = String::with_capacity(s.len() + s.len() / 3);
    for (i, c) in s.chars().enumerate() {
        if i > 0 && (s.len() - i) % 3 == 0 {
            out.push(' ');
        }
        out.push(c);
    }
    out
}

/// Text from UTF-16 code units stored big-endian (a `char[]` in the dump); unpaired
/// surrogates become U+FFFD, a trailing odd byte is ignored.
pub fn utf16_be(data: &[u8]) -> String {
    decode_utf16(data, u16::from_be_bytes)
}

/// Text from UTF-16 code units stored little-endian (a JDK 9+ `String` with coder 1, as
/// x86 and ARM JVMs write it); as [`utf16_be`] otherwise.
pub fn utf16_le(data: &[u8]) -> String {
    decode_utf16(data, u16::from_le_bytes)
}

fn decode_utf16(data: &[u8], unit: fn([u8; 2]) -> u16) -> String {
    char::decode_utf16(data.chunks_exact(2).map(|p| {
        unit([
            p.first().copied().unwrap_or(0),
            p.get(1).copied().unwrap_or(0),
        ])
    }))
    .map(|c| c.unwrap_or(char::REPLACEMENT_CHARACTER))
    .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn object_ids_parse_as_each_caller_takes_them() {
        assert_eq!(parse_hex_id("0xfc03c2e0"), Some(0xfc03_c2e0));
        assert_eq!(parse_hex_id("0XFC"), Some(0xfc));
        for bad in ["252", " 0xfc", "0x", "0xzz", "fc", ""] {
            assert_eq!(parse_hex_id(bad), None, "{bad:?}");
        }
        assert_eq!(parse_id(" 0xfc\n"), Some(0xfc));
        assert_eq!(parse_id("252"), Some(252));
        for bad in ["0x", "0xzz", "fc", "", "-1"] {
            assert_eq!(parse_id(bad), None, "{bad:?}");
        }
        assert_eq!(hex_id(0xfc03_c2e0), "0xfc03c2e0");
    }

    #[test]
    fn digits_group_by_three() {
        assert_eq!(group_digits(18_446_021), "18 446 021");
        assert_eq!(group_digits(0), "0");
        assert_eq!(group_digits(999), "999");
        assert_eq!(group_digits(1000), "1 000");
    }

    #[test]
    fn sizes_use_binary_units() {
        assert_eq!(human_bytes(0), "0 B");
        assert_eq!(human_bytes(1023), "1023 B");
        assert_eq!(human_bytes(1536), "1.5 KiB");
        assert_eq!(human_bytes(2_411_724), "2.3 MiB");
    }

    #[test]
    fn utf16_in_both_byte_orders() {
        assert_eq!(utf16_be(&[0, b'h', 0, b'i', 0xd8]), "hi");
        assert_eq!(utf16_le(&[b'h', 0, b'i', 0]), "hi");
        assert_eq!(utf16_be(&[0xd8, 0x00]), "\u{fffd}");
    }
}
