//! One schema for both front ends: the query kinds and error codes `web/protocol.js`
//! declares are those the Rust query layer defines (as Perfetto keeps one `.proto`).

mod common;
use common::repo;
use heapscope::query::{Query, QueryError};
use std::collections::BTreeSet;

/// The string values of `export const NAME = Object.freeze({ KEY: 'value', … })` in
/// protocol.js (comments skipped).
fn frozen_values(js: &str, name: &str) -> BTreeSet<String> {
    let start = js
        .find(&format!("export const {name} = Object.freeze({{"))
        .unwrap_or_else(|| panic!("protocol.js declares no {name}"));
    let body = &js[start..];
    let body = &body[..body.find("});").expect("the object ends")];
    body.lines()
        .map(str::trim)
        .filter(|l| !l.starts_with("/**") && !l.starts_with('*') && !l.starts_with("//"))
        .filter_map(|l| {
            let (_, v) = l.split_once(": '")?;
            Some(v.split('\'').next()?.to_string())
        })
        .collect()
}

fn protocol_js() -> String {
    std::fs::read_to_string(repo().join("web/protocol.js")).expect("web/protocol.js")
}

#[test]
fn the_page_and_the_module_know_the_same_queries() {
    let js = frozen_values(&protocol_js(), "Query");
    let rust: BTreeSet<String> = Query::NAMES.iter().map(|s| s.to_string()).collect();
    assert_eq!(
        js, rust,
        "web/protocol.js's Query and crate/query's Query::NAMES differ"
    );
}

#[test]
fn every_query_error_has_a_protocol_code() {
    let codes = frozen_values(&protocol_js(), "ErrorCode");
    let errors = [
        QueryError::Dump(heapscope::format::HprofError::new(
            0,
            heapscope::format::ErrorKind::NoHeapDump,
        )),
        QueryError::NoObject(1),
        QueryError::NotReady,
        QueryError::Refused(String::new()),
        QueryError::BadArgument(String::new()),
        QueryError::Internal(String::new()),
    ];
    for e in errors {
        assert!(
            codes.contains(e.code()),
            "{} is not an ErrorCode of web/protocol.js: {codes:?}",
            e.code()
        );
    }
}
