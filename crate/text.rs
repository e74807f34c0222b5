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
/// A time in milliseconds since 1970 in UTC: `2024-03-05 14:02:11 UTC`, with the
/// milliseconds (`14:02:11.250 UTC`) when `millis`. The civil date comes from the days
/// since the epoch (Howard Hinnant's algorithm): no clock or time zone of the machine.
pub fn utc(ms: i64, millis: bool) -> String {
    let secs = ms.div_euclid(1000);
    let (days, rem) = (secs.div_euclid(86_400), secs.rem_euclid(86_400));
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let day = doy - (153 * mp + 2) / 5 + 1;
    let month = if mp < 10 { mp + 3 } else { mp - 9 };
    let year = yoe + era * 400 + i64::from(month <= 2);
    let (h, m, sec) = (rem / 3600, rem % 3600 / 60, rem % 60);
    if millis {
        format!(
            "{year:04}-{month:02}-{day:02} {h:02}:{m:02}:{sec:02}.{:03} UTC",
            ms.rem_euclid(1000)
        )
    } else {
        format!("{year:04}-{month:02}-{day:02} {h:02}:{m:02}:{sec:02} UTC")
    }
}

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
