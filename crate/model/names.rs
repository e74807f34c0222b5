//! Class names in Java form: `java/lang/String` → `java.lang.String`,
//! `[Ljava/lang/Object;` → `java.lang.Object[]`, `[[I` → `int[][]`.

/// Converts an HPROF class name (internal or already dotted) to Java source form.
pub fn java_class_name(raw: &str) -> String {
    let dims = raw.bytes().take_while(|&c| c == b'[').count();
    if dims == 0 {
        return raw.replace('/', ".");
    }
    let elem = &raw[dims..];
    let base = match elem {
        "Z" => "boolean".to_string(),
        "C" => "char".to_string(),
        "F" => "float".to_string(),
        "D" => "double".to_string(),
        "B" => "byte".to_string(),
        "S" => "short".to_string(),
        "I" => "int".to_string(),
        "J" => "long".to_string(),
        _ => {
            let e = elem.strip_prefix('L').unwrap_or(elem);
            let e = e.strip_suffix(';').unwrap_or(e);
            e.replace('/', ".")
        }
    };
    let mut s = base;
    for _ in 0..dims {
        s.push_str("[]");
    }
    s
}

/// Java name of the array class whose elements have primitive type `name` (`int` →
/// `int[]`).
pub fn prim_array_name(elem: &str) -> String {
    format!("{elem}[]")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn converts_internal_names() {
        assert_eq!(java_class_name("java/lang/String"), "java.lang.String");
        assert_eq!(java_class_name("java.lang.String"), "java.lang.String");
        assert_eq!(java_class_name("[Ljava/lang/Object;"), "java.lang.Object[]");
        assert_eq!(java_class_name("[[I"), "int[][]");
        assert_eq!(java_class_name("[B"), "byte[]");
        assert_eq!(
            java_class_name("java/util/HashMap$Node"),
            "java.util.HashMap$Node"
        );
        assert_eq!(
            java_class_name("[[Ljava/util/Map$Entry;"),
            "java.util.Map$Entry[][]"
        );
        // Old dumps sometimes write array names with dots.
        assert_eq!(java_class_name("[Ljava.lang.String;"), "java.lang.String[]");
    }
}
